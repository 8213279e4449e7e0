"""Read replicas: which database a query reads from (DATABASE_REPLICA_URLS).

Everything writes to the primary ("default"), and everything outside a request (the
worker, management commands, the shell) reads it too. `ReplicaMiddleware` decides once
per request whether its reads may go to a replica: only a GET or HEAD that cannot need
the person's own recent write, that is

- no secret link in the path (confirm, withdraw, sign-in…: the row was just written by
  the worker that e-mailed the link), no `Authorization` header (API partners read
  what they just posted), not the admin;
- no fresh `primary_pin` cookie: every POST (PUT, PATCH, DELETE) response, and every
  response of a request that wrote, sets it for REPLICA_PIN_SECONDS, so the pages after
  signing, confirming, withdrawing or an organizer's edit come from the primary.

Within such a request, reads go to a healthy replica until the request writes, or while
it is inside a transaction on the primary (both then read the primary). Sessions are
always read from the primary: a person just signed in must not look signed out.

A replica is healthy when its last check (at most one a second per process; less often
while it is down) answered and it was at most REPLICA_MAX_LAG_SECONDS behind. A read
that fails on a replica marks it down and the whole request runs again on the primary,
so a visitor never sees a replica stop: GET and HEAD are safe to run twice.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.utils.connection import ConnectionDoesNotExist

from undersigned.web.pagecache import SECRET_PATH

logger = logging.getLogger(__name__)

PIN_COOKIE = "primary_pin"
PIN_SALT = "undersigned.replicas.pin"
READ_METHODS = {"GET", "HEAD"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Read from the primary whatever the request: a session read from a replica that has not
# yet received it would sign its owner out for a moment.
PRIMARY_ONLY_APPS = {"sessions"}
CHECK_SECONDS = 1.0  # a healthy replica's verdict is kept this long per process
DOWN_BACKOFF_MAX = 8.0  # a replica that is down is tried again after 1, 2, 4, 8, 8… s

# How far behind the replica is, in seconds. "Nothing left to replay" (all the WAL it
# received is applied) is caught up, however long ago the last write was: the replay
# timestamp alone would call a replica of a quiet primary ever more behind.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""


@dataclass
class Reads:
    """What one request may read from; the router and the middleware share it."""

    replica: bool
    used: set[str] = field(default_factory=set)
    wrote: bool = False
    failed: bool = False


# None outside a request that allowed replicas: the primary.
_current: ContextVar[Reads | None] = ContextVar("undersigned_replica_reads", default=None)


@dataclass
class Health:
    checked_at: float
    healthy: bool
    failures: int = 0


_health: dict[str, Health] = {}
_checking = threading.Lock()


def replica_aliases() -> list[str]:
    return getattr(settings, "REPLICA_DATABASES", [])


def lag_seconds(alias: str) -> float:
    """How far the replica is behind; raises DatabaseError when it does not answer."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT 0")  # a test mirror of the primary: never behind
        else:
            cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def _check(alias: str, previous: Health | None) -> Health:
    failures = 0  # checks in a row that found it unreachable
    try:
        lag = lag_seconds(alias)
        problem = f"{lag:.1f} s behind" if lag > settings.REPLICA_MAX_LAG_SECONDS else ""
    except DatabaseError as error:
        problem = f"unreachable ({type(error).__name__})"
        failures = (previous.failures if previous else 0) + 1
        _close(alias)
    was_healthy = previous is None or previous.healthy
    if problem and was_healthy:
        logger.warning("replica %s is %s: reading from the primary", alias, problem)
    elif not problem and not was_healthy:
        logger.warning("replica %s is back", alias)
    return Health(time.monotonic(), not problem, failures)


def is_healthy(alias: str) -> bool:
    """The replica's cached verdict, checked again when it is older than CHECK_SECONDS (or
    the back-off of a replica that is down). One thread of the process checks at a time;
    the others meanwhile use the previous verdict."""
    health = _health.get(alias)
    if health is not None:
        wait = min(DOWN_BACKOFF_MAX, CHECK_SECONDS * 2 ** max(0, health.failures - 1))
        if time.monotonic() - health.checked_at < wait:
            return health.healthy
    if not _checking.acquire(blocking=False):
        return health is not None and health.healthy
    try:
        health = _health[alias] = _check(alias, health)
    finally:
        _checking.release()
    return health.healthy


def mark_down(alias: str) -> None:
    """A read failed on this replica: skip it until a check says otherwise."""
    previous = _health.get(alias)
    if previous is None or previous.healthy:
        logger.warning("replica %s failed a read: reading from the primary", alias)
    _health[alias] = Health(time.monotonic(), False, (previous.failures if previous else 0) + 1)
    _close(alias)


def forget_health() -> None:
    _health.clear()


def _close(alias: str) -> None:
    # Already broken, maybe: Django opens a new connection next time either way.
    with suppress(DatabaseError, ConnectionDoesNotExist):
        connections[alias].close()


def healthy_replica() -> str | None:
    candidates = [alias for alias in replica_aliases() if is_healthy(alias)]
    if not candidates:
        return None
    return candidates[0] if len(candidates) == 1 else random.choice(candidates)


class ReplicaRouter:
    """DATABASE_ROUTERS entry (settings.py adds it when there are replicas)."""

    def db_for_read(self, model, **hints) -> str:
        reads = _current.get()
        if reads is None or not reads.replica or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        # Inside a transaction on the primary a read must see what that transaction wrote.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        alias = healthy_replica()
        if alias is None:
            return DEFAULT_DB_ALIAS
        reads.used.add(alias)
        return alias

    def db_for_write(self, model, **hints) -> str:
        # select_for_update() and get_or_create() are writes to Django: they land here too.
        reads = _current.get()
        if reads is not None:
            reads.replica = False  # the rest of this request reads what it wrote
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # a replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db in replica_aliases() else None


def may_read_replica(request: HttpRequest) -> bool:
    if request.method not in READ_METHODS or SECRET_PATH.match(request.path_info):
        return False
    if request.path_info.startswith("/admin/") or "HTTP_AUTHORIZATION" in request.META:
        return False
    return not is_pinned(request)


def is_pinned(request: HttpRequest) -> bool:
    if PIN_COOKIE not in request.COOKIES:
        return False
    pin = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return pin is not None


def pin(response: HttpResponse) -> None:
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=settings.REPLICA_PIN_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReplicaMiddleware:
    """Decide where this request reads; run it again on the primary if a replica failed.

    Placed after DatabaseOutageMiddleware, so that its process_exception sees a failed
    replica read before that one turns it into a 503.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        reads = Reads(replica=may_read_replica(request))
        token = _current.set(reads)
        try:
            response = self.get_response(request)
            if reads.used and (reads.failed or self._failed_unseen(response, reads)):
                reads.replica, reads.failed, reads.used = False, False, set()
                response = self.get_response(request)  # the same request, on the primary
        finally:
            # Reset before a streaming response is read: its rows come from the primary.
            _current.reset(token)
        if reads.wrote or request.method in WRITE_METHODS:
            pin(response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        reads = _current.get()
        if reads is None or not reads.used or reads.failed:
            return None
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        for alias in reads.used:
            mark_down(alias)
        reads.failed = True
        # Never sent: __call__ runs the request again on the primary instead.
        return HttpResponse(status=503)

    @staticmethod
    def _failed_unseen(response: HttpResponse, reads: Reads) -> bool:
        """An error answer to a failed replica read that no process_exception saw (the
        API answers a database error with its own JSON 503; a middleware's read becomes a
        500): true when a replica this request read from no longer answers."""
        if response.status_code < 500:
            return False
        down = [alias for alias in reads.used if not _answers(alias)]
        for alias in down:
            mark_down(alias)
        return bool(down)


def _answers(alias: str) -> bool:
    try:
        lag_seconds(alias)
    except DatabaseError:
        return False
    return True
