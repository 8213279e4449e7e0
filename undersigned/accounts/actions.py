"""Organizers sign in (and sign up) with a one-time link e-mailed to their address.

The link is a signed token, not a database row: it carries the address, the name given
for a new account, where to go next, and the account's `last_login` when the link was
made. Signing in changes `last_login`, so a link works once and every older link stops
working too. Nothing about whether an account exists is ever shown to the visitor.

Moderators (staff) with STAFF_TWO_FACTOR on sign in with their password first (the admin's
sign-in, accounts/views.py); only then are they e-mailed a link, marked as following a
correct password. A link from the organizers' form alone signs no moderator in: the
mailbox is one factor, and a moderator's account needs two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from undersigned.accounts.models import User
from undersigned.lib import links
from undersigned.lib.emails import queue_email

SALT = "accounts.sign-in"
SECOND_FACTOR = "after-password"  # the fifth item of a link made after a correct password
MAX_TOKEN_LENGTH = 2000  # far above a real link; a longer one is not worth verifying


# A link that fails as malformed, expired or used raises lib/links' errors, with the
# SignInLink (`about`) for expired and used ones, to offer a new link filled in. Two more
# ways a genuine link signs nobody in:


class AccountDisabled(Exception):
    """The account exists but is switched off (is_active=False)."""


class PasswordFirst(Exception):
    """A moderator's account, and the link did not follow their password (two factors)."""

    def __init__(self, link: SignInLink):
        super().__init__()
        self.link = link


@dataclass(frozen=True)
class SignInLink:
    email: str
    name: str
    next: str
    last_login: str  # "" for an address with no account yet (or one never signed in)
    after_password: bool = False  # made by the staff sign-in after a correct password


def safe_next(url: str) -> str:
    """`url` if it is a path on this site, else "": never send anyone to another host."""
    url = (url or "").strip()
    if len(url) > 500 or not url.startswith("/"):
        return ""
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) else ""


def _stamp(last_login: datetime | None) -> str:
    return last_login.isoformat() if last_login else ""


def _find_user(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def _needs_password(user: User, link: SignInLink) -> bool:
    """A moderator's account signs in by link only after their password, when required."""
    staff = user.is_staff or user.is_superuser
    return staff and settings.STAFF_TWO_FACTOR and not link.after_password


class _LinkSigner(signing.TimestampSigner):
    """A TimestampSigner whose clock can be set, so a link can be made "in the past", and
    which tells when a link it opens was made: its age is judged like every other link's
    (lib/links.expired)."""

    def __init__(self, now: datetime | None = None):
        super().__init__(salt=SALT)
        self.now = now
        self.issued_at: datetime | None = None

    def timestamp(self) -> str:
        return signing.b62_encode(int((self.now or timezone.now()).timestamp()))

    def unsign(self, value: str, max_age: float | None = None) -> str:
        if max_age is not None:
            raise TypeError("the age of a sign-in link is checked by links.expired")
        value, stamp = signing.Signer.unsign(self, value).rsplit(self.sep, 1)
        self.issued_at = datetime.fromtimestamp(signing.b62_decode(stamp), tz=UTC)
        return value


def make_sign_in_token(
    email: str,
    name: str = "",
    next_url: str = "",
    now: datetime | None = None,
    after_password: bool = False,
) -> str:
    user = _find_user(email)
    payload = [email, name, safe_next(next_url), _stamp(user.last_login if user else None)]
    if after_password:
        payload.append(SECOND_FACTOR)
    return _LinkSigner(now).sign_object(payload, compress=True)


def request_sign_in(
    email: str,
    name: str = "",
    next_url: str = "",
    language: str = "en",
    now: datetime | None = None,
) -> None:
    """Queue an e-mail with a sign-in link to `email`, whether or not it has an account."""
    user = _find_user(email)
    if user is not None and not user.is_active:
        return  # a switched-off account gets no link; the visitor sees the same page
    # One link a minute per address, so nobody can flood someone's inbox from this form.
    if not cache.add(f"sign-in-mail:{email.lower()}", 1, 60):
        return
    token = make_sign_in_token(email, name, next_url, now)
    context = {
        # Only a name the account already has: anyone can type any address and name here.
        "name": user.name if user else "",
        "url": settings.SITE_URL + reverse("accounts:sign_in_link", args=[token]),
        "minutes": settings.SIGN_IN_LINK_MINUTES,
        "new_account": user is None,
    }
    queue_email("sign_in", email, context, language)


def request_staff_sign_in(user: User, next_url: str = "", language: str = "en") -> None:
    """After a moderator's correct password: e-mail the link that finishes signing in."""
    # One a minute, as on the organizers' form; the link sent a moment ago still works.
    if not cache.add(f"staff-sign-in-mail:{user.email.lower()}", 1, 60):
        return
    token = make_sign_in_token(user.email, next_url=next_url, after_password=True)
    context = {
        "name": user.name,
        "url": settings.SITE_URL + reverse("accounts:sign_in_link", args=[token]),
        "minutes": settings.SIGN_IN_LINK_MINUTES,
        "new_account": False,
        "after_password": True,
    }
    queue_email("sign_in", user.email, context, language)


def check_sign_in_link(token: str, now: datetime | None = None) -> SignInLink:
    """The link's contents, if it can still sign in; else raise why it cannot.

    1. Verify the signature (altered or cut short: links.Malformed).
    2. Check its age (too old: links.Expired, but still say who it was for).
    3. Compare the account's last sign-in with the one in the link (changed: links.Used).
    4. A switched-off account: AccountDisabled.
    5. A moderator's account needs a link that followed their password: PasswordFirst.
    """
    if len(token) > MAX_TOKEN_LENGTH:
        raise links.Malformed
    signer = _LinkSigner()
    try:
        payload = signer.unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise links.Malformed from None
    if not (isinstance(payload, list) and len(payload) in (4, 5)):
        raise links.Malformed
    if not all(isinstance(item, str) for item in payload) or "@" not in payload[0]:
        raise links.Malformed
    if payload[4:] not in ([], [SECOND_FACTOR]):
        raise links.Malformed
    after_password = payload[4:] == [SECOND_FACTOR]
    link = SignInLink(payload[0], payload[1], safe_next(payload[2]), payload[3], after_password)
    lifetime = timedelta(minutes=settings.SIGN_IN_LINK_MINUTES)
    if links.expired(signer.issued_at, lifetime, now or timezone.now()):
        raise links.Expired(link)
    user = _find_user(link.email)
    if user is not None and _stamp(user.last_login) != link.last_login:
        raise links.Used(link)
    if user is None and link.last_login:
        raise links.Used(link)  # the account was deleted since
    if user is not None and not user.is_active:
        raise AccountDisabled
    if user is not None and _needs_password(user, link):
        raise PasswordFirst(link)
    return link


def sign_in_with_link(link: SignInLink, now: datetime | None = None) -> User:
    """Spend a checked link: create the account if new (the address is now proven), or
    claim the existing one by moving its `last_login`. A link spent twice at the same
    moment signs in once; the other raises links.Used."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().filter(email__iexact=link.email).first()
            if user is None:
                if link.last_login:
                    raise links.Used(link)
                return User.objects.create_user(link.email, name=link.name, last_login=now)
            if _stamp(user.last_login) != link.last_login:
                raise links.Used(link)
            if not user.is_active:
                raise AccountDisabled
            if _needs_password(user, link):
                raise PasswordFirst(link)  # and the link is not spent
            user.last_login = now
            user.name = user.name or link.name
            user.save(update_fields=["last_login", "name"])
            return user
    except IntegrityError:
        raise links.Used(link) from None  # another request created the account first
