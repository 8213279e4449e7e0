"""Writes about signatures: sign, confirm, withdraw, count (the confirmation e-mails
are sent by mailing.py).

Each action claims its row with a conditional UPDATE and acts only if that changed a
row, so double clicks, retries and parallel workers cannot confirm or count twice.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    router,
    transaction,
)
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from undersigned.lib.client import Address, address_hash, block
from undersigned.lib.periods import aligned_timeout, same_period
from undersigned.lib.ratelimit import high_water
from undersigned.petitions import supporters
from undersigned.petitions.models import Petition
from undersigned.regions.lookups import region_for_postcode
from undersigned.signatures import letters, risk
from undersigned.signatures.mailing import nudge_mailer
from undersigned.signatures.models import (
    SHARDS,
    TOTAL,
    CountShard,
    RegionShard,
    Signature,
    normalize_email,
)
from undersigned.signatures.sql import sql_time
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
    region: str = ""  # chosen on the form (a code of the petition's scheme), or ""


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
    region = data.region
    if not region and data.postcode and petition.region_scheme:
        region = region_for_postcode(petition.region_scheme, data.country, data.postcode)
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
        region=region,
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


def confirm_signature(signature: Signature, secret: str, now: datetime | None = None) -> int | None:
    """Confirm with the e-mailed secret. Returns the signer's number, or None if the link
    was already used (or replaced) meanwhile."""
    now = now or timezone.now()
    shard = random.randrange(SHARDS)
    with transaction.atomic(), connection.cursor() as cursor:
        # Plain SQL on the busiest write path: the ORM compiled these statements in more
        # CPU than the database takes to run them (so does CountShard.total).
        cursor.execute(CONFIRM, [sql_time(now), shard, signature.pk, signature.token_hash])
        found = cursor.fetchone()
        if found is None:
            return None
        held, invalidated, region = found
        # Held or invalidated (a bulk invalidation may take unconfirmed rows) stays out.
        if not held and invalidated is None:
            add_to_count(signature.petition_id, shard, +1, region)
            append_event(signature, "confirmed", now)
        number = CountShard.total(signature.petition_id)
    forget_counts(signature.petition_id)
    if signature.petition.state == Petition.State.SUPPORT:
        # Read again now that this confirmation is committed: of two supporters confirming
        # at once, the later read sees both (petitions/supporters.py moves it once).
        supporters.gather_supporters(signature.petition_id, CountShard.total(signature.petition_id))
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
            add_to_count(row.petition_id, row.shard, -1, row.region)
            append_event(row, "withdrawn", now)
        erase_commitment(row)
    forget_counts(row.petition_id)
    return True


# The token's hash stays after use: it is how a link's holder, and only its holder, is
# told "already confirmed" (views._from_token); confirmed_at is what makes it work once.
CONFIRM = (
    "UPDATE signatures_signature SET confirmed_at = %s, shard = %s, "
    "mail_requested_at = NULL WHERE id = %s AND token_hash = %s AND confirmed_at IS NULL "
    "AND withdrawn_at IS NULL RETURNING held_reason, invalidated_at, region"
)
ADD_TO_SHARD = (
    "UPDATE signatures_countshard SET count = count + %s WHERE petition_id = %s AND shard = %s"
)


ADD_TO_REGION = (
    "UPDATE signatures_regionshard SET count = count + %s "
    "WHERE petition_id = %s AND region = %s AND shard = %s"
)


def add_to_count(petition_id: int, shard: int, delta: int, region: str = "") -> None:
    """Move the petition's count, and its region's when the signature has one, by
    `delta` on `shard`: callers do it in the transaction that changes the rows."""
    if region:
        _add_to_region(petition_id, shard, delta, region)
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


def _add_to_region(petition_id: int, shard: int, delta: int, region: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(ADD_TO_REGION, [delta, petition_id, region, shard])
        if cursor.rowcount:
            return
    RegionShard.objects.bulk_create(
        [RegionShard(petition_id=petition_id, region=region, shard=shard)], ignore_conflicts=True
    )
    RegionShard.objects.filter(petition_id=petition_id, region=region, shard=shard).update(
        count=F("count") + delta
    )


def count_key(petition_id: int) -> str:
    return f"petition-count:{petition_id}"


def region_count_key(petition_id: int) -> str:
    return f"petition-regions:{petition_id}"


def forget_counts(petition_id: int) -> None:
    """After a change of the count: the next reader sums the shards again (one round
    trip for both keys with Redis)."""
    cache.delete_many([count_key(petition_id), region_count_key(petition_id)])


def count_for(petition: Petition) -> int:
    """The public count, at most COUNT_CACHE_SECONDS old: a sum over a few shard rows."""
    key = count_key(petition.pk)
    count = cache.get(key)
    if count is None:
        started, seconds = time.time(), settings.COUNT_CACHE_SECONDS
        count = _shard_sum(petition.pk)
        if settings.REPLICA_DATABASES:
            # This sum may come from a replica (up to REPLICA_MAX_LAG_SECONDS behind), the
            # next from the primary or another replica: never show less than the highest
            # count shown lately. A real fall (withdrawals) shows once older than any lag.
            hold = settings.REPLICA_MAX_LAG_SECONDS + seconds + 1
            count = high_water(f"petition-count-shown:{petition.pk}", count, hold)
        # add, not set: a sum that began before a confirmation committed may finish after
        # one that began later; the first kept wins, so the count shown never goes down.
        # A sum begun in an earlier period is not kept at all.
        if seconds and same_period(started, seconds):
            cache.add(key, count, aligned_timeout(seconds))
    return count


def _shard_sum(petition_id: int) -> int:
    """CountShard.total, read where the router sends this request's reads (a replica for
    a public page, web/replicas.py)."""
    alias = router.db_for_read(CountShard) if settings.REPLICA_DATABASES else DEFAULT_DB_ALIAS
    if alias == DEFAULT_DB_ALIAS:
        return CountShard.total(petition_id)
    with connections[alias].cursor() as cursor:
        cursor.execute(TOTAL, [petition_id])
        return int(cursor.fetchone()[0])


def refresh_counts(petition_id: int | None = None) -> int:
    """Copy the shard sums onto petitions (lists sort by it), only where they differ: every
    petition (the clock), or one (its close, receivers.py)."""
    total = Subquery(
        CountShard.objects.filter(petition=OuterRef("pk"))
        .values("petition")
        .annotate(n=Sum("count"))
        .values("n")
    )
    petitions = Petition.objects.filter(
        state__in=[Petition.State.OPEN, Petition.State.CLOSED, Petition.State.HIDDEN]
    ).annotate(total=Coalesce(total, 0))
    if petition_id is not None:
        petitions = petitions.filter(pk=petition_id)
    return petitions.exclude(signature_count=F("total")).update(signature_count=F("total"))


def recount(petition: Petition) -> int:
    """Rebuild a petition's count from its rows (an operator's repair; slow on big ones)."""
    with transaction.atomic():
        Petition.objects.select_for_update().filter(pk=petition.pk).first()
        exact = Signature.objects.filter(petition=petition).counted().count()
        CountShard.objects.filter(petition=petition).delete()
        CountShard.objects.create(petition=petition, shard=0, count=exact)
        counted = Signature.objects.filter(petition=petition).counted().exclude(region="")
        RegionShard.objects.filter(petition=petition).delete()
        RegionShard.objects.bulk_create(
            RegionShard(petition=petition, region=row["region"], shard=0, count=row["n"])
            for row in counted.values("region").annotate(n=Count("pk")).order_by()
        )
        Signature.objects.filter(petition=petition).update(shard=0)
        Petition.objects.filter(pk=petition.pk).update(signature_count=exact)
    forget_counts(petition.pk)
    return exact
