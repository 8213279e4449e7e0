"""Check a petition's public log from its public data alone (undersigned/cli.py runs it).

No Django and no database: the standard library, `cryptography`, and the pure modules
merkle.py and notes.py, so anyone can run it against any Undersigned site.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from undersigned.transparency import merkle, notes

PAGE = 1000
PROOF_PAIRS = 100  # consistency proofs fetched (the most recent); the roots imply the rest
STATES = {  # kind: (state it must follow, state it leads to); None: never logged before
    "confirmed": (None, "counted"),
    "withdrawn": ("counted", "withdrawn"),
    "invalidated": ("counted", "invalidated"),
    "reverted": ("invalidated", "counted"),
}
COUNT_CHANGE = {"confirmed": 1, "withdrawn": -1, "invalidated": -1, "reverted": 1}
LEAF = re.compile(r"v1 (confirmed|withdrawn|invalidated|reverted) ([0-9]{1,15}) ([0-9a-f]{64})")


class FetchError(Exception):
    """The site could not be read: no verdict either way."""


@dataclass
class Report:
    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    latest: notes.Checkpoint | None = None
    latest_note: str = ""

    def check(self, ok: bool, good: str, bad: str) -> bool:
        (self.passed if ok else self.problems).append(good if ok else bad)
        return ok


def fetch_json(url: str) -> dict:
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"not a web address: {url}")
    request = Request(url, headers={"Accept": "application/json", "User-Agent": "undersigned"})  # noqa: S310 (http(s) only, checked above)
    try:
        with urlopen(request, timeout=30) as response:  # noqa: S310 (http(s) only, checked above)
            return json.load(response)
    except HTTPError as error:
        raise FetchError(f"{url}: HTTP {error.code}") from None
    except (URLError, TimeoutError, ValueError) as error:
        raise FetchError(f"{url}: {error}") from None


@dataclass
class Log:
    """One petition log on one site."""

    site: str  # e.g. https://petitions.example.org
    petition_id: int
    origin: str  # the origin line its checkpoints must carry
    fetch: Callable[[str], dict] = fetch_json

    def get(self, path: str) -> dict:
        return self.fetch(f"{self.site}/petitions/{self.petition_id}/log/{path}")

    def keys(self) -> list[notes.VerifierKey]:
        published = self.fetch(f"{self.site}/.well-known/undersigned-log-key")
        return [notes.parse_verifier_key(key["verifier_key"]) for key in published["keys"]]

    def checkpoints(self) -> list[dict]:
        found, path = [], "checkpoints"
        while path:
            page = self.get(path)
            found += page["checkpoints"]
            path = page["next"] and "checkpoints?" + page["next"].partition("?")[2]
        return found

    def entries(self, size: int) -> list[dict]:
        found: list[dict] = []
        while len(found) < size:
            start = len(found)
            page = self.get(f"entries?start={start}&end={min(start + PAGE, size)}")["entries"]
            if not page:
                break  # fewer entries than checkpointed: verify() says so
            found += page
        return found


def open_checkpoints(log: Log, rows: list[dict], trusted: list[notes.VerifierKey], report: Report):
    """The signed statements, in order; a problem for each bad signature or field."""
    statements: list[notes.Checkpoint] = []
    for row in rows:
        try:
            body, _key = notes.open_note(row["note"], trusted)
            statement = notes.parse_checkpoint(body)
        except notes.NoteError as error:
            report.problems.append(f"checkpoint of size {row.get('tree_size')}: {error}")
            continue
        served = (row["tree_size"], row["root_hash"], row["count"])
        signed = (statement.tree_size, statement.root_hash.hex(), statement.count)
        if statement.origin != log.origin:
            report.problems.append(f"checkpoint {statement.tree_size}: from {statement.origin}")
        if served != signed:
            report.problems.append(f"checkpoint {statement.tree_size}: data differ from its note")
        if statements and (
            statement.tree_size <= statements[-1].tree_size or statement.time < statements[-1].time
        ):
            report.problems.append(f"checkpoint {statement.tree_size}: out of order")
        statements.append(statement)
        report.latest, report.latest_note = statement, row["note"]
    return statements


def replay(entries: list[dict], sizes: set[int], report: Report) -> tuple[dict, dict, dict]:
    """Recompute roots and counts at each size, and follow each signature's states.

    Returns (roots by size, counts by size, final state and index by commitment).
    """
    compact, count, roots, counts = merkle.CompactRange(), 0, {}, {}
    states: dict[str, tuple[str, int, int]] = {}  # commitment: (state, leaf index, entry id)
    for index, entry in enumerate(entries):
        match = LEAF.fullmatch(entry.get("leaf", ""))
        if not match or entry.get("index") != index:
            report.problems.append(f"entry {index}: malformed or out of place")
            match = None
        else:
            kind, commitment = match[1], match[3]
            before, after = STATES[kind]
            state = states.get(commitment, (None, 0, 0))[0]
            if state != before:
                report.problems.append(f"entry {index}: “{kind}” for a signature {state or 'new'}")
            states[commitment] = (after, index, entry.get("id"))
            count += COUNT_CHANGE[kind]
        compact.append(merkle.leaf_hash(entry.get("leaf", "").encode()))
        if compact.size in sizes:
            roots[compact.size], counts[compact.size] = compact.root(), count
    return roots, counts, states


def verify(
    log: Log, trusted: list[notes.VerifierKey], receipt: str = "", since: str = ""
) -> Report:
    """Every check, in order; the report says what passed and what did not."""
    report = Report()
    statements = open_checkpoints(log, log.checkpoints(), trusted, report)
    if not statements:
        report.check(not report.problems, "no checkpoint published yet", "no valid checkpoint")
        return report
    report.passed.append(f"{len(statements)} checkpoints, each signed by a trusted key")
    saved = _saved(since, trusted, log, report) if since else None
    sizes = {s.tree_size for s in statements} | ({saved.tree_size} if saved else set())
    entries = log.entries(report.latest.tree_size)
    report.check(len(entries) == report.latest.tree_size, f"{len(entries)} entries served",
                 f"{len(entries)} entries served, but the checkpoint has {report.latest.tree_size}")  # fmt: skip
    roots, counts, states = replay(entries, sizes, report)
    bad_roots = [s.tree_size for s in statements if roots.get(s.tree_size) != s.root_hash]
    bad_counts = [s.tree_size for s in statements if counts.get(s.tree_size) != s.count]
    report.check(not bad_roots, "every checkpoint's root recomputed from the entries",
                 f"the entries do not hash to the roots of checkpoints {bad_roots}")  # fmt: skip
    report.check(not bad_counts, f"the count follows from the entries: {report.latest.count}",
                 f"the entries do not add up to the counts of checkpoints {bad_counts}")  # fmt: skip
    _check_proofs(log, statements, report)
    if saved:
        report.check(roots.get(saved.tree_size) == saved.root_hash,
                     f"the saved checkpoint of size {saved.tree_size} is part of this log",
                     f"the saved checkpoint of size {saved.tree_size} is NOT part of this log")  # fmt: skip
    if receipt:
        _check_receipt(log, receipt, entries, states, report)
    return report


def _check_proofs(log: Log, statements: list[notes.Checkpoint], report: Report) -> None:
    pairs = list(zip(statements, statements[1:], strict=False))[-PROOF_PAIRS:]
    for old, new in pairs:
        served = log.get(f"proof/consistency?first={old.tree_size}&second={new.tree_size}")
        proof = [bytes.fromhex(h) for h in served["proof"]]
        ok = merkle.verify_consistency(
            old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof
        )
        if not ok:
            report.problems.append(
                f"no valid consistency proof from {old.tree_size} to {new.tree_size}"
            )
            return
    report.passed.append(f"consistency proofs checked between {len(pairs)} pairs of checkpoints")


def _saved(path: str, trusted, log: Log, report: Report) -> notes.Checkpoint | None:
    try:
        with open(path, encoding="utf-8") as file:
            body, _key = notes.open_note(file.read(), trusted)
        saved = notes.parse_checkpoint(body)
    except (OSError, notes.NoteError) as error:
        report.problems.append(f"the saved checkpoint {path}: {error}")
        return None
    if saved.origin != log.origin or saved.tree_size > report.latest.tree_size:
        report.problems.append(f"the saved checkpoint {path} is not from this log, or is newer")
        return None
    return saved


def _check_receipt(log: Log, receipt: str, entries: list[dict], states: dict, report: Report):
    entry_id, _colon, secret = receipt.partition(":")
    try:
        commitment = hashlib.sha256(bytes.fromhex(secret)).hexdigest()
    except ValueError:
        commitment = ""
    found = [e for e in entries if str(e.get("id")) == entry_id]
    if not report.check(bool(found), f"receipt: entry {entry_id} is in the latest checkpoint",
                        f"receipt: entry {entry_id} is not in the latest checkpoint (yet?)"):  # fmt: skip
        return
    entry, size = found[0], report.latest.tree_size
    if not report.check(entry["commitment"] == commitment, "receipt: the code opens the entry",
                        "receipt: the code does not match the entry's commitment"):  # fmt: skip
        return
    proof = [
        bytes.fromhex(h)
        for h in log.get(f"proof/inclusion?index={entry['index']}&size={size}")["proof"]
    ]
    leaf = merkle.leaf_hash(entry["leaf"].encode())
    included = merkle.verify_inclusion(leaf, entry["index"], size, proof, report.latest.root_hash)
    state = states[commitment][0]
    report.check(included, f"receipt: leaf {entry['index']} proven included; the signature is {state}",
                 "receipt: the inclusion proof does not verify")  # fmt: skip
