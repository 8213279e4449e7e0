"""The Merkle tree against RFC 6962/9162 known answers and an independent reference, and
the signed-note format."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from undersigned.transparency import merkle, notes

# The 8-leaf tree of RFC 6962's reference tests (certificate-transparency-go).
LEAVES = [
    b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70)),
]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]
SUBTREE = merkle.memory_subtree(HASHES)


def reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 2.1.1 word for word, recursive, independent of the module under test."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


def test_the_empty_tree_hashes_the_empty_string():
    assert merkle.root([]).hex() == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("size", range(1, 9))
def test_it_computes_the_rfc_roots_for_every_size(size):
    assert merkle.root(HASHES[:size]).hex() == ROOTS[size - 1]
    assert reference_mth(LEAVES[:size]).hex() == ROOTS[size - 1]
    compact = merkle.CompactRange()
    for leaf in HASHES[:size]:
        compact.append(leaf)
    assert compact.root().hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_it_makes_and_checks_the_rfc_inclusion_proofs(index, size, proof):
    made = merkle.inclusion_proof(index, size, SUBTREE)
    assert [h.hex() for h in made] == proof
    root = bytes.fromhex(ROOTS[size - 1])
    assert merkle.verify_inclusion(HASHES[index], index, size, made, root)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_it_makes_and_checks_the_rfc_consistency_proofs(first, second, proof):
    made = merkle.consistency_proof(first, second, SUBTREE)
    assert [h.hex() for h in made] == proof
    first_root, second_root = (bytes.fromhex(ROOTS[n - 1]) for n in (first, second))
    assert merkle.verify_consistency(first, second, first_root, second_root, made)


def test_every_leaf_of_the_rfc_tree_is_included_at_every_size():
    for size in range(1, 9):
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, SUBTREE)
            root = bytes.fromhex(ROOTS[size - 1])
            assert merkle.verify_inclusion(HASHES[index], index, size, proof, root)
            other_root = hashlib.sha256(b"another tree").digest()
            assert not merkle.verify_inclusion(HASHES[index], index, size, proof, other_root)


@given(st.lists(st.binary(max_size=4), min_size=1, max_size=70), st.data())
def test_proofs_agree_with_the_reference_on_random_trees(leaves, data):
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    size = len(leaves)
    root = reference_mth(leaves)
    assert merkle.root(hashes) == root
    index = data.draw(st.integers(0, size - 1))
    proof = merkle.inclusion_proof(index, size, merkle.memory_subtree(hashes))
    assert merkle.verify_inclusion(hashes[index], index, size, proof, root)
    first = data.draw(st.integers(0, size))
    old_root = reference_mth(leaves[:first])
    consistency = merkle.consistency_proof(first, size, merkle.memory_subtree(hashes))
    assert merkle.verify_consistency(first, size, old_root, root, consistency)


@given(st.integers(3, 40), st.data())
def test_a_tampered_proof_never_verifies(size, data):
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(size)]
    root, subtree = merkle.root(hashes), merkle.memory_subtree(hashes)
    index = data.draw(st.integers(1, size - 1))
    proof = merkle.inclusion_proof(index, size, subtree)
    assert not merkle.verify_inclusion(hashes[index - 1], index, size, proof, root)
    if proof:
        position = data.draw(st.integers(0, len(proof) - 1))
        proof[position] = hashlib.sha256(proof[position]).digest()
        assert not merkle.verify_inclusion(hashes[index], index, size, proof, root)
    first = data.draw(st.integers(1, size - 1))
    forked = merkle.root([*hashes[: first - 1], merkle.leaf_hash(b"forged")])
    consistency = merkle.consistency_proof(first, size, subtree)
    assert not merkle.verify_consistency(first, size, forked, root, consistency)


def test_perfect_pieces_cover_a_range_with_aligned_subtrees():
    assert merkle.perfect_pieces(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.perfect_pieces(8, 13) == [(2, 2), (0, 12)]
    assert merkle.perfect_pieces(0, 1) == [(0, 0)]


def test_it_refuses_proofs_outside_the_tree():
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_ranges(8, 8)
    with pytest.raises(merkle.ProofError):
        merkle.consistency_ranges(5, 4)


# Signed notes.

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
CHECKPOINT = notes.Checkpoint(
    "petitions.example.org/petitions/7", 8, bytes.fromhex(ROOTS[7]), 5,
    datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
)  # fmt: skip


def test_a_checkpoint_note_reads_back_after_signing():
    note = notes.sign(CHECKPOINT.body(), "petitions.example.org", KEY)
    assert note.startswith(
        "petitions.example.org/petitions/7\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
        "count=5 time=2025-06-01T12:00:00Z\n\n— petitions.example.org "
    )
    key = notes.verifier_key("petitions.example.org", KEY)
    body, signer = notes.open_note(note, [notes.parse_verifier_key(str(key))])
    assert signer == key and notes.parse_checkpoint(body) == CHECKPOINT


def test_the_key_hash_follows_the_signed_note_spec():
    key = notes.verifier_key("example.org", KEY)
    expected = hashlib.sha256(b"example.org\n\x01" + key.public_key).digest()[:4]
    assert key.key_hash == expected
    encoded = base64.b64encode(b"\x01" + key.public_key).decode()
    assert str(key) == f"example.org+{expected.hex()}+{encoded}"


def test_a_note_changed_or_signed_by_another_key_is_refused():
    note = notes.sign(CHECKPOINT.body(), "petitions.example.org", KEY)
    trusted = [notes.verifier_key("petitions.example.org", KEY)]
    with pytest.raises(notes.NoteError):
        notes.open_note(note.replace("count=5", "count=6"), trusted)
    other = notes.sign(CHECKPOINT.body(), "petitions.example.org", Ed25519PrivateKey.generate())
    with pytest.raises(notes.NoteError):
        notes.open_note(other, trusted)
    with pytest.raises(notes.NoteError):
        notes.open_note(CHECKPOINT.body(), trusted)


@pytest.mark.parametrize(
    "key",
    ["", "name+00000000+AAAA", "a b+00+AQ==", "example.org+deadbeef+" + "A" * 44],
)
def test_a_malformed_verifier_key_is_refused(key):
    with pytest.raises(notes.NoteError):
        notes.parse_verifier_key(key)
