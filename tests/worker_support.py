"""Running the real worker as a separate process, to kill it: the test database's
address, starting the worker against it, and waiting for what it does."""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.utils import timezone

from undersigned.signatures.models import Signature

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(outbox: Path, **settings: str) -> subprocess.Popen:
    """`manage.py worker` on the test database, e-mails written to `outbox`."""
    environment = {
        **os.environ, "DATABASE_URL": database_url(), "EMAIL_URL": str(outbox),
        "SITE_URL": "http://testserver", "DEBUG": "0", **settings,
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-clock", "--interval", "0.1"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def recipients(outbox: Path) -> list[str]:
    """Who the complete letters in the outbox are to. A letter the kill -9 cut short while
    it was being written (empty, or its parts not closed) was never handed over, like an
    e-mail the SMTP server did not accept: its signer is still waiting for one."""
    found = []
    for path in outbox.glob("*.eml"):
        letter = email.message_from_bytes(path.read_bytes())
        if letter["To"] and not letter.defects:
            found.append(letter["To"])
    return found


def wait_for(condition, seconds: float = 90, step: float = 0.02) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(step)


def take_over_from_a_dead_worker(outbox: Path) -> None:
    """A minute after a worker was killed: its claims count as abandoned (the minute is
    pretended), and a new worker sends whatever is still queued, then stops."""
    Signature.objects.filter(mail_claimed_at__isnull=False).update(
        mail_claimed_at=timezone.now() - timedelta(seconds=61)
    )
    worker = start_worker(outbox)
    try:
        wait_for(lambda: not Signature.objects.filter(mail_requested_at__isnull=False).exists())
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(10)
