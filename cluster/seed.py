"""Database-side helpers of `make cluster`, run inside Django with one node's settings.

`python -m cluster.seed COMMAND ARGS…` prints one line of JSON (as bench/seed.py does,
whose petition maker and exact count it reuses). Everything here reads and writes the
primary: management commands never use a replica.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

import django

django.setup()

from django.db.models import Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import _petition  # noqa: E402
from bench.seed import count as exact_count  # noqa: E402
from undersigned.accounts.models import User  # noqa: E402
from undersigned.petitions.models import Petition  # noqa: E402

ORGANIZER = "bench-organizer@bench.invalid"  # bench.seed._petition's creator


def setup(rate_limit: str) -> dict:
    """An open petition, its organizer's session, and an API key of `rate_limit`/min."""
    from undersigned.api.models import ApiKey

    petition = _petition("cluster")
    key = ApiKey(name="Cluster check", all_petitions=True, rate_limit=int(rate_limit))
    raw = key.new_secret()
    key.save()  # as manage.py create_api_key makes one
    return {"petition": petition, "cookie": _session(ORGANIZER), "api_key": raw}


def _session(email: str) -> str:
    """A signed-in session for `email`, as the sign-in link would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = User.objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def count(petition: str) -> dict:
    return exact_count(petition)


def request_pack(petition: str) -> dict:
    """Ask for a delivery pack as the organizer's button does; the worker makes it."""
    from undersigned.delivery import actions

    subject = Petition.objects.get(pk=int(petition))
    pack = actions.request_pack(subject, None, User.objects.get(email=ORGANIZER))
    return {"pack": pack.pk, "state": pack.state}


def pack(pack_id: str) -> dict:
    """The pack's state and digests, and which workers ran the task that made it."""
    from django_tasks_db.models import DBTaskResult

    from undersigned.delivery.models import DeliveryPack

    made = DeliveryPack.objects.get(pk=int(pack_id))
    tasks = DBTaskResult.objects.filter(task_path__endswith=".build_delivery_pack")
    workers = sorted(
        {w for task in tasks if task.args_kwargs.get("args") == [made.pk] for w in task.worker_ids}
    )
    return {"state": made.state, "csv_sha256": made.csv_sha256, "workers": workers}


def checkpoints(petition: str, since: str) -> dict:
    """What the clock did since `since` (ISO time): when each worker enqueued the periodic
    checkpoint job, the checkpoints signed for the petition, and the keys that signed."""
    from django_tasks_db.models import DBTaskResult

    from undersigned.transparency.models import Checkpoint

    after = datetime.fromisoformat(since)
    runs = DBTaskResult.objects.filter(
        task_path__endswith=".publish_checkpoints", enqueued_at__gte=after
    ).order_by("enqueued_at")
    made = Checkpoint.objects.filter(petition_id=int(petition), created_at__gte=after)
    return {
        "enqueued": [run.enqueued_at.timestamp() for run in runs],
        "workers": sorted({w for run in runs for w in run.worker_ids}),
        "checkpoints": [c.created_at.timestamp() for c in made.order_by("tree_size")],
        "keys": made.values("key").distinct().count(),
        "now": timezone.now().timestamp(),
    }


def rows(domain: str) -> dict:
    """Signatures with an address at `domain`, and the shards' total (nothing lost)."""
    from undersigned.signatures.models import CountShard, Signature

    return {
        "rows": Signature.objects.filter(email__endswith=f"@{domain}").count(),
        "shards": CountShard.objects.aggregate(total=Sum("count"))["total"] or 0,
    }


COMMANDS = {f.__name__: f for f in (setup, count, request_pack, pack, checkpoints, rows)}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](*sys.argv[2:])))
