"""Scale (0 vs 5 million signatures, CSV export) and the exactness check at the end."""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import threading
import time

from bench.phases import SIGN_DOMAIN, Run, _ms
from bench.stack import HOST, PY, ROOT

# Where a CSV export of a petition's signatures might live ({id} is the petition).
EXPORT_PATHS = ("/petitions/{id}/signatures.csv", "/petitions/{id}.csv", "/petitions/{id}/export")


def _latencies(run: Run, label: str) -> None:
    """Page and .json rendered for every request (a fresh query string defeats the page
    cache), and a sign, one request at a time: the cost of one visitor, not throughput."""
    seconds = run.secs(10)
    for kind in ("page", "json"):
        result, shares = run.wrk(
            f"scale-{kind}-{label}", "get.lua", seconds=seconds, connections=1,
            paths=run.path(kind, "scale"), unique=1,
        )  # fmt: skip
        run.out[f"{kind}_ms_{label}"] = _ms(result.p50_ms)
        run.out[f"{kind}_p99_ms_{label}"] = _ms(result.p99_ms)
        run.out[f"{kind}_cpu_other_{label}"] = shares.get("other")  # the noise meanwhile
    result, _shares = run.wrk(
        f"scale-sign-{label}", "sign.lua", seconds=seconds, connections=1,
        path=run.path("sign", "scale"), tag=f"scale{label}", domain=SIGN_DOMAIN,
    )  # fmt: skip
    run.out[f"scale_sign_ms_{label}"] = _ms(result.p50_ms)
    if run.stack.db == "postgres":
        env = {"ALLOWED_HOSTS": "127.0.0.1,testserver"}
        plans = run.stack.helper("explain", run.ids["scale"], env=env)
        run.out[f"page_sql_ms_{label}"] = plans["sql_ms"]
        run.out[f"page_slowest_sql_{label}"] = " | ".join(plans["slowest"])


def _paired(run: Run, twin: str, suffix: str = "") -> None:
    """Page and .json of the seeded petition and of a twin (empty, or 100 signatures), in
    alternating short slices. The before/after figures above are minutes apart (the seed
    runs between), and this shared VM's speed drifts by more than 10 % in that time. The
    median of the slice pairs' ratios compares the two petitions alone, on the same
    machine at the same moment. Against the twin of 100, which shows what the seeded one
    shows (recent public signers and all), only the size differs; against the empty one,
    the content does too."""
    pairs, seconds = (2, 2) if run.quick else (4, 3)
    for kind in ("page", "json"):
        ratios = []
        for i in range(pairs):
            p50 = []
            for petition in (twin, "scale"):
                result, _shares = run.wrk(
                    f"scale-{kind}-{petition}-pair{i}", "get.lua", seconds=seconds,
                    connections=1, paths=run.path(kind, petition), unique=1,
                )  # fmt: skip
                p50.append(result.p50_ms)
            if all(p50):
                ratios.append(p50[1] / p50[0])
        if ratios:
            run.out[f"{kind}_5m_ratio_paired{suffix}"] = round(statistics.median(ratios), 3)
            run.out[f"{kind}_5m_ratio_pairs{suffix}"] = [round(r, 3) for r in ratios]


def scale(run: Run, rows: int) -> None:
    # The twin shows what the seeded petition shows (recent public signers and all) at
    # 100 signatures instead of 5 M, so that the pairs compare size alone: see _paired.
    for key in ("twin", "empty"):
        made = run.stack.helper("newpetition", key)
        run.ids[key], run.pages[key] = made["id"], made["page"]
    run.stack.helper("seed", run.ids["twin"], 100, 60)
    _latencies(run, "empty")
    seeded = run.stack.helper("seed", run.ids["scale"], rows, run.secs(600) if not run.quick
                              else 120, timeout=900)  # fmt: skip
    run.out["scale_rows"], run.out["scale_seed_s"] = seeded["rows"], seeded["seconds"]
    if seeded["rows"] < rows:
        run.notes.append(f"scale: seeded {seeded['rows']} of {rows} rows within the time bound")
    time.sleep(5)  # let cached counts and pages expire
    _latencies(run, "5m")
    for kind in ("page", "json"):
        empty, full = run.out[f"{kind}_ms_empty"], run.out[f"{kind}_ms_5m"]
        if empty and full:
            run.out[f"{kind}_5m_ratio"] = round(full / empty, 2)
    _paired(run, "empty", "_empty")
    _paired(run, "twin")
    export(run)


def export(run: Run) -> None:
    """`manage.py export_signers` of a petition with a million counted signatures: the
    time, the bytes and rows written, and the command's peak RSS (rusage ru_maxrss)."""
    run.out["export_1m_s"] = run.out["export_1m_rss_mb"] = None
    command = ROOT / "undersigned" / "delivery" / "management" / "commands" / "export_signers.py"
    if not command.exists():
        run.out["export_note"] = "manage.py export_signers does not exist"
        run.notes.append("export: manage.py export_signers not found; figures are null")
        return
    rows = 100_000 if run.quick else 1_000_000
    pid = run.stack.helper("newpetition")["id"]
    run.stack.helper("seed", pid, rows, 600, timeout=900)
    target = run.stack.var / "export.csv"
    started = time.monotonic()
    with open(target, "wb") as out:
        proc = subprocess.Popen(
            [PY, "manage.py", "export_signers", str(pid)], env=run.stack.env, cwd=ROOT,
            stdout=out, stderr=subprocess.PIPE,
        )  # fmt: skip
        _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    with open(target, "rb") as written:
        lines = sum(block.count(b"\n") for block in iter(lambda: written.read(1 << 20), b""))
    run.out["export_rows_seeded"], run.out["export_lines"] = rows, lines
    run.out["export_bytes"] = target.stat().st_size
    target.unlink()
    if proc.returncode:
        error = proc.stderr.read().decode(errors="replace")[-500:] if proc.stderr else ""
        run.out["export_note"] = f"export_signers exited {proc.returncode}: {error}"
        run.notes.append(run.out["export_note"])
        return
    run.out["export_1m_s"] = round(seconds * 1_000_000 / rows, 2)  # scaled when --quick
    run.out["export_s"] = round(seconds, 2)
    run.out["export_1m_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # kB on Linux
    if lines - 1 != rows:
        run.notes.append(f"export: {lines - 1} signer lines for {rows} counted signatures")


def _staff_cookie(run: Run) -> str:
    if "staff_cookie" not in run.ids:
        run.ids["staff_cookie"] = run.stack.helper("session")["cookie"]
    return run.ids["staff_cookie"]


def _get(port: int, path: str, cookie: str = "") -> tuple[int, int, float]:
    """(status, body bytes, seconds) of a GET, reading the body as it streams."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response, size = conn.getresponse(), 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
        return response.status, size, time.monotonic() - started
    finally:
        conn.close()


class RssPeak(threading.Thread):
    """The largest resident set (kB) any process of the given process groups reaches."""

    def __init__(self, pgids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pgids, self.peak, self.stop = set(pgids), 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    self.peak = max(self.peak, self._rss(pid))

    def _rss(self, pid: str) -> int:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[2]) not in self.pgids:
                    return 0
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return 0


def exact(run: Run) -> None:
    """The displayed counts equal the confirmed rows, and every 303 has exactly one row."""
    counts_ok = True
    for key in ("bench", "scale"):
        rows = run.stack.helper("count", run.ids[key])
        shown = _settled_count(run, run.path("json", key), rows["counted"])
        run.out[f"exact_{key}_rows"], run.out[f"exact_{key}_shown"] = rows["rows"], shown
        run.out[f"exact_{key}_shards"] = rows["shards"]
        run.out[f"exact_{key}_counted"] = rows["counted"]
        counts_ok &= shown == rows["counted"] == rows["shards"]
        if rows["rows"] != rows["counted"]:
            run.notes.append(f"exact: {key}: {rows['rows']} confirmed rows, of which the app "
                             f"counts {rows['counted']} (held or otherwise excluded)")  # fmt: skip
    paths = [str(path) for path in run.emails if path.exists()]
    check = run.stack.helper("emails", SIGN_DOMAIN, *paths) if paths else {}
    run.out["exact_signatures"] = check
    # No phase that signs ran (e.g. --phases confirm): there are no answers to match.
    rows_ok = not paths or (bool(check) and check["missing"] == 0 and check["duplicated"] == 0)
    run.out["exact"] = counts_ok and rows_ok
    if not rows_ok:
        run.notes.append(f"exact: answered-303 e-mails vs rows: {check}")


def _settled_count(run: Run, path: str, expected: int) -> int | None:
    """Poll every web server until 8 reads in a row agree with `expected` (≤ 8 s)."""
    deadline, agreeing, shown, turn = time.monotonic() + 8, 0, None, 0
    while time.monotonic() < deadline and agreeing < 8:
        port = run.stack.ports[turn % len(run.stack.ports)]
        turn += 1
        status, body = _get_json(port, path)
        shown = body.get("signature_count") if status == 200 else None
        agreeing = agreeing + 1 if shown == expected else 0
        time.sleep(0.1 if agreeing else 0.25)
    return shown


def _get_json(port: int, path: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    except (OSError, ValueError):
        return 0, {}
    finally:
        conn.close()
