"""Posting updates, declaring victory, and the moderators' decision on e-mailed updates.

The e-mail itself goes out in the background (updates/mailing.py); here it is only
requested, in the same transaction that saves the update.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from undersigned.petitions.actions import close_petition
from undersigned.petitions.models import InvalidTransition, Petition, Target
from undersigned.signatures.models import Signature
from undersigned.updates.models import Update

WEEK = timedelta(days=7)
POSTABLE_STATES = {Petition.State.OPEN, Petition.State.CLOSED}


def recipients(petition: Petition):
    """The signers an e-mailed update goes to: counted signatures (confirmed, not
    withdrawn, invalidated or held) whose signer asked for updates."""
    return Signature.objects.counted().filter(petition=petition, wants_updates=True)


def emails_left(petition: Petition, now: datetime | None = None) -> int:
    """How many more news updates this petition may e-mail in the 7 days up to `now`.
    Victories and responses are always e-mailed and not counted."""
    now = now or timezone.now()
    used = Update.objects.emailed_news_since(petition, now - WEEK).count()
    return max(settings.UPDATE_EMAILS_PER_WEEK - used, 0)


def cap_message(left: int) -> str:
    return ngettext(
        "%(left)s of %(cap)s e-mail left this week.",
        "%(left)s of %(cap)s e-mails left this week.",
        settings.UPDATE_EMAILS_PER_WEEK,  # the noun follows the cap: "1 of 3 e-mails"
    ) % {"left": left, "cap": settings.UPDATE_EMAILS_PER_WEEK}


def check_update(
    petition: Petition, kind: str, title: str, text: str, email: bool, now, responder: str = ""
) -> None:
    """Raise a ValidationError (per field where there is one) if this update may not be
    posted as asked. A response signed by its `responder` and a victory need no title of
    their own: theirs is put together in each reader's language (Update.display_title)."""
    if petition.state not in POSTABLE_STATES:
        raise ValidationError(_("You can post updates once the petition is open."))
    errors = {}
    if kind == Update.Kind.RESPONSE and responder.strip():
        if len(responder) > 120:
            errors["responder"] = _("Shorten your name and title to 120 characters or fewer.")
    elif kind == Update.Kind.VICTORY and not title:
        pass
    elif not title.strip():
        errors["title"] = _("Enter a title for the update.")
    elif len(title) > 150:
        errors["title"] = _("Shorten the title to 150 characters or fewer.")
    if not text.strip():
        errors["text"] = _("Enter the text of the update.")
    elif len(text) > 20_000:
        errors["text"] = _("Shorten the text to 20,000 characters or fewer.")
    if email and kind == Update.Kind.NEWS and emails_left(petition, now) <= 0:
        errors["email"] = _(
            "This petition has already e-mailed %(cap)s updates in the last 7 days, the most "
            "allowed. Post it without e-mailing it, or wait a few days."
        ) % {"cap": settings.UPDATE_EMAILS_PER_WEEK}
    if errors:
        raise ValidationError(errors)


def post_update(
    petition: Petition,
    *,
    kind: str = Update.Kind.NEWS,
    title: str,
    text: str,
    author=None,
    target: Target | None = None,
    responder: str = "",
    email: bool = False,
    now: datetime | None = None,
) -> Update:
    """Publish an update on the petition page and, if `email`, have it e-mailed to the
    signers who asked for updates (after a moderator's approval when the site asks for
    it). A response may give its `responder` instead of a title: it is then titled
    "Response from <responder>" in each reader's language. Raises ValidationError for
    bad input, a petition that is not open or closed, or a news e-mail over the weekly
    cap."""
    now = now or timezone.now()
    responder = responder.strip() if kind == Update.Kind.RESPONSE else ""
    with transaction.atomic():
        # Locking the petition serialises posts on it, so two at once cannot both pass
        # the cap check.
        petition = Petition.objects.select_for_update().get(pk=petition.pk)
        check_update(petition, kind, title, text, email, now, responder)
        update = Update(
            petition=petition, kind=kind, title=title.strip(), text=text, author=author,
            target=target, responder=responder,
        )  # fmt: skip
        update.prepare_text()
        update.save()
        if email:
            _request_email(update, now)
    return update


def _request_email(update: Update, now: datetime) -> None:
    update.email_requested_at = now
    if settings.UPDATE_EMAILS_NEED_APPROVAL:
        update.email_state = Update.EmailState.APPROVAL
        update.save(update_fields=["email_requested_at", "email_state"])
    else:
        _queue_email(update, now)


def _queue_email(update: Update, now: datetime) -> None:
    from undersigned.updates.tasks import send_update_emails

    update.email_state = Update.EmailState.QUEUED
    update.email_total = recipients(update.petition).count()
    update.email_progress_at = now
    update.save(
        update_fields=["email_requested_at", "email_state", "email_total", "email_progress_at"]
    )
    send_update_emails.enqueue(update.pk)  # commits with the row


def decide_update_email(update: Update, moderator, approve: bool, now=None) -> Update:
    """A moderator lets an e-mailed update go out, or refuses it (the update stays on the
    page). Refused with InvalidTransition if another moderator decided first."""
    now = now or timezone.now()
    with transaction.atomic():
        update = Update.objects.select_for_update().select_related("petition").get(pk=update.pk)
        if update.email_state != Update.EmailState.APPROVAL:
            raise InvalidTransition(_("Another moderator has already decided on this e-mail."))
        update.email_decided_by, update.email_decided_at = moderator, now
        update.save(update_fields=["email_decided_by", "email_decided_at"])
        if approve:
            _queue_email(update, now)
        else:
            update.email_state = Update.EmailState.REFUSED
            update.save(update_fields=["email_state"])
    return update


def declare_victory(
    petition: Petition, user, note: str, email: bool = True, now: datetime | None = None
) -> Update:
    """Mark the petition as won with the organizer's note, close it if it is still open
    (a won petition takes no more signatures) and post the victory as an update, e-mailed
    to the signers who asked for updates unless `email` is false."""
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say in a few words what the petition achieved.")})
    if len(note) > 5000:
        raise ValidationError({"note": _("Shorten the note to 5,000 characters or fewer.")})
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if locked.is_won:
            raise ValidationError(_("This petition has already been declared won."))
        if locked.state not in POSTABLE_STATES:
            raise ValidationError(_("Only an open or closed petition can be declared won."))
        if locked.state == Petition.State.OPEN:
            try:
                close_petition(locked, now)
            except InvalidTransition as error:  # pragma: no cover - the row is locked
                raise ValidationError(error.messages) from error
        Petition.objects.filter(pk=petition.pk).update(won_at=now, victory_note=note)
        # No stored title: "Victory!" is shown in each reader's language (display_title).
        update = post_update(
            locked, kind=Update.Kind.VICTORY, title="", text=note, author=user, email=email,
            now=now,
        )  # fmt: skip
    petition.refresh_from_db()
    return update
