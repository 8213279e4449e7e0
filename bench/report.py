"""One table on stdout and flat figures in var/bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

# (label, keys shown as "a / b", target). Keys are PostgreSQL's; SQLite's get "sqlite_".
ROWS = [
    ("sign: full sign POSTs/s", ["sign_per_s"], "≥ 800/s"),
    ("  p50 / p99 ms", ["sign_p50_ms", "sign_p99_ms"], ""),
    ("  CPU ms per sign: web / PostgreSQL", ["sign_web_cpu_ms", "sign_postgres_cpu_ms"], ""),
    ("floor: one create() + 303 /s", ["floor_per_s"], "same run"),
    ("  CPU ms per floor: web / PostgreSQL", ["floor_web_cpu_ms", "floor_postgres_cpu_ms"], ""),
    ("sign / floor", ["sign_floor_ratio"], "≥ 0.70"),
    ("  … from alternating slices (median)", ["sign_floor_ratio_paired"], "≥ 0.70"),
    (
        "microburst 50 at once: refused / slowest ms",
        ["microburst_50_refused", "microburst_50_max_ms"],
        "0 / < 1,000",
    ),
    ("confirm POSTs/s", ["confirm_per_s"], ""),
    ("  p50 / p99 ms", ["confirm_p50_ms", "confirm_p99_ms"], ""),
    ("read: petition page /s", ["read_page_per_s"], "≥ 4,000/s"),
    ("  CPU ms per page: web", ["read_page_web_cpu_ms"], ""),
    ("  the page with gzip, as browsers ask /s", ["read_page_gzip_per_s"], ""),
    ("read: .json /s", ["read_json_per_s"], "≥ 4,000/s"),
    ("read: home page /s", ["read_home_per_s"], ""),
    ("  page Cache-Control", ["read_page_cache_control"], "public, swr"),
    (
        "  page Set-Cookie / Vary: Cookie (the language choice)",
        ["read_page_set_cookie", "read_page_vary_cookie"],
        "False / True",
    ),
    ("surge: offered rate /s (80 % sign cap.)", ["surge_target_per_s"], ""),
    (
        "  signs /s, p50 / p99 ms",
        ["surge_sign_per_s", "surge_sign_p50_ms", "surge_sign_p99_ms"],
        "p99 ≤ 100 ms",
    ),
    (
        "  reads /s, p50 / p99 ms",
        ["surge_read_per_s", "surge_read_p50_ms", "surge_read_p99_ms"],
        "",
    ),
    ("  count lag s / went backwards", ["surge_count_lag_s", "surge_count_backwards"], "≤ 5 / 0"),
    ("  the client was late by (p99 ms)", ["surge_client_lag_p99_ms"], ""),
    (
        "  303 to its e-mail in the sink: p50 / p99 s",
        ["surge_mail_p50_s", "surge_mail_p99_s"],
        "p99 ≤ 30 s",
    ),
    ("  e-mails never accepted / awaited", ["surge_mail_missing", "surge_mail_count"], "0"),
    ("burst 2×: offered /s, answered /s", ["burst_offered_per_s", "burst_per_s"], ""),
    ("  unanswered / p99 ms", ["burst_unanswered", "burst_p99_ms"], "0 / fast"),
    ("  answered 303 / fast 503", ["burst_statuses_303", "burst_statuses_503"], ""),
    ("  p99 ms of the 303s / of the 503s", ["burst_p99_ms_303", "burst_p99_ms_503"], ""),
    ("  … of which the client was late (p99 ms)", ["burst_client_lag_p99_ms"], ""),
    ("  e-mail backlog drained, s after the burst", ["backlog_drain_s"], ""),
    (
        "  e-mails never accepted / awaited",
        ["backlog_drain_missing", "backlog_drain_mails"],
        "0",
    ),
    ("scale: page ms empty / 5M", ["page_ms_empty", "page_ms_5m"], "≤ +10 %"),
    ("  .json ms empty / 5M", ["json_ms_empty", "json_ms_5m"], "≤ +10 %"),
    (
        "  5M / empty twin, alternating: page / .json",
        ["page_5m_ratio_paired_empty", "json_5m_ratio_paired_empty"],
        "≤ 1.10",
    ),
    (
        "  5M / twin of 100, alternating: page / .json",
        ["page_5m_ratio_paired", "json_5m_ratio_paired"],
        "≤ 1.10",
    ),
    ("  page SQL ms (EXPLAIN) empty / 5M", ["page_sql_ms_empty", "page_sql_ms_5m"], ""),
    ("  other CPU % during page empty / 5M", ["page_cpu_other_empty", "page_cpu_other_5m"], "≈ 0"),
    ("  sign ms empty / 5M", ["scale_sign_ms_empty", "scale_sign_ms_5m"], ""),
    ("  rows seeded / seconds", ["scale_rows", "scale_seed_s"], "5,000,000"),
    ("export 1M: s / peak RSS MB", ["export_1m_s", "export_1m_rss_mb"], "< 200 MB"),
    ("  CSV lines / bytes", ["export_lines", "export_bytes"], ""),
    ("mail: e-mails/s into the sink", ["mail_per_s"], "≥ 300/s"),
    (
        "  CPU ms per e-mail: worker / PostgreSQL",
        ["mail_worker_cpu_ms", "mail_postgres_cpu_ms"],
        "",
    ),
    ("  e-mails per SMTP connection", ["mail_per_connection"], "> 1 (reuse)"),
    ("  sign /s while mailing, ratio (slices)", ["mail_sign_per_s", "mail_sign_ratio"], "≥ 0.90"),
    ("  … ratio against the sign phase", ["mail_sign_ratio_phase"], ""),
    ("  e-mails/s meanwhile (the pump gives way)", ["mail_sign_mail_per_s"], ""),
    ("exact: count = rows, one row per 303", ["exact"], "True"),
    ("server tracebacks / database is locked", ["server_tracebacks", "database_locked"], "0 / 0"),
    (
        "load generator CPU % sign / page / surge",
        ["sign_load_cpu_pct", "read_page_load_cpu_pct", "surge_load_cpu_pct"],
        "",
    ),
    ("other processes' CPU % sign / read", ["sign_cpu_other", "read_page_cpu_other"], "≈ 0"),
]


def flatten(figures: dict, prefix: str = "") -> dict:
    flat: dict = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}_"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        mem_kb = int(info.readline().split()[1])
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "mem_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "wrk": wrk.split(" [")[0].strip(),
    }


def combine(per_db: dict[str, dict], meta: dict) -> dict:
    """Flat figures: PostgreSQL's unprefixed, SQLite's as sqlite_…; `exact` covers both."""
    results = dict(meta)
    for db, figures in per_db.items():
        prefix = "" if db == "postgres" else "sqlite_"
        results.update(flatten(figures, prefix))
    exacts = [figures.get("exact") for figures in per_db.values() if "exact" in figures]
    results["exact"] = bool(exacts) and all(exacts)
    for key in ("sign_per_s", "floor_per_s", "sign_p99_ms", "confirm_per_s", "read_page_per_s",
                "read_json_per_s", "surge_sign_p99_ms", "surge_read_p99_ms",
                "surge_count_lag_s", "surge_mail_p99_s", "backlog_drain_s", "page_ms_empty",
                "page_ms_5m", "export_1m_s", "export_1m_rss_mb", "mail_per_s"):  # fmt: skip
        results.setdefault(key, None)
    return results


def _cell(results: dict, prefix: str, keys: list[str]) -> str:
    values = [results.get(prefix + key) for key in keys]
    if all(value is None for value in values):
        return "–"
    return " / ".join(_fmt(value) for value in values)


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table(results: dict, dbs: list[str]) -> str:
    heads = {"postgres": ("PostgreSQL", ""), "sqlite": ("SQLite", "sqlite_")}
    columns = [heads[db] for db in dbs]
    rows = [("", *[name for name, _p in columns], "target")]
    for label, keys, target in ROWS:
        cells = [_cell(results, prefix, keys) for _name, prefix in columns]
        if any(cell != "–" for cell in cells):
            rows.append((label, *cells, target))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
             for row in rows]  # fmt: skip
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def derive(results: dict) -> dict:
    """CPU ms per answered request from a phase's CPU shares (for older result files)."""
    out, ncpu = dict(results), results.get("nproc") or 1
    for prefix in ("", "sqlite_"):
        for key in (
            "sign",
            "floor",
            "confirm",
            "read_page",
            "read_page_gzip",
            "read_json",
            "read_home",
        ):
            rate = out.get(f"{prefix}{key}_per_s")
            for role in ("web", "postgres"):
                share = out.get(f"{prefix}{key}_cpu_{role}")
                name = f"{prefix}{key}_{role}_cpu_ms"
                if rate and share is not None and name not in out:
                    out[name] = round(share / 100 * ncpu * 1000 / rate, 2)
    return out


def write(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")


if __name__ == "__main__":
    import sys

    saved = json.loads(
        Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench/results.json").read_text()
    )
    print(table(derive(saved), saved.get("dbs", ["postgres"])))
