"""Database-side helpers, run inside Django with the stack's settings.

`python -m bench.seed COMMAND ARGS…` prints one line of JSON. The bench writes rows
directly (SQL, bulk inserts) where going through HTTP would only measure the seeding.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import sys
import time
import uuid
from datetime import timedelta

import django

django.setup()

from django.db import DatabaseError, connection, transaction  # noqa: E402
from django.db.models import NOT_PROVIDED  # noqa: E402
from django.utils import timezone  # noqa: E402

from undersigned.accounts.models import User  # noqa: E402
from undersigned.petitions import actions as petition_actions  # noqa: E402
from undersigned.petitions.models import Petition  # noqa: E402
from undersigned.signatures.models import Signature  # noqa: E402

SIG = Signature._meta.db_table
TEXT = "A petition used by `make bench`. " * 40


def _defaults() -> dict[str, object]:
    """Every column of a signature row with the model's default, so that rows written here
    stay valid as the model grows (columns with a database default are left to it)."""
    values = {}
    for field in Signature._meta.concrete_fields:
        if field.primary_key or field.db_default is not NOT_PROVIDED:
            continue
        value = None if field.null and not field.has_default() else field.get_default()
        values[field.column] = field.get_db_prep_save(value, connection)
    return values


def _row(petition: int, email: str, **extra) -> dict[str, object]:
    base = {"petition_id": petition, "name": "Bench Signer", "email": email,
            "email_normalized": email, "country": "GB", "language": "en"}  # fmt: skip
    return {**_defaults(), **base, **extra}


def _insert(rows: list[dict[str, object]]) -> None:
    columns = list(rows[0])
    sql = f"INSERT INTO {SIG} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [tuple(row.values()) for row in rows[start : start + 5000]])


def _petition(key: str) -> int:
    moderator = User.objects.filter(email="bench-moderator@bench.invalid").first()
    if moderator is None:
        moderator = User.objects.create_superuser(
            "bench-moderator@bench.invalid", secrets.token_urlsafe(16), name="Bench Moderator"
        )
    organizer, _new = User.objects.get_or_create(
        email="bench-organizer@bench.invalid", defaults={"name": "Bench Organizer"}
    )
    petition = Petition(
        title=f"Benchmark petition ({key})", text=TEXT, goal=1000, language="en",
        closes_at=timezone.now() + timedelta(days=60), creator=organizer,
    )  # fmt: skip
    petition_actions.save_draft(petition, [{"name": "City Council", "role": "Bench City"}])
    petition_actions.submit_petition(petition)
    petition_actions.approve_petition(petition, moderator)
    return petition.pk


def _page(pk: int) -> str:
    """The canonical address (with its slug): any other answers a 301, not the page."""
    return Petition.objects.get(pk=pk).get_absolute_url()


def setup() -> dict:
    """Two open petitions: `bench` for load, `scale` for the 0 vs 5 M comparison."""
    ids = {key: _petition(key) for key in ("bench", "scale")}
    return {"ids": ids, "pages": {key: _page(pk) for key, pk in ids.items()}}


def newpetition(key: str = "export") -> dict:
    pk = _petition(key)
    return {"id": pk, "page": _page(pk)}


def session() -> dict:
    """A signed-in staff session, for pages (such as an export) that need one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = User.objects.get(email="bench-moderator@bench.invalid")
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}


def tokens(petition: str, n: str, path: str, tag: str) -> dict:
    """N unconfirmed signatures whose e-mail was sent: their links go into `path`."""
    now, count = timezone.now(), int(n)
    secret = {i: hashlib.md5(f"{tag}{i}".encode()).hexdigest() for i in range(count)}
    rows = [
        _row(int(petition), f"{tag}-{i}@confirm.bench", mails_sent=1, mail_sent_at=now,
             token_hash=hashlib.sha256(secret[i].encode()).hexdigest(), token_created_at=now)
        for i in range(count)
    ]  # fmt: skip
    with transaction.atomic():
        _insert(rows)
    lines = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, email FROM {SIG} WHERE petition_id = %s AND email LIKE %s",
            [int(petition), f"{tag}-%"],
        )
        found = cursor.fetchall()
    for pk, email in found:
        i = int(email.split("@")[0].rsplit("-", 1)[1])
        lines.append(f"{pk}.{secret[i]}\n")
    lines.sort(key=lambda line: int(line.split(".")[0]))
    with open(path, "w") as out:
        out.writelines(lines)
    return {"tokens": len(lines)}


def purge() -> dict:
    """Drop queued confirmation e-mails (a bench artefact: the sign phases queue tens of
    thousands that no one will read) and mark their rows as not waiting for one."""
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.filter(status="READY").delete()[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {SIG} SET mail_requested_at = NULL WHERE mail_requested_at IS NOT NULL"
        )
        return {"tasks": tasks, "signatures": cursor.rowcount}


def backlog(petition: str, n: str, domain: str) -> dict:
    """N signatures waiting for their confirmation e-mail: the rows are the queue."""
    started, now, count = time.monotonic(), timezone.now(), int(n)
    tag = uuid.uuid4().hex[:8]
    rows = [_row(int(petition), f"{tag}-{i}@{domain}", mail_requested_at=now)
            for i in range(count)]  # fmt: skip
    with transaction.atomic():
        _insert(rows)
    return {"queued": count, "seconds": round(time.monotonic() - started, 2)}


def seed(petition: str, rows: str, seconds: str) -> dict:
    """Confirmed signatures, in batches of a million, until `rows` or the time is up.

    The count shards are rebuilt from the rows at the end, so they sum to the exact count.
    """
    pid, target, deadline = int(petition), int(rows), time.monotonic() + float(seconds)
    started, done, batch = time.monotonic(), 0, 1_000_000
    pg = connection.vendor == "postgresql"
    series = (
        "generate_series(%s, %s) AS g(i)"
        if pg
        else "(WITH RECURSIVE s(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
        "SELECT i FROM s) AS g"
    )
    when = "now() - make_interval(secs => i)" if pg else "datetime('now', '-' || i || ' seconds')"
    email = "'seed' || i || '@scale.bench'"
    computed = {
        "petition_id": "%s", "name": "'Seeded Signer ' || i", "email": email,
        "email_normalized": email, "email_domain": "'scale.bench'", "country": "'GB'",
        "language": "'en'", "public": "i %% 10 = 0", "created_at": when, "confirmed_at": when,
        "mails_sent": "1", "shard": "i %% 16",
    }  # fmt: skip
    columns = {f.column for f in Signature._meta.concrete_fields}
    computed = {column: sql for column, sql in computed.items() if column in columns}
    constant = {k: v for k, v in _defaults().items() if k not in computed}
    names = [*computed, *constant]
    values = [*computed.values(), *["%s"] * len(constant)]
    sql = f"INSERT INTO {SIG} ({', '.join(names)}) SELECT {', '.join(values)} FROM {series}"
    while done < target and time.monotonic() < deadline:
        upto = min(target, done + batch)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pid, *constant.values(), done + 1, upto])
        done = upto
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM signatures_countshard WHERE petition_id = %s", [pid])
        cursor.execute(
            "INSERT INTO signatures_countshard (petition_id, shard, count) "
            f"SELECT petition_id, shard, count(*) FROM {SIG} WHERE petition_id = %s AND "
            "confirmed_at IS NOT NULL AND withdrawn_at IS NULL AND invalidated_at IS NULL "
            "GROUP BY petition_id, shard",
            [pid],
        )
    with connection.cursor() as cursor:
        # VACUUM too on PostgreSQL: millions of fresh rows otherwise start an autovacuum
        # that takes a CPU for a minute, while the pages after the seed are measured.
        cursor.execute(f"VACUUM (ANALYZE) {SIG}" if pg else f"ANALYZE {SIG}")
    if pg:  # and write the dirty pages now, not in a checkpoint during the measurement
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # needs a superuser or pg_checkpoint
    return {"rows": done, "seconds": round(time.monotonic() - started, 1)}


def count(petition: str) -> dict:
    """The exact count from the rows (the definition in the issue), and the shards' sum."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {SIG} WHERE petition_id = %s AND confirmed_at IS NOT NULL "
            "AND withdrawn_at IS NULL AND invalidated_at IS NULL",
            [int(petition)],
        )
        rows = cursor.fetchone()[0]
        cursor.execute(
            "SELECT coalesce(sum(count), 0) FROM signatures_countshard WHERE petition_id = %s",
            [int(petition)],
        )
        shards = int(cursor.fetchone()[0])
    # The app's own definition may be narrower (e.g. held signatures do not count).
    counted = Signature.objects.filter(petition_id=int(petition)).counted().count()
    return {"rows": rows, "shards": shards, "counted": counted}


def emails(domain: str, *paths: str) -> dict:
    """Each e-mail answered 303 (listed in `paths`) must have exactly one row.

    A line `#count <prefix> <n> <domain>` (wrk, which cannot tell which answer is whose)
    says that n addresses <prefix>…@<domain> were answered 303: at least n rows must have
    it. Lines of other domains (the floor's, which writes no signature) are not ours."""
    answered: list[str] = []
    # Runs with the same tag sign the same addresses again (an "already signed" 303):
    # per prefix, the addresses answered are those of its longest run.
    most: dict[str, int] = {}
    for path in paths:
        with open(path) as lines:
            for line in filter(None, map(str.strip, lines)):
                if line.startswith("#count "):
                    _mark, prefix, n, *of = line.split()
                    if of and of[0] != domain:
                        continue
                    most[prefix] = max(most.get(prefix, 0), int(n))
                else:
                    answered.append(f"{line}@{domain}")
    rows: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT email FROM {SIG} WHERE email LIKE %s", [f"%@{domain}"])
        for (email,) in cursor.fetchall():
            rows[email] = rows.get(email, 0) + 1
    missing = sum(1 for email in answered if rows.get(email, 0) == 0)
    counted = list(most.items())
    for prefix, n in counted:
        have = sum(1 for email in rows if email.startswith(prefix))
        missing += max(0, n - have)
        answered += [f"{prefix}?{i}@{domain}" for i in range(n)]  # counted, not named
    duplicated = sum(1 for email in set(answered) if rows.get(email, 0) > 1)
    return {
        "answered": len(answered), "unique_answered": len(set(answered)),
        "rows": sum(rows.values()), "missing": missing, "duplicated": duplicated,
        "rows_without_answer": sum(
            1 for email in set(rows) - set(answered)
            if not any(email.startswith(prefix) for prefix, _n in counted)
        ),
    }  # fmt: skip


def queue() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM django_tasks_db_dbtaskresult GROUP BY status")
        return dict(cursor.fetchall())


def explain(petition: str) -> dict:
    from bench.explain import explain as run

    return run(int(petition))


COMMANDS = {
    f.__name__: f
    for f in (
        setup,
        newpetition,
        session,
        tokens,
        purge,
        backlog,
        seed,
        count,
        emails,
        queue,
        explain,
    )
}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
