"""Signers' receipts: proof that their confirmation is an entry of the public log.

A receipt is the petition, the entry's number in that petition's log (1 for its first
entry: its leaf index + 1, the number the log page shows) and a code, the commitment's
opening (48 hex digits, random: actions.opening). Whoever holds it can check that
SHA-256(code) is the entry's commitment, and that the entry is in a signed tree.

Receipts e-mailed before 2026-12 named the entry by its row id, a number counted over
the whole site, and their codes ended with the signature's id. Both still check: the code
is matched against the entry's commitment, so an id that is not the entry's opens nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

from undersigned.transparency.actions import Signed, opening, sequence_petition
from undersigned.transparency.models import Checkpoint, Commitment, Entry
from undersigned.transparency.tree import StoredTree

OPENING_HEX = re.compile(r"[0-9a-f]{48}")


@dataclass(frozen=True)
class Receipt:
    petition_id: int
    number: int  # the entry's place in its petition's log, from 1
    secret: str  # hex opening: the receipt code

    def __str__(self) -> str:
        return f"{self.number}:{self.secret}"


@dataclass
class ReceiptCheck:
    """What the log says about a receipt."""

    entry: Entry
    checkpoint: Checkpoint | None = None  # the latest, when it includes the entry
    proof: list[str] = field(default_factory=list)

    @property
    def sequenced(self) -> bool:
        return self.entry.leaf_index is not None

    @property
    def number(self) -> int | None:
        return entry_number(self.entry)

    @property
    def included(self) -> bool:
        return self.checkpoint is not None


def entry_number(entry: Entry) -> int | None:
    """The number people see for an entry (log page, receipts): its leaf index + 1."""
    return None if entry.leaf_index is None else entry.leaf_index + 1


def has_receipt(signature: Signed) -> bool:
    """Whether the signature has a log entry to give a receipt for (it counted once and
    its salt is still held); a held one has none."""
    return Commitment.objects.filter(signature_id=signature.pk).exists()


def receipt_for(signature: Signed, sequence: bool = False) -> Receipt | None:
    """The receipt of a confirmed signature whose salt is still held, once its entry has
    its number. The sequencer numbers entries within seconds; with `sequence` (the
    worker, never a request) the petition's waiting entries are numbered first."""
    commitment = Commitment.objects.filter(signature_id=signature.pk).select_related("entry")
    commitment = commitment.first()
    if commitment is None:
        return None
    entry = commitment.entry
    if entry.leaf_index is None and sequence:
        while sequence_petition(signature.petition_id):
            entry.refresh_from_db(fields=["leaf_index"])
            if entry.leaf_index is not None:
                break
    if entry.leaf_index is None:
        return None
    secret = opening(bytes.fromhex(commitment.salt), signature.pk).hex()
    return Receipt(signature.petition_id, entry_number(entry), secret)


def check_receipt(petition_id: int, number: int, secret: str) -> ReceiptCheck | None:
    """The entry this receipt opens, with its inclusion proof in the latest checkpoint;
    None when no entry of this petition has that number (or, on an older receipt, that
    id) and the commitment of this code."""
    if not OPENING_HEX.fullmatch(secret):
        return None
    expected = hashlib.sha256(bytes.fromhex(secret)).hexdigest()
    entries = Entry.objects.filter(petition_id=petition_id)
    entry = _opened(entries.filter(leaf_index=number - 1).first(), expected)
    entry = entry or _opened(entries.filter(pk=number).first(), expected)  # an older receipt
    if entry is None:
        return None
    check = ReceiptCheck(entry)
    latest = Checkpoint.objects.filter(petition_id=petition_id).order_by("-tree_size").first()
    if latest is not None and check.sequenced and entry.leaf_index < latest.tree_size:
        check.checkpoint = latest
        tree = StoredTree(petition_id, latest.tree_size)
        check.proof = [h.hex() for h in tree.inclusion_proof(entry.leaf_index)]
    return check


def _opened(entry: Entry | None, commitment: str) -> Entry | None:
    if entry is not None and secrets.compare_digest(entry.commitment, commitment):
        return entry
    return None
