"""Run the background worker: the task queue, plus the clock for periodic jobs."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker

from undersigned.jobs.actions import tick

logger = logging.getLogger(__name__)


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


class Command(BaseCommand):
    help = "Run queued tasks (e-mails, counts) and the periodic jobs, until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="idle poll, seconds")
        parser.add_argument("--no-clock", action="store_true", help="only run queued tasks")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")

    def handle(self, *args, interval: float, no_clock: bool, batch: bool, **options):
        stop = threading.Event()
        if not no_clock and not batch:
            threading.Thread(target=run_clock, args=(stop,), daemon=True, name="clock").start()
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
