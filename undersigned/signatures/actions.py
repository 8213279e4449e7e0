"""Writes about signatures: sign, send the confirmation, confirm, withdraw, count.

Each action claims its row with a conditional UPDATE and acts only if that changed a
row, so double clicks, retries and parallel workers cannot confirm or count twice.
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from undersigned.lib.client import Address, address_hash, block
from undersigned.lib.commits import without_flush_wait
from undersigned.lib.emails import build_message
from undersigned.lib.pagecache import aligned_timeout, same_period
from undersigned.petitions.models import Petition
from undersigned.privacy.links import signer_headers, signer_links
from undersigned.signatures import letters, risk
from undersigned.signatures.models import SHARDS, CountShard, Signature, normalize_email
from undersigned.transparency.actions import append_event, erase_commitment


@dataclass(frozen=True)
class SignRequest:
    """What a signer typed, cleaned by SignForm, plus where they came from."""

    name: str
    email: str
    country: str
    postcode: str = ""
    comment: str = ""
    public: bool = False
    wants_updates: bool = False
    contact_by_organizer: bool = False
    language: str = "en"
    source: str = ""


@dataclass(frozen=True)
class Client:
    """What the request tells about the signer's connection (never stored raw)."""

    address: Address | None = None
    proof_ok: bool = False  # solved the proof-of-work challenge


def sign_petition(
    petition: Petition, data: SignRequest, client: Client | None = None, now=None
) -> Signature | None:
    """Record a signature; its row, with mail_requested_at set, is the e-mail's queue entry.

    One INSERT, in autocommit: the row is durable when this returns, and the worker sends
    the confirmation from it (see send_confirmation_mails), so no task row is written per
    signature and no shared row is touched. A second signature from the same address is
    not an error the signer sees: it asks for the confirmation e-mail again (when still
    unconfirmed) and answers the same. Then the first signature is returned (None only if
    it vanished meanwhile).
    """
    now = now or timezone.now()
    client = client or Client()
    normalized = normalize_email(data.email)
    domain = normalized.rpartition("@")[2]
    held_reason, risk_signals = risk.screen(normalized, domain, client.address, client.proof_ok)
    ip_hash = address_hash(client.address, now) if client.address else ""
    if not held_reason and ip_hash and risk.burst_in_cache(petition.pk, ip_hash, risk_signals):
        held_reason = "address-burst"
    row = Signature(
        petition_id=petition.pk,
        name=data.name,
        email=data.email,
        email_normalized=normalized,
        email_domain=domain,
        ip_hash=ip_hash,
        ip_block=block(client.address) if client.address else "",
        consent_version=settings.CONSENT_VERSION,
        held_reason=held_reason,
        risk=risk_signals,
        country=data.country,
        postcode=data.postcode,
        comment=data.comment,
        public=data.public,
        wants_updates=data.wants_updates,
        contact_by_organizer=data.contact_by_organizer,
        language=data.language,
        source=data.source[:64],
        mail_requested_at=now,
    )
    try:
        # A savepoint only inside someone else's transaction (a duplicate must not abort
        # it); on its own the INSERT commits by itself, with no BEGIN/COMMIT round trips.
        if connection.in_atomic_block:
            with transaction.atomic():
                row.save(force_insert=True)
        else:
            row.save(force_insert=True)
    except IntegrityError:
        existing = Signature.objects.filter(petition_id=petition.pk, email_normalized=normalized)
        existing = existing.first()
        if existing is not None and existing.confirmed_at is not None:
            letters.tell_already_signed(existing)
        elif existing is not None:
            request_confirmation_mail(existing, now)
        return existing
    nudge_mailer()
    return row


def request_confirmation_mail(signature: Signature, now: datetime | None = None) -> bool:
    """Ask for the confirmation e-mail again, at most SIGNATURE_MAX_CONFIRMATION_EMAILS."""
    now = now or timezone.now()
    asked = Signature.objects.filter(
        pk=signature.pk,
        confirmed_at__isnull=True,
        withdrawn_at__isnull=True,
        mail_requested_at__isnull=True,
        mails_sent__lt=settings.SIGNATURE_MAX_CONFIRMATION_EMAILS,
    ).update(mail_requested_at=now)
    if asked:
        nudge_mailer()
    return bool(asked)


# --- Confirmation e-mails: the signature rows are the queue.

CLAIM_STALE = timedelta(minutes=10)  # a claim older than this is from a worker that died
NUDGE_KEY = "confirmation-mails:nudged"
MARK_SENT = (
    "UPDATE signatures_signature SET mail_requested_at = NULL, mail_claimed_at = NULL, "
    "mail_sent_at = %s, mails_sent = mails_sent + 1 WHERE id = %s"
)


_nudged_at = -1.0


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
        first = cache.add(NUDGE_KEY, 1, 1)
    except Exception:  # the cache (Redis) is down: the pump still sends the e-mail
        first = False
    if first:
        deliver_confirmations.enqueue()


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


def _claim_mails(now: datetime, limit: int, ids: list[int] | None) -> list[Signature]:
    """Claim up to `limit` rows waiting for their e-mail. PostgreSQL: FOR UPDATE SKIP
    LOCKED, so several workers take disjoint batches; SQLite: BEGIN IMMEDIATE serialises
    the claim. The conditional UPDATE is what makes a claim exclusive either way."""
    with transaction.atomic():
        waiting = _mail_pending(now)
        if ids is not None:
            waiting = waiting.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        picked = list(waiting.order_by("mail_requested_at").values_list("pk", flat=True)[:limit])
        if not picked:
            return []
        _mail_pending(now).filter(pk__in=picked).update(mail_claimed_at=now)
        claimed = Signature.objects.filter(pk__in=picked, mail_claimed_at=now)
        return list(claimed.select_related("petition"))


def send_confirmation_mails(limit: int | None = None, ids: list[int] | None = None) -> int:
    """Send one batch of confirmation e-mails over one SMTP connection; how many were sent.

    1. Claim a batch of rows (above), assess their rates (so a held one never counts).
    2. A fresh token per row: only its hash is stored (one UPDATE for the batch), before
       any link leaves.
    3. Send each e-mail and mark its row sent at once: a worker killed mid-batch resends
       at most the one e-mail it was sending (the marks do not wait for the disk:
       lib/commits.py says why that loses nothing). If SMTP fails, the rows not yet tried are
       released for the next attempt and the error is raised (the task fails, the pump
       backs off).
    """
    now = timezone.now()
    rows = _claim_mails(now, limit or settings.CONFIRMATION_MAIL_BATCH, ids)
    if not rows:
        return 0
    risk.assess_batch(rows, now)
    tokens = {row.pk: row.new_token(now) for row in rows}
    with connection.cursor() as cursor:  # plain SQL: the ORM's CASE for 100 rows costs more
        cursor.executemany(
            "UPDATE signatures_signature SET token_hash = %s, token_created_at = %s WHERE id = %s",
            [(row.token_hash, _sql_time(now), row.pk) for row in rows],
        )
    sent, sending, stencils = 0, False, {}
    try:
        with get_connection() as smtp, without_flush_wait():
            for row in rows:
                message = _confirmation_message(row, tokens[row.pk], smtp, stencils)
                sending = True
                message.send()
                sending = False
                with connection.cursor() as cursor:
                    cursor.execute(MARK_SENT, [_sql_time(timezone.now()), row.pk])
                sent += 1
    except Exception:
        # The one being sent may have reached the server: it keeps its claim (tried again
        # once the claim is stale). The others were never tried: free them now.
        untried = [row.pk for row in rows[sent + int(sending) :]]
        Signature.objects.filter(pk__in=untried, mail_claimed_at=now).update(mail_claimed_at=None)
        raise
    return sent


VARYING = ("name", "confirm_url", "withdraw_url", "unsubscribe_url")


def _confirmation_message(signature: Signature, token: str, smtp, stencils: dict):
    context = {
        "name": signature.name,
        "petition_title": signature.petition.title,
        "petition_url": signature.petition.absolute_url(),
        "confirm_url": settings.SITE_URL + reverse("signatures:confirm", args=[token]),
        **signer_links(signature),
        "days": settings.SIGNATURE_TOKEN_DAYS,
    }
    message = build_message(
        "confirm_signature",
        signature.email,
        context,
        signature.language,
        headers=signer_headers(signature),
        stencils=stencils,
        varying=VARYING,
    )
    message.connection = smtp
    return message


def send_confirmation_mail(signature_id: int) -> bool:
    """Send the confirmation e-mail of one signature that asked for one (if unclaimed)."""
    return send_confirmation_mails(limit=1, ids=[signature_id]) == 1


def confirm_signature(signature: Signature, secret: str, now: datetime | None = None) -> int | None:
    """Confirm with the e-mailed secret. Returns the signer's number, or None if the link
    was already used (or replaced) meanwhile."""
    now = now or timezone.now()
    shard = random.randrange(SHARDS)
    with transaction.atomic(), connection.cursor() as cursor:
        # Plain SQL on the busiest write path: the ORM compiled these three statements
        # in more CPU than the database takes to run them.
        cursor.execute(CONFIRM, [_sql_time(now), shard, signature.pk, signature.token_hash])
        found = cursor.fetchone()
        if found is None:
            return None
        held, invalidated = found
        # Held or invalidated (a bulk invalidation may take unconfirmed rows) stays out.
        if not held and invalidated is None:
            add_to_count(signature.petition_id, shard, +1)
            append_event(signature, "confirmed", now)
        cursor.execute(COUNT_TOTAL, [signature.petition_id])
        number = int(cursor.fetchone()[0])  # PostgreSQL sums a bigint as numeric
    cache.delete(count_key(signature.petition_id))
    return number


def withdraw_signature(signature: Signature, now: datetime | None = None) -> bool:
    """Remove a signature: it stops counting and the signer's personal data is erased.

    The country stays, without a name, so per-country totals remain exact.
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = Signature.objects.select_for_update().filter(pk=signature.pk).first()
        if row is None or row.withdrawn_at is not None:
            return False
        Signature.objects.filter(pk=row.pk).update(
            withdrawn_at=now, name="", email="", email_normalized="", postcode="", comment="",
            ip_hash="", ip_block="", email_domain="",
            public=False, wants_updates=False, contact_by_organizer=False, token_hash="",
            mail_requested_at=None,
        )  # fmt: skip
        if row.is_counted:
            add_to_count(row.petition_id, row.shard, -1)
            append_event(row, "withdrawn", now)
        erase_commitment(row)
    cache.delete(count_key(row.petition_id))
    return True


def _sql_time(moment: datetime):
    """A datetime for plain SQL, stored as the ORM stores it (SQLite: naive UTC text; a
    raw aware datetime would get a "+00:00" suffix and compare wrongly as text)."""
    return connection.ops.adapt_datetimefield_value(moment)


CONFIRM = (
    "UPDATE signatures_signature SET confirmed_at = %s, token_hash = '', shard = %s, "
    "mail_requested_at = NULL WHERE id = %s AND token_hash = %s AND confirmed_at IS NULL "
    "AND withdrawn_at IS NULL RETURNING held_reason, invalidated_at"
)
COUNT_TOTAL = "SELECT COALESCE(SUM(count), 0) FROM signatures_countshard WHERE petition_id = %s"
ADD_TO_SHARD = (
    "UPDATE signatures_countshard SET count = count + %s WHERE petition_id = %s AND shard = %s"
)


def add_to_count(petition_id: int, shard: int, delta: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(ADD_TO_SHARD, [delta, petition_id, shard])
        changed = cursor.rowcount
    if not changed:
        # The first count on this shard: create it (another request may race us to it).
        CountShard.objects.bulk_create(
            [CountShard(petition_id=petition_id, shard=shard)], ignore_conflicts=True
        )
        CountShard.objects.filter(petition_id=petition_id, shard=shard).update(
            count=F("count") + delta
        )


def count_key(petition_id: int) -> str:
    return f"petition-count:{petition_id}"


def count_for(petition: Petition) -> int:
    """The public count, at most COUNT_CACHE_SECONDS old: a sum over a few shard rows."""
    key = count_key(petition.pk)
    count = cache.get(key)
    if count is None:
        started, seconds = time.time(), settings.COUNT_CACHE_SECONDS
        count = CountShard.total(petition.pk)
        # add, not set: a sum that began before a confirmation committed may finish after
        # one that began later; the first kept wins, so the count shown never goes down.
        # A sum begun in an earlier period is not kept at all.
        if seconds and same_period(started, seconds):
            cache.add(key, count, aligned_timeout(seconds))
    return count


def refresh_counts() -> int:
    """Copy the shard sums onto petitions (lists sort by it), only where they differ."""
    total = Subquery(
        CountShard.objects.filter(petition=OuterRef("pk"))
        .values("petition")
        .annotate(n=Sum("count"))
        .values("n")
    )
    petitions = Petition.objects.filter(
        state__in=[Petition.State.OPEN, Petition.State.CLOSED, Petition.State.HIDDEN]
    ).annotate(total=Coalesce(total, 0))
    return petitions.exclude(signature_count=F("total")).update(signature_count=F("total"))


def recount(petition: Petition) -> int:
    """Rebuild a petition's count from its rows (an operator's repair; slow on big ones)."""
    with transaction.atomic():
        Petition.objects.select_for_update().filter(pk=petition.pk).first()
        exact = Signature.objects.filter(petition=petition).counted().count()
        CountShard.objects.filter(petition=petition).delete()
        CountShard.objects.create(petition=petition, shard=0, count=exact)
        Signature.objects.filter(petition=petition).update(shard=0)
        Petition.objects.filter(pk=petition.pk).update(signature_count=exact)
    cache.delete(count_key(petition.pk))
    return exact


def requeue_lost_confirmation_mails(now: datetime | None = None) -> int:
    """Rows still waiting for their e-mail after two minutes (a killed worker, a lost
    nudge): queue a task that sends them. The rows are the queue, so nothing is lost."""
    from undersigned.signatures.tasks import deliver_confirmations

    now = now or timezone.now()
    waiting = Signature.objects.awaiting_mail(now - timezone.timedelta(minutes=2)).count()
    if waiting:
        deliver_confirmations.enqueue()
    return waiting
