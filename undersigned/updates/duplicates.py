"""Telling the signers of a petition marked as a duplicate where to sign instead, once.

Who: the signers who asked for updates (updates.actions.recipients: counted, not
withdrawn, not unsubscribed). They agreed to hear about this petition; the others only
gave their address to confirm a signature, and see the pointer on its page.

The state is in the petition's row, not in the job queue (Petition.duplicate_told_cursor,
duplicate_told_at):
1. The clock runs tell_duplicate_signers every minute; it takes petitions marked as
   duplicates whose signers are not all told, a batch of BATCH signers each.
2. Before each e-mail, the signer is claimed by moving the cursor from the previous
   signer's id to theirs with a conditional UPDATE (which also requires the mark to be
   unchanged): only the worker that moved it sends, so two workers never send the same
   e-mail, and a worker killed after the move loses at most that one message, never
   repeats it. A failed send gives its signer back.
3. When no signer is left past the cursor, duplicate_told_at is set: never again, even if
   the petition is unmarked and marked once more.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.mail import get_connection
from django.utils import timezone

from undersigned.lib.emails import build_mail
from undersigned.petitions.models import Petition
from undersigned.signatures.links import signer_headers, signer_links
from undersigned.signatures.models import Signature
from undersigned.updates.actions import recipients

logger = logging.getLogger(__name__)

BATCH = 200  # signers per petition per clock run; the next run goes on
PETITIONS = 20
VARYING = ("name", "withdraw_url", "unsubscribe_url")


def tell_duplicate_signers(now: datetime | None = None) -> int:
    """One batch for each petition waiting (see the module's steps); returns how many
    e-mails were sent. Safe to run twice, or in several workers at once."""
    now = now or timezone.now()
    sent = 0
    waiting = Petition.objects.duplicates_to_tell().select_related("duplicate_of")
    for petition in waiting.prefetch_related("translations", "duplicate_of__translations")[
        :PETITIONS
    ]:
        sent += tell_batch(petition, now)
    if sent:
        logger.info("told %d signers of duplicates where to sign", sent)
    return sent


def tell_batch(petition: Petition, now: datetime) -> int:
    original = petition.duplicate_of
    cursor = petition.duplicate_told_cursor
    signers = list(recipients(petition).filter(pk__gt=cursor).order_by("pk")[:BATCH])
    if not signers:
        Petition.objects.filter(
            pk=petition.pk, duplicate_of=original, duplicate_told_cursor=cursor
        ).update(duplicate_told_at=now)
        return 0
    sent, stencils = 0, {}
    connection = get_connection()
    try:
        connection.open()
        for signature in signers:
            if not _claim(petition, original, cursor, signature.pk):
                break  # another worker is telling them, or the mark changed
            try:
                _message(petition, original, signature, stencils, connection).send()
            except Exception:
                _give_back(petition, cursor, signature.pk)
                raise
            cursor, sent = signature.pk, sent + 1
    finally:
        connection.close()
    return sent


def _claim(petition: Petition, original: Petition, cursor: int, signature_id: int) -> bool:
    return bool(
        Petition.objects.filter(
            pk=petition.pk, duplicate_of=original, duplicate_told_cursor=cursor
        ).update(duplicate_told_cursor=signature_id)
    )


def _give_back(petition: Petition, cursor: int, signature_id: int) -> None:
    Petition.objects.filter(pk=petition.pk, duplicate_told_cursor=signature_id).update(
        duplicate_told_cursor=cursor
    )


def _message(petition: Petition, original: Petition, signature: Signature, stencils, connection):
    language = signature.language or petition.language
    _lang, petition_title, _html = petition.in_language(language)
    _lang, original_title, _html = original.in_language(language)
    links = signer_links(signature)
    context = {
        "name": signature.name,
        "petition_title": petition_title,
        "original_title": original_title,
        "original_url": original.absolute_url(),
        **links,
    }
    return build_mail(
        "duplicate_signers", signature.email, context, language, signer_headers(links),
        stencils, VARYING, connection,
    )  # fmt: skip
