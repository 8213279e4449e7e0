"""Co-organizers: the creator invites people by e-mail; they accept through a private link.

An invitation is an `Organizer` row. Its link is "<id>.<secret>": a random secret of 192
bits of which only the SHA-256 is stored, that works for ORGANIZER_INVITE_DAYS and once.
Sending the invitation again replaces the secret, so only the newest link works.
Accepting needs an account with the invited address (proven by the e-mailed sign-in):
a forwarded link does not make someone else an organizer.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.accounts.models import User
from undersigned.lib.emails import queue_email
from undersigned.petitions.models import Organizer, Petition
from undersigned.signatures.models import hash_secret


class CannotInvite(ValueError):
    """The address cannot be invited; the message says why, for the form."""


class InvitationError(Exception):
    """An invitation link that cannot be accepted. Subclasses say why."""

    def __init__(self, organizer: Organizer | None = None):
        super().__init__()
        self.organizer = organizer


class InvitationMalformed(InvitationError):
    """Cut short, altered, never ours, or the invitation was cancelled."""


class InvitationExpired(InvitationError):
    """Genuine but older than ORGANIZER_INVITE_DAYS."""


class InvitationUsed(InvitationError):
    """Accepted already, or replaced by a newer invitation to the same address."""


class WrongAccount(InvitationError):
    """Genuine, but the person signed in has another address than the one invited."""


def invitation_expires_at(organizer: Organizer) -> datetime:
    return organizer.invited_at + timedelta(days=settings.ORGANIZER_INVITE_DAYS)


def normalize_address(email: str) -> str:
    return email.strip().lower()


def check_can_invite(petition: Petition, email: str) -> None:
    """Raise CannotInvite if `email` already runs the petition."""
    email = normalize_address(email)
    if petition.creator.email.lower() == email:
        raise CannotInvite(_("You started this petition: you already have every right."))
    if petition.organizers.filter(email=email, accepted_at__isnull=False).exists():
        raise CannotInvite(_("This person is already a co-organizer. Change their role below."))


def invite_organizer(
    petition: Petition,
    email: str,
    role: str,
    invited_by: User,
    language: str = "en",
    now: datetime | None = None,
) -> Organizer:
    """Create (or renew) the invitation and queue its e-mail in the same transaction."""
    now = now or timezone.now()
    email = normalize_address(email)
    check_can_invite(petition, email)
    with transaction.atomic():
        organizer, _created = Organizer.objects.select_for_update().get_or_create(
            petition=petition, email=email, defaults={"role": role, "invited_by": invited_by}
        )
        if organizer.accepted_at is not None:  # accepted since the check above
            raise CannotInvite(_("This person is already a co-organizer. Change their role below."))
        secret = secrets.token_urlsafe(24)
        organizer.role, organizer.invited_by = role, invited_by
        organizer.token_hash, organizer.invited_at = hash_secret(secret), now
        organizer.save()
        token = f"{organizer.pk}.{secret}"
        context = {
            "title": petition.title,
            "inviter": invited_by.name or invited_by.email,
            "role": role,
            "url": settings.SITE_URL + reverse("dashboard:invitation", args=[token]),
            "days": settings.ORGANIZER_INVITE_DAYS,
        }
        queue_email("organizer_invite", email, context, language)
    return organizer


def check_invitation(token: str, now: datetime | None = None) -> tuple[Organizer, str]:
    """The invitation and its secret, if the link can still be accepted; else raise why.

    1. Split "<id>.<secret>" (anything else: malformed) and find the row (gone: cancelled).
    2. Accepted already: used. A secret that does not match: replaced by a newer one.
    3. Older than ORGANIZER_INVITE_DAYS: expired.
    """
    now = now or timezone.now()
    key, _dot, secret = token.partition(".")
    if not (key.isascii() and key.isdigit()) or len(key) > 18 or not 16 <= len(secret) <= 64:
        raise InvitationMalformed
    organizer = Organizer.objects.select_related("petition").filter(pk=int(key)).first()
    if organizer is None:
        raise InvitationMalformed
    if organizer.accepted_at is not None:
        raise InvitationUsed(organizer)
    if not organizer.token_hash or not secrets.compare_digest(
        organizer.token_hash, hash_secret(secret)
    ):
        raise InvitationUsed(organizer)
    if now > invitation_expires_at(organizer):
        raise InvitationExpired(organizer)
    return organizer, secret


def accept_invitation(
    organizer: Organizer, secret: str, user: User, now: datetime | None = None
) -> Organizer:
    """Make `user` a co-organizer: one conditional UPDATE, so a link pressed twice (or in
    two tabs) is accepted once and the other press raises InvitationUsed."""
    now = now or timezone.now()
    if normalize_address(user.email) != organizer.email:
        raise WrongAccount(organizer)
    fresh_since = now - timedelta(days=settings.ORGANIZER_INVITE_DAYS)
    changed = Organizer.objects.filter(
        pk=organizer.pk,
        token_hash=hash_secret(secret),
        accepted_at__isnull=True,
        invited_at__gte=fresh_since,
    ).update(user=user, accepted_at=now, token_hash="")
    if not changed:
        raise InvitationUsed(organizer)
    organizer.refresh_from_db()
    return organizer


def change_organizer_role(petition: Petition, organizer_pk: int, role: str) -> bool:
    """Give an accepted or invited co-organizer another role; False if not found here."""
    if role not in Organizer.Role.values:
        raise ValueError(role)
    return bool(petition.organizers.filter(pk=organizer_pk).update(role=role))


def remove_organizer(petition: Petition, organizer_pk: int) -> bool:
    """Remove a co-organizer, or cancel an invitation (its link stops working at once)."""
    deleted, _by_model = petition.organizers.filter(pk=organizer_pk).delete()
    return bool(deleted)
