"""Background work: the clock, closing petitions on time, and recovering lost work.

Correctness comes from row state: a job that was lost or crashed is found and rerun
without doing its work twice."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from support import SIGNER, make_petition

from undersigned.jobs import actions as jobs
from undersigned.petitions.actions import close_due_petitions
from undersigned.petitions.models import Petition
from undersigned.signatures import mailing
from undersigned.signatures.models import Signature


def test_the_clock_starts_each_periodic_job_once_per_interval(db):
    first = jobs.tick()
    assert "refresh_counts" in first and "close_due_petitions" in first
    assert jobs.tick() == []  # a second worker ticking at the same moment starts nothing
    later = jobs.tick(timezone.now() + timedelta(seconds=61))
    assert "close_due_petitions" in later


def test_open_petitions_close_at_their_closing_date(organizer, moderator, run_tasks):
    due = make_petition(organizer, moderator, closes_at=timezone.now() + timedelta(minutes=1))
    later = make_petition(organizer, moderator, title="Another")
    assert close_due_petitions(timezone.now() + timedelta(minutes=2)) == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.state == Petition.State.CLOSED and due.closed_at is not None
    assert later.state == Petition.State.OPEN
    run_tasks()
    assert "has closed" in mail.outbox[-1].subject


def test_a_confirmation_mail_whose_job_was_lost_is_sent_later(client, petition, run_tasks):
    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    DBTaskResult.objects.all().delete()  # the queue lost it (or a worker died with it)
    assert mailing.requeue_lost_confirmation_mails(timezone.now()) == 0  # too soon to tell
    later = timezone.now() + timedelta(minutes=3)
    assert mailing.requeue_lost_confirmation_mails(later) == 1
    run_tasks()
    assert len(mail.outbox) == 1


def test_a_mail_job_that_runs_twice_sends_once(client, petition, run_tasks):
    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    signature = Signature.objects.get()
    assert mailing.send_confirmation_mail(signature.pk) is True
    assert mailing.send_confirmation_mail(signature.pk) is False
    assert len(mail.outbox) == 1


def test_a_worker_that_died_mid_send_is_taken_over_after_ten_minutes(client, petition):
    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    signature = Signature.objects.get()
    Signature.objects.update(mail_claimed_at=timezone.now())  # claimed, then the worker died
    assert mailing.send_confirmation_mail(signature.pk) is False
    Signature.objects.update(mail_claimed_at=timezone.now() - timedelta(minutes=11))
    assert mailing.send_confirmation_mail(signature.pk) is True
    assert len(mail.outbox) == 1


def test_jobs_stuck_running_or_failed_are_retried_with_backoff(db):
    from undersigned.jobs.tasks import prune_jobs

    now = timezone.now()
    stuck = prune_jobs.enqueue().db_result
    DBTaskResult.objects.filter(pk=stuck.pk).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(minutes=20),
        worker_ids=["dead"],
    )  # fmt: skip
    failed = prune_jobs.enqueue().db_result
    DBTaskResult.objects.filter(pk=failed.pk).update(
        status=TaskResultStatus.FAILED, finished_at=now - timedelta(minutes=1), worker_ids=["w"]
    )
    assert jobs.retry_jobs(now) == 1  # the stuck one; the failed one waits 2 minutes
    assert jobs.retry_jobs(now + timedelta(minutes=2)) == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 2


def test_finished_jobs_are_pruned_after_a_day(db):
    from undersigned.jobs.tasks import prune_jobs

    done = prune_jobs.enqueue().db_result
    DBTaskResult.objects.filter(pk=done.pk).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now() - timedelta(days=2)
    )
    assert jobs.prune_jobs() == 1
