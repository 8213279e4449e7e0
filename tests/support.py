"""Helpers shared by the tests (fixtures are in conftest.py)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from undersigned.accounts.models import User
from undersigned.petitions import actions as petition_actions
from undersigned.petitions.models import Petition
from undersigned.responses.addresses import approve_listed_addresses, listed_addresses


def run_queued_tasks() -> int:
    """Run every queued task, in this thread, as the worker would; return how many ran."""
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False, max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    while job := DBTaskResult.objects.ready().first():
        job.claim("test")
        worker.run_task(job)
        if job.status == TaskResultStatus.FAILED:
            raise AssertionError(job.traceback)
        ran += 1
    return ran


def make_petition(creator: User, moderator: User | None = None, **fields) -> Petition:
    """A petition in the given state ("open" by default), through the real actions."""
    state = fields.pop("state", Petition.State.OPEN)
    targets = fields.pop("targets", [{"name": "City Council", "role": "Riverside"}])
    petition = Petition(
        title=fields.pop("title", "Keep the library open on Sundays"),
        text=fields.pop("text", "We urge the council to **restore** Sunday hours."),
        goal=fields.pop("goal", 100),
        closes_at=fields.pop("closes_at", timezone.now() + timedelta(days=30)),
        creator=creator,
        **fields,
    )
    petition_actions.save_draft(petition, targets)
    if state == Petition.State.DRAFT:
        return petition
    petition_actions.submit_petition(petition)
    if state == Petition.State.MODERATION:
        return Petition.objects.get(pk=petition.pk)
    moderator = moderator or User.objects.create_user(
        f"m{Petition.objects.count()}@example.org", is_staff=True
    )
    petition_actions.approve_petition(petition, moderator)
    # As the review page does: the moderator approves the addresses it listed.
    approve_listed_addresses(petition, listed_addresses(petition), moderator)
    if state == Petition.State.CLOSED:
        petition_actions.close_petition(petition)
    run_queued_tasks()  # the creator's e-mails, so tests start with an empty outbox
    mail.outbox.clear()
    return Petition.objects.get(pk=petition.pk)


SIGNER = {
    "name": "Anahit Karapetyan",
    "email": "anahit@example.am",
    "country": "AM",
    "postcode": "0010",
    "comment": "Libraries matter.",
}


def link_in_last_mail(kind: str = "confirm") -> str:
    """The path of the first link of that kind in the newest e-mail sent."""
    body = mail.outbox[-1].body
    match = re.search(rf"https?://[^/\s]+(/{kind}/\S+)", body)
    assert match, body
    return match.group(1)


def signed_in(user: User) -> Client:
    """A test client with `user` signed in (no e-mailed link)."""
    client = Client()
    client.force_login(user)
    return client


def in_parallel(work, times: int) -> list:
    """Run `work(i)` in `times` threads released together; return results or errors."""
    barrier = threading.Barrier(times)
    results: list = [None] * times

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:  # reported by the test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
