"""The production-like stack the benchmark drives, on loopback only.

gunicorn (threaded workers, DEBUG=0), the task worker, a local SMTP sink, and either a fresh
PostgreSQL database `undersigned_bench` or a fresh SQLite file. Every process runs in its
own process group so that stopping it also stops its children; `Stack` is a context
manager and stops everything on the way out, also on Ctrl-C or an error.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.sink import Sink

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "undersigned_bench"
HOST = "127.0.0.1"
# Server threads per web process: enough that a queue of OVERLOAD_QUEUE_MS forms in the
# front door, where it is timed, rather than inside the server (docs/operations.md).
THREADS = 128

# Every process the bench started and has not reaped yet, so a signal can stop them all.
RUNNING: set[subprocess.Popen] = set()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a process in its own process group (so it is stopped with its children),
    output into `log`. It stays in the bench's session: Linux schedules each session as a
    group, and the worker's lower priority (WORKER_NICE) counts only within its group."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, process_group=0
        )
    RUNNING.add(proc)
    return proc


def stop(proc: subprocess.Popen | None, grace: float = 10.0) -> None:
    """SIGTERM the process group, wait `grace` seconds, then SIGKILL it."""
    if proc is None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
    # The group may outlive its leader (a gunicorn worker): make sure it is gone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    RUNNING.discard(proc)


def stop_all() -> None:
    for proc in list(RUNNING):
        stop(proc, grace=3.0)


class Started:
    """A set of processes as a context: start() on entering, close() on leaving, and
    close() too when start() fails halfway (nothing is left running)."""

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Stack(Started):
    """One database kind (`postgres` or `sqlite`), N web servers and M task workers."""

    def __init__(
        self, db: str, var: Path, web: int = 1, web_workers: int = 4, workers: int = 1,
        redis: str = "", server_args: str = "", server: str = "granian",
    ) -> None:  # fmt: skip
        self.db, self.var, self.redis, self.server = db, var / db, redis, server
        self.server_args = server_args.split()
        self.web_count, self.web_workers, self.worker_count = web, web_workers, workers
        self.ports = [free_port() for _ in range(web)]
        self.web: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.sink = Sink()
        self.env: dict[str, str] = {}
        self.worker_args: list[str] = []

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.ports[0]}"

    def start(self) -> None:
        if self.var.exists():
            shutil.rmtree(self.var)
        self.var.mkdir(parents=True)
        self.sink.start()
        if self.db == "postgres":
            url = f"postgres://postgres@{HOST}:5432/{PG_NAME}"
            self._pg_recreate()
        else:
            url = f"sqlite:///{self.var / 'bench.sqlite3'}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PG"))},
            "DJANGO_SETTINGS_MODULE": "undersigned.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": self.base,
            "BENCH_FLOOR": "1",
            "VAR_DIR": str(self.var),
            "DATABASE_URL": url,
            "EMAIL_URL": f"smtp://{HOST}:{self.sink.port}",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": self.redis,
            # As behind the proxy docs/operations.md puts in front: the load generator
            # sends each signer's own address in X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.manage("migrate", "--noinput", "-v", "0", "--skip-checks")
        self.manage("collectstatic", "--noinput", "-v", "0")
        for port in self.ports:
            start = self._granian if self.server == "granian" else self._gunicorn
            self.web.append(start(port))
        for port in self.ports:
            self._wait_http(f"http://{HOST}:{port}/", 60)

    def close(self) -> None:
        self.stop_workers()
        for proc in self.web:
            stop(proc)
        self.web = []
        self.sink.stop()
        if self.db == "postgres" and self.env and not os.environ.get("BENCH_KEEP_DB"):
            try:
                self._pg_drop()
            except Exception as error:
                print(f"bench: could not drop {PG_NAME}: {error}", file=sys.stderr)

    # Processes.

    def _gunicorn(self, port: int) -> subprocess.Popen:
        args = [
            GUNICORN, "undersigned.wsgi", "--workers", str(self.web_workers),
            "--bind", f"{HOST}:{port}", "--graceful-timeout", "5", "--timeout", "60",
            *self.server_args,
        ]  # fmt: skip
        if not {"-k", "--worker-class"} & set(self.server_args):
            # As docs/operations.md: threads with keep-alive, enough of them that the
            # queue forms in the front door, where it is timed (web/shedding.py).
            args += ["-k", "gthread", "--threads", str(THREADS)]
        return spawn(args, self.env, self.var / f"gunicorn-{port}.log")

    def _granian(self, port: int) -> subprocess.Popen:
        """As docs/operations.md: Rust HTTP in front, Django on a pool of threads per
        process, as many as granian lets in, so that the queue forms in the front door,
        where it is timed and shed by expected wait (web/shedding.py)."""
        args = [
            PY, "-m", "granian", "--interface", "wsgi", "undersigned.wsgi:application",
            "--workers", str(self.web_workers), "--blocking-threads", str(THREADS),
            "--backpressure", str(THREADS),
            "--host", HOST, "--port", str(port), "--no-access-log",
            "--workers-kill-timeout", "5", *self.server_args,
        ]  # fmt: skip
        return spawn(args, self.env, self.var / f"granian-{port}.log")

    def start_workers(self) -> bool:
        """Start the missing task workers; whether any was started."""
        started = len(self.workers) < self.worker_count
        while len(self.workers) < self.worker_count:
            args = [PY, "manage.py", "worker", *self.worker_args]
            self.workers.append(spawn(args, self.env, self.var / "worker.log"))
        return started

    def stop_workers(self) -> None:
        self.pause_workers(False)
        for proc in self.workers:
            stop(proc, grace=15.0)
        self.workers = []

    def pause_workers(self, paused: bool) -> None:
        """Freeze (SIGSTOP) or thaw (SIGCONT) the workers, so that slices with and without
        them can alternate without the seconds a restart costs. Always thaw before stop."""
        for proc in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGSTOP if paused else signal.SIGCONT)

    def web_pids(self) -> list[int]:
        """The gunicorn masters' process groups: master and its workers."""
        return [proc.pid for proc in self.web]

    def worker_pids(self) -> list[int]:
        return [proc.pid for proc in self.workers]

    def manage(self, *args: str, timeout: float = 300, env: dict | None = None) -> str:
        done = subprocess.run(
            [PY, "manage.py", *args], env=env or self.env, cwd=ROOT, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def helper(self, *args: object, timeout: float = 600, env: dict | None = None) -> dict:
        """Run a bench.seed command inside Django with this stack's settings; its JSON."""
        cmd = [PY, "-m", "bench.seed", *map(str, args)]
        try:
            done = subprocess.run(
                cmd, env={**self.env, **(env or {})}, cwd=ROOT, capture_output=True, text=True,
                timeout=timeout,
                check=False, start_new_session=True,
            )  # fmt: skip
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"bench.seed {args[0]} took longer than {timeout} s") from error
        if done.returncode:
            raise RuntimeError(f"bench.seed {args[0]} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def _wait_http(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(proc.poll() is not None for proc in self.web):
                raise RuntimeError(f"the web server exited; see {self.var}/{self.server}-*.log")
            try:
                with urllib.request.urlopen(url, timeout=2):  # loopback only
                    return
            except urllib.error.HTTPError as error:
                if error.code == 503 and time.monotonic() + 1 < deadline:
                    time.sleep(0.5)  # busy starting (a fast 503 is an answer, not a fault)
                    continue
                if error.code >= 500:
                    logs = "".join(p.read_text()[-3000:] for p in self.var.glob(f"{self.server}-*"))
                    raise RuntimeError(f"{url} answered {error.code}:\n{logs}") from None
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer within {timeout} s")

    # PostgreSQL.

    def _pg(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
            for statement in statements:
                conn.execute(statement)

    def _pg_recreate(self) -> None:
        self._pg(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)", f"CREATE DATABASE {PG_NAME}")

    def _pg_drop(self) -> None:
        self._pg(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
