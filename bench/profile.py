"""Optional py-spy profiles of the web workers during a phase (`--profile sign,read`).

py-spy is not a project dependency: install it outside the venv, e.g.
`python3 -m venv /tmp/prof && /tmp/prof/bin/pip install py-spy`, and point PY_SPY at it.
Profiling costs a few percent of CPU, so profiled runs are for finding bottlenecks, not
for the figures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def py_spy() -> str | None:
    found = os.environ.get("PY_SPY") or shutil.which("py-spy") or "/tmp/prof/bin/py-spy"
    return found if os.path.exists(found) else None


def start(master_pid: int, seconds: float, out: Path) -> subprocess.Popen | None:
    """Sample gunicorn's master and workers for `seconds`; collapsed stacks into `out`."""
    binary = py_spy()
    if binary is None:
        print("bench: py-spy not found (set PY_SPY); profiling skipped", file=sys.stderr)
        return None
    args = [
        binary, "record", "--subprocesses", "--pid", str(master_pid), "-d", str(int(seconds)),
        "-r", "200", "--format", "raw", "-o", str(out),
    ]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summary(path: Path, top: int = 25) -> str:
    """The functions where the samples were (self), and which callers hold them (total)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text().splitlines():
        stack, _space, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = [_short(f) for f in stack.split(";")[1:]]  # the first is the process
        samples += int(count)
        if frames:
            own[frames[-1]] += int(count)
        for frame in set(frames):
            total[frame] += int(count)
    lines = [f"{samples} samples", "", "self %  function"]
    lines += [f"{100 * n / samples:6.1f}  {name}" for name, n in own.most_common(top)]
    lines += ["", "total %  function (samples under it)"]
    lines += [f"{100 * n / samples:6.1f}  {name}" for name, n in total.most_common(top * 2)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`get_response (django/core/handlers/base.py:174)` without the line number."""
    name, _paren, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
