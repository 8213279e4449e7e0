"""Read replicas: which query goes where, read-your-writes, a lagging or stopped replica.

The replica here is a second connection alias to the test database (as the TEST
"MIRROR" setting makes one), so a query's alias says where it went and a committed row
is on both: these tests commit (transaction=True).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import signing
from django.core.cache import cache
from django.db import OperationalError, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from support import SIGNER, make_petition

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition
from undersigned.signatures import actions
from undersigned.signatures.models import CountShard
from undersigned.web import replicas
from undersigned.web.replicas import PIN_COOKIE, PIN_SALT, Reads, ReplicaRouter

ROOT = Path(__file__).resolve().parent.parent
ROUTER = "undersigned.web.replicas.ReplicaRouter"
MIDDLEWARE = "undersigned.web.replicas.ReplicaMiddleware"


def add_alias(alias: str, **changes) -> None:
    """A connection alias to the test database (or, with changes, to somewhere else)."""
    primary = connections["default"].settings_dict
    config = {**primary, "TEST": {**primary["TEST"], "MIRROR": "default"}, **changes}
    connections.settings[alias] = config


def drop_alias(alias: str) -> None:
    connection = connections[alias]
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()
    del connections[alias]
    del connections.settings[alias]


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    add_alias("replica1")
    yield "replica1"
    drop_alias("replica1")


@pytest.fixture(scope="module")
def down_alias(django_db_setup, tmp_path_factory):
    """An alias whose database does not answer, as a stopped replica. Module-scoped, as
    replica_alias: an alias must exist before the test's database set-up names it."""
    if connections["default"].vendor == "sqlite":
        missing = tmp_path_factory.mktemp("replica") / "missing" / "replica.sqlite3"
        add_alias("replica2", NAME=str(missing))
    else:
        options = dict(connections["default"].settings_dict["OPTIONS"])
        options.pop("pool", None)
        add_alias("replica2", PORT="1", OPTIONS={**options, "connect_timeout": 2})
    yield "replica2"
    drop_alias("replica2")


@pytest.fixture(autouse=True)
def _fresh_health():
    replicas.forget_health()
    yield
    replicas.forget_health()


def lag(monkeypatch, *outcomes: float | Exception) -> list[str]:
    """Make the replicas' checks answer these lags (or fail), one per check, the last one
    from then on; returns the aliases checked."""
    checked: list[str] = []

    def fake(alias: str) -> float:
        outcome = outcomes[min(len(checked), len(outcomes) - 1)]
        checked.append(alias)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(replicas, "lag_seconds", fake)
    return checked


@pytest.fixture
def public_request():
    """Run the router as inside a request the middleware let (or not) read replicas."""
    tokens = []

    def enter(replica: bool = True) -> Reads:
        reads = Reads(replica=replica)
        tokens.append(replicas._current.set(reads))
        return reads

    yield enter
    for token in reversed(tokens):
        replicas._current.reset(token)


@pytest.fixture
def routed(settings):
    """The settings a node with one replica runs with (settings.py adds both)."""
    settings.REPLICA_DATABASES = ["replica1"]
    settings.REPLICA_MAX_LAG_SECONDS = 5
    settings.REPLICA_PIN_SECONDS = 15
    settings.DATABASE_ROUTERS = [ROUTER]
    middleware = list(settings.MIDDLEWARE)
    outage = middleware.index("undersigned.web.health.DatabaseOutageMiddleware")
    middleware.insert(outage + 1, MIDDLEWARE)
    settings.MIDDLEWARE = middleware
    return settings


# Which query goes where (the router alone)


def test_outside_a_request_every_query_uses_the_primary(routed, monkeypatch):
    checked = lag(monkeypatch, 0.0)
    router = ReplicaRouter()
    assert router.db_for_read(Petition) == "default"
    assert router.db_for_write(Petition) == "default"
    assert checked == []  # the worker and commands never even ask about replicas


def test_a_public_read_goes_to_a_healthy_replica_and_writes_to_the_primary(
    routed, monkeypatch, public_request
):
    lag(monkeypatch, 0.0)
    public_request()
    assert Petition.objects.all().db == "replica1"
    assert Petition.objects.select_for_update().db == "default"
    assert ReplicaRouter().db_for_write(Petition) == "default"


def test_after_its_first_write_a_request_reads_the_primary(routed, monkeypatch, public_request):
    lag(monkeypatch, 0.0)
    reads = public_request()
    assert Petition.objects.all().db == "replica1"
    ReplicaRouter().db_for_write(Petition)
    assert Petition.objects.all().db == "default" and reads.wrote


@pytest.mark.django_db(transaction=True)
def test_sessions_and_reads_inside_a_transaction_use_the_primary(
    routed, monkeypatch, public_request
):
    from django.contrib.sessions.models import Session

    lag(monkeypatch, 0.0)
    public_request()
    assert Session.objects.all().db == "default"
    with transaction.atomic():
        assert Petition.objects.all().db == "default"
    assert Petition.objects.all().db == "replica1"


def test_a_request_the_middleware_kept_on_the_primary_reads_the_primary(
    routed, monkeypatch, public_request
):
    checked = lag(monkeypatch, 0.0)
    public_request(replica=False)
    assert Petition.objects.all().db == "default" and checked == []


# Health: lag and outages


def test_a_replica_further_behind_than_the_limit_is_skipped(routed, monkeypatch, public_request):
    lag(monkeypatch, 6.0)  # REPLICA_MAX_LAG_SECONDS is 5
    public_request()
    assert Petition.objects.all().db == "default"
    lag(monkeypatch, 4.0)
    assert Petition.objects.all().db == "default"  # the verdict is kept for a second…
    replicas._health["replica1"].checked_at -= replicas.CHECK_SECONDS
    assert Petition.objects.all().db == "replica1"  # …then checked again


def test_a_replica_is_checked_at_most_once_a_second(routed, monkeypatch, public_request):
    checked = lag(monkeypatch, 0.0)
    public_request()
    for _ in range(50):
        assert Petition.objects.all().db == "replica1"
    assert checked == ["replica1"]


def test_a_replica_that_does_not_answer_is_skipped_and_tried_again_less_often(
    routed, monkeypatch, public_request
):
    checked = lag(monkeypatch, OperationalError("connection refused"))
    public_request()
    assert Petition.objects.all().db == "default"
    health = replicas._health["replica1"]
    assert not health.healthy and health.failures == 1
    health.checked_at -= replicas.CHECK_SECONDS
    assert Petition.objects.all().db == "default" and len(checked) == 2
    # Down twice in a row: the next try waits 2 s, not 1.
    replicas._health["replica1"].checked_at -= replicas.CHECK_SECONDS
    assert Petition.objects.all().db == "default" and len(checked) == 2
    lag(monkeypatch, 0.0)
    replicas._health["replica1"].checked_at -= replicas.CHECK_SECONDS
    assert Petition.objects.all().db == "replica1"


def test_the_lag_query_treats_nothing_left_to_replay_as_caught_up():
    # On a quiet primary the last replayed transaction can be old while nothing is
    # missing: equal received and replayed positions mean no lag.
    sql = " ".join(replicas.LAG_SQL.split())
    received_equals_replayed = "pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    assert sql.index(received_equals_replayed) < sql.index("pg_last_xact_replay_timestamp")


# Which requests may read a replica


def pinned_cookie(age: int = 0) -> str:
    signer = signing.get_cookie_signer(salt=PIN_COOKIE + PIN_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - age)
    return signer.sign("1")


@pytest.mark.parametrize(
    ("method", "path", "extra", "allowed"),
    [
        ("get", "/petitions/1-keep-it", {}, True),
        ("head", "/petitions/1.json", {}, True),
        ("get", "/api/v1/petitions", {}, True),
        ("post", "/petitions/1/sign", {}, False),
        ("get", "/confirm/12.secret", {}, False),
        ("get", "/withdraw/12.secret", {}, False),
        ("get", "/accounts/sign-in/abc", {}, False),
        ("get", "/admin/", {}, False),
        ("get", "/api/v1/partner/submissions", {"HTTP_AUTHORIZATION": "Bearer k"}, False),
    ],
)
def test_only_reads_that_cannot_need_the_persons_own_write_may_use_a_replica(
    routed, method, path, extra, allowed
):
    request = getattr(RequestFactory(), method)(path, **extra)
    assert replicas.may_read_replica(request) is allowed


def test_a_fresh_pin_keeps_a_browser_on_the_primary_and_an_old_one_does_not(routed):
    fresh = RequestFactory().get("/petitions/1", HTTP_COOKIE=f"{PIN_COOKIE}={pinned_cookie()}")
    assert not replicas.may_read_replica(fresh)
    old = RequestFactory().get("/petitions/1", HTTP_COOKIE=f"{PIN_COOKIE}={pinned_cookie(16)}")
    assert replicas.may_read_replica(old)
    forged = RequestFactory().get("/petitions/1", HTTP_COOKIE=f"{PIN_COOKIE}=1")
    assert replicas.may_read_replica(forged)  # harmless either way, but not trusted


def test_the_pin_must_outlast_the_lag_a_replica_may_have(tmp_path):
    environment = {
        **os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "DATABASE_REPLICA_URLS": "postgres://u@127.0.0.1:5433/x",
        "REPLICA_MAX_LAG_SECONDS": "10", "REPLICA_PIN_SECONDS": "10",
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "undersigned.settings"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "REPLICA_PIN_SECONDS must be longer" in result.stderr


# Whole requests through the middleware, on a replica alias


def petition_for_reads() -> Petition:
    organizer = User.objects.create_user("lena@example.org", name="Lena Aramyan")
    moderator = User.objects.create_user("mod@example.org", is_staff=True)
    return make_petition(organizer, moderator)


@pytest.mark.django_db(transaction=True, databases=["default", "replica1"])
def test_a_public_page_reads_the_replica_until_the_browser_posts(
    routed, replica_alias, client, monkeypatch
):
    lag(monkeypatch, 0.0)
    petition = petition_for_reads()
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        assert client.get(petition.get_absolute_url()).status_code == 200
    assert any("petitions_petition" in q["sql"] for q in on_replica.captured_queries)
    assert any("signatures_countshard" in q["sql"] for q in on_replica.captured_queries)

    signed = client.post(f"/petitions/{petition.pk}/sign", SIGNER)
    assert signed.status_code == 303 and PIN_COOKIE in signed.cookies
    cache.clear()  # so the count is summed again, not taken from the cache
    with CaptureQueriesContext(connections["replica1"]) as on_replica:
        assert client.get(signed["Location"]).status_code == 200
        assert client.get(petition.get_absolute_url()).status_code == 200
    assert on_replica.captured_queries == []  # read-your-writes: all on the primary


@pytest.mark.django_db(transaction=True, databases=["default", "replica2"])
def test_a_replica_stopped_mid_request_costs_the_visitor_nothing(
    routed, down_alias, client, monkeypatch
):
    routed.REPLICA_DATABASES = ["replica2"]
    lag(monkeypatch, 0.0)  # it was fine at its last check…
    petition = petition_for_reads()
    response = client.get(petition.get_absolute_url())  # …and stops answering now
    assert response.status_code == 200 and petition.title in response.content.decode()
    assert replicas._health["replica2"].healthy is False
    # The next request does not try it again before its next check (a try would fail
    # and count a second failure).
    assert client.get(f"/petitions/{petition.pk}.json").status_code == 200
    assert replicas._health["replica2"].failures == 1
    # The API answers a database error with its own JSON 503: still no error for anyone.
    replicas.forget_health()
    lag(monkeypatch, 0.0, OperationalError("gone"))  # fine at its check, then stopped
    api = client.get(f"/api/v1/petitions/{petition.pk}")
    assert api.status_code == 200 and petition.title in api.content.decode()
    assert replicas._health["replica2"].healthy is False


# The count never goes backwards


@pytest.mark.django_db
def test_a_count_from_a_replica_behind_never_shows_less_than_one_shown_before(
    routed, organizer, moderator, monkeypatch
):
    routed.COUNT_CACHE_SECONDS = 2
    petition = make_petition(organizer, moderator)
    CountShard.objects.create(petition=petition, shard=0, count=11)
    assert actions.count_for(petition) == 11  # from the primary
    cache.delete(actions.count_key(petition.pk))  # the next period
    monkeypatch.setattr(actions, "_shard_sum", lambda petition_id: 10)  # a replica behind
    assert actions.count_for(petition) == 11
    cache.delete(actions.count_key(petition.pk))
    monkeypatch.setattr(actions, "_shard_sum", lambda petition_id: 12)
    assert actions.count_for(petition) == 12  # it still moves up at once


@pytest.mark.django_db
def test_a_real_fall_shows_once_older_than_any_replica_lag(
    routed, organizer, moderator, monkeypatch
):
    petition = make_petition(organizer, moderator)
    marks: list[tuple[str, int, int]] = []
    real = actions.high_water

    def spy(key: str, value: int, timeout: int) -> int:
        marks.append((key, value, timeout))
        return real(key, value, timeout)

    monkeypatch.setattr(actions, "high_water", spy)
    monkeypatch.setattr(actions, "_shard_sum", lambda petition_id: 11)
    actions.count_for(petition)
    (key, value, timeout) = marks[-1]
    # Held no longer than the lag a replica may have plus the count's own cache time.
    assert value == 11 and timeout == 5 + routed.COUNT_CACHE_SECONDS + 1
    cache.delete(key)  # as its expiry does
    cache.delete(actions.count_key(petition.pk))
    monkeypatch.setattr(actions, "_shard_sum", lambda petition_id: 9)  # two withdrew
    assert actions.count_for(petition) == 9


@pytest.mark.django_db
def test_without_replicas_the_count_keeps_no_high_water_mark(settings, organizer, moderator):
    settings.REPLICA_DATABASES = []
    petition = make_petition(organizer, moderator)
    CountShard.objects.create(petition=petition, shard=0, count=3)
    assert actions.count_for(petition) == 3
    assert cache.get(f"petition-count-shown:{petition.pk}") is None
