"""Check a petition's public log from its public data alone (undersigned/cli.py runs it).

No Django and no database: the standard library, `cryptography`, and the pure modules
merkle.py, notes.py, replay.py and site.py, so anyone can run it against any Undersigned site.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from dataclasses import dataclass, field

from undersigned.transparency import merkle, notes
from undersigned.transparency.replay import (
    BULK_ONLY,
    COUNT_CHANGE,
    KINDS,
    LEAF,
    Replay,
    first_problems,
    follow,
    replay,
)
from undersigned.transparency.site import FetchError, Log, _, ngettext

PROOF_PAIRS = 100  # consistency proofs fetched (the most recent); the roots imply the rest
# The public ledger (/petitions/<id>/changes.json): what log entries each kind of line may
# name; and the kinds of entry that only a line of the ledger may add (bulk changes).
LEDGER_ENTRY_KINDS = {
    "invalidated": {"invalidated"},
    "reinstated": {"reverted", "confirmed"},
    "released": {"confirmed"},
}
# The petition page's count is cached for a few seconds, and new entries are numbered every
# few seconds: a count the log has not reached yet is asked for again this often.
COUNT_TRIES = 4
COUNT_PAUSE = 5.0  # seconds


@dataclass
class Report:
    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    latest: notes.Checkpoint | None = None
    latest_note: str = ""
    # The ledger's lines by scope ("online", "paper"): [lines, removed, added].
    ledger: dict[str, list[int]] | None = None

    def check(self, ok: bool, good: str, bad: str) -> bool:
        (self.passed if ok else self.problems).append(good if ok else bad)
        return ok


def open_checkpoints(log: Log, rows: list[dict], trusted: list[notes.VerifierKey], report: Report):
    """The signed statements, in order; a problem for each bad signature or field."""
    statements: list[notes.Checkpoint] = []
    for row in rows:
        try:
            body, _key = notes.open_note(row["note"], trusted)
            statement = notes.parse_checkpoint(body)
        except notes.NoteError as error:
            report.problems.append(
                _("checkpoint of size %(size)s: %(error)s")
                % {"size": row.get("tree_size"), "error": error}
            )
            continue
        served = (row["tree_size"], row["root_hash"], row["count"])
        signed = (statement.tree_size, statement.root_hash.hex(), statement.count)
        size = {"size": statement.tree_size}
        if statement.origin != log.origin:
            origin = {**size, "origin": statement.origin}
            report.problems.append(_("checkpoint %(size)s: from %(origin)s") % origin)
        if served != signed:
            report.problems.append(_("checkpoint %(size)s: data differ from its note") % size)
        if statements and (
            statement.tree_size <= statements[-1].tree_size or statement.time < statements[-1].time
        ):
            report.problems.append(_("checkpoint %(size)s: out of order") % size)
        statements.append(statement)
        report.latest, report.latest_note = statement, row["note"]
    return statements


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
    5. The count the petition's page shows must be one the log reached since its latest
       checkpoint (check_shown_count).
    """
    report = Report()
    statements = open_checkpoints(log, log.checkpoints(), trusted, report)
    if not statements:
        report.check(
            not report.problems, _("no checkpoint published yet"), _("no valid checkpoint")
        )
        check_shown_count(log, Replay(), report)
        return report
    latest = report.latest
    signed = ngettext(
        "%(n)s checkpoint, signed by a trusted key",
        "%(n)s checkpoints, each signed by a trusted key",
        len(statements),
    )
    report.passed.append(signed % {"n": len(statements)})
    saved = _saved(since, trusted, log, report) if since else None
    sizes = {s.tree_size for s in statements} | ({saved.tree_size} if saved else set())
    wanted = receipt.partition(":")[0].strip()
    wanted = str(int(wanted)) if wanted.isdecimal() else ""  # "0051" is entry 51
    replayed = replay(log.entries(latest.tree_size), sizes, report, wanted)
    served = ngettext("%(n)s entry served", "%(n)s entries served", replayed.size)
    served %= {"n": replayed.size}
    report.check(
        replayed.size == latest.tree_size,
        served,
        _("%(served)s, the checkpoint has %(size)s") % {"served": served, "size": latest.tree_size},
    )
    roots = replayed.roots
    bad_roots = [s.tree_size for s in statements if roots.get(s.tree_size) != s.root_hash]
    bad_counts = [s.tree_size for s in statements if replayed.counts.get(s.tree_size) != s.count]
    report.check(
        not bad_roots,
        _("every checkpoint's root recomputed from the entries"),
        _("the entries do not hash to the roots of checkpoints %(sizes)s") % {"sizes": bad_roots},
    )
    report.check(
        not bad_counts,
        _("every checkpoint's count follows from the entries; the latest is %(count)s")
        % {"count": latest.count},
        _("the entries do not add up to the counts of checkpoints %(sizes)s")
        % {"sizes": bad_counts},
    )
    _check_proofs(log, statements, report)
    if saved:
        kept = roots.get(saved.tree_size) == saved.root_hash
        size = {"size": saved.tree_size}
        report.check(
            kept,
            _("the saved checkpoint of size %(size)s is part of this log") % size,
            _("the saved checkpoint of size %(size)s is NOT part of this log") % size,
        )
    if receipt:
        _check_receipt(log, receipt, replayed, report)
    if replayed.size == latest.tree_size:  # else the entries after it mean nothing
        check_shown_count(log, replayed, report)
        check_ledger(log, replayed, report)
    return report


def check_ledger(log: Log, replayed: Replay, report: Report) -> None:
    """The public ledger of changes to the count must match the log, up to the latest
    checkpoint: each line names entries of the kinds it may add, no entry is named
    twice, an online line's entries add up to its change (once all are numbered and
    checkpointed), a paper line names none, and every entry found invalid or reinstated
    is named by a line (only bulk changes add those)."""
    try:
        served = log.changes()
    except FetchError as error:
        if error.status != 404:
            raise
        report.check(
            not BULK_ONLY.intersection(replayed.kinds),
            _("the site publishes no ledger of changes to the count, and the log needs none"),
            _("the log has entries found invalid or reinstated, but the site publishes no "
              "ledger of changes to the count"),
        )  # fmt: skip
        return
    size, kinds = replayed.size, replayed.kinds
    named, problems = bytearray(size), []
    summary = {"online": [0, 0, 0], "paper": [0, 0, 0]}
    for line, change in enumerate(served["changes"], 1):
        kind, delta, scope = change["kind"], change["delta"], change["scope"]
        if type(delta) is not int or scope not in summary:
            raise ValueError(f"ledger line {line}: malformed")
        tally = summary[scope]
        tally[0] += 1
        tally[1 if delta < 0 else 2] += abs(delta)
        allowed, moved = LEDGER_ENTRY_KINDS.get(kind, set()), 0
        complete = not change["entries_waiting"]
        where = {"line": line}
        if scope == "paper" and change["entries"]:
            problems.append(
                _("ledger line %(line)s: paper signatures, but it names log entries") % where
            )
        for first, last in change["entries"]:
            if not 1 <= first <= last:
                raise ValueError(f"ledger line {line}: malformed entry numbers")
            if last > size:  # numbered after the latest checkpoint: checked next time
                complete, last = False, size
            for number in range(first, last + 1):
                entry_kind = KINDS[kinds[number - 1]]
                if entry_kind not in allowed:
                    problems.append(
                        _("ledger line %(line)s (%(kind)s) names entry %(n)s, which is “%(entry)s”")
                        % {**where, "kind": kind, "n": number, "entry": entry_kind or "?"}
                    )
                if named[number - 1]:
                    problems.append(
                        _("entry %(n)s is named by two lines of the ledger") % {"n": number}
                    )
                named[number - 1] = 1
                moved += COUNT_CHANGE.get(entry_kind, 0)
        if scope == "online" and complete and moved != delta:
            problems.append(
                _("ledger line %(line)s says %(delta)+d, but its log entries add up to %(moved)+d")
                % {**where, "delta": delta, "moved": moved}
            )
    unnamed = [n + 1 for n in range(size) if kinds[n] in BULK_ONLY and not named[n]]
    if unnamed:
        problems.append(
            ngettext(
                "%(n)s entry found invalid or reinstated is in no line of the ledger: %(numbers)s",
                "%(n)s entries found invalid or reinstated are in no line of the ledger: "
                "%(numbers)s",
                len(unnamed),
            )
            % {"n": len(unnamed), "numbers": ", ".join(map(str, unnamed[:10]))}
        )
    report.problems += first_problems(problems)
    lines = len(served["changes"])
    if not problems:
        report.passed.append(
            ngettext(
                "the ledger of changes to the count matches the log (%(n)s line)",
                "the ledger of changes to the count matches the log (%(n)s lines)",
                lines,
            )
            % {"n": lines}
        )
    report.ledger = summary


def check_shown_count(log: Log, replayed: Replay, report: Report) -> None:
    """The count the petition page shows must be one the log reached since its latest
    checkpoint: that count, or the count after one of the entries numbered since.

    The page's count is cached a few seconds and the site numbers new entries every few
    seconds, so the two can disagree for a moment while people sign. A count the log has
    not reached is asked for again, page and entries, COUNT_TRIES times COUNT_PAUSE
    seconds apart; a page that still shows it fails. A stale count the log did reach
    since the checkpoint passes: it was true a moment ago.
    """
    latest = report.latest
    size, count = (latest.tree_size, latest.count) if latest else (0, 0)
    reached, states, problems = [count], dict(replayed.states), []
    for attempt in range(COUNT_TRIES):
        try:
            shown = log.shown_count()
        except FetchError as error:
            if error.status != 404:
                raise
            report.passed.append(_("the petition's page shows no count (it is not listed)"))
            return
        for entry in log.entries_from(size):
            kind, _commitment, problem = follow(entry, size, states)
            problems += [problem] if problem else []
            count += COUNT_CHANGE.get(kind, 0)
            reached.append(count)
            size += 1
        if shown in reached:
            break
        if attempt + 1 < COUNT_TRIES:
            pause()
    report.problems += first_problems(problems)
    signatures = ngettext("%(count)s signature", "%(count)s signatures", shown)
    signatures %= {"count": shown}
    report.check(
        shown in reached,
        _("the petition's page shows %(signatures)s, a count the log reached")
        % {"signatures": signatures},
        _(
            "the petition's page shows %(signatures)s, but since its latest checkpoint the "
            "log's count was never that: it is %(now)s (lowest %(low)s, highest %(high)s)"
        )
        % {"signatures": signatures, "now": count, "low": min(reached), "high": max(reached)},
    )


def pause() -> None:
    """Give the site time to refresh its page's count and number its newest entries."""
    time.sleep(COUNT_PAUSE)


def _check_proofs(log: Log, statements: list[notes.Checkpoint], report: Report) -> None:
    pairs = list(itertools.pairwise(statements))[-PROOF_PAIRS:]
    for old, new in pairs:
        served = log.get(f"proof/consistency?first={old.tree_size}&second={new.tree_size}")
        proof = [bytes.fromhex(h) for h in served["proof"]]
        if not merkle.verify_consistency(
            old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof
        ):
            sizes = {"first": old.tree_size, "second": new.tree_size}
            report.problems.append(
                _("no valid consistency proof from %(first)s to %(second)s") % sizes
            )
            return
    checked = ngettext(
        "consistency proofs checked between %(n)s pair of checkpoints",
        "consistency proofs checked between %(n)s pairs of checkpoints",
        len(pairs),
    )
    report.passed.append(checked % {"n": len(pairs)})


def _saved(path: str, trusted, log: Log, report: Report) -> notes.Checkpoint | None:
    try:
        with open(path, encoding="utf-8") as file:
            body, _key = notes.open_note(file.read(), trusted)
        saved = notes.parse_checkpoint(body)
    except (OSError, notes.NoteError) as error:
        where = {"path": path, "error": error}
        report.problems.append(_("the saved checkpoint %(path)s: %(error)s") % where)
        return None
    if saved.origin != log.origin or saved.tree_size > report.latest.tree_size:
        report.problems.append(
            _("the saved checkpoint %(path)s is not from this log, or is newer") % {"path": path}
        )
        return None
    return saved


def _check_receipt(log: Log, receipt: str, replayed: Replay, report: Report) -> None:
    """The receipt's entry must be in the latest checkpoint, and its leaf (what is hashed,
    not the convenience fields beside it) must carry SHA-256 of the receipt's code."""
    number, _colon, secret = receipt.partition(":")
    latest = report.latest
    where = {"entry": number}
    if not report.check(
        bool(replayed.wanted),
        _("receipt: entry %(entry)s is in the latest checkpoint") % where,
        _("receipt: entry %(entry)s is not in it") % where,
    ):
        return
    opening = secret.lower() if re.fullmatch("[0-9a-fA-F]{48}", secret) else ""
    commitment = hashlib.sha256(bytes.fromhex(opening)).hexdigest() if opening else ""
    opened = [e for e in replayed.wanted if LEAF.fullmatch(e["leaf"])[3] == commitment]
    if not report.check(
        bool(opened), _("receipt: the code opens the entry"), _("receipt: wrong code")
    ):
        return
    entry = opened[0]
    served = log.get(f"proof/inclusion?index={entry['index']}&size={latest.tree_size}")
    proof = [bytes.fromhex(h) for h in served["proof"]]
    leaf = merkle.leaf_hash(entry["leaf"].encode())
    included = merkle.verify_inclusion(
        leaf, entry["index"], latest.tree_size, proof, latest.root_hash
    )
    state = replayed.states.get(commitment, "unknown")
    report.check(
        included,
        _("receipt: leaf %(index)s proven included; the signature is %(state)s")
        % {"index": entry["index"], "state": state},
        _("receipt: the inclusion proof does not verify"),
    )
