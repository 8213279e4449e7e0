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
    roles: dict[str, float] = field(default_factory=dict)
    busy: float = 0.0
    total: float = 0.0


def snapshot(groups: dict[str, list[int]]) -> Snapshot:
    """CPU seconds so far of each role; `groups` maps a role to its process-group ids."""
    by_group = {pgid: role for role, pgids in groups.items() for pgid in pgids}
    snap = Snapshot(roles={role: 0.0 for role in [*groups, "postgres"]})
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        info = _proc_stat(pid)
        if info is None:
            continue
        comm, pgrp, seconds = info
        if pgrp in by_group:
            snap.roles[by_group[pgrp]] += seconds
        elif comm.startswith("postgres"):
            snap.roles["postgres"] += seconds
    snap.busy, snap.total = _machine()
    return snap


def shares(before: Snapshot, after: Snapshot, wall: float, extra: dict[str, float]) -> dict:
    """Each role's share of the machine (all cores) over `wall` seconds, in percent."""
    capacity = wall * NCPU
    result = {
        role: round(100 * (after.roles.get(role, 0.0) - seconds) / capacity, 1)
        for role, seconds in before.roles.items()
    }
    for role, seconds in extra.items():
        result[role] = round(100 * seconds / capacity, 1)
    total = after.total - before.total
    busy = 100 * (after.busy - before.busy) / total if total else 0.0
    # Whatever else ran on the machine meanwhile (other people's tests): the noise.
    result["other"] = round(max(0.0, busy - sum(result.values())), 1)
    result["busy"] = round(busy, 1)
    return result
