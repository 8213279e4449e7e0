"""The benchmark phases. Each reads and writes flat figures in `run.out`."""

from __future__ import annotations

import statistics
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench import cpu, load, profile
from bench.stack import HOST, Stack

SIGN_DOMAIN = "sign.bench"
MAIL_DOMAIN = "mail.bench"
BACKLOG_DRAIN_BOUND = 300.0  # seconds after the burst to wait for its last e-mail


@dataclass
class Run:
    """One database's run: the stack, the plan, and what was measured so far."""

    stack: Stack
    quick: bool
    connections: int
    ids: dict[str, int] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # canonical addresses, by key
    out: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    emails: list[Path] = field(default_factory=list)
    profile: set[str] = field(default_factory=set)

    def secs(self, full: float) -> float:
        return min(full, 8) if self.quick else full

    def path(self, kind: str, petition: str = "bench") -> str:
        pid = self.ids[petition]
        return {
            "sign": f"/petitions/{pid}/sign", "floor": f"/__bench__/floor/{pid}",
            "page": self.pages[petition], "json": f"/petitions/{pid}.json", "home": "/",
        }[kind]  # fmt: skip

    def wrk(self, name: str, script: str, **options) -> tuple[load.Result, dict]:
        """The same load against every web server at once (one wrk each), merged."""
        (result,), shares = self.wrk_many([(name, script, options)])
        return result, shares

    def wrk_many(self, runs: list[tuple[str, str, dict]]) -> tuple[list[load.Result], dict]:
        ports = self.stack.ports
        procs, spans = [], []
        for name, script, options in runs:
            options = dict(options)
            conns = options.pop("connections", self.connections)
            start = len(procs)
            for i, port in enumerate(ports):
                mine = dict(options)
                if len(ports) > 1 and "tag" in mine:  # each server its own addresses
                    mine["tag"] = f"{mine['tag']}{i}"
                procs.append(load.Wrk(
                    f"{name}-{i}" if len(ports) > 1 else name, script, port, self.stack.var,
                    connections=max(1, conns // len(ports)), **mine,
                ))  # fmt: skip
            spans.append((name, start, len(procs)))
        results, shares = load.measure(self.stack, procs)
        for result in results:
            if result.emails is not None:
                self.emails.append(result.emails)
        merged = [load.merge(name, results[a:b]) for name, a, b in spans]
        return merged, shares

    def paced(self, name: str, **options) -> tuple[load.Result, load.Result, dict]:
        """The fixed-rate client against every web server (the rate split between them)."""
        ports = self.stack.ports
        rate = options.pop("rate") / len(ports)
        tag = options.pop("tag", name)
        clients = [
            load.Paced(f"{name}-{i}", port, self.stack.var, rate=rate, tag=f"{tag}{i}", **options)
            for i, port in enumerate(ports)
        ]
        results, shares = load.measure(self.stack, clients)
        self.emails += [r.emails for r in results if r.emails is not None]
        signs = load.merge(f"{name}-sign", results[0::2])
        reads = load.merge(f"{name}-read", results[1::2])
        return signs, reads, shares

    def settle(self, limit: float = 90.0) -> float:
        """Wait until every server answers a page quickly again (after an overload, the
        listen queue still holds requests whose clients gave up). Returns the wait."""
        started = time.monotonic()
        for port in self.stack.ports:
            while time.monotonic() - started < limit:
                sent = time.monotonic()
                try:
                    with urllib.request.urlopen(f"http://{HOST}:{port}/?settle", timeout=30):
                        pass
                except OSError:
                    pass
                if time.monotonic() - sent < 0.1:
                    break
                time.sleep(0.5)
        return time.monotonic() - started

    def record(self, key: str, result: load.Result, shares: dict, ok: tuple[int, ...]) -> None:
        self.out[f"{key}_per_s"] = round(result.rate_of(*ok), 1)
        self.out[f"{key}_p50_ms"] = _ms(result.p50_ms)
        self.out[f"{key}_p99_ms"] = _ms(result.p99_ms)
        self.out[f"{key}_errors"] = result.other(*ok)
        self.out[f"{key}_load_cpu_pct"] = shares.get("load")
        self.out[f"{key}_cpu"] = shares
        # CPU per answered request: steadier than rates when the machine is shared.
        rate = result.rate_of(*ok)
        for role in ("web", "postgres"):
            if rate and shares.get(role) is not None:
                ms = shares[role] / 100 * cpu.NCPU * 1000 / rate
                self.out[f"{key}_{role}_cpu_ms"] = round(ms, 2)
        if result.other(*ok):
            self.notes.append(f"{key}: answers other than {ok}: {result.statuses}, "
                              f"socket errors {result.socket_errors}")  # fmt: skip


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def await_mail(
    run: Run, domain: str, answered: dict[str, float], deadline: float
) -> dict[str, float]:
    """Wait until the sink has accepted the e-mail of every address in `answered` (local
    parts) or the wall clock reaches `deadline`; {address: accept time} of those that came.
    The sink must have been tracking `domain` since before the first of them was sent."""
    waiting = {f"{local}@{domain}" for local in answered}
    got: dict[str, float] = {}
    while True:
        accepted = run.stack.sink.accepted(domain)
        found = waiting & accepted.keys()
        got.update((address, accepted[address]) for address in found)
        waiting -= found
        if not waiting or time.time() >= deadline:
            return got
        time.sleep(0.25)


def sign(run: Run) -> None:
    """Full sign POSTs with fresh addresses, as fast as the server answers."""
    result, shares = run.wrk(
        "sign", "sign.lua", seconds=run.secs(60), path=run.path("sign"), tag="sign",
        domain=SIGN_DOMAIN,
    )  # fmt: skip
    run.record("sign", result, shares, (303,))


def floor(run: Run) -> None:
    """The minimal view: one ORM create() and a 303, behind the same middleware."""
    result, shares = run.wrk(
        "floor", "sign.lua", seconds=run.secs(60), path=run.path("floor"), tag="floor",
        domain="floor.bench",
    )  # fmt: skip
    run.record("floor", result, shares, (303,))
    if run.out.get("sign_per_s") and run.out["floor_per_s"]:
        run.out["sign_floor_ratio"] = round(run.out["sign_per_s"] / run.out["floor_per_s"], 3)
        paired(run)


def paired(run: Run) -> None:
    """sign/floor again from alternating short slices (sign, floor, sign, floor, …).

    The two 60-s phases above are a minute apart, and this shared VM's speed drifts by
    more than the difference being measured. Adjacent slices see the same machine, so the
    median of the slice pairs' ratios is the steadier figure."""
    pairs, seconds = (3, 3) if run.quick else (6, 5)
    ratios = []
    for i in range(pairs):
        rates = []
        for kind, domain in (("sign", SIGN_DOMAIN), ("floor", "floor.bench")):
            result, _shares = run.wrk(
                f"{kind}-pair{i}", "sign.lua", seconds=seconds, path=run.path(kind),
                tag=f"{kind}p{i}", domain=domain,
            )  # fmt: skip
            rates.append(result.rate_of(303))
        run.out.setdefault("sign_floor_pair_rates", []).append([round(r) for r in rates])
        if rates[1]:
            ratios.append(rates[0] / rates[1])
    if ratios:
        run.out["sign_floor_ratio_paired"] = round(statistics.median(ratios), 3)
        run.out["sign_floor_ratio_pairs"] = [round(r, 3) for r in ratios]


def confirm(run: Run) -> None:
    """Confirmation POSTs for signatures whose e-mail was sent (rows and hashes seeded)."""
    seconds = run.secs(30)
    expected = max(2000.0, 2 * float(run.out.get("floor_per_s") or 0))
    pool = int(min(250_000, expected * seconds * 1.2))
    tokens = run.stack.var / "tokens-confirm.txt"
    run.stack.helper("tokens", run.ids["bench"], pool, tokens, "cf")
    result, shares = run.wrk("confirm", "confirm.lua", seconds=seconds, tokens=tokens)
    run.record("confirm", result, shares, (303,))
    if result.requests >= pool * 0.99:
        run.notes.append(f"confirm: the pool of {pool} tokens ran out; the rate is a floor")


def read(run: Run) -> None:
    """The petition page, its .json and the home page, anonymous, as fast as served:
    uncompressed (the strict figure), then the page as browsers ask for it, with gzip."""
    for kind in ("page", "json", "home"):
        result, shares = run.wrk(
            f"read-{kind}", "get.lua", seconds=run.secs(20), paths=run.path(kind), threads=2
        )
        run.record(f"read_{kind}", result, shares, (200,))
    result, shares = run.wrk(
        "read-page-gzip", "get.lua", seconds=run.secs(20), paths=run.path("page"), threads=2,
        gzip=1,
    )  # fmt: skip
    run.record("read_page_gzip", result, shares, (200,))
    for kind in ("page", "json"):
        headers = _head(run, run.path(kind))
        run.out[f"read_{kind}_cache_control"] = headers.get("cache-control")
        run.out[f"read_{kind}_set_cookie"] = "set-cookie" in headers
        run.out[f"read_{kind}_vary_cookie"] = "cookie" in headers.get("vary", "").lower()
        run.out[f"read_{kind}_validators"] = "etag" in headers or "last-modified" in headers


def _head(run: Run, path: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{run.stack.base}{path}", timeout=10) as response:
        return {name.lower(): value for name, value in response.getheaders()}


def burst(run: Run, rate: float | None = None) -> None:
    """Twice the measured sign rate for 30 s: every request must get an answer."""
    capacity = float(run.out.get("sign_per_s") or 0)
    if not capacity and not rate:
        run.notes.append("burst: skipped, it needs the sign phase's rate")
        return
    target = rate or 2 * capacity
    run.stack.sink.track(SIGN_DOMAIN)
    try:
        result, _reads, shares = run.paced(
            "burst", seconds=run.secs(30), rate=target, sign_path=run.path("sign"),
            sign_share=1.0, tag="burst", domain=SIGN_DOMAIN,
        )  # fmt: skip
        # Here, before the bench purges the queue after this phase (__main__.QUEUEING).
        backlog_drain(run, result)
    finally:
        run.stack.sink.untrack(SIGN_DOMAIN)
    run.out["burst_target_per_s"] = round(target, 1)
    run.out["burst_offered_per_s"] = round(result.rate, 1)
    run.record("burst", result, shares, (303, 429, 503))
    run.out["burst_statuses"] = result.statuses
    run.out["burst_unanswered"] = result.socket_errors
    for code in ("303", "429", "503"):  # is a refusal fast? (the worst server's p99)
        run.out[f"burst_p99_ms_{code}"] = _ms(result.p99_by_status.get(code))
    run.out["burst_client_lag_p99_ms"] = _ms(result.client_lag_p99_ms)  # the client's share


def backlog_drain(run: Run, result: load.Result) -> None:
    """From the end of the burst (its last request due) until the sink has accepted the
    confirmation e-mail of every 303 answered during the burst: the queue the burst left."""
    ended = result.ended_at or time.time()
    deadline = ended + BACKLOG_DRAIN_BOUND
    accepted = await_mail(run, SIGN_DOMAIN, result.answered_at, deadline)
    missing = len(result.answered_at) - len(accepted)
    run.out["backlog_drain_mails"] = len(result.answered_at)
    run.out["backlog_drain_missing"] = missing
    if not result.answered_at:
        run.out["backlog_drain_s"] = None
        run.notes.append("burst: no 303 answers, so no e-mail backlog to time")
    elif missing:
        run.out["backlog_drain_s"] = BACKLOG_DRAIN_BOUND  # at least; the bound is the figure
        run.notes.append(f"burst: {missing} of {len(result.answered_at)} confirmation "
                         f"e-mails not accepted within {BACKLOG_DRAIN_BOUND:.0f} s")  # fmt: skip
    else:
        run.out["backlog_drain_s"] = round(max(0.0, max(accepted.values()) - ended), 1)


def mail(run: Run, backlog: int) -> None:
    """Stop the worker, queue a backlog of confirmation e-mails, start it, time the drain.

    Then sign for a while as the worker keeps draining, to show what the worker costs the
    signing path (compare with sign_per_s, measured with the worker stopped).
    """
    stack, sink = run.stack, run.stack.sink
    stack.stop_workers()
    queued = stack.helper("backlog", run.ids["bench"], backlog, MAIL_DOMAIN)
    run.out["mail_backlog"], run.out["mail_enqueue_s"] = backlog, queued["seconds"]
    before = sink.count(MAIL_DOMAIN)
    stack.start_workers()
    # The clock starts at the first e-mail, so the worker's start-up is not counted.
    limit = time.monotonic() + 60
    while sink.count(MAIL_DOMAIN) == before and time.monotonic() < limit:
        time.sleep(0.02)
    groups = {"web": stack.web_pids(), "worker": stack.worker_pids()}
    meter, first, conns = cpu.Meter(groups), sink.count(MAIL_DOMAIN), sink.connections()
    sent_all = sink.total()
    started = time.monotonic()
    spy = None
    if "mail" in run.profile and stack.workers:
        out = stack.var / "profile-mail.txt"
        spy = profile.start(stack.workers[0].pid, run.secs(20) - 1, out)
    remaining, deadline = backlog - (first - before), started + run.secs(150)
    while sink.count(MAIL_DOMAIN) - first < remaining and time.monotonic() < deadline:
        time.sleep(0.1)
    delivered = sink.count(MAIL_DOMAIN) - first
    end = sink.last_at(MAIL_DOMAIN) if delivered >= remaining else time.monotonic()
    elapsed = (end or time.monotonic()) - started
    run.out["mail_cpu"] = meter.shares(elapsed, {})
    run.out["mail_delivered"], run.out["mail_seconds"] = delivered, round(elapsed, 1)
    run.out["mail_per_s"] = round(delivered / elapsed, 1) if elapsed else None
    for role in ("worker", "postgres"):  # CPU per e-mail: steadier than the rate
        if delivered:
            ms = run.out["mail_cpu"][role] / 100 * cpu.NCPU * elapsed * 1000 / delivered
            run.out[f"mail_{role}_cpu_ms"] = round(ms, 2)
    connections, sent = sink.connections() - conns, sink.total() - sent_all
    run.out["mail_per_connection"] = round(sent / connections, 2) if connections else None
    if delivered < remaining:
        run.notes.append(f"mail: {first - before + delivered} of {backlog} e-mails delivered "
                         f"within the time bound")  # fmt: skip
    if spy is not None:
        spy.wait()
        out = stack.var / "profile-mail.txt"
        if out.exists():
            out.with_suffix(".summary.txt").write_text(profile.summary(out))
    signing_while_mailing(run, remaining - delivered)


def mail_batch(stack) -> int:
    return int(stack.env.get("CONFIRMATION_MAIL_BATCH", 100))  # settings.py's default


SETTLE_BATCHES = 2  # whole batches per thawed pump before a mailing slice starts


def settle(stack, batches: int = SETTLE_BATCHES, bound: float = 10.0) -> None:
    """Wait until each thawed pump has sent `batches` whole batches. A pump frozen in the
    middle of a batch counts the frozen seconds as the batch's length and rests in
    proportion (mailing.pause_after), so the first seconds after a thaw would show a pump
    that rests more than it does in a steady backlog, and flatter the ratio."""
    sink, want = stack.sink, batches * len(stack.workers) * mail_batch(stack)
    start, limit = sink.total(), time.monotonic() + bound
    while sink.total() - start < want and time.monotonic() < limit:
        time.sleep(0.05)


def signing_while_mailing(run: Run, left: int) -> None:
    """Sign at full speed in alternating slices: the worker frozen (SIGSTOP), then the
    worker sending a backlog of e-mails, and so on. The median of the pairs' ratios is
    what the worker costs signing; adjacent slices see the same machine (see paired)."""
    stack, sink = run.stack, run.stack.sink
    pairs, seconds = (2, 4) if run.quick else (10, 3)
    wanted = int((run.out["mail_per_s"] or 100) * pairs * seconds * 1.5)
    wanted += pairs * SETTLE_BATCHES * len(stack.workers) * mail_batch(stack)
    if left < wanted:
        stack.helper("backlog", run.ids["bench"], wanted - left, MAIL_DOMAIN)
    ratios, mailing, mailed, spent = [], [], 0, 0.0
    try:
        for i in range(pairs):
            rates = []
            for paused in (True, False):
                stack.pause_workers(paused)
                if not paused:
                    settle(stack)
                sent, started = sink.total(), time.monotonic()
                result, shares = run.wrk(
                    f"mail-sign-{'alone' if paused else 'mailing'}{i}", "sign.lua",
                    seconds=seconds, path=run.path("sign"), tag=f"ms{i}{'a' if paused else 'm'}",
                    domain=SIGN_DOMAIN,
                )  # fmt: skip
                rates.append(result.rate_of(303))
                if not paused:
                    mailed, spent = mailed + sink.total() - sent, spent + time.monotonic() - started
                    mailing.append(rates[-1])
                    run.out["mail_sign_cpu"] = shares
            if rates[0]:
                ratios.append(rates[1] / rates[0])
    finally:
        stack.pause_workers(False)
    run.out["mail_sign_per_s"] = round(statistics.mean(mailing), 1) if mailing else None
    run.out["mail_sign_mail_per_s"] = round(mailed / spent, 1) if spent else None
    if ratios:
        run.out["mail_sign_ratio"] = round(statistics.median(ratios), 3)
        run.out["mail_sign_ratio_pairs"] = [round(r, 3) for r in ratios]
    if run.out.get("sign_per_s") and mailing:  # the older figure, against the sign phase
        run.out["mail_sign_ratio_phase"] = round(
            run.out["mail_sign_per_s"] / run.out["sign_per_s"], 3
        )
