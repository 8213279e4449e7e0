"""Co-organizers: the creator invites people by e-mail; they accept through a private link.

An invitation is an `Organizer` row. Its link is "<id>.<secret>": a random secret of 192
bits of which only the SHA-256 is stored, that works for ORGANIZER_INVITE_DAYS and once.
Sending the invitation again replaces the secret, so only the newest link works.
Accepting needs an account with the invited address (proven by the e-mailed sign-in):
a forwarded link does not make someone else an organizer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.accounts.models import User
from undersigned.lib import links
from undersigned.lib.emails import queue_email
from undersigned.petitions.models import Organizer, Petition


class CannotInvite(ValueError):
    """The address cannot be invited; the message says why, for the form."""


class WrongAccount(Exception):
    """Genuine, but the person signed in has another address than the one invited."""

    def __init__(self, organizer: Organizer):
        super().__init__()
        self.organizer = organizer


def invite_lifetime() -> timedelta:
    return timedelta(days=settings.ORGANIZER_INVITE_DAYS)


def invitation_expires_at(organizer: Organizer) -> datetime:
    return organizer.invited_at + invite_lifetime()


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
        secret, organizer.token_hash = links.new_secret()
        organizer.role, organizer.invited_by, organizer.invited_at = role, invited_by, now
        organizer.save()
        token = links.make_token(organizer.pk, secret)
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
    """The invitation and its secret, if the link can still be accepted; else raise
    links.Malformed, links.Used or links.Expired (with the row, for its page).

    1. Find the row by the link (not ours, or the row is gone, i.e. cancelled: malformed).
    2. A secret that is not the row's: used. Accepting blanks the hash, and inviting
       again replaces it, so this is an accepted or a replaced invitation.
    3. Older than ORGANIZER_INVITE_DAYS: expired.
    """
    now = now or timezone.now()
    found = links.find(Organizer.objects.select_related("petition"), token)
    if found.row is None:
        raise links.Used(found.unmatched) if found.unmatched else links.Malformed
    organizer = found.row
    if organizer.accepted_at is not None:
        raise links.Used(organizer)
    if links.expired(organizer.invited_at, invite_lifetime(), now):
        raise links.Expired(organizer)
    return organizer, found.secret


def accept_invitation(
    organizer: Organizer, secret: str, user: User, now: datetime | None = None
) -> Organizer:
    """Make `user` a co-organizer: one conditional UPDATE, so a link pressed twice (or in
    two tabs) is accepted once and the other press raises links.Used."""
    now = now or timezone.now()
    if normalize_address(user.email) != organizer.email:
        raise WrongAccount(organizer)
    pending = Organizer.objects.filter(
        pk=organizer.pk,
        token_hash=links.hash_secret(secret),
        accepted_at__isnull=True,
        invited_at__gte=now - invite_lifetime(),
    )
    if not links.use_once(pending, user=user, accepted_at=now, token_hash=""):
        raise links.Used(organizer)
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
