"""A petition's public log of signature events, its Merkle tree and signed checkpoints.

See docs/transparency.md for the design and the formats.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from undersigned.petitions.models import Petition
from undersigned.transparency import merkle

LEAF_VERSION = "v1"


class Entry(models.Model):
    """One change to whether a signature counts.

    The request that makes the change inserts it, without a leaf index, in its own
    transaction; the sequencer numbers entries later. It names no signature: only a
    salted commitment, which nobody can link to a signer once the salt is erased.
    """

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed"
        WITHDRAWN = "withdrawn"
        INVALIDATED = "invalidated"
        REVERTED = "reverted"

    # No index of its own: (petition, leaf_index) below serves every query.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Milliseconds since 1970, exactly as in the leaf: the start of the entry's UTC day
    # (entries logged before that rule carry the moment itself, and still verify).
    time_ms = models.BigIntegerField()
    commitment = models.CharField(max_length=64)  # hex SHA-256(salt || signature id)
    leaf_index = models.BigIntegerField(null=True, blank=True)
    # The public ledger's change this entry belongs to (ledger.py): a bulk invalidation,
    # its reversal or a release. Empty for a person's own confirm or withdraw. Not in the
    # leaf: the ledger is checked against the log, it is not part of what is signed.
    change = models.ForeignKey(
        "transparency.CountChange", null=True, blank=True, on_delete=models.RESTRICT,
        related_name="entries", db_index=False,
    )  # fmt: skip

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["petition", "leaf_index"], name="one_entry_per_leaf")
        ]
        indexes = [
            models.Index(
                fields=["petition", "id"],
                condition=Q(leaf_index__isnull=True),
                name="entry_unsequenced",
            ),
            # Only the few entries of ledger changes: confirmations stay out of it.
            models.Index(
                fields=["change", "leaf_index"],
                condition=Q(change__isnull=False),
                name="entry_of_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on petition {self.petition_id} (leaf {self.leaf_index})"

    @property
    def leaf(self) -> bytes:
        """The leaf as hashed into the tree: "v1 <kind> <unix ms> <hex commitment>"."""
        return f"{LEAF_VERSION} {self.kind} {self.time_ms} {self.commitment}".encode()

    @property
    def leaf_hash(self) -> bytes:
        return merkle.leaf_hash(self.leaf)


class Commitment(models.Model):
    """The salt that ties a signature to its entries, and its "confirmed" entry for the
    receipt. Deleting this row (erasure) unlinks the entries for good; they stay valid.

    The salt is the receipt code itself (24 random bytes), or, in rows made before
    2026-12, 16 random bytes that the signature id followed (actions.opening)."""

    # By name: signatures writes to this log (it imports this app, never the reverse);
    # the key back to its row is kept so that deleting a signature deletes its salt.
    signature = models.OneToOneField(
        "signatures.Signature", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    salt = models.CharField(max_length=48)  # hex: 192 random bits (128 in older rows)
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"commitment of signature {self.signature_id}"


class LogHead(models.Model):
    """How far a petition's log is sequenced. Only the sequencer writes this row, and
    locking it is what keeps two sequencers from numbering the same entries."""

    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    tree_size = models.BigIntegerField(default=0)
    root_hash = models.CharField(max_length=64, default=merkle.EMPTY_ROOT.hex())
    count = models.BigIntegerField(default=0)  # implied by the first tree_size entries
    checkpoint_size = models.BigIntegerField(default=0)  # tree size of the latest checkpoint

    def __str__(self) -> str:
        return f"log of petition {self.petition_id}: {self.tree_size} entries"


class Node(models.Model):
    """The hash of a perfect subtree of 2**level leaves, for level >= NODE_MIN_LEVEL.

    Smaller subtrees are hashed from their leaves when needed (at most 255 of them), so a
    proof reads a few dozen rows however large the log grows.
    """

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "level", "index"], name="one_node_per_place"
            )
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.index} of petition {self.petition_id}"


class SigningKey(models.Model):
    """Every key that ever signed a checkpoint stays published, with when it was used."""

    verifier_key = models.CharField(max_length=200, unique=True)
    first_used_at = models.DateTimeField()
    last_used_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.verifier_key


class Checkpoint(models.Model):
    """A signed statement: this petition's log has tree_size entries with this root."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    tree_size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    count = models.BigIntegerField()
    created_at = models.DateTimeField()  # whole seconds, as signed
    note = models.TextField()  # the signed note, exactly as served
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "tree_size"], name="one_checkpoint_per_size"
            )
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} of petition {self.petition_id}"


class CountChange(models.Model):
    """A line of the petition's public ledger of changes to its count: every change
    other than a person's own confirm or withdraw (ledger.py writes it in the same
    transaction as the change; docs/transparency.md, "Changes to the count").

    Nothing here names a signer: a day, a number, a reason code and the criteria as
    codes that the page puts in words (ledger.criteria_words)."""

    class Kind(models.TextChoices):
        INVALIDATED = "invalidated", _("signatures found invalid")
        REINSTATED = "reinstated", _("an invalidation undone")
        RELEASED = "released", _("held signatures released")
        PAPER_ADDED = "paper-added", _("paper signatures added")
        PAPER_CHANGED = "paper-changed", _("paper signatures corrected")
        PAPER_REMOVED = "paper-removed", _("paper signatures removed")

    # Which count moves: the online one (confirmed signatures, in the log) or the paper
    # signatures shown beside it (never in the log: nobody confirmed them by e-mail).
    ONLINE = "online"
    PAPER = "paper"
    PAPER_KINDS = {Kind.PAPER_ADDED, Kind.PAPER_CHANGED, Kind.PAPER_REMOVED}

    # No index of its own: (petition, day) below serves every query.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The UTC day (lib/publictime.py): a moment could be matched with a signer's day.
    day = models.DateField()
    delta = models.BigIntegerField(default=0)  # how the count moved: -37, +12
    # The criteria in codes, never in values that could name someone: see ledger.py.
    criteria = models.JSONField(default=dict, blank=True)
    # What it is a change of ("invalidation:12", "revert:12"), so that the batches of
    # one invalidation add up in one line; never published.
    source = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)  # for operators, never published

    class Meta:
        ordering = ["day", "pk"]
        indexes = [models.Index(fields=["petition", "day"], name="count_change_by_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.delta:+d} on petition {self.petition_id} ({self.day})"

    @property
    def scope(self) -> str:
        return self.PAPER if self.kind in self.PAPER_KINDS else self.ONLINE
