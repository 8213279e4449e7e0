"""Check a petition's public log from its public data alone (undersigned/cli.py runs it).

No Django and no database: the standard library, `cryptography`, and the pure modules
merkle.py and notes.py, so anyone can run it against any Undersigned site.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
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
    headers = {"Accept": "application/json", "User-Agent": "undersigned-verify"}
    request = Request(url, headers=headers)  # noqa: S310 (the scheme is checked above)
    try:
        with urlopen(request, timeout=30) as response:  # noqa: S310
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

    def entries(self, size: int) -> Iterator[dict]:
        """Entries 0 to size - 1, a page at a time; fewer if the site serves fewer."""
        start = 0
        while start < size:
            page = self.get(f"entries?start={start}&end={min(start + PAGE, size)}")["entries"]
            if not page:
                return  # verify() compares how many came with the checkpoint's size
            yield from page
            start += len(page)


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


@dataclass
class Replay:
    """What the entries say, recomputed: roots and counts at the sizes asked for."""

    size: int = 0
    roots: dict[int, bytes] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)  # commitment: its last state
    wanted: dict | None = None  # the entry a receipt names


def replay(entries: Iterable[dict], sizes: set[int], report: Report, wanted_id: str) -> Replay:
    """Stream the entries once: hash them into the tree, count, and follow each signature's
    states (confirmed once; withdrawn or invalidated only while counted; reverted only
    while invalidated)."""
    result, compact, count, wrong = Replay(), merkle.CompactRange(), 0, []
    for index, entry in enumerate(entries):
        leaf = entry.get("leaf", "")
        match = LEAF.fullmatch(leaf)
        if not match or entry.get("index") != index:
            wrong.append(f"entry {index}: malformed or out of place")
        else:
            kind, commitment = match[1], match[3]
            before, after = STATES[kind]
            if result.states.get(commitment) != before:
                was = result.states.get(commitment, "never confirmed")
                wrong.append(f"entry {index}: “{kind}”, but that signature was {was}")
            result.states[commitment] = after
            count += COUNT_CHANGE[kind]
            if str(entry.get("id")) == wanted_id:
                result.wanted = entry
        compact.append(merkle.leaf_hash(leaf.encode()))
        if compact.size in sizes:
            result.roots[compact.size], result.counts[compact.size] = compact.root(), count
    result.size = compact.size
    report.problems += wrong[:10] + ([f"… and {len(wrong) - 10} more"] if len(wrong) > 10 else [])
    return result


def verify(
    log: Log, trusted: list[notes.VerifierKey], receipt: str = "", since: str = ""
) -> Report:
    """Every check, in order; the report says what passed and what did not.

    1. Open every checkpoint with a trusted key; sizes grow, times do not go back.
    2. Download the entries up to the latest checkpoint and replay them: each
       checkpoint's root and count must follow, each signature's states must chain.
    3. Check the site's consistency proofs between successive checkpoints.
    4. Optionally: a checkpoint saved earlier is still part of the log; a receipt's
       entry is in it, opened by its code, with a valid inclusion proof.
    """
    report = Report()
    statements = open_checkpoints(log, log.checkpoints(), trusted, report)
    if not statements:
        report.check(not report.problems, "no checkpoint published yet", "no valid checkpoint")
        return report
    latest = report.latest
    report.passed.append(f"{len(statements)} checkpoints, each signed by a trusted key")
    saved = _saved(since, trusted, log, report) if since else None
    sizes = {s.tree_size for s in statements} | ({saved.tree_size} if saved else set())
    wanted_id = receipt.partition(":")[0] if receipt else ""
    replayed = replay(log.entries(latest.tree_size), sizes, report, wanted_id)
    served = f"{replayed.size} entries served"
    report.check(
        replayed.size == latest.tree_size,
        served,
        f"{served}, the checkpoint has {latest.tree_size}",
    )
    roots = replayed.roots
    bad_roots = [s.tree_size for s in statements if roots.get(s.tree_size) != s.root_hash]
    bad_counts = [s.tree_size for s in statements if replayed.counts.get(s.tree_size) != s.count]
    report.check(
        not bad_roots,
        "every checkpoint's root recomputed from the entries",
        f"the entries do not hash to the roots of checkpoints {bad_roots}",
    )
    report.check(
        not bad_counts,
        f"every checkpoint's count follows from the entries; the latest is {latest.count}",
        f"the entries do not add up to the counts of checkpoints {bad_counts}",
    )
    _check_proofs(log, statements, report)
    if saved:
        kept = roots.get(saved.tree_size) == saved.root_hash
        said = f"the saved checkpoint of size {saved.tree_size} is"
        report.check(kept, f"{said} part of this log", f"{said} NOT part of this log")
    if receipt:
        _check_receipt(log, receipt, replayed, report)
    return report


def _check_proofs(log: Log, statements: list[notes.Checkpoint], report: Report) -> None:
    pairs = list(itertools.pairwise(statements))[-PROOF_PAIRS:]
    for old, new in pairs:
        served = log.get(f"proof/consistency?first={old.tree_size}&second={new.tree_size}")
        proof = [bytes.fromhex(h) for h in served["proof"]]
        if not merkle.verify_consistency(
            old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof
        ):
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


def _check_receipt(log: Log, receipt: str, replayed: Replay, report: Report) -> None:
    """The receipt's entry must be in the latest checkpoint, and its leaf (what is hashed,
    not the convenience fields beside it) must carry SHA-256 of the receipt's code."""
    entry_id, _colon, secret = receipt.partition(":")
    entry, latest = replayed.wanted, report.latest
    where = f"receipt: entry {entry_id} is"
    if not report.check(bool(entry), f"{where} in the latest checkpoint", f"{where} not in it"):
        return
    commitment = LEAF.fullmatch(entry["leaf"])[3]
    opens = re.fullmatch("[0-9a-f]{48}", secret) is not None
    opens = opens and hashlib.sha256(bytes.fromhex(secret)).hexdigest() == commitment
    if not report.check(opens, "receipt: the code opens the entry", "receipt: wrong code"):
        return
    served = log.get(f"proof/inclusion?index={entry['index']}&size={latest.tree_size}")
    proof = [bytes.fromhex(h) for h in served["proof"]]
    leaf = merkle.leaf_hash(entry["leaf"].encode())
    included = merkle.verify_inclusion(
        leaf, entry["index"], latest.tree_size, proof, latest.root_hash
    )
    state = replayed.states.get(commitment, "unknown")
    report.check(
        included,
        f"receipt: leaf {entry['index']} proven included; the signature is {state}",
        "receipt: the inclusion proof does not verify",
    )
