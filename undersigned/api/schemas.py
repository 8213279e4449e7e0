"""What the API takes and gives: every request and response body is one of these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

MAX_ID = 2**63 - 1  # beyond any row id, and beyond what the databases compare
PAGE_MAX = 100

# Text in queries: no NUL (PostgreSQL refuses it in text), bounded.
Text = Annotated[str, StringConstraints(max_length=150, pattern=r"^[^\x00]*$")]
Reference = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$"),
    Field(description="The partner's own id for this signature: printable ASCII, no spaces."),
]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=PAGE_MAX, description="Items per page, at most 100.")]
Cursor = Annotated[
    str | None,
    Field(max_length=500, description="`next_cursor` of the previous page; omit for the first."),
]


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = Field(None, description="Only for 400 `invalid`.")
    retry_after: int | None = Field(None, description="Only for 429: seconds to wait.")


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


class SignerOut(Schema):
    name: str = Field(description='First name and initial: "Anahit K."')
    country: str
    comment: str
    confirmed_at: datetime


class SignerPage(Schema):
    items: list[SignerOut]
    next_cursor: str | None


class SignatureIn(Schema):
    name: str
    email: str
    country: str = Field(description="ISO 3166-1 alpha-2 code.")
    postcode: str = ""
    comment: str = ""
    public: bool = False
    wants_updates: bool = False
    reference: Reference


class SubmissionOut(Schema):
    reference: str
    petition_id: int
    confirmed: bool = Field(description="The signer confirmed by e-mail after this submission.")
    submitted_at: datetime


class SubmissionPage(Schema):
    items: list[SubmissionOut]
    next_cursor: str | None
