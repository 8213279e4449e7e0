"""The surge: signing and reading together at a fixed rate, and how far the count lags.

wrk has no fixed-rate mode (and a paced wrk starves gunicorn's sync workers, see
bench/paced.py), so the load comes from bench/paced.py: an open-loop asyncio client that
sends each request when it is due on its own connection and times it from that moment.

The count lag: a poller confirms one signature a second through the confirm endpoint and
reads /petitions/<id>.json ten times a second, as a visitor would. A confirmation's lag
is the time from its 303 until the last read that still showed a smaller count.

The mail delay: from each sign's 303 (the client's wall clock) until the SMTP sink accepted
its confirmation e-mail, with the worker sending meanwhile as in production. After the
load the phase waits for the surge's e-mails (at most MAIL_BOUND), before the bench purges
the queue.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from dataclasses import dataclass, field

from bench.load import Result
from bench.phases import SIGN_DOMAIN, Run, _ms, await_mail
from bench.stack import HOST

MAIL_BOUND = 60.0  # seconds after the load to wait for the surge's confirmation e-mails


@dataclass
class Poller:
    ports: list[int]
    json_path: str
    tokens: list[str]
    base: int
    confirmed: list[tuple[float, int]] = field(default_factory=list)  # (time, count after)
    reads: list[tuple[float, float, int]] = field(default_factory=list)  # (sent, got, count)
    errors: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    confirming: bool = True

    def _request(self, method: str, path: str, port: int) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            headers = {"Origin": f"http://{HOST}:{port}"} if method == "POST" else {}
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def run(self) -> None:
        next_confirm, turn = time.monotonic() + 1, 0
        while not self.stop.is_set():
            port = self.ports[turn % len(self.ports)]
            turn += 1
            now = time.monotonic()
            if self.confirming and now >= next_confirm and self.tokens:
                next_confirm += 1
                try:
                    status, _body = self._request("POST", f"/confirm/{self.tokens.pop()}", port)
                except OSError:
                    status = 0
                if status == 303:
                    self.confirmed.append((time.monotonic(), self.base + len(self.confirmed) + 1))
                else:
                    self.errors += 1
            sent = time.monotonic()
            try:
                status, body = self._request("GET", self.json_path, port)
                if status == 200:
                    self.reads.append((sent, time.monotonic(), json.loads(body)["signature_count"]))
                else:
                    self.errors += 1
            except (OSError, ValueError, KeyError):
                self.errors += 1
            self.stop.wait(max(0.0, 0.1 - (time.monotonic() - sent)))

    def lag(self) -> tuple[float | None, int]:
        """(worst lag in seconds, times the displayed count went down). A confirmation the
        reads never caught up with lags at least until the last read."""
        if not self.reads:
            return None, 0
        worst, last = 0.0, self.reads[-1][1]
        for at, count in self.confirmed:
            behind = [got for sent, got, shown in self.reads if sent > at and shown < count]
            caught_up = any(sent > at and shown >= count for sent, _got, shown in self.reads)
            if not caught_up:
                worst = max(worst, last - at)
            elif behind:
                worst = max(worst, max(behind) - at)
        shown = [count for _sent, _got, count in self.reads]
        backwards = sum(1 for a, b in itertools.pairwise(shown) if b < a)
        return round(worst, 2), backwards


def surge(run: Run, rate: float | None = None) -> None:
    """10 % signs and 90 % reads at 80 % of the sign capacity measured in this run."""
    capacity = float(run.out.get("sign_per_s") or 0)
    total = rate or 0.8 * capacity
    if not total:
        run.notes.append("surge: skipped, it needs the sign phase's rate or --surge-rate")
        return
    seconds = run.secs(60)
    tokens_file = run.stack.var / "tokens-lag.txt"
    run.stack.helper("tokens", run.ids["bench"], int(seconds) + 30, tokens_file, "lag")
    base = run.stack.helper("count", run.ids["bench"])["rows"]
    poller = Poller(run.stack.ports, run.path("json"), tokens_file.read_text().split(), base)
    reads = ",".join([run.path("page")] * 6 + [run.path("json")] * 3 + [run.path("home")])
    thread = threading.Thread(target=poller.run, daemon=True, name="count-poller")
    thread.start()
    run.stack.sink.track(SIGN_DOMAIN)  # when each sign's e-mail arrives (mail delay)
    try:
        try:
            signs, views, shares = run.paced(
                "surge", seconds=seconds, rate=total, sign_path=run.path("sign"),
                read_paths=reads, sign_share=0.1, tag="surge", domain=SIGN_DOMAIN,
            )  # fmt: skip
        finally:
            poller.confirming = False
            time.sleep(6)  # keep reading: the last confirmations' lag
            poller.stop.set()
            thread.join(15)
        mail_delay(run, signs)
    finally:
        run.stack.sink.untrack(SIGN_DOMAIN)
    lag, backwards = poller.lag()
    out = run.out
    out["surge_target_per_s"] = round(total, 1)
    out["surge_sign_per_s"] = round(signs.rate_of(303), 1)
    out["surge_read_per_s"] = round(views.rate_of(200), 1)
    out["surge_sign_p50_ms"], out["surge_sign_p99_ms"] = _ms(signs.p50_ms), _ms(signs.p99_ms)
    out["surge_read_p50_ms"], out["surge_read_p99_ms"] = _ms(views.p50_ms), _ms(views.p99_ms)
    out["surge_errors"] = signs.other(303) + views.other(200) + poller.errors
    out["surge_count_lag_s"] = lag
    lateness = [r.client_lag_p99_ms for r in (signs, views) if r.client_lag_p99_ms is not None]
    out["surge_client_lag_p99_ms"] = _ms(max(lateness, default=None))
    out["surge_count_backwards"] = backwards
    out["surge_confirmations"] = len(poller.confirmed)
    out["surge_load_cpu_pct"] = shares.get("load")
    out["surge_cpu"] = shares
    if lag is None:
        run.notes.append("surge: no reads of the count succeeded")


def mail_delay(run: Run, signs: Result) -> None:
    """p50/p99 seconds from a sign's 303 to its e-mail's acceptance by the sink."""
    deadline = (signs.ended_at or time.time()) + MAIL_BOUND
    accepted = await_mail(run, SIGN_DOMAIN, signs.answered_at, deadline)
    delays, missing = [], 0
    for local, answered in signs.answered_at.items():
        came = accepted.get(f"{local}@{SIGN_DOMAIN}")
        missing += came is None
        # One that never came counts as waited for until the deadline: a floor of its
        # delay, so that more than 1 % missing puts the p99 at about the bound or past. An
        # e-mail may be accepted just before the client reads its 303 (the row is the
        # queue, written before the answer): that is no delay.
        delays.append(max(0.0, (deadline if came is None else came) - answered))
    run.out["surge_mail_count"], run.out["surge_mail_missing"] = len(delays), missing
    run.out["surge_mail_p50_s"] = _s(_pct(delays, 50))
    run.out["surge_mail_p99_s"] = _s(_pct(delays, 99))
    if missing:
        run.notes.append(f"surge: {missing} of {len(delays)} confirmation e-mails not "
                         f"accepted within {MAIL_BOUND:.0f} s of the end")  # fmt: skip


def _pct(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile, as bench/paced.py computes latencies'."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _s(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
