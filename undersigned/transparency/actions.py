"""Writes to the petition logs: append an event, erase a commitment, sequence, sign.

append_event() runs inside the request's transaction and only INSERTs, so a surge of
confirmations never queues on a shared row. The sequencer (a periodic task) numbers
the entries afterwards under a per-petition lock that nothing else takes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from undersigned.lib.publictime import day_of
from undersigned.transparency import keys, notes
from undersigned.transparency.models import Checkpoint, Commitment, Entry, LogHead, Node, SigningKey
from undersigned.transparency.tree import NODE_MIN_LEVEL, StoredTree, new_nodes

# How each kind of entry moves the count the log implies.
COUNT_CHANGE = {
    Entry.Kind.CONFIRMED: +1,
    Entry.Kind.WITHDRAWN: -1,
    Entry.Kind.INVALIDATED: -1,
    Entry.Kind.REVERTED: +1,
}
SEQUENCE_BATCH = 5000  # entries numbered per transaction: short locks on SQLite too
OPENING_BYTES = 24  # a receipt code: 48 hex digits, random, naming no row
LEGACY_SALT_BYTES = 16  # before 2026-12: the opening was this salt and the signature id
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Signed(Protocol):
    """A signature as the log sees it: its id and its petition's. signatures passes its
    Signature rows; the log needs nothing else of them, and does not import that app
    (signatures writes to the log, not the other way round)."""

    pk: int
    petition_id: int


def opening(salt: bytes, signature_id: int) -> bytes:
    """What the commitment hashes, and what a signer's receipt code writes out, so anyone
    can check the commitment offline.

    Now the stored salt is the whole opening: 24 random bytes. A receipt is handed to its
    signer and may be shown around, so it must not carry a database id. Salts stored
    before were 16 bytes followed by the signature id (8 bytes, big-endian); those
    entries are in signed checkpoints and keep their commitments, and their receipts
    verify as before.
    """
    if len(salt) == LEGACY_SALT_BYTES:
        return salt + signature_id.to_bytes(8, "big")
    return salt


def commitment_of(salt: bytes, signature_id: int) -> str:
    return hashlib.sha256(opening(salt, signature_id)).hexdigest()


def append_event(signature: Signed, kind: str, now: datetime) -> None:
    """Log a change to whether `signature` counts. Call it inside the transaction that
    moves the count, after the signature's row is locked (its conditional UPDATE or
    select_for_update), so one signature's entries are logged in the order they happened.

    - "confirmed": it counts for the first time (confirmed, or released from a hold);
    - "withdrawn", "invalidated": it stops counting;
    - "reverted": it counts again, its invalidation undone.
    """
    append_events(signature.petition_id, [signature.pk], kind, now)


def append_events(
    petition_id: int,
    signature_ids: list[int],
    kind: str,
    now: datetime,
    change_id: int | None = None,
) -> None:
    """append_event() for many signatures of one petition in two queries (bulk
    invalidations, reverts, releases). Entries are logged in signature id order, and
    belong to the public ledger's line `change_id` when given (ledger.py).

    A "confirmed" entry makes the signature's salt (and the primary key refuses a second
    one); the other kinds reuse it and fail once it is erased: an erased signature has
    nothing left to change.
    """
    if kind not in COUNT_CHANGE:
        raise ValueError(f"not a kind of log entry: {kind!r}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("append_event() belongs inside the transaction that moves the count")
    ids = sorted(signature_ids)
    if kind == Entry.Kind.CONFIRMED:
        salts = {pk: secrets.token_bytes(OPENING_BYTES) for pk in ids}
    else:
        held = Commitment.objects.filter(signature_id__in=ids).values_list("signature_id", "salt")
        salts = {pk: bytes.fromhex(salt) for pk, salt in held}
        if missing := set(ids) - salts.keys():
            raise ValueError(f"signatures {sorted(missing)} have no commitment: never counted")
    # The UTC day, not the moment: public signers show only their day too, and a time in
    # common to the millisecond would tell which entry, and which later withdrawal, is
    # whose (lib/publictime.py). Older entries keep the milliseconds they were signed with.
    time_ms = unix_ms(day_of(now))
    entries = Entry.objects.bulk_create(
        Entry(petition_id=petition_id, kind=kind, time_ms=time_ms,
              commitment=commitment_of(salts[pk], pk), change_id=change_id)
        for pk in ids
    )  # fmt: skip
    if kind == Entry.Kind.CONFIRMED:
        Commitment.objects.bulk_create(
            Commitment(signature_id=pk, salt=salts[pk].hex(), entry=entry)
            for pk, entry in zip(ids, entries, strict=True)
        )


def erase_commitment(signature: Signed) -> bool:
    """Forget the salt: the signature's entries stay in the tree, linked to no one."""
    return Commitment.objects.filter(signature_id=signature.pk).delete()[0] > 0


def unix_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)


def sequence_petition(petition_id: int) -> int:
    """Give leaf indices to a petition's waiting entries; return how many were numbered.

    1. Lock the petition's LogHead (made on first use): the lock only sequencers take.
    2. Read up to SEQUENCE_BATCH committed entries without an index, oldest id first.
       An entry whose transaction commits later is numbered later: no gaps, no reuse.
    3. Number them after tree_size, store the big subtrees they complete, and save
       the new size, root and implied count on the head.
    """
    LogHead.objects.bulk_create([LogHead(petition_id=petition_id)], ignore_conflicts=True)
    with transaction.atomic():
        head = LogHead.objects.select_for_update().get(petition_id=petition_id)
        waiting = Entry.objects.filter(petition_id=petition_id, leaf_index__isnull=True)
        batch = list(waiting.order_by("id")[:SEQUENCE_BATCH])
        if not batch:
            return 0
        old_size, new_size = head.tree_size, head.tree_size + len(batch)
        for offset, entry in enumerate(batch):
            entry.leaf_index = old_size + offset
        _number(batch)
        block_start = (old_size >> NODE_MIN_LEVEL) << NODE_MIN_LEVEL
        tree = StoredTree(petition_id, new_size)
        leaves = tree.leaf_hashes([(block_start, old_size)] if block_start < old_size else [])
        leaves.update((entry.leaf_index, entry.leaf_hash) for entry in batch)
        Node.objects.bulk_create(new_nodes(petition_id, old_size, new_size, leaves))
        head.tree_size = new_size
        head.count += sum(COUNT_CHANGE[entry.kind] for entry in batch)
        head.root_hash = tree.root().hex()
        head.save()
    return len(batch)


def _number(batch: list[Entry]) -> None:
    """Store the leaf indices: one plain UPDATE per entry, sent as a batch, is many times
    faster than bulk_update's CASE expression over thousands of rows."""
    table = connection.ops.quote_name(Entry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET leaf_index = %s WHERE id = %s",  # noqa: S608 (our table name)
            [(entry.leaf_index, entry.pk) for entry in batch],
        )


def sequence_entries() -> int:
    """Sequence every petition with waiting entries (the clock runs this every few seconds)."""
    waiting = Entry.objects.filter(leaf_index__isnull=True).values_list("petition_id", flat=True)
    total = 0
    for petition_id in sorted(set(waiting)):
        while numbered := sequence_petition(petition_id):
            total += numbered
            if numbered < SEQUENCE_BATCH:
                break
    return total


def publish_checkpoint(petition_id: int, now: datetime | None = None) -> Checkpoint | None:
    """Sequence the petition's log and sign a checkpoint if it grew since the last one."""
    while sequence_petition(petition_id) == SEQUENCE_BATCH:
        pass
    with transaction.atomic():
        head = LogHead.objects.select_for_update().filter(petition_id=petition_id).first()
        if head is None or head.tree_size == head.checkpoint_size:
            return None
        checkpoint = _sign(head, _signing_time(petition_id, now or timezone.now()))
        head.checkpoint_size = head.tree_size
        head.save(update_fields=["checkpoint_size"])
    return checkpoint


def publish_checkpoints(now: datetime | None = None) -> int:
    """A checkpoint for every petition whose log grew (the clock runs this)."""
    sequence_entries()
    grown = LogHead.objects.filter(tree_size__gt=F("checkpoint_size"))
    petition_ids = list(grown.values_list("petition_id", flat=True))
    return sum(publish_checkpoint(petition_id, now) is not None for petition_id in petition_ids)


def _signing_time(petition_id: int, now: datetime) -> datetime:
    """Whole seconds, as signed, and never before the previous checkpoint's: a clock
    stepping back must not make the history look out of order."""
    previous = (
        Checkpoint.objects.filter(petition_id=petition_id)
        .order_by("-tree_size")
        .values_list("created_at", flat=True)
        .first()
    )
    now = now.replace(microsecond=0)
    return max(now, previous) if previous else now


def _sign(head: LogHead, now: datetime) -> Checkpoint:
    private_key = keys.private_key()
    verifier_key = notes.verifier_key(keys.key_name(), private_key)
    statement = notes.Checkpoint(
        keys.origin(head.petition_id),
        head.tree_size,
        bytes.fromhex(head.root_hash),
        head.count,
        now,
    )
    key, made = SigningKey.objects.get_or_create(
        verifier_key=str(verifier_key), defaults={"first_used_at": now, "last_used_at": now}
    )
    if not made:
        SigningKey.objects.filter(pk=key.pk, last_used_at__lt=now).update(last_used_at=now)
    return Checkpoint.objects.create(
        petition_id=head.petition_id,
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        count=head.count,
        created_at=now,
        note=notes.sign(statement.body(), verifier_key.name, private_key),
        key=key,
    )
