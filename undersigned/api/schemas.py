"""What the API takes and gives: every request and response body is one of these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

MAX_ID = 2**63 - 1  # beyond any row id, and beyond what the databases compare
PAGE_MAX = 100

# Text in queries: no NUL (PostgreSQL refuses it in text), bounded.
Text = Annotated[str, StringConstraints(max_length=150, pattern=r"^[^\x00]*$")]
Reference = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$"),
    Field(
        description="The partner's own id for this signature: printable ASCII, no spaces.",
        examples=["crm-1042"],
    ),
]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=PAGE_MAX, description="Items per page, at most 100.")]
Cursor = Annotated[
    str | None,
    Field(max_length=1000, description="`next_cursor` of the previous page; omit for the first."),
]


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = Field(None, description="Only for 400 `invalid`.")
    retry_after: int | None = Field(None, description="Only for 429: seconds to wait.")
    duplicate_of: int | None = Field(
        None, description="Only for 409 `duplicate`: the petition to sign instead."
    )


class ErrorOut(Schema):
    error: ErrorDetail


class PetitionFilters(Schema):
    state: Literal["open", "closed"] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z-]{1,8}$")] | None = None
    target: Text | None = Field(None, description="Part of a decision maker's name.")
    q: Text | None = Field(None, description="Words in the title or text.")
    min_count: Count | None = None
    max_count: Count | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: Literal["newest", "most_signed"] = "newest"
    cursor: Cursor = None
    limit: Limit = 20


class TargetOut(Schema):
    name: str
    role: str


class PetitionOut(Schema):
    id: int
    title: str
    state: str
    url: str
    language: str
    signature_count: int = Field(description="Confirmed signatures (refreshed every seconds).")
    goal: int = Field(description="The goal shown: the next rung once the organizer's is passed.")
    targets: list[TargetOut]
    created_at: datetime
    opened_at: datetime | None
    closes_at: datetime | None
    closed_at: datetime | None


class PetitionPage(Schema):
    items: list[PetitionOut]
    next_cursor: str | None


class CountryCount(Schema):
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    count: int


class DayCount(Schema):
    day: date
    count: int


class Counts(Schema):
    total: int
    by_country: list[CountryCount]
    by_day: list[DayCount] = Field(description="By day of confirmation, in UTC.")
    computed_at: datetime


class PetitionDetail(PetitionOut):
    organizer_goal: int
    text: str = Field(description="Markdown, as the organizer wrote it.")
    text_html: str = Field(description="The text as sanitised HTML.")
    counts: Counts = Field(description="Aggregates, at most a minute old.")
    region_scheme: str = Field(
        description='The code of the region scheme its signers are counted by ("" for none).'
    )
    regions: dict[str, int] = Field(
        description="Confirmed signatures by region code of that scheme ({} for none)."
    )


class SignerOut(Schema):
    name: str = Field(description='First name and initial: "Anahit K."')
    country: str
    comment: str
    confirmed_at: datetime = Field(
        description="The UTC day of confirmation, as 00:00 that day: never the time of day."
    )


class SignerPage(Schema):
    items: list[SignerOut]
    next_cursor: str | None


class UpdateOut(Schema):
    id: int
    kind: Literal["news", "victory", "response"] = Field(
        description="news from the organizers, the victory, or a decision maker's response."
    )
    title: str
    text: str = Field(description="Markdown, as written.")
    text_html: str = Field(description="The text as sanitised HTML.")
    target: TargetOut | None = Field(description="Who responded (a response only).")
    answered_from: str | None = Field(
        None,
        description="A response only: the domain of the address its private link was "
        "e-mailed to (the address itself is never shown); empty if not recorded.",
        examples=["riverside.example"],
    )
    address_checked: bool | None = Field(
        None,
        description="A response only: whether our moderators had checked that address "
        "before we e-mailed the link.",
    )
    created_at: datetime


class UpdatePage(Schema):
    items: list[UpdateOut]
    next_cursor: str | None


def _form_rule(description: str, default: Any = ..., **rules: Any) -> Any:
    """A field the sign form validates (with its own messages): the schema only says so."""
    return Field(default, description=description, json_schema_extra=rules)


class SignatureIn(Schema):
    """The sign form's fields, checked by the form itself, plus the partner's reference."""

    name: str = _form_rule(
        "Full name, with letters in any script (emoji or symbols alone are refused). "
        "Longer than 100 characters is refused, never cut.",
        minLength=2,
        maxLength=100,
    )
    email: str = _form_rule(
        "Where the confirmation link is sent. Taken as given: no “Did you mean …?” here.",
        maxLength=254,
    )
    country: str = _form_rule("ISO 3166-1 alpha-2 code, capitals.", pattern="^[A-Z]{2}$")
    postcode: str = _form_rule("Letters, digits, spaces, hyphens.", maxLength=16, default="")
    comment: str = _form_rule("Shown with the name if public.", maxLength=500, default="")
    public: bool = False
    wants_updates: bool = False
    contact_by_organizer: bool = False
    reference: Reference

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Anahit Karapetyan",
                    "email": "anahit@example.am",
                    "country": "AM",
                    "comment": "Libraries matter.",
                    "public": True,
                    "reference": "crm-1042",
                }
            ]
        }
    }


class SubmissionOut(Schema):
    reference: str
    petition_id: int
    confirmed: bool = Field(description="The signer confirmed by e-mail after this submission.")
    submitted_at: datetime


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    next_cursor: str | None
