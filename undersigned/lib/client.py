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
    prefix = 32 if address.version == 4 else 64
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def block(address: Address) -> str:
    """The coarse block moderators look at and act on: an IPv4 /24 or an IPv6 /48."""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def address_hash(address: Address, now: datetime | None = None) -> str:
    """HMAC of the address's network with a key that changes every rotation period."""
    now = now or timezone.now()
    period = int(now.timestamp()) // (settings.IP_HASH_ROTATION_HOURS * 3600)
    key = hmac.new(settings.SECRET_KEY.encode(), f"ip:{period}".encode(), hashlib.sha256)
    return hmac.new(key.digest(), str(network(address)).encode(), hashlib.sha256).hexdigest()[:32]
