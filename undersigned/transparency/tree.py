"""A petition's Merkle tree as stored: leaves from entries, big subtrees from Node rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from undersigned.transparency import merkle
from undersigned.transparency.models import Entry, Node

NODE_MIN_LEVEL = 8  # subtrees of 256 leaves and more are stored; smaller ones recomputed


class StoredTree:
    """Subtree hashes of one petition's tree, read with a couple of queries per proof."""

    def __init__(self, petition_id: int, size: int):
        self.petition_id, self.size = petition_id, size

    def root(self) -> bytes:
        return self.hashes([(0, self.size)])[0] if self.size else merkle.EMPTY_ROOT

    def inclusion_proof(self, index: int) -> list[bytes]:
        return self.hashes(merkle.inclusion_ranges(index, self.size))

    def consistency_proof(self, first: int) -> list[bytes]:
        return self.hashes(merkle.consistency_ranges(first, self.size))

    def hashes(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        """MTH of each range.

        1. Split every range into perfect subtrees.
        2. Read the stored ones (level >= NODE_MIN_LEVEL) in one query, and the leaves
           under the small ones in another.
        3. Hash the small ones from their leaves, then fold each range from the right.
        """
        pieces = [merkle.perfect_pieces(a, b) for a, b in ranges]
        flat = {piece for range_pieces in pieces for piece in range_pieces}
        stored = self._nodes(p for p in flat if p[0] >= NODE_MIN_LEVEL)
        small = [p for p in flat if p[0] < NODE_MIN_LEVEL]
        leaves = self.leaf_hashes(_spans(small))
        known = {**stored, **{p: _from_leaves(p, leaves) for p in small}}
        return [merkle.fold([known[p] for p in range_pieces]) for range_pieces in pieces]

    def _nodes(self, places: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = set(places)
        condition = Q()
        for level, index in wanted:
            condition |= Q(level=level, index=index)
        if not wanted:
            return {}
        rows = Node.objects.filter(condition, petition_id=self.petition_id)
        found = {
            (lv, i): bytes.fromhex(h) for lv, i, h in rows.values_list("level", "index", "hash")
        }
        if wanted - found.keys():
            missing = sorted(wanted - found.keys())
            raise LookupError(f"petition {self.petition_id}: nodes {missing} are not stored")
        return found

    def leaf_hashes(self, spans: list[tuple[int, int]]) -> dict[int, bytes]:
        condition = Q()
        for start, end in spans:
            condition |= Q(leaf_index__gte=start, leaf_index__lt=end)
        if not condition:
            return {}
        entries = Entry.objects.filter(condition, petition_id=self.petition_id).only(
            "kind", "time_ms", "commitment", "leaf_index"
        )
        return {entry.leaf_index: entry.leaf_hash for entry in entries}


def _spans(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The leaf ranges under small pieces, merged where they touch."""
    spans: list[tuple[int, int]] = []
    for level, index in sorted(pieces, key=lambda p: p[1] << p[0]):
        start, end = index << level, (index + 1) << level
        if spans and spans[-1][1] >= start:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _from_leaves(piece: tuple[int, int], leaves: dict[int, bytes]) -> bytes:
    level, index = piece
    start = index << level
    return merkle.root([leaves[i] for i in range(start, start + (1 << level))])


def new_nodes(
    petition_id: int, old_size: int, new_size: int, leaves: dict[int, bytes]
) -> list[Node]:
    """The perfect subtrees (level >= NODE_MIN_LEVEL) completed by growing to new_size.

    `leaves` holds the leaf hashes from the start of the last unfinished 256-leaf block.
    A level's new nodes are made from the level below: just made, or read from the table.
    """
    made: dict[tuple[int, int], bytes] = {}
    level = NODE_MIN_LEVEL
    while new_size >> level:
        first, last = old_size >> level, new_size >> level
        if first == last:
            break  # nothing completes at this level, so nothing above either
        for index in range(first, last):
            if level == NODE_MIN_LEVEL:
                made[(level, index)] = _from_leaves((level, index), leaves)
            else:
                children = [(level - 1, 2 * index), (level - 1, 2 * index + 1)]
                stored = StoredTree(petition_id, new_size)._nodes(
                    c for c in children if c not in made
                )
                left, right = ({**made, **stored}[c] for c in children)
                made[(level, index)] = merkle.node_hash(left, right)
        level += 1
    return [
        Node(petition_id=petition_id, level=lv, index=i, hash=h.hex())
        for (lv, i), h in made.items()
    ]
