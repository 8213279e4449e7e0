"""The end-to-end checks `make cluster` runs through nginx. Each writes flat figures into
`out` and returns the correctness failures it found (an empty list: it held)."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

from cluster import client
from cluster.nodes import Cluster

E2E_DOMAIN = "cluster.test"  # the sink keeps these e-mails whole, to read their links
RATE_LIMIT = 6  # the API key's requests per minute


class Scenario:
    def __init__(self, cluster: Cluster, quick: bool) -> None:
        self.cluster, self.quick = cluster, quick
        self.origin = cluster.base  # SITE_URL: what a browser on the site sends as Origin
        self.out: dict[str, object] = {}
        self.ids: dict = {}
        self.signers = 0
        self.confirmed_at: list[float] = []  # when each confirmation was answered

    def setup(self) -> None:
        self.ids = self.cluster.helper(0, "setup", RATE_LIMIT)
        self.cluster.sink.keep(E2E_DOMAIN)

    @property
    def petition(self) -> int:
        return int(self.ids["petition"])

    # One signer's whole path.

    def sign_and_confirm(self, sign_base: str, confirm_base: str) -> str:
        """Sign through one entry, confirm through another with the e-mailed link; "" when
        it all worked, else what went wrong."""
        self.signers += 1
        n = self.signers
        address = f"signer-{n}@{E2E_DOMAIN}"
        ip = f"198.51.100.{n % 250 + 1}" if n < 250 else f"203.0.113.{n % 250 + 1}"
        signed = client.sign(sign_base, self.origin, self.petition, address, ip)
        if signed.status != 303:
            return f"sign answered {signed.status}"
        token = client.confirmation_token(self.cluster.sink, address)
        done = client.confirm(confirm_base, self.origin, token)
        if done.status != 303:
            return f"confirm answered {done.status}"
        self.confirmed_at.append(time.time())
        return ""

    def cross_node(self) -> list[str]:
        """Sign on node 1 and confirm on node 2 (through nginx's per-node entries), and
        how long the count a reader sees through nginx takes to include it."""
        failures, lags = [], []
        for _ in range(2 if self.quick else 3):
            before = client.shown_count(self.cluster.base, self.petition)
            problem = self.sign_and_confirm(self.cluster.pinned(0), self.cluster.pinned(1))
            if problem:
                failures.append(f"sign on node 1, confirm on node 2: {problem}")
                continue
            lags.append(self._count_lag(before + 1))
        self.out["sign_confirm_cross_node"] = not failures
        self.out["count_lag_s"] = round(max(lags), 2) if lags else None
        return failures

    def _count_lag(self, expected: int, timeout: float = 30.0) -> float:
        confirmed = self.confirmed_at[-1]
        while time.time() - confirmed < timeout:
            if client.shown_count(self.cluster.base, self.petition) >= expected:
                return time.time() - confirmed
            time.sleep(0.1)
        return timeout

    # Limits shared by the nodes.

    def rate_limit(self) -> list[str]:
        """One API key's per-minute limit, spent half on node 1 and half on node 2."""
        if time.time() % 60 > 55:  # the same window for every request
            time.sleep(61 - time.time() % 60)
        headers = {"Authorization": f"Bearer {self.ids['api_key']}"}
        path = f"/api/v1/petitions/{self.petition}/signatures"
        statuses = Counter()
        for node in (0, 1):
            for _ in range(RATE_LIMIT // 2 + 1):
                answer = client.call(self.cluster.pinned(node), path, headers=headers)
                statuses[answer.status] += 1
        self.out["rate_limit_statuses"] = dict(statuses)
        shared = statuses[200] == RATE_LIMIT and statuses[429] == 2
        self.out["rate_limit_shared"] = shared
        return [] if shared else [f"rate limit not shared by the nodes: {dict(statuses)}"]

    def checkpoints(self, since: str) -> list[str]:
        """The periodic checkpoint job started at most once per interval, whichever of
        the two workers ran it, and every checkpoint was signed with the one key."""
        seen = self.cluster.helper(0, "checkpoints", self.petition, since)
        interval = self.cluster.checkpoint_seconds
        starts, made = seen["enqueued"], seen["checkpoints"]
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        self.out["checkpoints"] = len(made)
        self.out["checkpoint_jobs"] = len(starts)
        self.out["checkpoint_min_gap_s"] = round(min(gaps), 2) if gaps else None
        self.out["checkpoint_workers"] = len(seen["workers"])
        # Each worker's clock tries every second; the job is claimed once per interval.
        # The enqueue times trail the claims by a moment that grows on a busy machine
        # (gaps of half an interval were seen), so judge by how many started in the span:
        # twice as many if both workers started it each interval.
        span = starts[-1] - starts[0] if starts else 0.0
        once = bool(made) and len(starts) <= int((span + 1) / interval) + 1
        once = once and len(made) <= len(starts) and seen["keys"] == 1
        self.out["checkpoint_once_per_interval"] = once
        return [] if once else [f"checkpoints not once per {interval} s: {seen}"]

    # Shared files.

    def pack(self) -> list[str]:
        """A delivery pack made by node 1's worker (node 2's is frozen meanwhile) and
        downloaded through node 2."""
        cluster = self.cluster
        cluster.pause_worker(1, True)
        try:
            pack_id = cluster.helper(0, "request_pack", self.petition)["pack"]
            state = self._wait_pack(pack_id)
        finally:
            cluster.pause_worker(1, False)
        if state["state"] != "ready":
            self.out["pack_cross_node"] = False
            return [f"the delivery pack was not made: {state}"]
        path = f"/petitions/{self.petition}/delivery/packs/{pack_id}.csv"
        deadline = time.monotonic() + 10
        while True:  # the pack's row may reach the replica a moment later
            got = client.call(cluster.pinned(1), path, headers={"Cookie": self.ids["cookie"]})
            if got.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        digest = hashlib.sha256(got.body).hexdigest()
        on_node2 = list(cluster.node_var(1).rglob(f"pack-{pack_id}-*"))
        ok = got.status == 200 and digest == state["csv_sha256"] and not on_node2
        self.out["pack_cross_node"] = ok
        self.out["pack_workers"] = state["workers"]
        if ok:
            return []
        return [f"pack {pack_id} through node 2: {got.status}, digest match "
                f"{digest == state['csv_sha256']}, files on node 2's disk {on_node2}"]  # fmt: skip

    def _wait_pack(self, pack_id: int, timeout: float = 90.0) -> dict:
        pg, deadline = self.cluster.pg, time.monotonic() + timeout
        assert pg is not None
        query = "SELECT state FROM delivery_deliverypack WHERE id = %s"
        while pg.sql(pg.primary_port, query, (pack_id,))[0] not in {"ready", "failed"}:
            if time.monotonic() > deadline:
                break
            time.sleep(0.25)
        return self.cluster.helper(0, "pack", pack_id)

    # The replica stopped under readers and signers.

    def replica_outage(self) -> list[str]:
        """Readers (pages no cache holds, so each is a database read) and signers run
        while the replica stops and starts again; nothing may fail and nothing be lost."""
        cluster, pg = self.cluster, self.cluster.pg
        assert pg is not None
        stop_event, errors, reads, signed = threading.Event(), Counter(), Counter(), Counter()

        def reader(tag: str) -> None:
            n = 0
            while not stop_event.is_set():
                n += 1
                paths = (f"/petitions/{self.petition}.json?r={tag}{n}",
                         f"/api/v1/petitions/{self.petition}?r={tag}{n}")  # fmt: skip
                try:
                    answer = client.call(cluster.base, paths[n % 2])
                    reads[answer.status] += 1
                    if answer.status >= 500:
                        errors[f"read {answer.status}"] += 1
                except OSError as error:
                    errors[f"read {type(error).__name__}"] += 1

        def signer() -> None:
            while not stop_event.is_set():
                try:
                    problem = self.sign_and_confirm(cluster.base, cluster.base)
                except (OSError, RuntimeError) as error:
                    problem = type(error).__name__
                signed[problem or "ok"] += 1
                if problem:
                    errors[f"signer: {problem}"] += 1

        threads = [threading.Thread(target=reader, args=(t,)) for t in "ab"]
        threads.append(threading.Thread(target=signer))
        before, down = (2, 3) if self.quick else (5, 15)
        for thread in threads:
            thread.start()
        try:
            time.sleep(before)
            pg.stop_replica()
            time.sleep(down)
            pg.restart_replica()
            catch_up = pg.wait_caught_up()
            time.sleep(before)
        finally:
            stop_event.set()
            for thread in threads:
                thread.join(60)
        pg.wait_caught_up()
        self.out["replica_down_errors"] = sum(errors.values())
        self.out["replica_down_reads"] = sum(reads.values())
        self.out["replica_down_signers"] = dict(signed)
        self.out["replica_catch_up_s"] = round(catch_up, 2)
        failures = [f"errors while the replica was down: {dict(errors)}"] if errors else []
        return failures + self._nothing_lost()

    def _nothing_lost(self) -> list[str]:
        """Every signature answered 303 is on the primary and, caught up, on the replica."""
        pg = self.cluster.pg
        assert pg is not None
        on_primary = self.cluster.helper(0, "rows", E2E_DOMAIN)["rows"]
        query = "SELECT count(*) FROM signatures_signature WHERE email LIKE %s"
        (on_replica,) = pg.sql(pg.replica_port, query, (f"%@{E2E_DOMAIN}",))
        kept = on_primary >= self.signers and on_replica == on_primary
        self.out["replica_rows_match"] = kept
        return [] if kept else [f"{self.signers} signed, {on_primary} rows, {on_replica} on "
                                "the replica"]  # fmt: skip

    # At rest.

    def count_exact(self, timeout: float = 30.0) -> list[str]:
        """Once the caches have turned over, the count shown through nginx is the number
        of counted signatures in the database."""
        pg, deadline = self.cluster.pg, time.monotonic() + timeout
        assert pg is not None
        query = "SELECT coalesce(sum(count), 0) FROM signatures_countshard WHERE petition_id = %s"
        while time.monotonic() < deadline:
            shown = client.shown_count(self.cluster.base, self.petition)
            if shown == pg.sql(pg.primary_port, query, (self.petition,))[0]:
                break
            time.sleep(0.5)
        exact = self.cluster.helper(0, "count", self.petition)
        ok = shown == exact["counted"] == exact["shards"] == len(self.confirmed_at)
        self.out["count_exact"] = ok
        self.out["count_shown"] = shown
        self.out["count_rows"] = exact
        return [] if ok else [f"count shown {shown}, database {exact}, "
                              f"{len(self.confirmed_at)} confirmed"]  # fmt: skip

    def page_path(self) -> str:
        """The petition page's own address (its id may redirect to an address with a slug)."""
        answer = client.call(self.cluster.base, f"/petitions/{self.petition}")
        if answer.status in {301, 302, 308}:
            return urlsplit(answer.headers["location"]).path
        return f"/petitions/{self.petition}"
