"""Limits that hold for the whole cluster, not per node.

Two "nodes" are two cache clients of one Redis (redis://127.0.0.1:6379/15), each with a
connection pool of its own, as two machines have; two "workers" are threads with their
own database connections, as two processes are to the database.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory
from support import in_parallel, make_petition
from test_responses_races import MAYOR
from test_transparency_log import add_signers, confirm

from undersigned.accounts.models import User
from undersigned.api import webhooks
from undersigned.api.models import WebhookDelivery
from undersigned.lib import ratelimit
from undersigned.petitions.models import Petition
from undersigned.responses import actions as responses
from undersigned.responses.models import Notification
from undersigned.signatures import pow, risk
from undersigned.transparency import actions as transparency
from undersigned.transparency.models import Checkpoint

REDIS = "redis://127.0.0.1:6379/15"
KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
NOW = 1_800_000_000.0  # a fixed clock: no window may end in the middle of a test


@pytest.fixture
def nodes(settings):
    """Two nodes' caches, sharing one Redis database emptied for the test."""
    pair = [RedisCache(REDIS, {}), RedisCache(REDIS, {})]
    try:
        pair[0].clear()
    except Exception as error:  # any way Redis can be missing
        pytest.skip(f"needs Redis at {REDIS} ({type(error).__name__})")
    settings.REDIS_URL = REDIS
    yield pair
    pair[0].clear()


@pytest.fixture
def on(monkeypatch):
    """Make the code below run as on the given node (its cache, its process memory)."""

    def switch(node: RedisCache) -> None:
        for module in (ratelimit, pow):
            monkeypatch.setattr(module, "cache", node)
        risk.forget_seen()  # another process: it has seen nobody yet

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: NOW))
    monkeypatch.setattr(
        risk,
        "time",
        SimpleNamespace(time=lambda: NOW, monotonic=time.monotonic, time_ns=time.time_ns),
    )
    return switch


def test_a_rate_limit_is_reached_across_two_nodes(nodes, on):
    a, b = nodes
    hits = []
    for node in (a, b, a, b, a):
        on(node)
        hits.append(ratelimit.over_limit("sign-in:203.0.113.9", limit=4, window=300))
    assert hits == [False, False, False, False, True]
    on(b)
    assert ratelimit.reached("sign-in:203.0.113.9", limit=4, window=300)


def test_one_address_bursting_over_two_nodes_is_caught(settings, nodes, on):
    settings.LIMIT_ADDRESS_PER_MINUTE = 5
    a, b = nodes
    caught = []
    for node in (a, b):
        on(node)  # each process reports an address from its second sight on
        caught += [risk.burst_in_cache(7, "hash-of-one-address", "") for _ in range(3)]
    # Node A saw 3, node B 3: 6 in a minute, the last one over 5.
    assert caught == [False, False, False, False, False, True]


def test_a_proof_of_work_used_on_one_node_is_refused_on_the_other(settings, nodes, on):
    from test_pow import solved

    settings.POW_MAX_NUMBER = 2_000
    a, b = nodes
    payload = solved()
    on(a)
    assert pow.verify(RequestFactory().post("/sign", {"altcha": payload}))
    on(b)
    assert not pow.verify(RequestFactory().post("/sign", {"altcha": payload}))


def test_the_count_shown_never_falls_when_nodes_read_different_databases(nodes, on):
    a, b = nodes
    on(a)
    assert ratelimit.high_water("petition-count-shown:1", 11, 10) == 11  # the primary
    on(b)
    assert ratelimit.high_water("petition-count-shown:1", 10, 10) == 11  # a replica behind
    assert b.get("petition-count-shown:1") == 11  # Django reads the mark Redis keeps
    assert ratelimit.high_water("petition-count-shown:1", 12, 10) == 12


def test_a_cache_that_is_down_shows_the_count_read(settings, monkeypatch):
    def down():
        raise ConnectionError("no Redis")

    monkeypatch.setattr(ratelimit, "_redis", down)
    assert ratelimit.high_water("petition-count-shown:1", 10, 10) == 10


# "Once per petition", with two workers at the same moment: the database decides.


@pytest.fixture
def open_petition() -> Petition:
    organizer = User.objects.create_user("org@example.org")
    moderator = User.objects.create_user("mod@example.org", is_staff=True)
    return make_petition(organizer, moderator, targets=[MAYOR], notify_targets=True)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sign_one_checkpoint_for_one_log_size(settings, open_petition):
    settings.TRANSPARENCY_KEY, settings.CLUSTER_NODES = KEY, 2
    for signature in add_signers(open_petition, 3):
        confirm(signature)
    results = in_parallel(lambda i: transparency.publish_checkpoints(), 2)
    assert sorted(results) == [0, 1], results
    assert Checkpoint.objects.filter(petition=open_petition).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_notify_a_decision_maker_once(open_petition):
    results = in_parallel(lambda i: responses.notify_targets(), 2)
    assert sorted(results) == [0, 1], results
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_announce_a_milestone_once(open_petition):
    webhooks.add_webhook(
        open_petition, "https://hooks.example.org/undersigned", ["milestone"], open_petition.creator
    )
    Petition.objects.filter(pk=open_petition.pk).update(signature_count=120)
    results = in_parallel(lambda i: webhooks.check_milestones(), 2)
    assert sorted(results) == [0, 1], results
    assert WebhookDelivery.objects.count() == 1
