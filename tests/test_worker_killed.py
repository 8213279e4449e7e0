"""Kill -9 the worker in the middle of a backlog: after a restart every signer has their
confirmation e-mail, and none is sent twice except one caught mid-send."""

from __future__ import annotations

import os
import signal

import pytest
from support import make_petition
from worker_support import recipients, start_worker, take_over_from_a_dead_worker, wait_for

from undersigned.accounts.models import User
from undersigned.signatures.actions import SignRequest, sign_petition

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_killed_worker_loses_no_confirmation_email(tmp_path):
    organizer = User.objects.create_user("org@example.org")
    petition = make_petition(organizer, User.objects.create_user("m@example.org", is_staff=True))
    for n in range(40):
        sign_petition(petition, SignRequest(name=f"Signer {n}", email=f"s{n}@example.org",
                                            country="AM"))  # fmt: skip
    outbox = tmp_path / "outbox"
    worker = start_worker(outbox)
    wait_for(lambda: len(list(outbox.glob("*.eml"))) >= 5)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    sent_before = len(list(outbox.glob("*.eml")))
    assert sent_before < 40, "the worker finished before it could be killed"

    take_over_from_a_dead_worker(outbox)
    to = recipients(outbox)
    assert set(to) == {f"s{n}@example.org" for n in range(40)}  # nobody left out
    assert len(to) - 40 <= 1  # at most the one mail the kill caught mid-send
