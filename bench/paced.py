"""A fixed-rate (open-loop) HTTP client for the surge and burst phases.

Why not wrk: wrk connects first and then waits for its send slot, and a gunicorn *sync*
worker that accepted such a connection sits idle until the request arrives, so a paced
wrk starves the server (every request then waits seconds). This client opens each
connection only when its request is due, sends `Connection: close`, and times each
request from the moment it was *due* (as wrk2 does), so a server that falls behind shows
in the latency instead of silently lowering the offered rate. It runs on uvloop: on the
2-core machine the client shares with the server, asyncio's own loop started requests up
to 340 ms late at the 2× burst (p99; uvloop 50–105 ms) and took 18 % of the CPU (15 %).
How late the client itself was (`client_lag_p99_ms`, from due to the connect) is reported
beside the latency, so that the server's share of a slow p99 can be told from the
client's.

    python -m bench.paced --port P --rate R --seconds S --sign-path … --read-paths a,b
        --sign-share 0.1 --tag surge --out result.json

Runs as its own process so that its CPU is measured like wrk's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

import uvloop

HOST = "127.0.0.1"
TIMEOUT = 10.0  # seconds for a whole request: slower is "unanswered", never "fast"
# Requests in flight (each an open socket): beyond this the client itself is the limit,
# and what it could not send counts as unanswered. 2× a fast machine's sign rate with
# a second of queueing is already 2,500 (bench/RESULTS.md); the file limit is raised below.
MAX_PENDING = 15000


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []  # from due time, ms
        self.service: list[float] = []  # from connect, ms
        self.lag: list[float] = []  # from due to connect: the client's own lateness, ms
        self.statuses: dict[str, int] = {}
        self.by_status: dict[str, list[float]] = {}  # latencies from due time, ms
        self.errors = 0
        self.timeouts = 0
        self.dropped = 0
        self.emails: list[str] = []  # local parts of the addresses answered 303 (exactness)
        # local part -> time.time() of its 303: wall clock, to compare with the SMTP sink's
        # accept times in the bench process (how long its confirmation e-mail took)
        self.answered_at: dict[str, float] = {}

    def summary(self, seconds: float) -> dict:
        def pct(values: list[float], p: float) -> float | None:
            if not values:
                return None
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 2)

        return {
            "requests": sum(self.statuses.values()) + self.errors, "seconds": seconds,
            "statuses": self.statuses, "errors": self.errors, "timeouts": self.timeouts,
            "dropped": self.dropped,
            "p50_ms": pct(self.latencies, 50), "p90_ms": pct(self.latencies, 90),
            "p99_ms": pct(self.latencies, 99), "max_ms": max(self.latencies, default=None),
            "service_p50_ms": pct(self.service, 50), "service_p99_ms": pct(self.service, 99),
            "client_lag_p99_ms": pct(self.lag, 99),
            "p99_ms_by_status": {code: pct(v, 99) for code, v in self.by_status.items()},
            "p50_ms_by_status": {code: pct(v, 50) for code, v in self.by_status.items()},
            "emails": self.emails, "answered_at": self.answered_at,
        }  # fmt: skip


async def one(port: int, request: bytes, due: float, stats: Stats, email: str | None) -> None:
    """One request on its own connection; no complete answer within TIMEOUT is a loss."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        status = await asyncio.wait_for(_exchange(port, request), TIMEOUT)
    except TimeoutError:
        stats.timeouts += 1
        stats.errors += 1
        return
    except (OSError, asyncio.IncompleteReadError, IndexError):
        stats.errors += 1
        return
    done = loop.time()
    stats.statuses[status] = stats.statuses.get(status, 0) + 1
    stats.latencies.append(1000 * (done - due))
    stats.by_status.setdefault(status, []).append(stats.latencies[-1])
    stats.service.append(1000 * (done - started))
    stats.lag.append(1000 * (started - due))
    if email and status == "303":
        stats.emails.append(email)
        stats.answered_at[email] = time.time()


async def _exchange(port: int, request: bytes) -> str:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n")
        await reader.read()  # the server closes after the answer (Connection: close)
        return head.split(b" ", 2)[1].decode()
    finally:
        writer.close()


def build(port: int, method: str, path: str, body: str = "", n: int = 0) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close",
        "User-Agent: undersigned-bench",
    ]  # fmt: skip
    if method == "POST":
        lines += [
            "Content-Type: application/x-www-form-urlencoded", f"Origin: http://{HOST}:{port}",
            f"Content-Length: {len(body.encode())}",
            # each signer from an address of their own, as our proxy reports it (sign.lua)
            f"X-Forwarded-For: 10.200.{(n >> 8) % 256}.{n % 256}",
        ]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


async def run(args: argparse.Namespace) -> dict:
    loop = asyncio.get_running_loop()
    signs, reads = Stats(), Stats()
    read_paths = [p for p in (args.read_paths or "").split(",") if p]
    interval, pending = 1 / args.rate, set()
    every = round(1 / args.sign_share) if args.sign_share else 0
    start = loop.time() + 0.1
    i = 0
    while (due := start + i * interval) < start + args.seconds:
        if due > loop.time():
            await asyncio.sleep(due - loop.time())
        if every and i % every == 0:
            email = f"{args.tag}-0-{i}@{args.domain}"
            body = f"name=Bench+Signer&country=GB&email={email.replace('@', '%40')}"
            request, stats = build(args.port, "POST", args.sign_path, body, i // every), signs
            local = email.split("@")[0]
        else:
            path = read_paths[i % len(read_paths)]
            request, stats, local = build(args.port, "GET", path), reads, None
        if len(pending) >= MAX_PENDING:
            stats.dropped += 1
            stats.errors += 1
            i += 1
            continue
        task = asyncio.create_task(one(args.port, request, due, stats, local))
        pending.add(task)
        task.add_done_callback(pending.discard)
        i += 1
    seconds, ended_at = loop.time() - start, time.time()  # the last request was due
    if pending:
        await asyncio.wait(pending, timeout=15)
    return {"sign": signs.summary(seconds), "read": reads.summary(seconds), "ended_at": ended_at}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--sign-path", default="")
    parser.add_argument("--read-paths", default="")
    parser.add_argument("--sign-share", type=float, default=0.0)
    parser.add_argument("--tag", default="paced")
    parser.add_argument("--domain", default="sign.bench")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    started = time.monotonic()
    result = uvloop.run(run(args))
    result["wall"] = time.monotonic() - started
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
