"""Where the two cores went during a phase, read from /proc (no psutil needed).

A snapshot sums utime+stime per role: the web server (gunicorn process groups), the task
worker, PostgreSQL (every `postgres` process: the bench owns the machine while it runs)
and the whole machine from /proc/stat. wrk is measured from its own rusage on exit.
"""

from __future__ import annotations

import os
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


def shares(before: Snapshot, after: Snapshot, wall: float, extra: dict[str, float]) -> dict:
    """Each role's share of the machine (all cores) over `wall` seconds, in percent."""
    capacity = wall * NCPU
    used: dict[str, float] = {"web": 0.0, "worker": 0.0, "postgres": 0.0}
    # Per process, so one that starts or ends in between (a database backend) counts only
    # what it used meanwhile; one that ended is lost, so the roles are lower bounds.
    for pid, (role, seconds) in after.pids.items():
        used[role] = used.get(role, 0.0) + seconds - before.pids.get(pid, (role, 0.0))[1]
    used.update(extra)
    result = {role: round(100 * seconds / capacity, 1) for role, seconds in used.items()}
    total = after.total - before.total
    busy = 100 * (after.busy - before.busy) / total if total else 0.0
    # Whatever else ran on the machine meanwhile (other people's tests): the noise.
    result["other"] = round(max(0.0, busy - sum(result.values())), 1)
    result["busy"] = round(busy, 1)
    return result
