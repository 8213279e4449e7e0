"""Cache periods aligned on the wall clock, shared by every process that caches a count."""

from __future__ import annotations

import time

from django.conf import settings


def aligned_timeout(seconds: float) -> float:
    """A timeout that ends on the next multiple of `seconds` of the wall clock.

    Every process of every node then lets its copy go at the same moment, and the next
    render in each reads the count afresh: two processes' pages can differ only by what
    was confirmed between their first renders after that moment, instead of by up to a
    whole period — so a reader alternating between processes does not see the count go
    down and up. (With Redis all processes share one copy, and Redis counts whole
    seconds, so there it is rounded, at least one.)
    """
    remaining = seconds - time.time() % seconds
    return max(1, round(remaining)) if settings.REDIS_URL else remaining


def same_period(started: float, seconds: float) -> bool:
    """Whether the wall clock is still in the period of `seconds` that `started` was in."""
    return int(started // seconds) == int(time.time() // seconds)
