"""The in-request burst check asks the shared counter only from an address's second
signature on, and then counts the first one too."""

import time

import pytest
from django.core.cache import cache

from undersigned.lib import ratelimit
from undersigned.signatures import risk


@pytest.fixture
def counted(monkeypatch, settings):
    settings.REDIS_URL = "redis://as-if"  # the check runs; the cache is the test's own
    settings.LIMIT_ADDRESS_PER_MINUTE = 3
    monkeypatch.setattr(time, "time", lambda: 1_800_000_030.0)  # mid-minute, every call
    calls = []
    real = ratelimit.over_limit

    def spy(key, limit, window, hits=1):
        calls.append(hits)
        return real(key, limit, window, hits)

    monkeypatch.setattr(risk, "over_limit", spy)
    return calls


def test_one_signature_per_address_never_asks_the_shared_counter(counted):
    assert not any(risk.burst_in_cache(1, f"address-{n}", "") for n in range(50))
    assert counted == []


def test_a_burst_is_held_past_the_limit_counting_the_first_signature(counted):
    held = [risk.burst_in_cache(1, "one-address", "") for _ in range(5)]
    assert held == [False, False, False, True, True]
    assert counted == [2, 1, 1, 1]
    slot = f"rl:sign:1:one-address:{int(time.time()) // 60}"
    assert cache.get(slot) == 5


def test_allowlisted_addresses_and_sites_without_redis_are_not_checked(counted, settings):
    assert not any(risk.burst_in_cache(1, "school", "allowlisted") for _ in range(9))
    settings.REDIS_URL = ""
    assert not any(risk.burst_in_cache(1, "home", "") for _ in range(9))
    assert counted == []
