"""Signers' receipts: proof that their confirmation is an entry of the public log.

A receipt is the petition id, the entry id and the commitment's opening (the salt and
the signature id, 24 bytes, written as 48 hex digits). Whoever holds it can check that
SHA-256(opening) is the entry's commitment, and that the entry is in a signed tree.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

from undersigned.transparency.actions import Signed, opening
from undersigned.transparency.models import Checkpoint, Commitment, Entry
from undersigned.transparency.tree import StoredTree

OPENING_HEX = re.compile(r"[0-9a-f]{48}")


@dataclass(frozen=True)
class Receipt:
    petition_id: int
    entry_id: int
    secret: str  # hex opening

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.secret}"


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
    def included(self) -> bool:
        return self.checkpoint is not None


def receipt_for(signature: Signed) -> Receipt | None:
    """The receipt of a confirmed signature whose salt is still held."""
    commitment = Commitment.objects.filter(signature_id=signature.pk).first()
    if commitment is None:
        return None
    secret = opening(bytes.fromhex(commitment.salt), signature.pk).hex()
    return Receipt(signature.petition_id, commitment.entry_id, secret)


def check_receipt(petition_id: int, entry_id: int, secret: str) -> ReceiptCheck | None:
    """The entry this receipt opens, with its inclusion proof in the latest checkpoint;
    None when no entry of this petition has that id and commitment."""
    if not OPENING_HEX.fullmatch(secret):
        return None
    entry = Entry.objects.filter(pk=entry_id, petition_id=petition_id).first()
    expected = hashlib.sha256(bytes.fromhex(secret)).hexdigest()
    if entry is None or not secrets.compare_digest(entry.commitment, expected):
        return None
    check = ReceiptCheck(entry)
    latest = Checkpoint.objects.filter(petition_id=petition_id).order_by("-tree_size").first()
    if latest is not None and check.sequenced and entry.leaf_index < latest.tree_size:
        check.checkpoint = latest
        tree = StoredTree(petition_id, latest.tree_size)
        check.proof = [h.hex() for h in tree.inclusion_proof(entry.leaf_index)]
    return check
