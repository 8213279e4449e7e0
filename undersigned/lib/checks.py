"""`manage.py check` for a site served by several nodes (docs/operations.md).

What a node keeps in its own memory or on its own disk does not hold for the whole
cluster: without a shared Redis each process has its own rate limits, proof-of-work
replay memory, burst counts and block-list generation, and without TRANSPARENCY_KEY each
node would sign checkpoints with a key of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks


def several_nodes() -> bool:
    return settings.CLUSTER_NODES > 1 or bool(getattr(settings, "REPLICA_DATABASES", []))


def check_cluster(app_configs=None, **kwargs) -> list:
    if not several_nodes():
        return []
    problems = []
    if not settings.DEBUG and not settings.REDIS_URL:
        problems.append(
            checks.Warning(
                "Several nodes are declared (CLUSTER_NODES or DATABASE_REPLICA_URLS) but "
                "REDIS_URL is unset: rate limits, the proof-of-work replay check and the "
                "count cache are then per process, not for the whole site.",
                hint="Point every node at one Redis: REDIS_URL=redis://host:6379/0.",
                id="undersigned.W001",
            )
        )
    if settings.CLUSTER_NODES > 1 and not settings.TRANSPARENCY_KEY:
        problems.append(
            checks.Error(
                "CLUSTER_NODES > 1 but TRANSPARENCY_KEY is unset: each node would sign the "
                "public logs with a key made in its own VAR_DIR.",
                hint="Set the same TRANSPARENCY_KEY (base64 of 32 random bytes) on every node.",
                id="undersigned.E001",
            )
        )
    return problems
