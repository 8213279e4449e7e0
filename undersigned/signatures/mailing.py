"""Confirmation e-mails: the signature rows are the queue.

A sign writes its row with `mail_requested_at` set; the worker's mail pump claims a batch
of such rows, sends them over one SMTP connection and marks each row sent as soon as its
e-mail is accepted (send_confirmation_mails). A killed worker's claims go stale and are
taken over; nothing is lost because nothing but the rows holds the queue.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from undersigned.lib.commits import without_flush_wait
from undersigned.lib.emails import build_mail
from undersigned.lib.urls import reverse_with
from undersigned.petitions import supporters
from undersigned.signatures import risk
from undersigned.signatures.links import signer_headers, signer_links
from undersigned.signatures.models import Signature
from undersigned.signatures.sql import sql_time

# A claim older than this is from a worker that died, and another takes its rows over. A
# live worker renews its claim on the rows it has not sent yet at half this age, so a slow
# mail server never makes two workers send the same batch.
CLAIM_STALE = timedelta(minutes=1)
NUDGE_KEY = "confirmation-mails:nudged"
CLAIM = (
    "UPDATE signatures_signature SET mail_claimed_at = %s, assessed_at = %s, held_reason = %s, "
    "token_hash = %s, token_created_at = %s WHERE id = %s"
)
MARK_SENT = (
    "UPDATE signatures_signature SET mail_requested_at = NULL, mail_claimed_at = NULL, "
    "mail_sent_at = %s, mails_sent = mails_sent + 1 WHERE id = %s"
)

PUMPING = threading.Event()  # set while this process runs the worker's mail pump
PUMP_ALIVE_KEY = "confirmation-mails:pump-alive"
PUMP_ALIVE_SECONDS = 15  # a pump says so every few seconds; silent this long, it is gone

_nudged_at = -1.0


MIN_SHARE = 0.05  # at worst the pump still runs one part in twenty: e-mails keep trickling


class CpuShare:
    """The share of a CPU the pump got while it had work that needed nothing else.

    The worker runs at a lower priority, so the kernel gives it the CPU last: while the
    web wants all of it, the pump's CPU-only steps (building e-mails) take longer on the
    clock than in CPU time. Waits for the database or the mail server are left out, so a
    slow mail server does not read as a busy machine."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            yield
        finally:
            self.cpu += time.thread_time() - cpu
            self.wall += time.perf_counter() - wall

    @property
    def got(self) -> float:
        return min(1.0, self.cpu / self.wall) if self.wall > 0 else 1.0


def pause_after(took: float, got: float) -> float:
    """Seconds the pump rests after a batch that took `took` while getting `got` of a CPU.

    A low priority orders who runs first, but a runnable pump still costs the web: each
    time it runs in a gap, the web's next request waits for it, and the database works
    for the pump at the web's own priority, which the worker's nice does not reach. So
    the pump runs `got` squared of the time, resting (1 / got² - 1) times the batch's
    length: once for the CPU it takes, once for the database work it makes. On a quiet
    machine (got near 1) it barely rests; on a saturated one it sends a trickle, and
    catches up at full speed once the crowd has gone. A pump that keeps up with the
    signing never rests: only a full batch (a backlog) leads here."""
    return took * (1 / max(got * got, MIN_SHARE) - 1)


def nudge_mailer() -> None:
    """Queue one deliver_confirmations task, at most once a second per cache.

    The worker's mail pump polls the rows anyway; the nudge is for `worker --batch` and
    the tests' run-what-is-queued, and costs one task row a second, not one per signer.
    """
    global _nudged_at
    now = time.monotonic()
    if now - _nudged_at < 1:  # this process asked the shared cache less than a second ago
        return
    _nudged_at = now
    from undersigned.signatures.tasks import deliver_confirmations

    try:
        # A pump polls the rows itself; a nudge task would only cost its worker a run.
        first = not cache.get(PUMP_ALIVE_KEY) and cache.add(NUDGE_KEY, 1, 1)
    except Exception:  # the cache (Redis) is down: the pump still sends the e-mail
        first = False
    if first:
        deliver_confirmations.enqueue()


def pump_alive() -> None:
    """A running pump says so in the shared cache, so that signatures stop queueing nudge
    tasks: each of them would cost a worker a run for mail its pump sends anyway.
    With a cache per process (no Redis) the web never sees it and keeps nudging."""
    with contextlib.suppress(Exception):
        cache.set(PUMP_ALIVE_KEY, 1, PUMP_ALIVE_SECONDS)


def forget_nudge() -> None:
    """The task is running: the next signature may nudge again."""
    global _nudged_at
    _nudged_at = -1.0  # in this process; the others try the shared key within a second
    with contextlib.suppress(Exception):  # the cache is down: the next nudge just waits 1 s
        cache.delete(NUDGE_KEY)


def _mail_pending(now: datetime):
    return Signature.objects.filter(
        mail_requested_at__isnull=False, confirmed_at__isnull=True
    ).filter(Q(mail_claimed_at__isnull=True) | Q(mail_claimed_at__lt=now - CLAIM_STALE))


def _claim_mails(now: datetime, limit: int, ids: list[int] | None) -> dict[Signature, str]:
    """Claim up to `limit` rows waiting for their e-mail; each row with its new token.

    The rows are locked first: on PostgreSQL FOR UPDATE SKIP LOCKED, so several workers
    take disjoint batches; on SQLite BEGIN IMMEDIATE serialises the claim. Then their rates
    are assessed (so a held one never counts) and each gets a fresh token, of which only
    the hash is stored, before any link leaves. One UPDATE per row writes the claim, the
    assessment and the token: every UPDATE of a signature writes a new version of the row
    and, unless only unindexed columns change in place, of each of its index entries, so
    one statement instead of three is the most the database is spared."""
    with transaction.atomic():
        waiting = _mail_pending(now).select_related("petition")
        if ids is not None:
            waiting = waiting.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True, of=("self",))
        rows = list(waiting.order_by("mail_requested_at")[:limit])
        if not rows:
            return {}
        risk.assess_batch(rows, now)
        tokens = {row: row.new_token(now) for row in rows}
        at = sql_time(now)
        with connection.cursor() as cursor:  # plain SQL: the ORM's CASE for 100 rows costs more
            cursor.executemany(CLAIM, [
                (at, sql_time(row.assessed_at), row.held_reason, row.token_hash, at, row.pk)
                for row in rows
            ])  # fmt: skip
    for row in rows:
        row.mail_claimed_at = now
    return tokens


def send_confirmation_mails(
    limit: int | None = None, ids: list[int] | None = None, share: CpuShare | None = None
) -> int:
    """Send one batch of confirmation e-mails over one SMTP connection; how many were sent.

    1. Claim a batch of rows, assess their rates and give each a fresh token (above).
    2. Send each e-mail and mark its row sent at once: a worker killed mid-batch resends
       at most the one e-mail it was sending (the marks do not wait for the disk:
       lib/commits.py says why that loses nothing). If SMTP fails, the rows not yet tried are
       released for the next attempt and the error is raised (the task fails, the pump
       backs off).

    `share`, if given, measures the CPU share the batch got (CpuShare) while building
    its e-mails.
    """
    share = share or CpuShare()
    now = timezone.now()
    tokens = _claim_mails(now, limit or settings.CONFIRMATION_MAIL_BATCH, ids)
    if not tokens:
        return 0
    rows = list(tokens)
    sent, sending, stencils, pages = 0, False, {}, {}
    claimed = now
    try:
        with get_connection() as smtp, without_flush_wait():
            for row in rows:
                if timezone.now() - claimed > CLAIM_STALE / 2:
                    claimed = _renew_claim(rows[sent:], claimed)
                if row.petition_id not in pages:  # one reverse() per petition, not per row
                    pages[row.petition_id] = supporters.page_url(row.petition)
                with share.measure():
                    message = _confirmation_message(row, tokens[row], smtp, stencils, pages)
                sending = True
                message.send()
                sending = False
                with connection.cursor() as cursor:
                    cursor.execute(MARK_SENT, [sql_time(timezone.now()), row.pk])
                sent += 1
    except Exception:
        # The one being sent may have reached the server: it keeps its claim (tried again
        # once the claim is stale). The others were never tried: free them now.
        untried = [row.pk for row in rows[sent + int(sending) :]]
        Signature.objects.filter(pk__in=untried, mail_claimed_at=claimed).update(
            mail_claimed_at=None
        )
        raise
    return sent


def _renew_claim(rows: list[Signature], claimed: datetime) -> datetime:
    """Claim again, as of now, the rows of this batch not sent yet."""
    renewed = timezone.now()
    Signature.objects.filter(pk__in=[row.pk for row in rows], mail_claimed_at=claimed).update(
        mail_claimed_at=renewed
    )
    return renewed


VARYING = ("name", "confirm_url", "withdraw_url", "unsubscribe_url")


def _confirmation_message(signature: Signature, token: str, smtp, stencils: dict, pages: dict):
    links = signer_links(signature)
    context = {
        "name": signature.name,
        "petition_title": signature.petition.title,
        "petition_url": pages[signature.petition_id],
        "confirm_url": settings.SITE_URL + reverse_with("signatures:confirm", token),
        **links,
        "days": settings.SIGNATURE_TOKEN_DAYS,
    }
    headers = signer_headers(links)
    # The one reminder (reminders.py) is queued with both times the same; a link asked
    # for again later is an ordinary confirmation e-mail.
    reminder = (
        signature.reminded_at is not None and signature.reminded_at == signature.mail_requested_at
    )
    return build_mail(
        "remind_signature" if reminder else "confirm_signature", signature.email, context,
        signature.language, headers, stencils, VARYING, smtp,
    )  # fmt: skip


def send_confirmation_mail(signature_id: int) -> bool:
    """Send the confirmation e-mail of one signature that asked for one (if unclaimed)."""
    return send_confirmation_mails(limit=1, ids=[signature_id]) == 1


def requeue_lost_confirmation_mails(now: datetime | None = None) -> int:
    """Rows still waiting for their e-mail after two minutes (a killed worker, a lost
    nudge): queue a task that sends them. The rows are the queue, so nothing is lost."""
    from undersigned.signatures.tasks import deliver_confirmations

    now = now or timezone.now()
    waiting = Signature.objects.awaiting_mail(now - timezone.timedelta(minutes=2)).count()
    if waiting:
        deliver_confirmations.enqueue()
    return waiting
