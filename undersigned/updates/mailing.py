"""E-mailing an update to the signers who asked for updates, a batch at a time.

The state is in the rows, not in the job queue:
1. A batch claims up to SIGNER_MAIL_BATCH recipients: first UpdateMail rows a dead
   worker left claimed but unsent (after STALE_CLAIM), then new signers past
   `Update.recipient_cursor`, which only one worker can move (a conditional UPDATE).
2. Just before each chunk of messages, the claimed signers are checked again: someone
   who withdrew, unsubscribed or was invalidated meanwhile is skipped, never mailed.
3. The batch is sent over one SMTP connection; each row gets `sent_at` as soon as its
   message has left, so a killed worker repeats at most the message it was sending.
4. The batch queues the next one. When nothing is left to claim or send the update
   becomes "sent". A clock job (resume_stuck_mailings) re-queues mailings whose job was
   lost.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from undersigned.lib.emails import build_mail, build_message
from undersigned.petitions.models import Petition
from undersigned.signatures.links import signer_headers, signer_links
from undersigned.signatures.models import Signature
from undersigned.updates.actions import recipients
from undersigned.updates.hooks import answer_origin
from undersigned.updates.models import STALE_CLAIM, Update, UpdateMail

logger = logging.getLogger(__name__)

CHUNK = 25  # messages between two checks of the signers' state
IN_PROGRESS = [Update.EmailState.QUEUED, Update.EmailState.SENDING]


def send_next_batch(update_id: int, now: datetime | None = None) -> int:
    """Send one batch of this update's e-mail and queue the next; return how many
    messages were sent. Safe to run twice, or in several workers at once."""
    from undersigned.updates.tasks import send_update_emails

    now = now or timezone.now()
    update = Update.objects.select_related("petition", "target").filter(pk=update_id).first()
    if update is None or update.email_state not in IN_PROGRESS:
        return 0
    token = claim_batch(update, now)
    if token is None:
        finish_if_done(update, now)
        return 0
    sent = deliver_batch(update, token)
    send_update_emails.enqueue(update.pk)
    return sent


def _unsent(update: Update):
    return UpdateMail.objects.filter(update=update, sent_at__isnull=True, skipped_at__isnull=True)


def claim_batch(update: Update, now: datetime) -> str | None:
    """Claim up to SIGNER_MAIL_BATCH recipients under a new token; None if none is left
    to claim (all sent, or the rest is being sent by a live worker)."""
    size, token, claimed = settings.SIGNER_MAIL_BATCH, uuid.uuid4().hex, 0
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    left_over = list(_unsent(update).filter(free).values_list("pk", flat=True)[:size])
    if left_over:
        claimed = _unsent(update).filter(free, pk__in=left_over).update(claim=token, claimed_at=now)
    while claimed < size:
        cursor = Update.objects.filter(pk=update.pk).values_list("recipient_cursor", flat=True)[0]
        ids = list(
            recipients(update.petition)
            .filter(pk__gt=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[: size - claimed]
        )
        if not ids:
            break
        with transaction.atomic():
            moved = Update.objects.filter(pk=update.pk, recipient_cursor=cursor).update(
                recipient_cursor=ids[-1]
            )
            if not moved:
                continue  # another worker took these signers: look past its cursor
            UpdateMail.objects.bulk_create(
                [
                    UpdateMail(update=update, signature_id=i, claim=token, claimed_at=now)
                    for i in ids
                ]
            )
        claimed += len(ids)
    if not claimed:
        return None
    Update.objects.filter(pk=update.pk, email_state__in=IN_PROGRESS).update(
        email_state=Update.EmailState.SENDING, email_progress_at=now
    )
    return token


def deliver_batch(update: Update, token: str) -> int:
    """Send the messages of the batch claimed with `token` over one connection."""
    petition = Petition.objects.prefetch_related("translations").get(pk=update.petition_id)
    mails = list(_unsent(update).filter(claim=token).order_by("signature_id"))
    sent = unrecorded = 0
    stencils: dict = {}  # each kind of e-mail rendered once per language (lib/emails.py)
    connection = get_connection()
    try:
        connection.open()
        for start in range(0, len(mails), CHUNK):
            chunk = mails[start : start + CHUNK]
            signers = _still_recipients(petition, [m.signature_id for m in chunk])
            skipped = [m.pk for m in chunk if m.signature_id not in signers]
            if skipped:
                UpdateMail.objects.filter(pk__in=skipped).update(skipped_at=timezone.now())
            for mail in chunk:
                signature = signers.get(mail.signature_id)
                if signature is None:
                    continue
                build_update_message(update, petition, signature, stencils, connection).send()
                UpdateMail.objects.filter(pk=mail.pk).update(sent_at=timezone.now())
                sent, unrecorded = sent + 1, unrecorded + 1
            _record_progress(update, unrecorded)
            unrecorded = 0
    except Exception:
        # Give the unsent rest back at once rather than after STALE_CLAIM; the job's
        # retry (jobs/actions.py: retry_jobs) or the clock picks it up again.
        _unsent(update).filter(claim=token).update(claim="", claimed_at=None)
        raise
    finally:
        if unrecorded:
            _record_progress(update, unrecorded)
        connection.close()
    return sent


def _record_progress(update: Update, sent: int) -> None:
    """What the dashboard shows as "n of N"; made exact when the mailing finishes."""
    Update.objects.filter(pk=update.pk).update(
        emails_sent=F("emails_sent") + sent, email_progress_at=timezone.now()
    )


def _still_recipients(petition: Petition, signature_ids: list[int]) -> dict[int, Signature]:
    found = recipients(petition).filter(pk__in=signature_ids)
    return {s.pk: s for s in found}


VARYING = ("name", "withdraw_url", "unsubscribe_url")


def build_update_message(
    update: Update, petition: Petition, signature: Signature, stencils=None, connection=None
):
    """The update's e-mail to one signer; with the batch's `stencils` and `connection`,
    ready to send() over it (lib/emails.build_mail)."""
    language = signature.language or petition.language
    _lang, petition_title, _html = petition.in_language(language)
    with translation.override(language):
        title = update.display_title  # a response's is put together in the signer's language
    url = petition.absolute_url()
    links = signer_links(signature)
    context = {
        "name": signature.name,
        "petition_title": petition_title,
        "petition_url": url,
        "update_url": f"{url}#update-{update.pk}",
        "kind": update.kind,
        "title": title,
        "text": update.text,
        "text_html": update.text_html,
        "target_name": update.target.name if update.target else "",
        **answer_origin(update),  # a response's domain and check, looked up once per update
        **links,
    }
    template = "victory" if update.kind == Update.Kind.VICTORY else "update"
    headers = signer_headers(links)
    if connection is None:
        return build_message(template, signature.email, context, language, headers)
    return build_mail(
        template, signature.email, context, language, headers, stencils, VARYING, connection
    )


def finish_if_done(update: Update, now: datetime) -> bool:
    """Mark the mailing sent when every recipient has been mailed or skipped and no new
    one is past the cursor."""
    if _unsent(update).exists():
        return False  # a live worker is still sending them
    if recipients(update.petition).filter(pk__gt=update.recipient_cursor).exists():
        return False
    exact = UpdateMail.objects.filter(update=update, sent_at__isnull=False).count()
    finished = Update.objects.filter(pk=update.pk, email_state__in=IN_PROGRESS).update(
        email_state=Update.EmailState.SENT, email_finished_at=now, emails_sent=exact,
        email_progress_at=now,
    )  # fmt: skip
    return bool(finished)


def resume_stuck_mailings(now: datetime | None = None) -> int:
    """Queue again the mailings that have not moved for STALE_CLAIM (lost job, dead
    worker). The conditional UPDATE makes only one clock run queue each of them."""
    from undersigned.updates.tasks import send_update_emails

    now = now or timezone.now()
    before = now - STALE_CLAIM
    resumed = 0
    for update in Update.objects.mailing_stuck(before).only("pk", "email_progress_at")[:500]:
        moved = (
            Update.objects.mailing_stuck(before).filter(pk=update.pk).update(email_progress_at=now)
        )
        if moved:
            send_update_emails.enqueue(update.pk)
            resumed += 1
    if resumed:
        logger.info("resumed %d update mailings", resumed)
    return resumed
