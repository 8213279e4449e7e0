"""The worker's clock, and retries written once for every task."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from undersigned.jobs.models import ClockTick

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STALE_RUNNING = timedelta(minutes=15)


def periodic_jobs() -> dict[str, tuple[int, str]]:
    """name: (seconds between runs, task to enqueue), from every app's AppConfig, which
    declares its own as `periodic_jobs = {name: (seconds or the name of a setting, task
    path)}`: the one registry, so that no app has to name another's tasks."""
    jobs = {}
    for config in apps.get_app_configs():
        for name, (every, task_path) in getattr(config, "periodic_jobs", {}).items():
            seconds = getattr(settings, every) if isinstance(every, str) else every
            jobs[name] = (seconds, task_path)
    return jobs


def tick(now: datetime | None = None) -> list[str]:
    """Enqueue each periodic job whose interval has passed; return the names enqueued."""
    now = now or timezone.now()
    jobs = periodic_jobs()
    ClockTick.objects.bulk_create([ClockTick(name=name) for name in jobs], ignore_conflicts=True)
    started = []
    for name, (seconds, task_path) in jobs.items():
        due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - timedelta(seconds=seconds))
        if ClockTick.objects.filter(due, name=name).update(last_run_at=now):
            import_string(task_path).enqueue()
            started.append(name)
    return started


def retry_jobs(now: datetime | None = None) -> int:
    """Run again, with backoff, the jobs that failed or whose worker died mid-run.

    Every task is safe to rerun: it checks its row's state before acting.
    """
    now = now or timezone.now()
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    retried = stale.update(status=TaskResultStatus.READY, run_after=now)
    recent_failures = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gt=now - timedelta(days=1)
    )[:500]
    for job in recent_failures:
        attempts = len(job.worker_ids)
        if attempts >= MAX_ATTEMPTS:
            continue
        wait = timedelta(minutes=2**attempts)
        if job.finished_at and job.finished_at + wait <= now:
            retried += DBTaskResult.objects.filter(
                pk=job.pk, status=TaskResultStatus.FAILED
            ).update(status=TaskResultStatus.READY, run_after=now)
    if retried:
        logger.info("retrying %d jobs", retried)
    return retried


def prune_jobs(now: datetime | None = None) -> int:
    """Forget finished jobs after a day: their arguments may name an e-mail address."""
    now = now or timezone.now()
    done = DBTaskResult.objects.filter(finished_at__lt=now - timedelta(days=1)).filter(
        Q(status=TaskResultStatus.SUCCESSFUL) | Q(status=TaskResultStatus.FAILED)
    )
    return done.delete()[0]
