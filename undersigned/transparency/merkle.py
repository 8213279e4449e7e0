"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1. Pure Python.

Hashes are SHA-256; a leaf hash is H(0x00 || leaf), an interior node H(0x01 || left || right).
The tree over n leaves splits at k, the largest power of two smaller than n.

The proof functions take `subtree(start, end)`, a callback returning MTH(D[start:end]), so
the same code serves a list of leaves in memory and the stored nodes in the database.
No Django here: the offline verifier (undersigned/cli.py) imports this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Hash = bytes
Subtree = Callable[[int, int], Hash]
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof asked for sizes or indices the tree does not have."""


def leaf_hash(leaf: bytes) -> Hash:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[Hash]) -> Hash:
    """MTH over leaf hashes (not leaves), bottom-up: pairs, an odd last node carried up."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def perfect_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """Split D[start:end] into aligned perfect subtrees (level, index), largest first.

    For the ranges RFC 9162 asks about (start is a multiple of a power of two at least
    end - start), MTH(D[start:end]) is these pieces folded from the right.
    """
    pieces = []
    while start < end:
        size = 1 << ((end - start).bit_length() - 1)
        while start % size:
            size //= 2
        level = size.bit_length() - 1
        pieces.append((level, start >> level))
        start += size
    return pieces


def fold(piece_hashes: Sequence[Hash]) -> Hash:
    """Combine perfect subtrees, largest first, into the hash of the range they cover."""
    result = piece_hashes[-1]
    for piece in reversed(piece_hashes[:-1]):
        result = node_hash(piece, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTH make PATH(index, D[0:size]), nearest the leaf first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose MTH make PROOF(first, D[0:second]) (RFC 9162 SUBPROOF)."""
    if not 0 <= first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if first in (0, second):
        return []
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    return ranges[::-1]


def inclusion_proof(index: int, size: int, subtree: Subtree) -> list[Hash]:
    return [subtree(a, b) for a, b in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, subtree: Subtree) -> list[Hash]:
    return [subtree(a, b) for a, b in consistency_ranges(first, second)]


def memory_subtree(leaf_hashes: Sequence[Hash]) -> Subtree:
    """`subtree` over leaf hashes held in memory."""
    return lambda start, end: root(leaf_hashes[start:end])


def _shift_while_even(fn: int, sn: int) -> tuple[int, int]:
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion(leaf: Hash, index: int, size: int, proof: Sequence[Hash]) -> Hash | None:
    """RFC 9162 2.1.3.2: the root the proof leads to, or None if it is malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            fn, sn = _shift_while_even(fn, sn)
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return result if sn == 0 else None


def verify_inclusion(leaf: Hash, index: int, size: int, proof: Sequence[Hash], root: Hash) -> bool:
    return root_from_inclusion(leaf, index, size, proof) == root


def verify_consistency(
    first: int, second: int, first_root: Hash, second_root: Hash, proof: Sequence[Hash]
) -> bool:
    """RFC 9162 2.1.4.2. A tree of size 0 is consistent with every tree."""
    if not 0 <= first <= second:
        return False
    if first == 0:
        return not proof
    if first == second:
        return not proof and first_root == second_root
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the old root is a node of the new tree
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for sibling in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(sibling, fr), node_hash(sibling, sr)
            fn, sn = _shift_while_even(fn, sn)
        else:
            sr = node_hash(sr, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


class CompactRange:
    """The right edge of a growing tree: at most log2(n) perfect subtree hashes.

    Appending is O(log n) and `root()` gives MTH of everything appended so far, so a
    verifier can stream millions of leaves and check a root at every checkpoint size.
    """

    def __init__(self) -> None:
        self.size = 0
        self.peaks: list[Hash] = []  # perfect subtrees, largest first

    def append(self, leaf: Hash) -> None:
        self.peaks.append(leaf)
        self.size += 1
        carry = self.size
        while not carry & 1:  # each trailing zero bit merges two equal subtrees
            right = self.peaks.pop()
            self.peaks[-1] = node_hash(self.peaks[-1], right)
            carry >>= 1

    def root(self) -> Hash:
        return fold(self.peaks) if self.peaks else EMPTY_ROOT
