"""Kill -9 the worker in the middle of e-mailing an update: after a restart every signer
who asked for updates has it, and nobody twice except the one caught mid-send."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from support import make_petition
from test_updates_support import add_signers
from worker_support import recipients, start_worker, wait_for

from undersigned.accounts.models import User
from undersigned.updates import actions
from undersigned.updates.mailing import resume_stuck_mailings
from undersigned.updates.models import Update, UpdateMail

pytestmark = pytest.mark.django_db(transaction=True)
SIGNERS, BATCH = 150, 20


def mails(outbox: Path) -> list[Path]:
    return list(outbox.glob("*.eml"))


def test_a_killed_worker_loses_no_signer_and_repeats_no_batch(tmp_path):
    organizer = User.objects.create_user("org@example.org")
    petition = make_petition(organizer, User.objects.create_user("m@example.org", is_staff=True))
    signers = add_signers(petition, SIGNERS)
    update = actions.post_update(petition, title="News", text="Something happened.", email=True)
    outbox = tmp_path / "outbox"
    worker = start_worker(outbox, SIGNER_MAIL_BATCH=str(BATCH))
    wait_for(lambda: len(mails(outbox)) >= BATCH + 5)  # into the second batch
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    sent_before = len(mails(outbox))
    assert sent_before < SIGNERS, "the worker finished before it could be killed"

    # Ten minutes later the clock finds the mailing has stopped moving; the dead worker's
    # claim is stale by then. Pretend that time has passed.
    old = timezone.now() - timedelta(minutes=11)
    UpdateMail.objects.filter(sent_at__isnull=True).update(claimed_at=old)
    Update.objects.filter(pk=update.pk).update(email_progress_at=old)
    assert resume_stuck_mailings() == 1
    worker = start_worker(outbox, SIGNER_MAIL_BATCH=str(BATCH))
    try:
        wait_for(
            lambda: Update.objects.filter(pk=update.pk, email_state=Update.EmailState.SENT).exists()
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
    to = recipients(outbox)
    assert set(to) == {s.email for s in signers}  # nobody left out
    assert len(to) - SIGNERS <= 1  # at most the one mail the kill caught mid-send
    update.refresh_from_db()
    assert update.emails_sent == SIGNERS
