"""A short load through nginx with bench's wrk scripts: signing, then reading, while the
primary is asked every 100 ms how far behind the replica's replay is."""

from __future__ import annotations

import contextlib
import threading

from bench.load import Wrk
from cluster.nodes import Cluster

LOAD_DOMAIN = "load.cluster.test"


class LagSampler(threading.Thread):
    """pg_stat_replication.replay_lag, sampled until stopped (idle moments say nothing)."""

    def __init__(self, cluster: Cluster) -> None:
        super().__init__(daemon=True)
        self.cluster, self.samples, self.done = cluster, [], threading.Event()

    def run(self) -> None:
        assert self.cluster.pg is not None
        while not self.done.wait(0.1):
            with contextlib.suppress(Exception):
                lag = self.cluster.pg.replay_lag_ms()
                if lag is not None:
                    self.samples.append(lag)

    def p99(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1)


def run(cluster: Cluster, petition: int, page: str, seconds: float, out: dict) -> None:
    """sign_per_s: full sign POSTs answered 303; read_per_s: the petition page and its
    .json answered 200 (nginx's cache answers most: that is what it is for);
    read_uncached_per_s: a fresh query string each time, so every read is a render."""
    sampler = LagSampler(cluster)
    sampler.start()
    try:
        sign = _wrk(
            cluster, "sign", "sign.lua", seconds, connections=8,
            path=f"/petitions/{petition}/sign", tag="load", domain=LOAD_DOMAIN,
        )  # fmt: skip
    finally:
        sampler.done.set()
        sampler.join()
    read = _wrk(cluster, "read", "get.lua", seconds, connections=16, threads=2,
                paths=f"{page},/petitions/{petition}.json", gzip=1)  # fmt: skip
    fresh = _wrk(cluster, "read-uncached", "get.lua", seconds, connections=8,
                 paths=f"/petitions/{petition}.json", unique=1)  # fmt: skip
    out["sign_per_s"] = round(sign.rate_of(303), 1)
    out["sign_p99_ms"] = round(sign.p99_ms or 0, 1)
    out["read_per_s"] = round(read.rate_of(200), 1)
    out["read_p99_ms"] = round(read.p99_ms or 0, 1)
    out["read_uncached_per_s"] = round(fresh.rate_of(200), 1)
    out["replica_lag_ms_p99"] = sampler.p99()
    out["replica_lag_samples"] = len(sampler.samples)
    out["load_other_answers"] = {
        name: result.other(ok)
        for name, result, ok in (("sign", sign, 303), ("read", read, 200), ("uncached", fresh, 200))
    }


def _wrk(cluster: Cluster, name: str, script: str, seconds: float, **options):
    runner = Wrk(name, script, cluster.port, cluster.var, seconds=seconds, **options)
    return runner.start().wait()
