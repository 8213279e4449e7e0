"""Deciding, silently, whether a signature counts.

A signature that breaks a rule is accepted on screen exactly like any other and gets its
confirmation e-mail, but it is held: kept, not counted, until a moderator releases it.
A bot learns nothing from the answer. Two stages:

1. `screen()` in the sign request: block lists, disposable domains, allowlisted ranges,
   the proof of work. Lists are cached in memory for a minute, so this costs no query.
2. `assess_rates()` in the worker, before the e-mail goes out: per-address and
   per-domain rates, counted over indexed signature rows. The database is the store,
   so no other service is needed. With REDIS_URL set, `burst_in_cache()` also catches
   a one-address burst in the request; if Redis is down, the database check remains.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from disposable_email_domains import blocklist as DISPOSABLE
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from undersigned.lib.client import Address
from undersigned.lib.ratelimit import over_limit
from undersigned.moderation.models import ListEntry
from undersigned.signatures.models import Signature

LISTS_KEY = "risk:lists"


@dataclass(frozen=True)
class Lists:
    domains: frozenset[str]
    addresses: frozenset[str]
    blocked: tuple
    allowed: tuple


def lists() -> Lists:
    cached = cache.get(LISTS_KEY)
    if cached is None:
        rows = list(ListEntry.objects.values_list("kind", "value"))
        by_kind = {kind: [v for k, v in rows if k == kind] for kind in ListEntry.Kind.values}
        cached = Lists(
            domains=frozenset(by_kind[ListEntry.Kind.BLOCK_DOMAIN]),
            addresses=frozenset(by_kind[ListEntry.Kind.BLOCK_ADDRESS]),
            blocked=_networks(by_kind[ListEntry.Kind.BLOCK_RANGE]),
            allowed=_networks(by_kind[ListEntry.Kind.ALLOW_RANGE]),
        )
        cache.set(LISTS_KEY, cached, 60)
    return cached


def _networks(values: list[str]) -> tuple:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            continue  # entered without validation (e.g. SQL): skipped rather than fatal
    return tuple(networks)


def forget_lists() -> None:
    cache.delete(LISTS_KEY)


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
    return over_limit(key, settings.LIMIT_ADDRESS_PER_MINUTE, 60)


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
        reason = signature.held_reason or _rate_reason(signature)
        Signature.objects.filter(pk=signature.pk).update(assessed_at=now, held_reason=reason)
    return reason


def _rate_reason(signature: Signature) -> str:
    same_petition = Signature.objects.filter(
        petition_id=signature.petition_id, created_at__lte=signature.created_at
    )
    if signature.ip_hash and "allowlisted" not in signature.risk.split():
        by_address = same_petition.filter(ip_hash=signature.ip_hash)
        minute = signature.created_at - timedelta(minutes=1)
        if by_address.filter(created_at__gt=minute).count() > settings.LIMIT_ADDRESS_PER_MINUTE:
            return "address-burst"
        hour = signature.created_at - timedelta(hours=1)
        if by_address.filter(created_at__gt=hour).count() > settings.LIMIT_ADDRESS_PER_HOUR:
            return "address-rate"
    domain = signature.email_domain
    if domain and domain not in settings.LIMIT_DOMAIN_EXEMPT:
        hour = signature.created_at - timedelta(hours=1)
        recent = same_petition.filter(email_domain=domain, created_at__gt=hour)
        if recent.count() > settings.LIMIT_DOMAIN_PER_HOUR:
            return "domain-rate"
    return ""
