"""Counters in the cache: a fixed-window rate limit and a high-water mark.

With REDIS_URL they hold for every process of every node (docs/operations.md, "Running
several nodes"); without, for one process only, which suits one machine (`manage.py
check` warns when several nodes are declared without Redis: lib/checks.py).

If the cache is unreachable the request is allowed: a rate limit must never turn an
outage of an optional service into an outage of the site.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from undersigned.lib.client import client_address
from undersigned.lib.http import error_page

logger = logging.getLogger(__name__)


def over_limit(key: str, limit: int, window: int, hits: int = 1) -> bool:
    """Count `hits` on `key`; True when more than `limit` hits fall in this window."""
    slot = f"rl:{key}:{int(time.time()) // window}"
    try:
        if redis := _redis():
            # One round trip instead of two (add, then incr): a pipelined INCR + EXPIRE.
            # Setting the expiry again on every hit is harmless: a slot is one window's.
            name = cache.make_and_validate_key(slot)
            pipeline = redis.pipeline(transaction=False).incr(name, hits)
            count, _expiry = pipeline.expire(name, window + 1).execute()
            return count > limit
        if cache.add(slot, hits, window + 1):
            return hits > limit
        return cache.incr(slot, hits) > limit
    except ValueError:  # the slot expired between add and incr
        return False
    except Exception:  # any cache failure: allow, and say so in the log
        logger.warning("rate limit cache unavailable; allowing the request")
        return False


def reached(key: str, limit: int, window: int) -> bool:
    """True when `key` already has `limit` hits in this window; counts nothing itself.

    For limits that count only some outcomes (failed passwords, say) but must refuse
    every attempt once full, before the attempt is tried."""
    return over_limit(key, limit - 1, window, hits=0)


# Atomic on Redis: two nodes raising the mark at once cannot lower it. The value is an
# integer as Django's Redis cache stores one (plain digits), so cache.get reads it.
RAISE_MARK = """
local shown = tonumber(redis.call('GET', KEYS[1]) or '-1')
local value = tonumber(ARGV[1])
if value > shown then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
    return value
end
return shown
"""


def high_water(key: str, value: int, timeout: int) -> int:
    """The highest `value` given for `key` in the last `timeout` seconds (since it last
    rose), this one included."""
    try:
        if redis := _redis():
            name = cache.make_and_validate_key(key)
            return int(redis.eval(RAISE_MARK, 1, name, value, timeout))
        shown = cache.get(key)
        if shown is None or value > shown:
            cache.set(key, value, timeout)
            return value
        return shown
    except Exception:  # the cache is down: the value read is the best we have
        logger.warning("high-water mark cache unavailable")
        return value


def _redis():
    """The redis-py client behind Django's RedisCache, or None with another backend."""
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if hasattr(backend, "get_client") else None


def limit_posts(scope: str, limit: int, window: int):
    """Decorator: at most `limit` POSTs per client address per `window` seconds → 429."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                key = f"{scope}:{client_address(request)}"
                if over_limit(key, limit, window):
                    response = error_page(request, 429)
                    response["Retry-After"] = str(window)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
