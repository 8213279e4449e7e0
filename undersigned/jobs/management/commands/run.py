"""`make run`: the web server and the worker together; Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the background worker until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: str, host: str, **options):
        site_url = os.environ.get("SITE_URL") or f"http://{host}:{port}"
        remember_site_url(site_url)
        # The worker's e-mails link to the port served here, even without SITE_URL set.
        environment = {**os.environ, "SITE_URL": site_url}
        manage = [sys.executable, "manage.py"]
        children = [
            subprocess.Popen([*manage, "worker"], env=environment),
            subprocess.Popen(
                [*manage, "runserver", "--noreload", f"{host}:{port}"], env=environment
            ),
        ]
        self.stdout.write(f"Site: {site_url}/  (Ctrl-C stops the site and the worker)")

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


def remember_site_url(site_url: str) -> None:
    """Note the address under var/: commands run later in another shell, without SITE_URL
    (import_petition printing a petition's link, say), read it back in settings.py."""
    path = settings.VAR_DIR / "site-url"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(site_url.rstrip("/") + "\n")
