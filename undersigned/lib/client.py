"""Who is asking: the client's address, trusted only as far as our own proxies say.

Raw addresses are never stored. Rate limits work on a keyed hash of the address's
network (/32 for IPv4, /64 for IPv6: one household or one phone), with a key that
rotates, so stored hashes cannot be linked to anyone after the rotation period.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def client_address(request: HttpRequest) -> Address | None:
    """REMOTE_ADDR, or the address our outermost trusted proxy saw (X-Forwarded-For).

    With TRUSTED_PROXY_COUNT = n, the n-th address from the right of X-Forwarded-For was
    written by our own first proxy; anything left of it was written by the client.
    """
    raw = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            raw = forwarded[-hops]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def network(address: Address) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The unit a rate limit applies to: one IPv4 address, or one IPv6 /64."""
    return _masked(address, 32 if address.version == 4 else 64)


def block(address: Address) -> str:
    """The coarse block moderators look at and act on: an IPv4 /24 or an IPv6 /48."""
    return str(_masked(address, 24 if address.version == 4 else 48))


def _masked(address: Address, prefix: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    # From the integer, not by formatting and parsing "a.b.c.d/n": a sixth of the cost.
    host_bits = address.max_prefixlen - prefix
    kind = ipaddress.IPv4Network if address.version == 4 else ipaddress.IPv6Network
    return kind((int(address) >> host_bits << host_bits, prefix))


def address_hash(address: Address, now: datetime | None = None) -> str:
    """HMAC of the address's network with a key that changes every rotation period."""
    now = now or timezone.now()
    period = int(now.timestamp()) // (settings.IP_HASH_ROTATION_HOURS * 3600)
    key = _period_key(settings.SECRET_KEY, period)
    return hmac.new(key, str(network(address)).encode(), hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=4)
def _period_key(secret: str, period: int) -> bytes:
    return hmac.new(secret.encode(), f"ip:{period}".encode(), hashlib.sha256).digest()
