"""Deciding, silently, whether a signature counts.

A signature that breaks a rule is accepted on screen exactly like any other and gets its
confirmation e-mail, but it is held: kept, not counted, until a moderator releases it.
A bot learns nothing from the answer. Two stages:

1. `screen()` in the sign request: block lists, disposable domains, allowlisted ranges,
   the proof of work. Each process keeps the lists in memory (a change reaches it within
   a second through a generation number in the cache), so this costs no query.
2. `assess_rates()` in the worker, before the e-mail goes out: per-address and
   per-domain rates, counted over indexed signature rows. The database is the store,
   so no other service is needed. With REDIS_URL set, `burst_in_cache()` also catches
   a one-address burst in the request (asking Redis from an address's second signature
   on); if Redis is down, the database check remains.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from disposable_email_domains import blocklist as DISPOSABLE
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from undersigned.lib.client import Address
from undersigned.lib.ratelimit import over_limit
from undersigned.signatures.models import ListEntry, Signature

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lists:
    domains: frozenset[str]
    addresses: frozenset[str]
    blocked: tuple
    allowed: tuple


# Every sign reads the lists. Each process keeps its own copy and asks the shared cache
# at most once a second whether they changed (a number, not the pickled lists, which are
# dear to fetch from Redis on every sign). Without Redis, other processes never
# hear of a change, so a copy is also reloaded after LISTS_MAX_AGE whatever happens.
GENERATION_KEY = "risk:lists-generation"
LISTS_CHECK_SECONDS = 1.0
LISTS_MAX_AGE = 60.0
_local: tuple[float, float, object, Lists] | None = None  # checked, loaded, generation


def lists() -> Lists:
    global _local
    now = time.monotonic()
    if _local is not None and now - _local[0] < LISTS_CHECK_SECONDS:
        return _local[3]
    generation = _generation()
    if _local is not None and generation == _local[2] and now - _local[1] < LISTS_MAX_AGE:
        _local = (now, _local[1], generation, _local[3])
        return _local[3]
    rows = list(ListEntry.objects.values_list("kind", "value"))
    by_kind = {kind: [v for k, v in rows if k == kind] for kind in ListEntry.Kind.values}
    current = Lists(
        domains=frozenset(by_kind[ListEntry.Kind.BLOCK_DOMAIN]),
        addresses=frozenset(by_kind[ListEntry.Kind.BLOCK_ADDRESS]),
        blocked=_networks(by_kind[ListEntry.Kind.BLOCK_RANGE]),
        allowed=_networks(by_kind[ListEntry.Kind.ALLOW_RANGE]),
    )
    _local = (now, now, generation, current)
    return current


def _generation() -> object:
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:  # first use, or evicted: any new value makes all reload
            cache.add(GENERATION_KEY, time.time_ns(), None)
            generation = cache.get(GENERATION_KEY)
        return generation
    except Exception:  # the optional cache is down: rely on LISTS_MAX_AGE
        return None


def _networks(values: list[str]) -> tuple:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            continue  # entered without validation (e.g. SQL): skipped rather than fatal
    return tuple(networks)


def forget_lists() -> None:
    """The lists changed: this process reloads now, every other within a second."""
    global _local
    _local = None
    try:
        cache.set(GENERATION_KEY, time.time_ns(), None)
    except Exception:  # Redis down: other processes reload within LISTS_MAX_AGE
        logger.warning("cache unavailable; other processes reload the lists within a minute")


def screen(
    email_normalized: str, domain: str, address: Address | None, proof_ok: bool
) -> tuple[str, str]:
    """(held reason or "", risk signals) for a signature about to be written."""
    current = lists()
    signals = [] if proof_ok else ["no-pow"]
    if address is not None and any(address in net for net in current.allowed):
        signals.append("allowlisted")
    if email_normalized in current.addresses:
        return "blocked-address", " ".join(signals)
    if domain in current.domains or _parent_in(domain, current.domains):
        return "blocked-domain", " ".join(signals)
    if domain in DISPOSABLE or _parent_in(domain, DISPOSABLE):
        return "disposable-domain", " ".join(signals)
    if address is not None and any(address in net for net in current.blocked):
        return "blocked-range", " ".join(signals)
    return "", " ".join(signals)


def _parent_in(domain: str, domains) -> bool:
    parts = domain.split(".")
    return any(".".join(parts[i:]) in domains for i in range(1, len(parts) - 1))


def burst_in_cache(petition_id: int, ip_hash: str, signals: str) -> bool:
    """With Redis configured, catch a burst from one address in the request itself. If
    Redis is down this answers False and the worker's database check still applies."""
    if not settings.REDIS_URL or "allowlisted" in signals.split():
        return False
    key = f"sign:{petition_id}:{ip_hash}"
    hits = _unreported_hits(key)
    return hits > 0 and over_limit(key, settings.LIMIT_ADDRESS_PER_MINUTE, 60, hits=hits)


# In a surge nearly every signature comes from an address signing once, so asking Redis
# about each would be a round trip per sign (a third of its CPU under load) to learn
# nothing. Each process remembers the addresses it saw this minute and asks Redis from
# an address's second signature on, adding the first. The shared count can then miss at
# most one signature per other process and minute — within the limit's purpose, and the
# worker's exact database check still applies before any e-mail goes out.
SEEN_MAX = 200_000  # per process and minute (~20 MB); past it, every sign asks Redis
_seen: dict[str, object] = {"minute": -1, "keys": {}}  # key -> whether Redis has it


def _unreported_hits(key: str) -> int:
    """The hits to add in Redis for this one: 0 at the first sight this minute, 2 at
    the second (the first as well), then 1."""
    minute = int(time.time()) // 60  # the same window as over_limit's slot
    if _seen["minute"] != minute:
        _seen.update(minute=minute, keys={})
    keys = _seen["keys"]
    reported = keys.get(key)
    if reported is None:
        if len(keys) >= SEEN_MAX:
            return 1
        keys[key] = False
        return 0
    keys[key] = True
    return 1 if reported else 2


def forget_seen() -> None:
    _seen.update(minute=-1, keys={})


def assess_rates(signature_id: int, now: datetime | None = None) -> str:
    """Hold the signature if its address or domain signs this petition too fast.

    Runs once per signature (assessed_at), before its confirmation e-mail is sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        signature = (
            Signature.objects.select_for_update()
            .filter(pk=signature_id, assessed_at__isnull=True)
            .first()
        )
        if signature is None:
            return ""
        reason = signature.held_reason or _rate_reasons([signature])[signature.pk]
        Signature.objects.filter(pk=signature.pk).update(assessed_at=now, held_reason=reason)
    return reason


def assess_batch(signatures: list[Signature], now: datetime) -> None:
    """assess_rates() for a batch the caller has claimed and locked: the same rules, with
    one query per address and per domain in the batch instead of two per signature. Sets
    `held_reason` and `assessed_at` on the fresh ones; the caller writes them with its
    claim (mailing._claim_mails), in the same UPDATE of each row."""
    fresh = [s for s in signatures if s.assessed_at is None]
    reasons = _rate_reasons([s for s in fresh if not s.held_reason])
    for signature in fresh:
        signature.held_reason = signature.held_reason or reasons[signature.pk]
        signature.assessed_at = now


def _rate_reasons(signatures: list[Signature]) -> dict[int, str]:
    """Why each signature breaks a rate rule ("" if none): more than the limit signed
    from its address in the minute (or hour) up to it, or from its e-mail domain in the
    hour. Signed "up to it" means earlier, or at the same instant with a lower id; the
    times are compared in Python, so SQLite's text timestamps cannot reorder them."""
    addresses: dict[tuple, list[Signature]] = defaultdict(list)
    domains: dict[tuple, list[Signature]] = defaultdict(list)
    for s in signatures:
        if s.ip_hash and "allowlisted" not in s.risk.split():
            addresses[(s.petition_id, s.ip_hash)].append(s)
        if s.email_domain and s.email_domain not in settings.LIMIT_DOMAIN_EXEMPT:
            domains[(s.petition_id, s.email_domain)].append(s)
    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    per_minute, per_hour = settings.LIMIT_ADDRESS_PER_MINUTE, settings.LIMIT_ADDRESS_PER_HOUR
    per_domain = settings.LIMIT_DOMAIN_PER_HOUR
    # Only an address or domain with more signatures in the hour around the batch than a
    # limit can break it. One over a limit even in the stretch all of its signatures'
    # windows share is over it for each: settled by two bounded counts. Rows are read
    # only for those near a limit.
    counts = _counts(addresses, "ip_hash", _around(hour))
    crowded = _crowded(addresses, counts, min(per_minute, per_hour))
    burst = _flooded(crowded, "ip_hash", minute, per_minute)
    sustained = _flooded(crowded, "ip_hash", hour, per_hour)
    in_minute = _times(_without(crowded, burst), "ip_hash", minute)
    in_hour = _times(_without(crowded, sustained), "ip_hash", hour)
    counts = _bounded(domains, "email_domain", _around(hour), per_domain)
    crowded = _crowded(domains, counts, per_domain)
    flooded = _flooded(crowded, "email_domain", hour, per_domain)
    by_domain = _times(_without(crowded, flooded), "email_domain", hour)
    reasons = {}
    for s in signatures:
        reason, at, me = "", s.created_at, (s.created_at, s.pk)
        key = (s.petition_id, s.ip_hash)
        if key in burst or _over(in_minute.get(key), at - minute, me, per_minute):
            reason = "address-burst"
        elif key in sustained or _over(in_hour.get(key), at - hour, me, per_hour):
            reason = "address-rate"
        key = (s.petition_id, s.email_domain)
        over = key in flooded or _over(by_domain.get(key), at - hour, me, per_domain)
        if not reason and over:
            reason = "domain-rate"
        reasons[s.pk] = reason
    return reasons


def _span(signatures: list[Signature]) -> tuple[datetime, datetime]:
    """When the first and the last of them signed."""
    return min(s.created_at for s in signatures), max(s.created_at for s in signatures)


def _by_petition(groups: dict[tuple, list[Signature]]) -> dict[int, list[Signature]]:
    petitions: dict[int, list[Signature]] = defaultdict(list)
    for (petition_id, _value), group in groups.items():
        petitions[petition_id] += group
    return petitions


def _counts(groups: dict[tuple, list[Signature]], column: str, spans) -> dict[tuple, int]:
    """How many signatures each (petition, address) has in a stretch of time around the
    batch, `spans(first, last)` as filters on created_at: one query per petition, counted
    in the database. For groups that are small in practice: an address rarely signs more
    than a few times; a domain may have signed thousands of times, see _bounded."""
    counts: dict[tuple, int] = {}
    for petition_id, batch in _by_petition(groups).items():
        first, last = _span(batch)
        rows = (
            Signature.objects.filter(
                petition_id=petition_id, **spans(first, last),
                **{f"{column}__in": {getattr(s, column) for s in batch}},
            )
            .values_list(column)
            .annotate(n=Count("pk"))
            .order_by()
        )  # fmt: skip
        counts.update({(petition_id, value): n for value, n in rows})
    return counts


def _bounded(groups: dict[tuple, list[Signature]], column: str, spans, limit: int):
    """_counts, one query per group, each counting no further than `limit` + 1: a busy
    domain costs the same as a quiet one."""
    counts: dict[tuple, int] = {}
    for (petition_id, value), group in groups.items():
        first, last = _span(group)
        found = Signature.objects.filter(
            petition_id=petition_id, **{column: value}, **spans(first, last)
        )
        counts[(petition_id, value)] = found[: limit + 1].count()
    return counts


def _around(window: timedelta):
    """From `window` before the first of a group to its last: holds each one's window."""
    return lambda first, last: {"created_at__gt": first - window, "created_at__lte": last}


def _shared(window: timedelta):
    """From `window` before the last of a group to just before its first: each one's
    window holds it."""
    return lambda first, last: {"created_at__gt": last - window, "created_at__lt": first}


def _crowded(groups: dict[tuple, list[Signature]], counts: dict[tuple, int], limit: int):
    """The groups that may break `limit`: more than that many around them."""
    return {key: group for key, group in groups.items() if counts.get(key, 0) > limit}


def _flooded(groups: dict[tuple, list[Signature]], column: str, window, limit: int) -> set:
    """The groups over `limit` in `window` for every signature of theirs in the batch."""
    shared = _bounded(groups, column, _shared(window), limit)
    return {key for key in groups if shared[key] > limit}


def _without(groups: dict[tuple, list[Signature]], settled: set) -> dict[tuple, list]:
    return {key: group for key, group in groups.items() if key not in settled}


def _over(times: list | None, after: datetime, upto: tuple, limit: int) -> bool:
    return times is not None and _between(times, after, upto) > limit


def _times(groups: dict[tuple, list[Signature]], column: str, window) -> dict[tuple, list]:
    """For each (petition, address or domain): when, and with which id, the petition was
    signed from it, sorted, from `window` before the batch's first signature to its last.

    One query per petition for the whole batch (`column IN (…)` on the signature_by_address
    or signature_by_domain index). The window is the batch's, wider than each group's own;
    _between bounds every count by time, so the extra rows change nothing."""
    times: dict[tuple, list] = {key: [] for key in groups}
    for petition_id, batch in _by_petition(groups).items():
        first, last = _span(batch)
        values = {getattr(s, column) for s in batch}
        rows = Signature.objects.filter(
            petition_id=petition_id, created_at__gt=first - window,
            created_at__lte=last, **{f"{column}__in": values},
        ).values_list(column, "created_at", "pk")  # fmt: skip
        for value, created_at, pk in rows:
            times[(petition_id, value)].append((created_at, pk))
    for found in times.values():
        found.sort()
    return times


def _between(times: list[tuple[datetime, int]], after: datetime, upto: tuple) -> int:
    """How many signatures are later than `after` and not later than `upto`, a (time, id)
    pair: of two made at the same instant, the one with the lower id came first."""
    return bisect_right(times, upto) - bisect_right(times, (after, float("inf")))
