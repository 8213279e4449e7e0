"""Background work that gives way when the machine's CPUs are full.

On a small machine that runs the web servers, the database and the worker together, a
backlog of e-mails otherwise takes CPU from people signing: `nice` alone did not stop it,
because the PostgreSQL backends that serve the worker's queries run at full priority
(bench/RESULTS.md). So the worker watches the machine itself (Linux's /proc/stat): while
the other processes keep every CPU busy, it caps its own CPU to a share of the machine
and waits between batches; while they leave room, it runs flat out. Nothing is lost by
waiting: the rows are the queue. Where /proc/stat cannot be read, it never waits.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not Unix: every pump counts itself alone
    fcntl = None

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
FULL = 0.9  # the machine counts as full when this much of all its CPU time was busy,
OTHERS = 0.5  # and at least this much of it by other processes (a worker alone never waits)
# With SQLite, signers queue for its one writer lock and leave CPU idle while they wait:
# signing at its limit kept the machine 85-87 % busy, so at 0.9 the pump never gave way and
# its writes and CPU cost signing 21 % (bench/RESULTS.md, session 10).
FULL_ONE_WRITER = 0.75
LONGEST_WAIT = 5.0  # seconds: a reading this old says little about the machine now
CREDIT = 1.0  # seconds of not working that count towards the next wait, at most


def _machine() -> tuple[float, float] | None:
    """CPU seconds, summed over all CPUs since boot: (busy, all)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / TICKS, sum(fields) / TICKS


LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def database_cpu() -> float:
    """CPU seconds used by the PostgreSQL backend that serves this thread's connection,
    when it runs on this machine (0 otherwise): the queries the worker sends cost the
    machine as much as a third of what the worker itself does."""
    from django.db import connection

    raw = connection.connection
    host = str(connection.settings_dict.get("HOST") or "")
    if (
        connection.vendor != "postgresql"
        or raw is None
        or not (host in LOCAL_HOSTS or host.startswith("/"))
    ):
        return 0.0
    try:
        with open(f"/proc/{raw.info.backend_pid}/stat") as stat:
            name, fields = stat.read().rsplit(")", 1)
    except (OSError, AttributeError):
        return 0.0
    if not name.endswith("(postgres"):
        return 0.0
    utime, stime = fields.split()[11:13]
    return (int(utime) + int(stime)) / TICKS


def worker_cpu() -> float:
    """This process's CPU and its database backend's: what the worker costs the machine."""
    return time.process_time() + database_cpu()


def full_for_database() -> float:
    """How busy the machine must be to count as full, for the default database."""
    from django.db import connection

    return FULL_ONE_WRITER if connection.vendor == "sqlite" else FULL


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Peers:
    """How many processes doing the same background work run on this machine, this one
    included, so that they share one budget instead of each taking a whole one.

    Each holds an exclusive flock on one of SLOTS files in the temporary directory; the
    kernel drops it when the process ends, however it ends, so a killed worker is never
    counted. Counting tries each other slot without waiting; a slot that cannot be locked
    is held by a live peer. The count is kept for RECOUNT seconds."""

    SLOTS = 32
    RECOUNT = 5.0

    def __init__(self, name: str, directory: str | None = None):
        folder = Path(directory or tempfile.gettempdir())
        self.paths = [folder / f"{name}.{slot}" for slot in range(self.SLOTS)]
        self.mine: int | None = None
        self._held = None
        self._counted, self._at = 1, -self.RECOUNT
        if fcntl is None:
            return
        for slot, path in enumerate(self.paths):
            held = self._lock(path)
            if held is not None:
                self.mine, self._held = slot, held
                break

    @staticmethod
    def _lock(path: Path):
        try:
            handle = open(path, "a+b")  # noqa: SIM115 - held for the life of the process
        except OSError:  # another user's file, or no such directory: not a slot for us
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
        return handle

    def count(self) -> int:
        now = time.monotonic()
        if fcntl is None or now - self._at < self.RECOUNT:
            return self._counted
        others = 0
        for slot, path in enumerate(self.paths):
            if slot == self.mine or not path.exists():
                continue
            probe = self._lock(path)
            if probe is None:
                others += os.access(path, os.R_OK)  # held, not merely unreadable
            else:
                probe.close()  # closing drops the probe's lock
        self._counted, self._at = others + 1, now
        return self._counted

    def close(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held, self.mine = None, None


class GiveWay:
    """How long to wait after a piece of work so that this process takes at most `share`
    of the machine's CPUs while the other processes fill them; with `peers` (a callable
    counting the processes that do the same work here), the share is theirs together."""

    def __init__(
        self, share: float, cpus: int | None = None, read=_machine, own=time.process_time,
        peers=lambda: 1, full: float = FULL,
    ):  # fmt: skip
        self.share, self.cpus, self.full = share, cpus or _cpus(), full
        self._read, self._own, self._peers = read, own, peers
        self.planned = 0.0
        self._start()

    def _start(self) -> None:
        self.machine, self.mine, self.at = self._read(), self._own(), time.monotonic()

    def restart(self) -> None:
        """Nothing to do for now: the next pause measures from here. Otherwise a batch
        after an idle spell would be judged by the whole spell, when the machine may have
        had room, and go unpaid (bench: each such batch cost signing ~2 % more)."""
        self._start()
        self.planned = 0.0

    def pause(self) -> float:
        """Seconds to wait now (0 when the machine has room), measured since the last call."""
        before, mine, at, planned = self.machine, self.mine, self.at, self.planned
        self._start()
        self.planned = 0.0
        if self.share >= 1 or before is None or self.machine is None:
            return 0.0
        busy, total = (now - then for now, then in zip(self.machine, before, strict=True))
        wall, used = self.at - at, self.mine - mine
        if total <= 0 or wall <= 0 or busy < self.full * total or busy - used < OTHERS * total:
            return 0.0
        # Full: spread what this process just used over enough time to stay within its
        # share. The wait asked for last time paid for the work before it, so only the
        # time since counts (and at most CREDIT of it: a long idle spell is no licence
        # for a burst).
        since = min(max(wall - planned, 0.0), CREDIT)
        share = self.share / max(self._peers(), 1)
        self.planned = min(max(used / (share * self.cpus) - since, 0.0), LONGEST_WAIT)
        return self.planned
