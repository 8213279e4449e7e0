"""How long a national postcode file takes to import, and how much memory it needs.

    .venv/bin/python -m bench.postcodes [--rows 1000000] [--db sqlite|postgres]

Writes a CSV of `--rows` postcodes into var/bench/, imports it into a fresh database
(SQLite under var/bench/, or PostgreSQL's `undersigned_bench_postcodes`, dropped at the end) with
`manage.py import_postcodes`, then imports it again (the upsert of an unchanged file), and
prints the seconds and the growth of the process's peak resident memory for each. The
test suite imports 100,000 rows (tests/test_regions_imports.py); a million took 28 s on
SQLite and 51 s on PostgreSQL on the development machine, too long for every `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG = "postgres://postgres@127.0.0.1:5432/undersigned_bench_postcodes"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.postcodes")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    database = VAR / "postcodes.sqlite3"
    database.unlink(missing_ok=True)
    os.environ.setdefault("SECRET_KEY", "bench-postcodes-secret-key-that-is-long-enough-0123")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ["DATABASE_URL"] = PG if args.db == "postgres" else f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "undersigned.settings"
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(PG.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
            pg.execute("DROP DATABASE IF EXISTS undersigned_bench_postcodes WITH (FORCE)")
            pg.execute("CREATE DATABASE undersigned_bench_postcodes")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    regions = VAR / "postcode-regions.csv"
    regions.write_text("code,name,country,parent\nN,North,GB,\nS,South,GB,\n")
    call_command("import_regions", "bench", str(regions), stdout=StringIO())
    path = VAR / "postcodes.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("postcode,code\n")
        for n in range(args.rows):
            file.write(f"P{n:07d},{'N' if n % 2 else 'S'}\n")

    figures = {"rows": args.rows, "db": args.db, "file_mb": round(path.stat().st_size / 2**20, 1)}
    for run in ("first", "again"):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        call_command("import_postcodes", "bench", str(path), stdout=StringIO())
        figures[f"{run}_seconds"] = round(time.monotonic() - started, 1)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        figures[f"{run}_peak_rss_growth_mb"] = round(grown / 1024, 1)
    (VAR / "postcodes.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(json.dumps(figures))
    path.unlink()
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(PG.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
            pg.execute("DROP DATABASE IF EXISTS undersigned_bench_postcodes WITH (FORCE)")
    else:
        for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
