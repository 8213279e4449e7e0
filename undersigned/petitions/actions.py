"""Writes about petitions that change their state, each with its e-mail to the creator."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from undersigned.lib.emails import queue_email
from undersigned.petitions import hooks, supporters
from undersigned.petitions.models import InvalidTransition, Petition, PetitionTranslation, Target

EDITABLE_FIELDS = [
    "title",
    "slug",
    "text",
    "text_html",
    "goal",
    "language",
    "closes_at",
    "notify_targets",
    "creator_name",
    "organisation",
    "updated_at",
]


def _lock(petition: Petition) -> Petition:
    return Petition.objects.select_for_update().get(pk=petition.pk)


def _changed(petition: Petition, previous: str) -> None:
    """Tell the apps built on petitions, inside this transaction (hooks.state_changed)."""
    hooks.state_changed.send(sender=Petition, petition=petition, previous=previous)


def save_draft(petition: Petition, targets: list[dict[str, str]]) -> Petition:
    """Create or edit a petition that is not open yet, with its decision makers.

    An edit locks the row and checks again that it is still editable, so a moderator's
    decision made meanwhile is never overwritten. Targets' private e-mail addresses
    are kept for targets whose name is unchanged when the caller gives no "email" key
    (the petition form always gives one, so an organizer can clear it).
    """
    petition.prepare_text()
    # Every petition page says who started it: the account's name unless another is given.
    petition.creator_name = petition.creator_name or petition.creator.name
    with transaction.atomic():
        if petition.pk:
            if not _lock(petition).is_editable:
                raise InvalidTransition(_("An open or closed petition cannot be edited."))
            petition.save(update_fields=EDITABLE_FIELDS)
        else:
            petition.save()
        emails = dict(petition.targets.values_list("name", "email"))
        petition.targets.all().delete()
        Target.objects.bulk_create(
            Target(petition=petition, position=i, name=t["name"], role=t.get("role", ""),
                   email=t["email"] if "email" in t else emails.get(t["name"], ""))
            for i, t in enumerate(targets)
        )  # fmt: skip
    return petition


def import_petition(
    petition: Petition, targets: list[dict[str, str]], creator_email: str, moderator=None
) -> tuple[Petition, bool]:
    """Save a petition read from a file (petitions/importing.py), all or nothing.

    1. The organizer's account: made if new (signing in by e-mail), named after the
       file's `creator_name` if it has no name yet.
    2. Their draft, or petition awaiting moderation, with the same title is updated
       rather than doubled, so the same file can be imported again; an open, closed or
       rejected one with that title is refused.
    3. Given a moderator, the petition is submitted and approved at once.

    Returns the petition and whether it was already there."""
    users = get_user_model().objects
    with transaction.atomic():
        creator = users.filter(email=creator_email).first()
        creator = creator or users.create_user(creator_email, name=petition.creator_name)
        if not creator.name and petition.creator_name:
            creator.name = petition.creator_name
            creator.save(update_fields=["name"])
        petition.creator = creator
        same = Petition.objects.filter(creator=creator, title=petition.title).last()
        if same and not same.is_editable:
            raise InvalidTransition(
                _("This organizer's petition with that title is already %(state)s: %(url)s")
                % {"state": same.get_state_display(), "url": same.absolute_url()}
            )
        if same:
            petition.pk, petition.state = same.pk, same.state
        petition = save_draft(petition, targets)
        if moderator is not None:
            if petition.state == Petition.State.DRAFT:
                petition = submit_petition(petition, gather_supporters=False)
            petition = approve_petition(petition, moderator)
    return petition, same is not None


def submit_petition(
    petition: Petition, now: datetime | None = None, gather_supporters: bool = True
) -> Petition:
    """To moderation; or, when the site asks for supporters first (supporters.py), to
    gathering them, with the private link e-mailed to the organizer. An import that a
    moderator opens at once (import_petition) passes gather_supporters=False."""
    with transaction.atomic():
        petition = _lock(petition)
        previous = petition.state
        petition.submit(now or timezone.now())
        if gather_supporters and supporters.required():
            petition.state = Petition.State.SUPPORT
        petition.save()
        if petition.state == Petition.State.SUPPORT:
            supporters.tell_organizer(petition)
        _changed(petition, previous)
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
        previous = petition.state
        petition.approve(now or timezone.now(), moderator)
        petition.save()
        _tell_creator(petition, "petition_approved")
        _changed(petition, previous)
    return petition


def reject_petition(
    petition: Petition, moderator, reason: str, note: str = "", now: datetime | None = None
) -> Petition:
    with transaction.atomic():
        petition = _lock(petition)
        previous = petition.state
        petition.reject(now or timezone.now(), moderator, reason, note)
        petition.save()
        _tell_creator(petition, "petition_rejected")
        _changed(petition, previous)
    return petition


def moderate_petition(
    petition: Petition, moderator, decision: str, reason: str = "", note: str = ""
) -> Petition:
    """A moderator's decision on a petition awaiting moderation: "approve", "reject" or
    "hide". Refused (InvalidTransition) if another moderator decided first."""
    with transaction.atomic():
        if _lock(petition).state != Petition.State.MODERATION:
            raise InvalidTransition(_("Another moderator has already decided on this petition."))
        if decision == "approve":
            return approve_petition(petition, moderator)
        if decision == "reject":
            return reject_petition(petition, moderator, reason, note)
        return hide_petition(petition, moderator, note)


def hide_petition(petition: Petition, moderator, note: str = "", now=None) -> Petition:
    with transaction.atomic():
        petition = _lock(petition)
        previous = petition.state
        petition.hide(now or timezone.now(), moderator, note)
        petition.save()
        _changed(petition, previous)
    return petition


def close_petition(petition: Petition, now: datetime | None = None) -> Petition:
    """Close it; the final count is stored and signed, and the "closed" webhooks queued,
    by the apps that keep them (hooks.state_changed), in this same transaction."""
    with transaction.atomic():
        petition = _lock(petition)
        previous = petition.state
        petition.close(now or timezone.now())
        petition.save()
        _tell_creator(petition, "petition_closed")
        _changed(petition, previous)
    return petition


def mark_duplicate(petition: Petition, other: Petition, moderator) -> Petition:
    """A moderator's mark: `petition` asks what `other` asks. Its page points there, it
    takes no more signatures, its organizer is e-mailed now, and the worker tells its
    signers who asked for updates, once (updates/duplicates.py).

    Both rows are locked (lowest id first, so two moderators cannot deadlock), so that
    two marks made at once cannot make a chain: X → Y while Y → Z."""
    with transaction.atomic():
        locked = Petition.objects.select_for_update().filter(pk__in=[petition.pk, other.pk])
        rows = {row.pk: row for row in locked.order_by("pk")}
        petition, other = rows[petition.pk], rows[other.pk]
        petition.mark_duplicate_of(other, moderator)
        pointing = list(petition.duplicates.values_list("pk", flat=True)[:5])
        if pointing:
            raise InvalidTransition(
                _("Petitions marked as duplicates of this one (%(numbers)s) would point to a "
                  "duplicate: mark them as duplicates of the other petition first.")
                % {"numbers": ", ".join(map(str, pointing))}
            )  # fmt: skip
        petition.save(update_fields=["duplicate_of", "moderated_by", "updated_at"])
        queue_email(
            "petition_duplicate",
            petition.creator.email,
            {
                "name": petition.creator.name,
                "title": petition.title,
                "url": petition.absolute_url(),
                "original_title": other.title,
                "original_url": other.absolute_url(),
            },
        )
    return petition


def unmark_duplicate(petition: Petition) -> Petition:
    """Undo a mark made in error: the petition takes signatures again if it is open.
    Signers already told are not told again, whatever is marked later."""
    with transaction.atomic():
        petition = _lock(petition)
        petition.duplicate_of = None
        petition.save(update_fields=["duplicate_of", "updated_at"])
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


def save_translation(petition: Petition, language: str, title: str, text: str):
    """Add or replace the petition's title and text in another language."""
    if language == petition.language:
        raise InvalidTransition(_("That is the petition's own language."))
    translation = PetitionTranslation.objects.filter(petition=petition, language=language).first()
    translation = translation or PetitionTranslation(petition=petition, language=language)
    translation.title, translation.text = title, text
    translation.prepare_text()
    translation.save()
    return translation


def delete_translation(petition: Petition, language: str) -> bool:
    return bool(petition.translations.filter(language=language).delete()[0])
