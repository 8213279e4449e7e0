"""`make cluster`: a whole cluster on this machine, an end-to-end scenario through nginx,
the figures in var/cluster/results.json.

    .venv/bin/python -m cluster [--quick] [--web-workers N] [--seconds S]

Starts a PostgreSQL primary and a streaming replica, Redis, two web nodes (granian, each
with its own VAR_DIR), two workers, an SMTP sink and nginx (cluster/nodes.py); then signs
on one node and confirms on the other, checks the count, a delivery pack made by one
worker and downloaded through the other node, one checkpoint per interval, a rate limit
shared by the nodes, the replica stopped and restarted under readers and signers, and a
short load (cluster/scenario.py, cluster/load.py). Exits 1 when a correctness check fails;
the speed figures are printed, not judged. Everything is stopped on the way out.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
import traceback
from datetime import UTC, datetime

from bench.stack import stop_all
from cluster import load
from cluster.nodes import VAR, Cluster
from cluster.scenario import Scenario

FIGURES = [
    "nodes", "sign_per_s", "read_per_s", "replica_lag_ms_p99", "count_lag_s", "count_exact",
    "pack_cross_node", "replica_down_errors",
]  # fmt: skip


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short phases, for CI (< 2 min)")
    parser.add_argument(
        "--web-workers", type=int, help="granian processes per node (default 2; --quick 1)"
    )
    parser.add_argument("--seconds", type=float, help="load seconds (default 20; --quick 3)")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    seconds = args.seconds or (3 if args.quick else 20)
    args.web_workers = args.web_workers or (1 if args.quick else 2)
    out: dict[str, object] = {"nodes": 2, "quick": args.quick}
    failures: list[str] = []
    started = time.monotonic()
    try:
        run(args, seconds, out, failures)
    except Exception:  # the cluster did not start, or did not stop cleanly
        failures.append(traceback.format_exc(limit=6))
    out["seconds"] = round(time.monotonic() - started, 1)
    out["failures"] = failures
    print(f"-- {out['seconds']:5.1f} s  stopped")
    VAR.mkdir(parents=True, exist_ok=True)
    (VAR / "results.json").write_text(json.dumps(out, indent=2) + "\n")
    print()
    for key in FIGURES:
        print(f"{key:>22}: {out.get(key)}")
    print(f"{'all figures':>22}: {VAR / 'results.json'}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run(args: argparse.Namespace, seconds: float, out: dict, failures: list[str]) -> None:
    # The checkpoint interval is short so that a run spans several.
    with Cluster(VAR, web_workers=args.web_workers, checkpoint_seconds=3) as cluster:
        since = datetime.now(UTC).isoformat()
        scenario = Scenario(cluster, args.quick)
        scenario.out = out
        scenario.setup()
        steps = [
            ("sign on node 1, confirm on node 2", scenario.cross_node),
            ("a rate limit across both nodes", scenario.rate_limit),
            ("a delivery pack across nodes", scenario.pack),
            ("the replica stopped and restarted", scenario.replica_outage),
            ("load through nginx", lambda: _load(cluster, scenario, seconds, out)),
            ("one checkpoint per interval", lambda: scenario.checkpoints(since)),
            ("the count at rest", scenario.count_exact),
        ]
        for title, step in steps:
            cluster.step(title)
            try:
                failures += step()
            except Exception:
                failures.append(f"{title}: {traceback.format_exc(limit=4)}")
        out["server_tracebacks"] = sum(log.count("Traceback") for log in cluster.logs())


def _load(cluster: Cluster, scenario: Scenario, seconds: float, out: dict) -> list[str]:
    load.run(cluster, scenario.petition, scenario.page_path(), seconds, out)
    return []


def _stop(signum, _frame) -> None:
    stop_all()
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main())
