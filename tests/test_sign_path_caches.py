"""What a sign reads without a round trip: the block lists kept in each process, and the
per-address counter that costs one trip to Redis instead of two."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from undersigned.lib import ratelimit
from undersigned.moderation.models import ListEntry
from undersigned.signatures import risk

pytestmark = pytest.mark.django_db


def another_process_changes_the_lists(value: str) -> None:
    """A moderator's change made in another process: the row, and the new generation in
    the shared cache; this process's own copy is not told."""
    ListEntry.objects.create(kind=ListEntry.Kind.BLOCK_DOMAIN, value=value)
    cache.set(risk.GENERATION_KEY, time.time_ns(), None)


def age_the_copy(seconds: float) -> None:
    checked, loaded, generation, lists = risk._local
    risk._local = (checked - seconds, loaded - seconds, generation, lists)


def test_a_sign_reads_the_lists_from_memory(django_assert_num_queries):
    risk.lists()
    with django_assert_num_queries(0):
        for _ in range(5):
            risk.lists()


def test_the_copy_is_checked_against_the_shared_generation_only_once_a_second(monkeypatch):
    risk.lists()
    asked = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *a: asked.append(key) or real_get(key, *a))
    risk.lists()
    assert asked == []
    age_the_copy(1.5)
    risk.lists()
    assert asked == [risk.GENERATION_KEY]


def test_a_change_made_in_another_process_applies_within_a_second():
    assert risk.lists().domains == frozenset()
    another_process_changes_the_lists("spam.example")
    assert risk.lists().domains == frozenset()  # not yet: checked less than a second ago
    age_the_copy(1.5)
    assert risk.lists().domains == {"spam.example"}


def test_without_a_shared_cache_a_copy_is_reloaded_after_a_minute_anyway():
    risk.lists()
    ListEntry.objects.create(kind=ListEntry.Kind.BLOCK_DOMAIN, value="late.example")
    age_the_copy(risk.LISTS_MAX_AGE + 1)
    assert risk.lists().domains == {"late.example"}


def test_a_cache_outage_leaves_the_lists_working(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    ListEntry.objects.create(kind=ListEntry.Kind.BLOCK_DOMAIN, value="spam.example")
    risk.forget_lists()
    assert risk.lists().domains == {"spam.example"}


def redis_or_skip():
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def test_on_redis_the_counter_is_one_pipelined_round_trip_and_expires(settings, monkeypatch):
    client = redis_or_skip()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"test-{time.time_ns()}",
        }
    }
    from django.core.cache import cache as redis_cache

    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    trips = []
    real = redis_cache._cache.get_client

    def counted(*args, **kwargs):
        trips.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(redis_cache._cache, "get_client", counted)
    assert [ratelimit.over_limit("burst-test", 2, 60) for _ in range(4)] == [
        False, False, True, True,
    ]  # fmt: skip
    assert trips == [1, 1, 1, 1]
    (name,) = client.keys(f"*rl:burst-test:{int(time.time()) // 60}")
    assert 0 < client.ttl(name) <= 61 and int(client.get(name)) == 4
    client.delete(name)
