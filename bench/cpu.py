"""Where the two cores went during a phase, read from /proc (no psutil needed).

A snapshot sums utime+stime per role: the web server (gunicorn process groups), the task
worker, PostgreSQL (every `postgres` process: the bench owns the machine while it runs)
and the whole machine from /proc/stat. wrk is measured from its own rusage on exit.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

TICK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def _proc_stat(pid: str) -> tuple[str, int, float] | None:
    """(comm, process group, CPU seconds) of one process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            raw = stat.read()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
    return comm, int(fields[2]), (int(fields[11]) + int(fields[12])) / TICK


def _machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / TICK, total / TICK


def wait_quiet(pgids: list[int], limit: float = 20.0) -> float:
    """Wait until these process groups use under 5 % of a core over half a second (a task
    worker that just started spends its first seconds importing Django); the wait."""
    started = time.monotonic()
    before = snapshot({"w": pgids})
    while time.monotonic() - started < limit:
        time.sleep(0.5)
        after = snapshot({"w": pgids})
        used = sum(sec - before.pids.get(pid, ("", 0.0))[1] for pid, (_, sec) in after.pids.items())
        if used < 0.025:
            break
        before = after
    return time.monotonic() - started


@dataclass
class Snapshot:
    pids: dict[str, tuple[str, float]] = field(default_factory=dict)  # pid: (role, seconds)
    busy: float = 0.0
    total: float = 0.0


def snapshot(groups: dict[str, list[int]]) -> Snapshot:
    """CPU seconds so far of each process with a role; `groups` maps a role to its
    process-group ids. PostgreSQL backends have the role `postgres`."""
    by_group = {pgid: role for role, pgids in groups.items() for pgid in pgids}
    snap = Snapshot()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        info = _proc_stat(pid)
        if info is None:
            continue
        comm, pgrp, seconds = info
        role = by_group.get(pgrp) or ("postgres" if comm.startswith("postgres") else None)
        if role:
            snap.pids[pid] = (role, seconds)
    snap.busy, snap.total = _machine()
    return snap


class Meter:
    """CPU shares over a phase. It samples every half second, so a process that ends during
    the phase (a database backend replaced after CONN_MAX_AGE) still counts up to its last
    sample instead of vanishing from the sums."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups, self.stopped = groups, threading.Event()
        self.first = snapshot(groups)
        self.last = dict(self.first.pids)
        self.thread = threading.Thread(target=self._sample, daemon=True, name="cpu-meter")
        self.thread.start()

    def _sample(self) -> None:
        while not self.stopped.wait(0.5):
            self.last.update(snapshot(self.groups).pids)

    def shares(self, wall: float, extra: dict[str, float]) -> dict:
        """Stop sampling; each role's share of the machine (all cores), in percent."""
        self.stopped.set()
        self.thread.join()
        final = snapshot(self.groups)
        self.last.update(final.pids)
        used: dict[str, float] = {"web": 0.0, "worker": 0.0, "postgres": 0.0}
        for pid, (role, seconds) in self.last.items():
            used[role] = used.get(role, 0.0) + seconds - self.first.pids.get(pid, (role, 0.0))[1]
        used.update(extra)
        capacity = wall * NCPU
        result = {role: round(100 * seconds / capacity, 1) for role, seconds in used.items()}
        total = final.total - self.first.total
        busy = 100 * (final.busy - self.first.busy) / total if total else 0.0
        # Whatever else ran on the machine meanwhile (other people's tests): the noise.
        result["other"] = round(max(0.0, busy - sum(result.values())), 1)
        result["busy"] = round(busy, 1)
        return result
