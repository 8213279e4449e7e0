"""Replay a petition's public log: each entry hashed into the tree, the count kept, and
every signature's states followed (confirmed once; withdrawn or invalidated only while
counted; reverted only while invalidated). The offline verifier (verifier.py) builds on
it; no Django here either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from undersigned.transparency import merkle
from undersigned.transparency.site import _, ngettext

if TYPE_CHECKING:
    from undersigned.transparency.verifier import Report

STATES = {  # kind: (state it must follow, state it leads to); None: never logged before
    "confirmed": (None, "counted"),
    "withdrawn": ("counted", "withdrawn"),
    "invalidated": ("counted", "invalidated"),
    "reverted": ("invalidated", "counted"),
}
COUNT_CHANGE = {"confirmed": 1, "withdrawn": -1, "invalidated": -1, "reverted": 1}
KINDS = ("", "confirmed", "withdrawn", "invalidated", "reverted")  # codes in Replay.kinds
BULK_ONLY = {KINDS.index("invalidated"), KINDS.index("reverted")}
LEAF = re.compile(r"v1 (confirmed|withdrawn|invalidated|reverted) ([0-9]{1,15}) ([0-9a-f]{64})")


@dataclass
class Replay:
    """What the entries say, recomputed: roots and counts at the sizes asked for."""

    size: int = 0
    roots: dict[int, bytes] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)  # commitment: its last state
    wanted: list[dict] = field(default_factory=list)  # the entries a receipt's number names
    kinds: bytearray = field(default_factory=bytearray)  # each entry's kind, as KINDS index


def follow(entry: dict, index: int, states: dict[str, str]) -> tuple[str, str, str]:
    """One entry's kind and commitment, after checking it is well formed, in its place and
    a step its signature may take; and a problem ("" if none). Updates `states`."""
    match = LEAF.fullmatch(entry.get("leaf", ""))
    if not match or entry.get("index") != index:
        return "", "", _("entry %(index)s: malformed or out of place") % {"index": index}
    kind, commitment = match[1], match[3]
    before, after = STATES[kind]
    was, states[commitment] = states.get(commitment), after
    if was == before:
        return kind, commitment, ""
    was = was or _("never confirmed")
    problem = _("entry %(index)s: “%(kind)s”, but that signature was %(was)s")
    return kind, commitment, problem % {"index": index, "kind": kind, "was": was}


def first_problems(problems: list[str]) -> list[str]:
    """The first ten problems, and how many more there are."""
    more = len(problems) - 10
    said = ngettext("… and %(n)s more problem", "… and %(n)s more problems", more)
    return problems[:10] + ([said % {"n": more}] if more > 0 else [])


def replay(entries: Iterable[dict], sizes: set[int], report: Report, wanted: str) -> Replay:
    """Stream the entries once: hash them into the tree, count, and follow each signature's
    states (confirmed once; withdrawn or invalidated only while counted; reverted only
    while invalidated).

    `wanted` is a receipt's number: the entry's place in the log, from 1 (index + 1), or,
    on a receipt e-mailed before 2026-12, the site's id of the entry. Both are kept; the
    receipt's code tells which is its entry (_check_receipt)."""
    result, compact, count, wrong = Replay(), merkle.CompactRange(), 0, []
    for index, entry in enumerate(entries):
        kind, _commitment, problem = follow(entry, index, result.states)
        if problem:
            wrong.append(problem)
        result.kinds.append(KINDS.index(kind))
        if kind:
            count += COUNT_CHANGE[kind]
            if wanted and wanted in (str(index + 1), str(entry.get("id"))):
                result.wanted.append(entry)
        compact.append(merkle.leaf_hash(entry.get("leaf", "").encode()))
        if compact.size in sizes:
            result.roots[compact.size], result.counts[compact.size] = compact.root(), count
    result.size = compact.size
    report.problems += first_problems(wrong)
    return result
