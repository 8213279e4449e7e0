"""`make run`: the web server and the worker together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the background worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: str, host: str, **options):
        manage = [sys.executable, "manage.py"]
        children = [
            subprocess.Popen([*manage, "worker"]),
            subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"]),
        ]
        self.stdout.write(f"Site: http://{host}:{port}/  (Ctrl-C stops the site and the worker)")

        def stop(*_args) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("A process of the site stopped; stopping the other.")
        except KeyboardInterrupt:
            pass
        stop()
