"""Writes about petitions that change their state, each with its e-mail to the creator."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.lib.emails import queue_email
from undersigned.petitions.models import InvalidTransition, Petition, Target


def _lock(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().get(pk=petition.pk)


def save_draft(petition: Petition, targets: list[dict[str, str]]) -> Petition:
    """Create or edit a petition that is not open yet, with its decision makers."""
    if petition.pk and not petition.is_editable:
        raise InvalidTransition(_("An open or closed petition cannot be edited."))
    petition.prepare_text()
    with transaction.atomic():
        petition.save()
        petition.targets.all().delete()
        Target.objects.bulk_create(
            Target(petition=petition, position=i, name=t["name"], role=t.get("role", ""),
                   email=t.get("email", ""))
            for i, t in enumerate(targets)
        )  # fmt: skip
    return petition


def submit_petition(petition: Petition, now: datetime | None = None) -> Petition:
    with transaction.atomic():
        petition = _lock(petition)
        petition.submit(now or timezone.now())
        petition.save()
    return petition


def _tell_creator(petition: Petition, template: str) -> None:
    queue_email(
        template,
        petition.creator.email,
        {
            "name": petition.creator.name,
            "title": petition.title,
            "url": petition.absolute_url(),
            "reason": petition.get_rejection_reason_display(),
            "note": petition.moderation_note,
        },
    )


def approve_petition(petition: Petition, moderator, now: datetime | None = None) -> Petition:
    with transaction.atomic():
        petition = _lock(petition)
        petition.approve(now or timezone.now(), moderator)
        petition.save()
        _tell_creator(petition, "petition_approved")
    return petition


def reject_petition(
    petition: Petition, moderator, reason: str, note: str = "", now: datetime | None = None
) -> Petition:
    with transaction.atomic():
        petition = _lock(petition)
        petition.reject(now or timezone.now(), moderator, reason, note)
        petition.save()
        _tell_creator(petition, "petition_rejected")
    return petition


def hide_petition(petition: Petition, moderator, note: str = "", now=None) -> Petition:
    with transaction.atomic():
        petition = _lock(petition)
        petition.hide(now or timezone.now(), moderator, note)
        petition.save()
    return petition


def close_petition(petition: Petition, now: datetime | None = None) -> Petition:
    from undersigned.signatures.actions import refresh_counts

    with transaction.atomic():
        petition = _lock(petition)
        petition.close(now or timezone.now())
        petition.save()
        _tell_creator(petition, "petition_closed")
    refresh_counts()
    return petition


def close_due_petitions(now: datetime | None = None) -> int:
    """Close every open petition whose closing date has passed (the clock runs this)."""
    now = now or timezone.now()
    closed = 0
    for petition in Petition.objects.due_to_close(now).only("pk"):
        try:
            close_petition(petition, now)
        except InvalidTransition:
            continue  # another worker closed it first
        closed += 1
    return closed
