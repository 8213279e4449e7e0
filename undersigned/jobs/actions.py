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
    """name: (seconds between runs, task to enqueue). Besides these, an app may declare
    its own as `periodic_jobs = {name: (seconds or the name of a setting, task path)}`
    on its AppConfig."""
    jobs = {
        "refresh_counts": (settings.CLOCK_SECONDS, "undersigned.signatures.tasks.refresh_counts"),
        "close_due_petitions": (60, "undersigned.petitions.tasks.close_due_petitions"),
        "requeue_lost_mails": (60, "undersigned.signatures.tasks.requeue_lost_confirmation_mails"),
        "retry_jobs": (60, "undersigned.jobs.tasks.retry_jobs"),
        "prune_jobs": (3600, "undersigned.jobs.tasks.prune_jobs"),
        "detect_trending": (3600, "undersigned.moderation.tasks.detect_trending"),
        "check_milestones": (60, "undersigned.api.tasks.check_milestones"),
        "requeue_webhooks": (60, "undersigned.api.tasks.requeue_lost_deliveries"),
        "sequence_log": (settings.CLOCK_SECONDS, "undersigned.transparency.tasks.sequence_entries"),
        "publish_checkpoints": (
            settings.TRANSPARENCY_CHECKPOINT_SECONDS,
            "undersigned.transparency.tasks.publish_checkpoints",
        ),
        "anonymise_expired": (600, "undersigned.privacy.tasks.anonymise_expired"),
        "forget_data_requests": (3600, "undersigned.privacy.tasks.forget_data_requests"),
    }
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
