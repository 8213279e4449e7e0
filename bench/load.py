"""Drive load with wrk and its Lua scripts (bench/lua/), and account for wrk's own CPU."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import cpu
from bench.stack import HOST, PY, ROOT, RUNNING

LUA = ROOT / "bench" / "lua"


@dataclass
class Result:
    """What one wrk run measured. Latencies in milliseconds, rates per second."""

    name: str
    requests: int = 0
    seconds: float = 0.0
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: int = 0
    timeouts: int = 0
    wrk_cpu_s: float = 0.0
    emails: Path | None = None
    unattributed: int = 0
    p99_by_status: dict[str, float | None] = field(default_factory=dict)  # paced client only
    client_lag_p99_ms: float | None = None  # paced client only: how late it sent (ms)
    # paced client only: time.time() of each 303 by the local part of its address (the
    # `emails` file keeps the addresses alone, for the exactness check), and of the moment
    # the last request was due (the end of the load)
    answered_at: dict[str, float] = field(default_factory=dict)
    ended_at: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, *codes: int) -> int:
        return sum(self.statuses.get(str(code), 0) for code in codes)

    def other(self, *codes: int) -> int:
        """Answers that are not one of `codes`, plus socket errors and timeouts."""
        return self.requests - self.count(*codes) + self.socket_errors

    def rate_of(self, *codes: int) -> float:
        return self.count(*codes) / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    found = shutil.which("wrk") or "/usr/bin/wrk"
    if not os.path.exists(found):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    return found


class Wrk:
    """One wrk process. `start()`, then `wait()` for its Result (several may run at once)."""

    def __init__(
        self, name: str, script: str, port: int, out_dir: Path, *, seconds: float,
        connections: int, threads: int = 1, **env: object,
    ) -> None:  # fmt: skip
        self.name, self.seconds = name, max(1, round(seconds))
        self.out = out_dir / f"wrk-{name}.json"
        threads = max(1, min(threads, connections))
        self.args = [
            wrk_binary(), "-t", str(threads), "-c", str(connections), "-d", f"{self.seconds}s",
            "--timeout", "10s", "-s", str(LUA / script), f"http://{HOST}:{port}/",
        ]  # fmt: skip
        self.env = {
            **os.environ, "BENCH_LUA": str(LUA), "BENCH_OUT": str(self.out),
            "BENCH_THREADS": str(threads),
            "BENCH_ORIGIN": f"http://{HOST}:{port}",
            **{f"BENCH_{key.upper()}": str(value) for key, value in env.items()},
        }  # fmt: skip
        self.proc: subprocess.Popen | None = None

    def start(self) -> Wrk:
        self.out.unlink(missing_ok=True)
        log = open(self.out.with_suffix(".log"), "wb")  # noqa: SIM115 - closed in wait()
        self.log = log
        self.proc = subprocess.Popen(
            self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        RUNNING.add(self.proc)
        self.started = time.monotonic()
        return self

    def wait(self) -> Result:
        assert self.proc is not None
        usage = _reap(self.proc, self.started + self.seconds + 30)
        self.log.close()
        if not self.out.exists():
            log = self.out.with_suffix(".log").read_text()[-2000:]
            raise RuntimeError(f"wrk {self.name} wrote no results:\n{log}")
        raw = json.loads(self.out.read_text())
        emails = self.out.with_name(self.out.name + ".emails")
        return Result(
            name=self.name,
            requests=raw["requests"],
            seconds=raw["duration_us"] / 1e6,
            p50_ms=raw["p50_us"] / 1000,
            p90_ms=raw["p90_us"] / 1000,
            p99_ms=raw["p99_us"] / 1000,
            max_ms=raw["max_us"] / 1000,
            statuses=raw["statuses"],
            socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
            timeouts=raw["timeout"],
            wrk_cpu_s=usage.ru_utime + usage.ru_stime,
            emails=emails if emails.exists() else None,
            unattributed=raw["unattributed"],
        )


class Paced:
    """The fixed-rate client (bench/paced.py) in its own process: sign and read Results."""

    def __init__(
        self, name: str, port: int, out_dir: Path, *, seconds: float, rate: float,
        sign_path: str = "", read_paths: str = "", sign_share: float = 0.0, tag: str = "paced",
        domain: str = "sign.bench",
    ) -> None:  # fmt: skip
        self.name, self.seconds = name, seconds
        self.out = out_dir / f"paced-{name}.json"
        self.args = [
            PY, "-m", "bench.paced", "--port", str(port), "--rate", str(rate),
            "--seconds", str(seconds), "--sign-path", sign_path, "--read-paths", read_paths,
            "--sign-share", str(sign_share), "--tag", tag, "--domain", domain,
            "--out", str(self.out),
        ]  # fmt: skip

    def start(self) -> Paced:
        self.out.unlink(missing_ok=True)
        self.log = open(self.out.with_suffix(".log"), "wb")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            self.args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        RUNNING.add(self.proc)
        self.started = time.monotonic()
        return self

    def wait(self) -> list[Result]:
        usage = _reap(self.proc, self.started + self.seconds + 40)
        self.log.close()
        if not self.out.exists():
            log = self.out.with_suffix(".log").read_text()[-2000:]
            raise RuntimeError(f"paced {self.name} wrote no results:\n{log}")
        raw = json.loads(self.out.read_text())
        results = []
        for kind in ("sign", "read"):
            part, emails = raw[kind], None
            if part["emails"]:
                emails = self.out.with_name(f"{self.out.name}.{kind}.emails")
                emails.write_text("\n".join(part["emails"]) + "\n")
            results.append(Result(
                name=f"{self.name}-{kind}", requests=part["requests"], seconds=part["seconds"],
                p50_ms=part["p50_ms"], p90_ms=part["p90_ms"], p99_ms=part["p99_ms"],
                max_ms=part["max_ms"], statuses=part["statuses"],
                socket_errors=part["errors"], timeouts=part["timeouts"],
                p99_by_status=part.get("p99_ms_by_status", {}),
                client_lag_p99_ms=part.get("client_lag_p99_ms"),
                wrk_cpu_s=(usage.ru_utime + usage.ru_stime) / 2, emails=emails,
                answered_at=part.get("answered_at", {}), ended_at=raw.get("ended_at"),
            ))  # fmt: skip
        return results


def _reap(proc: subprocess.Popen, deadline: float):
    """Wait for a child and return its rusage; SIGKILL its group after `deadline`."""
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            RUNNING.discard(proc)
            return rusage
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            deadline += 5
        time.sleep(0.05)


def measure(stack, runs: list) -> tuple[list[Result], dict]:
    """Run load generators side by side; their results and the phase's CPU shares."""
    groups = {"web": stack.web_pids(), "worker": stack.worker_pids()}
    me = resource.getrusage(resource.RUSAGE_SELF)
    meter, started = cpu.Meter(groups), time.monotonic()
    for run in runs:
        run.start()
    results: list[Result] = []
    for run in runs:
        got = run.wait()
        results += got if isinstance(got, list) else [got]
    wall = time.monotonic() - started
    mine = resource.getrusage(resource.RUSAGE_SELF)
    extra = {
        "load": sum(r.wrk_cpu_s for r in results),
        "bench": mine.ru_utime + mine.ru_stime - me.ru_utime - me.ru_stime,
    }
    return results, meter.shares(wall, extra)


def merge(name: str, results: list[Result]) -> Result:
    """One figure from the same load sent to several web servers: counts add up, time is
    the longest run, latency percentiles are the worst server's (they cannot be merged)."""
    if len(results) == 1:
        return results[0]
    statuses: dict[str, int] = {}
    for result in results:
        for code, count in result.statuses.items():
            statuses[code] = statuses.get(code, 0) + count

    def worst(attr: str) -> float | None:
        values = [getattr(r, attr) for r in results if getattr(r, attr) is not None]
        return max(values) if values else None

    return Result(
        name=name,
        requests=sum(r.requests for r in results),
        seconds=max(r.seconds for r in results),
        p50_ms=worst("p50_ms"), p90_ms=worst("p90_ms"), p99_ms=worst("p99_ms"),
        max_ms=worst("max_ms"), statuses=statuses, client_lag_p99_ms=worst("client_lag_p99_ms"),
        socket_errors=sum(r.socket_errors for r in results),
        timeouts=sum(r.timeouts for r in results),
        wrk_cpu_s=sum(r.wrk_cpu_s for r in results),
        unattributed=sum(r.unattributed for r in results),
        p99_by_status={
            code: max(r.p99_by_status.get(code) or 0 for r in results) for code in statuses
        },
        answered_at={k: v for r in results for k, v in r.answered_at.items()},
        ended_at=worst("ended_at"),
    )  # fmt: skip
