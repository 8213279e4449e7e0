"""A PostgreSQL primary and a streaming replica of it, on loopback ports of their own.

Two throwaway clusters made with the server's own tools (`initdb`, `pg_basebackup -R`,
`pg_ctl`), never the machine's main cluster. PostgreSQL refuses to run as root, so as root
its commands run as the `postgres` user, in directories that user owns: under
var/cluster/ when it can reach it, else in a temporary directory of its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.stack import HOST, free_port

DATABASE = "undersigned"
# Enough for 2 nodes × their processes × DATABASE_POOL_SIZE (10), the workers and checks.
SETTINGS = """
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 5
hot_standby = on
hot_standby_feedback = on
logging_collector = off
"""


def bin_dir() -> Path:
    """The newest installed server's binaries (Debian keeps them out of PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if not found:
        raise SystemExit("PostgreSQL's server is missing: apt-get install -y postgresql")
    return found[-1].parent


class Postgres:
    """`start()` the primary, then `start_replica()`; `close()` stops and removes both."""

    def __init__(self, var: Path) -> None:
        self.bin, self.var = bin_dir(), var
        self.as_postgres = os.geteuid() == 0
        self.root = self._root(var / "pg")
        self.primary = self.root / "primary"
        self.replica = self.root / "replica"
        self.primary_port, self.replica_port = free_port(), free_port()
        self.started: set[Path] = set()

    def url(self, port: int) -> str:
        return f"postgres://postgres@{HOST}:{port}/{DATABASE}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    # Setting up.

    def _root(self, wanted: Path) -> Path:
        """A directory the server's user owns and can reach."""
        if wanted.exists():
            shutil.rmtree(wanted)
        wanted.mkdir(parents=True)
        if not self.as_postgres:
            return wanted
        shutil.chown(wanted, "postgres", "postgres")
        if self._run(["test", "-w", str(wanted)], check=False).returncode == 0:
            return wanted
        wanted.rmdir()  # a parent is closed to postgres (a checkout under /root, say)
        root = Path(tempfile.mkdtemp(prefix="undersigned-cluster-pg-"))
        shutil.chown(root, "postgres", "postgres")
        return root

    def _run(self, args: list[str], check: bool = True, timeout: float = 300):
        if self.as_postgres:
            args = ["runuser", "-u", "postgres", "--", *args]
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
        )
        if check and done.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr}")
        return done

    def _pg(self, tool: str, *args: str, check: bool = True, timeout: float = 300):
        return self._run([str(self.bin / tool), *args], check=check, timeout=timeout)

    def _configure(self, data: Path, port: int) -> None:
        """Later lines win: the replica's copy of the primary's file gets its own port."""
        text = f"{SETTINGS}port = {port}\nunix_socket_directories = '{data}'\n"
        conf = data / "postgresql.conf"
        with open(conf, "a") as out:  # root writes; the file stays postgres's
            out.write(text)

    def start(self) -> None:
        """initdb, configure and start the primary; create the database."""
        self._pg(
            "initdb", "-D", str(self.primary), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        self._configure(self.primary, self.primary_port)
        self._start(self.primary)
        self.sql(self.primary_port, f"CREATE DATABASE {DATABASE}", database="postgres")

    def start_replica(self) -> None:
        """A base backup of the primary that follows it (`-R` writes primary_conninfo)."""
        self._pg(
            "pg_basebackup", "-h", HOST, "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(self.replica), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._configure(self.replica, self.replica_port)
        self._start(self.replica)

    def _start(self, data: Path) -> None:
        log = self.root / f"{data.name}.log"
        self._pg("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "start")
        self.started.add(data)

    # During the run.

    def stop_replica(self) -> None:
        """Stop the replica at once, as a crash would (its clients see errors)."""
        self._pg("pg_ctl", "-D", str(self.replica), "-m", "immediate", "-w", "stop")
        self.started.discard(self.replica)

    def restart_replica(self) -> None:
        self._start(self.replica)

    def sql(self, port: int, statement: str, params: tuple = (), database: str = DATABASE):
        """One statement in autocommit; its first row, or None."""
        import psycopg

        url = f"postgres://postgres@{HOST}:{port}/{database}"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchone() if cursor.description else None

    def replay_lag_ms(self) -> float | None:
        """The primary's measure of how far the replica's replay is behind (None: idle)."""
        row = self.sql(
            self.primary_port,
            "SELECT extract(epoch FROM replay_lag) * 1000 FROM pg_stat_replication",
        )
        return None if row is None or row[0] is None else float(row[0])

    def wait_caught_up(self, timeout: float = 60.0) -> float:
        """Seconds until the replica has replayed everything the primary has written."""
        started = time.monotonic()
        (target,) = self.sql(self.primary_port, "SELECT pg_current_wal_lsn()::text")
        while time.monotonic() - started < timeout:
            with contextlib.suppress(Exception):
                row = self.sql(
                    self.replica_port,
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                    (target,),
                )
                if row and row[0]:
                    return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"the replica did not catch up within {timeout:.0f} s")

    def close(self) -> None:
        for data in list(self.started):
            self._pg("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        self.started.clear()
        for log in self.root.glob("*.log"):  # the logs stay, beside the nodes'
            shutil.copyfile(log, self.var / f"pg-{log.name}")
        shutil.rmtree(self.root, ignore_errors=True)
