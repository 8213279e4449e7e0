"""`make bench`: start the stack on loopback, drive it, stop it, print one table.

    .venv/bin/python -m bench [--quick] [--db postgres|sqlite|both] [--phases sign,floor,…]

See bench/README.md for what each phase does and how to read the figures.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import traceback

from bench import cpu, microburst, phases, profile, report, scale, surge
from bench.stack import ROOT, Stack, stop_all

ORDER = [
    "sign", "floor", "microburst", "confirm", "read", "surge", "burst", "scale", "mail",
]  # fmt: skip
SQLITE_DEFAULT = ["sign", "floor", "microburst", "confirm", "read"]
# After these, the queue holds thousands of confirmation e-mails nobody will read; they are
# dropped so that later phases measure themselves, not the worker catching up (README).
QUEUEING = {"sign", "floor", "microburst", "surge", "burst"}
VAR = ROOT / "var" / "bench"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="~8 s per phase, smaller seeds")
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--phases", help=f"comma-separated, of {','.join(ORDER)} (default all)")
    parser.add_argument("--sqlite-phases", help=f"default {','.join(SQLITE_DEFAULT)}")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--web", type=int, default=1, help="gunicorn servers (ports), 1")
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default="granian",
        help="the WSGI server (granian; gunicorn with threaded workers)",
    )
    parser.add_argument("--web-workers", type=int, default=4, help="server processes each, 4")
    parser.add_argument("--workers", type=int, default=1, help="task worker processes, 1")
    parser.add_argument(
        "--worker-nice", type=int, default=10, help="`worker --nice N`, 10 (docs/operations.md)"
    )
    parser.add_argument(
        "--server-args", default="", help="more gunicorn options, e.g. '-k gthread --threads 4'"
    )
    parser.add_argument(
        "--redis",
        nargs="?",
        const="redis://127.0.0.1:6379/15",
        default="",
        help="share the cache between web processes (REDIS_URL; default: per-process memory)",
    )
    parser.add_argument("--burst-rate", type=float, help="req/s (default 2 × the sign rate)")
    parser.add_argument("--surge-rate", type=float, help="req/s (default 80 %% of sign rate)")
    parser.add_argument("--scale-rows", type=int, help="default 5,000,000 (--quick: 500,000)")
    parser.add_argument("--mail-backlog", type=int, help="default 20,000 (--quick: 3,000)")
    parser.add_argument("--profile", default="", help="phases to profile with py-spy")
    args = parser.parse_args()
    chosen = args.phases.split(",") if args.phases else ORDER
    unknown = set(chosen) - set(ORDER)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    args.phases = [p for p in ORDER if p in chosen]
    if args.sqlite_phases:
        args.sqlite_phases = [p for p in ORDER if p in args.sqlite_phases.split(",")]
    else:
        args.sqlite_phases = [p for p in args.phases if p in SQLITE_DEFAULT]
    args.profile = set(filter(None, args.profile.split(",")))
    args.scale_rows = args.scale_rows or (500_000 if args.quick else 5_000_000)
    args.mail_backlog = args.mail_backlog or (3000 if args.quick else 20_000)
    return args


def run_db(db: str, chosen: list[str], args: argparse.Namespace) -> dict:
    print(f"\n== {db}: {', '.join(chosen)}", flush=True)
    with Stack(
        db,
        VAR,
        args.web,
        args.web_workers,
        args.workers,
        args.redis,
        args.server_args,
        args.server,
    ) as stack:
        if args.worker_nice:
            stack.worker_args = ["--nice", str(args.worker_nice)]
        run = phases.Run(stack, args.quick, args.connections, profile=args.profile)
        found = stack.helper("setup")
        run.ids, run.pages = found["ids"], found["pages"]
        if not {"sign", "floor", "microburst"} & set(chosen):
            stack.start_workers()
        for name in chosen:
            started = time.monotonic()
            print(f"-- {name} …", end=" ", flush=True)
            if name not in {"sign", "floor", "microburst"} and stack.start_workers():
                # sign and floor measure the request path alone; a worker that has just
                # started must not spend its boot inside the next phase's first seconds
                cpu.wait_quiet(stack.worker_pids())
            spy = None
            if name in args.profile and name != "mail":  # mail profiles the worker itself
                spy = profile.start(stack.web[0].pid, run.secs(20) - 1, _profile_path(db, name))
            try:
                PHASES[name](run, args)
            except Exception:
                run.notes.append(f"{name}: failed: {traceback.format_exc(limit=3)}")
                print("FAILED", flush=True)
            if spy is not None:
                spy.wait()
                path = _profile_path(db, name)
                if path.exists():
                    path.with_suffix(".summary.txt").write_text(profile.summary(path))
            waited = run.settle()
            if waited > 5:
                run.notes.append(
                    f"{name}: the server needed {waited:.0f} s to answer quickly again"
                )
            if name in QUEUEING:
                try:
                    stack.helper("purge")
                except RuntimeError as error:
                    run.notes.append(f"purge after {name} failed: {error}")
            print(f"{time.monotonic() - started:.0f} s", flush=True)
        print("-- exact …", end=" ", flush=True)
        try:
            scale.exact(run)
        except Exception:
            run.notes.append(f"exact: failed: {traceback.format_exc(limit=3)}")
        print(run.out.get("exact"), flush=True)
        logs = [path.read_text(errors="replace") for path in stack.var.glob("*.log")]
        run.out["server_tracebacks"] = sum(log.count("Traceback") for log in logs)
        run.out["database_locked"] = sum(log.count("database is locked") for log in logs)
        run.out["notes"] = run.notes
        return run.out


def _profile_path(db: str, name: str):
    return VAR / db / f"profile-{name}.txt"


PHASES = {
    "sign": lambda run, args: phases.sign(run),
    "floor": lambda run, args: phases.floor(run),
    "microburst": lambda run, args: microburst.microburst(run),
    "confirm": lambda run, args: phases.confirm(run),
    "read": lambda run, args: phases.read(run),
    "surge": lambda run, args: surge.surge(run, args.surge_rate),
    "burst": lambda run, args: phases.burst(run, args.burst_rate),
    "scale": lambda run, args: scale.scale(run, args.scale_rows),
    "mail": lambda run, args: phases.mail(run, args.mail_backlog),
}


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    args = arguments()
    # SIGTERM (and Ctrl-C) unwind through the Stack's finally: nothing is left running.
    signal.signal(signal.SIGTERM, _interrupt)
    dbs = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    meta = {
        **report.machine(), "quick": args.quick, "dbs": dbs, "phases": args.phases,
        "sqlite_phases": args.sqlite_phases, "web_servers": args.web,
        "gunicorn_workers": args.web_workers, "task_workers": args.workers,
        "connections": args.connections, "redis": bool(args.redis),
        "server_args": args.server_args,
    }  # fmt: skip
    per_db: dict[str, dict] = {}
    try:
        for db in dbs:
            chosen = args.phases if db == "postgres" else args.sqlite_phases
            per_db[db] = run_db(db, chosen, args)
    except KeyboardInterrupt:
        print("\nbench: interrupted; stopping everything", file=sys.stderr)
        return 130
    finally:
        stop_all()
    results = report.derive(report.combine(per_db, meta))
    report.write(results, VAR / "results.json")
    print()
    print(report.table(results, dbs))
    for db, figures in per_db.items():
        for note in figures.get("notes", []):
            print(f"note ({db}): {note}")
    print(f"\nAll figures: {VAR / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
