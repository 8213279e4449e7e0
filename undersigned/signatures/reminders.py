"""One reminder to a signer who has not confirmed (SIGNATURE_REMINDER_HOURS; 0: none).

A signer whose last confirmation e-mail went out that many hours ago, and who has not
confirmed, withdrawn or been invalidated, on a petition that still takes confirmations,
gets one reminder: the same scanner-proof link flow, with a fresh link.

The reminder goes through the confirmation-mail queue, which is the signature rows
themselves (mailing.py): queue_reminders claims each row with one conditional UPDATE,
`reminded_at IS NULL AND mail_requested_at IS NULL` → both set to the same moment.
Only one UPDATE can change a row, so a row is reminded once however many workers scan;
from then on the mail pump sends it like any confirmation e-mail (claims that a killed
worker leaves are taken over after a minute; each row is marked sent as soon as its
e-mail is accepted), choosing the reminder's text because both times are equal.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from undersigned.petitions import supporters
from undersigned.petitions.models import Petition
from undersigned.signatures.mailing import nudge_mailer
from undersigned.signatures.models import Signature

# Signatures made longer ago than this get no reminder: it would come out of the blue
# (and on the first run after an upgrade, to every old unconfirmed signer at once).
WINDOW = timedelta(days=7)
BATCH = 1000  # rows claimed per UPDATE


def confirming(now: datetime):
    """Petitions whose signers can still confirm: open and before their closing date,
    or gathering supporters (petitions/supporters.py)."""
    open_ = Q(state=Petition.State.OPEN) & (Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    return Petition.objects.filter(open_ | Q(state__in=supporters.SUPPORTING))


def due(now: datetime):
    """Unconfirmed rows whose last e-mail went out SIGNATURE_REMINDER_HOURS ago or more,
    not reminded yet, with no e-mail waiting."""
    before = now - timedelta(hours=settings.SIGNATURE_REMINDER_HOURS)
    return Signature.objects.filter(
        confirmed_at__isnull=True, withdrawn_at__isnull=True, invalidated_at__isnull=True,
        reminded_at__isnull=True, mail_requested_at__isnull=True,
        mail_sent_at__lte=before, created_at__gt=before - WINDOW,
        petition__in=confirming(now),
    )  # fmt: skip


def queue_reminders(now: datetime | None = None) -> int:
    """Claim the rows due a reminder and queue their e-mails; how many (the clock runs it)."""
    if not settings.SIGNATURE_REMINDER_HOURS:
        return 0
    now = now or timezone.now()
    queued = 0
    while ids := list(due(now).values_list("pk", flat=True)[:BATCH]):
        # The claim: the conditions again, so a row confirmed, withdrawn or claimed by
        # another worker since the SELECT is left alone.
        claimed = Signature.objects.filter(
            pk__in=ids, confirmed_at__isnull=True, withdrawn_at__isnull=True,
            reminded_at__isnull=True, mail_requested_at__isnull=True,
        ).update(reminded_at=now, mail_requested_at=now)  # fmt: skip
        queued += claimed
        if len(ids) < BATCH or not claimed:
            break
    if queued:
        nudge_mailer()
    return queued
