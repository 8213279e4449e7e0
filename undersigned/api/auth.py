"""Partner keys: `Authorization: Bearer <key>`, checked by hash, limited per minute."""

from __future__ import annotations

import time

from django.http import HttpRequest
from ninja.security import HttpBearer

from undersigned.api.errors import ApiError
from undersigned.api.models import ApiKey
from undersigned.lib.ratelimit import over_limit
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


def check_rate(key: ApiKey) -> None:
    """Count this request against the key's limit for the current minute, or refuse it."""
    if over_limit(f"api-key:{key.pk}", key.rate_limit, 60):
        wait = 60 - int(time.time()) % 60
        raise ApiError(
            429,
            "rate_limited",
            f"This key may make {key.rate_limit} requests a minute.",
            retry_after=wait,
        )


def require_scope(key: ApiKey, petition: Petition) -> None:
    if not key.covers(petition):
        raise ApiError(403, "out_of_scope", "This key may not sign this petition.")
