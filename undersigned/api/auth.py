"""Partner keys: `Authorization: Bearer <key>`, checked by hash, limited per minute."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from undersigned.api.errors import ApiError
from undersigned.api.models import ApiKey
from undersigned.petitions.models import Petition


class PartnerKey(HttpBearer):
    """The request's API key, or a 401 (ninja answers it when this returns None)."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        if len(token) > 100:
            return None
        key = ApiKey.objects.find(token)
        if key is not None:
            check_rate(key)
        return key


def check_rate(key: ApiKey, now: float | None = None) -> None:
    """Count this request against the key's limit for the current minute, or refuse it.

    A counter per key and minute in the cache: `add` starts it (only one request can),
    `incr` is atomic in every backend Django ships, so concurrent requests count right.
    """
    now = now or time.time()
    minute = int(now // 60)
    counter = f"api-rate:{key.pk}:{minute}"
    cache.add(counter, 0, timeout=120)
    try:
        used = cache.incr(counter)
    except ValueError:  # evicted between add and incr: count this request as the first
        cache.set(counter, 1, timeout=120)
        used = 1
    if used > key.rate_limit:
        wait = 60 - int(now % 60)
        raise ApiError(
            429, "rate_limited", f"This key may make {key.rate_limit} requests a minute.",
            retry_after=wait,
        )  # fmt: skip


def require_scope(key: ApiKey, petition: Petition) -> None:
    if not key.covers(petition):
        raise ApiError(403, "out_of_scope", "This key may not sign this petition.")
