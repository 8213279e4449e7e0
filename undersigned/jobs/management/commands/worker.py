"""Run the background worker: the task queue, plus the clock for periodic jobs."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from undersigned.jobs.actions import tick

logger = logging.getLogger(__name__)
ALIVE_EVERY = 5.0  # seconds between a pump's "still here" (mailing.PUMP_ALIVE_SECONDS: 15)


def run_clock(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            tick()
        except OperationalError:
            logger.warning("clock: database busy, will try again", exc_info=True)
        finally:
            close_old_connections()
        stop.wait(min(settings.CLOCK_SECONDS, 5))


def run_mail_pump(stop: threading.Event, interval: float) -> None:
    """Send confirmation e-mails straight from the signature rows, a batch per SMTP
    connection (signatures/mailing.py: send_confirmation_mails). Several workers take
    disjoint batches; when SMTP or the database fails, wait and try again.

    After a batch that was not full it waits `interval`: while people sign at a few
    hundred a second, sending each handful at once would open an SMTP connection and
    claim rows for every few e-mails; waiting a quarter of a second fills the batches.
    After a full batch (a backlog: more people signed than it has sent) it rests in
    proportion to how long the machine kept it waiting (mailing.pause_after): the worker
    runs at a lower priority (--nice), so a busy web shows as a pump that got
    little of the CPU, and signing goes first."""
    from undersigned.signatures import mailing

    mailing.PUMPING.set()
    said = -ALIVE_EVERY
    try:
        while not stop.is_set():
            if time.monotonic() - said >= ALIVE_EVERY:
                mailing.pump_alive()
                said = time.monotonic()
            share, started = mailing.CpuShare(), time.monotonic()
            try:
                close_old_connections()
                sent = mailing.send_confirmation_mails(share=share)
            except Exception:
                logger.warning("mail pump: sending failed, will try again", exc_info=True)
                sent = 0
                stop.wait(5)
            finally:
                close_old_connections()
            if sent < settings.CONFIRMATION_MAIL_BATCH:
                stop.wait(interval)  # keeping up: what is waiting goes out within seconds
            elif rest := mailing.pause_after(time.monotonic() - started, share.got):
                stop.wait(rest)  # a backlog while the web wants the CPU: signing goes first
    finally:
        mailing.PUMPING.clear()


class Command(BaseCommand):
    help = "Run queued tasks (e-mails, counts) and the periodic jobs, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="idle poll, seconds")
        parser.add_argument("--no-clock", action="store_true", help="only run queued tasks")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--no-mail-pump", action="store_true", help="no confirmation e-mails from this one"
        )
        parser.add_argument(
            "--nice", type=int, default=settings.WORKER_NICE,
            help="lower this process's CPU priority by this much, so the web goes first "
            "(default WORKER_NICE, 10; 0: as the web)",
        )  # fmt: skip

    def handle(self, *args, interval: float, no_clock: bool, batch: bool, **options):
        if options["nice"] > 0:
            # On a machine shared with the web servers, a backlog of e-mails should take
            # the CPU the web does not need, not the other way round. The threads started
            # below inherit it.
            os.nice(options["nice"])
        stop = threading.Event()
        if not no_clock and not batch:
            threading.Thread(target=run_clock, args=(stop,), daemon=True, name="clock").start()
        if not options["no_mail_pump"] and not batch:
            threading.Thread(
                target=run_mail_pump, args=(stop, min(interval, 0.25)), daemon=True, name="mail"
            ).start()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
            excluded_queue_names=[],
        )
        if not batch:
            self.stdout.write("Worker running: e-mails, counts and periodic jobs. Ctrl-C stops.")
            worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
