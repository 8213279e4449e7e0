"""E-mailed one-time links: sign-in, invitations, data requests, answers, confirmations.

A link that finds a row is "<id>.<secret>": the id finds the row by its key, the secret
(192 random bits) proves the link came from our e-mail. Only the secret's SHA-256 is
stored, so a copy of the database opens nothing. A link that is not a row (the signed
sign-in link) uses only the expiry and the pages here.

Every flow tells three failures apart, each with its own page (after zulip's
`confirmation`): malformed (cut short, altered, not ours: 404), expired (genuine but too
old: 410, usually with a way to get a new one) and used (genuine, already spent: 410).
The pages are one set of templates (`templates/links/`); each flow passes its own words.

A link is spent by a conditional UPDATE (`use_once`), so a double click, a second tab or
two workers spend it once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=Model)

MALFORMED, EXPIRED, USED = "malformed", "expired", "used"
STATUS = {MALFORMED: 404, EXPIRED: 410, USED: 410}
# The words a flow need not repeat: most links are just "this link".
TITLES = {
    MALFORMED: _("This link is not complete"),
    EXPIRED: _("This link has expired"),
    USED: _("This link has been used"),
}

SECRET_BYTES = 24  # 192 bits: 32 characters in the link
MAX_ID_DIGITS = 18  # within a bigint: a longer id overflows the database driver
MIN_SECRET, MAX_SECRET = 16, 80  # around our 32 characters; anything else is not ours
# Compared in place of a missing row's hash, so a missing id costs what a wrong secret
# costs. The length of a real hash, and no hash of anything (those are hex digits only).
NO_HASH = "-" * 64


class LinkError(Exception):
    """A link that cannot be used. `kind` names its page; `about` is what the flow knows
    of the link (the row, or the signed contents) for that page, if it is genuine."""

    kind = ""

    def __init__(self, about: Any = None):
        super().__init__(self.kind)
        self.about = about


class Malformed(LinkError):
    """Cut short, altered, never ours, or its row is gone."""

    kind = MALFORMED


class Expired(LinkError):
    """Genuine, but older than its flow allows."""

    kind = EXPIRED


class Used(LinkError):
    """Genuine, but spent already (or replaced by a newer link)."""

    kind = USED


# Secrets -------------------------------------------------------------------------------


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A fresh secret for a link, and the hash to store in its place."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return secret, hash_secret(secret)


def make_token(pk: int, secret: str) -> str:
    """The part of the link's address that opens it: "<id>.<secret>"."""
    return f"{pk}.{secret}"


def parse(token: str) -> tuple[int, str] | None:
    """(id, secret) from "<id>.<secret>", or None if it cannot be one of ours. Strict, so
    that odd input is a malformed link and never an error: ASCII digits only (int()
    takes other scripts' digits too), an id within a bigint, a secret of plausible
    length."""
    key, _dot, secret = token.partition(".")
    if not (key.isascii() and key.isdigit() and len(key) <= MAX_ID_DIGITS):
        return None
    if not MIN_SECRET <= len(secret) <= MAX_SECRET:
        return None
    return int(key), secret


def matches(stored_hash: str | None, secret: str) -> bool:
    """Whether `secret` is the one `stored_hash` was made from, in constant time. An empty
    hash (no row, a spent or withdrawn link) matches nothing, after the same work."""
    return hmac.compare_digest(stored_hash or NO_HASH, hash_secret(secret))


@dataclass(frozen=True, slots=True)
class Found(Generic[M]):
    """What a link's address led to. `row` is set only if the secret is the row's own;
    `unmatched` is the row its id names when the secret is not (an older link to the
    same row, or someone trying ids): only a flow that says "replaced" looks at it, and
    it must show nothing of that row."""

    row: M | None = None
    secret: str = ""
    unmatched: M | None = None


def find(queryset: QuerySet[M], token: str, field: str = "token_hash") -> Found[M]:
    """The row a link is for, if the link's secret matches its stored hash.

    1. Parse the token (not ours: nothing is looked up).
    2. One lookup by id in `queryset`.
    3. One hash of the secret and one constant-time comparison, against NO_HASH when
       there is no row: a wrong secret and a missing id take the same work, so neither
       the answer nor its timing tells a stranger whether the id exists.
    """
    parsed = parse(token)
    if parsed is None:
        return Found()
    pk, secret = parsed
    row = queryset.filter(pk=pk).first()
    if not matches(getattr(row, field) if row is not None else "", secret):
        return Found(unmatched=row)
    return Found(row=row, secret=secret)


# Expiry and spending -------------------------------------------------------------------


def expired(issued_at: datetime | None, lifetime: timedelta, now: datetime) -> bool:
    """Whether a link issued at `issued_at` is too old at `now`. A link with no time of
    issue (never sent, or the time was cleared) is expired: nothing stays open forever."""
    return issued_at is None or now > issued_at + lifetime


def use_once(queryset: QuerySet, **changes: Any) -> bool:
    """Spend a link: UPDATE the rows `queryset` selects (its conditions say "not spent
    yet") and say whether exactly one changed. Of two requests racing with the same
    link, one gets True, the other False."""
    return queryset.update(**changes) == 1


# Pages ---------------------------------------------------------------------------------

Text = str | Promise


@dataclass(frozen=True, slots=True)
class Offer:
    """What the page offers to do next.

    - a link to `url`, drawn as `style`: "link", "button" or "primary" (a main button);
    - `post=True`: a button that POSTs to `url`. For flows whose link is its own
      credential, checked by origin (lib/http.same_origin_post): no CSRF token;
    - `template`: the flow's own form (e.g. "send me a new sign-in link"), included with
      `form` and `label` (as `button_label`).
    """

    label: Text
    url: str = ""
    style: str = "primary"
    post: bool = False
    template: str = ""
    form: Any = None


def page(
    request: HttpRequest,
    kind: str,
    *,
    title: Text = "",
    text: Iterable[Text] = (),
    offer: Offer | None = None,
    petition: Any = None,
) -> HttpResponse:
    """The page for a link that failed as `kind`, in the flow's own words.

    `title` is the heading (default: "This link …"); `text` its paragraphs, plain text
    unless marked safe; `offer` what to do next; `petition`, if given, is named above the
    heading as a link (only for a genuine link whose petition its holder may see).
    """
    context = {
        "title": title or TITLES[kind],
        "text": list(text),
        "offer": offer,
        "petition": petition,
    }
    return render(request, f"links/{kind}.html", context, status=STATUS[kind])
