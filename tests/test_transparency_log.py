"""The petition log: appending, sequencing, checkpoints, erasure, and the count it implies."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from support import SIGNER, link_in_last_mail, make_petition, run_queued_tasks

from undersigned.accounts.models import User
from undersigned.signatures import actions as signature_actions
from undersigned.signatures import invalidation
from undersigned.signatures.actions import add_to_count
from undersigned.signatures.models import CountShard, Signature
from undersigned.transparency import actions, keys, ledger, merkle, notes
from undersigned.transparency.models import Checkpoint, Commitment, Entry, LogHead, Node
from undersigned.transparency.tree import StoredTree


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # a fresh signing key per test


def add_signers(petition, n: int) -> list[Signature]:
    return Signature.objects.bulk_create(
        Signature(petition=petition, name=f"Signer {i}", email=f"s{i}@example.org",
                  email_normalized=f"s{i}@example.org", country="AM")
        for i in range(n)
    )  # fmt: skip


# The lead's actions make these changes; these do the same, with the count in step.


def confirm(signature: Signature, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(confirmed_at=now, shard=0)
        add_to_count(signature.petition_id, 0, +1)
        actions.append_event(signature, "confirmed", now)


def change(signature: Signature, kind: str, field: str, value, delta: int) -> None:
    with transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(**{field: value})
        add_to_count(signature.petition_id, 0, delta)
        # Found invalid or reinstated: a bulk change, so a line of the public ledger too
        # (as signatures/invalidation.py writes it; `undersigned verify` checks both).
        line = None
        if kind in {"invalidated", "reverted"}:
            ledger_kind = "invalidated" if kind == "invalidated" else "reinstated"
            line = ledger.record_change(signature.petition_id, ledger_kind, delta, timezone.now())
        actions.append_events(
            signature.petition_id, [signature.pk], kind, timezone.now(), line and line.pk
        )


def withdraw(signature: Signature) -> None:
    change(signature, "withdrawn", "withdrawn_at", timezone.now(), -1)
    actions.erase_commitment(signature)


def all_leaf_hashes(petition) -> list[bytes]:
    return [e.leaf_hash for e in Entry.objects.filter(petition=petition).order_by("leaf_index")]


def test_a_confirmation_appends_one_entry_with_only_a_salted_commitment(petition):
    (signature,) = add_signers(petition, 1)
    confirm(signature)
    entry = Entry.objects.get()
    salt = bytes.fromhex(Commitment.objects.get(signature_id=signature.pk).salt)
    # The salt is the whole opening: random, so a receipt code names no database row.
    assert len(salt) == 24 and entry.leaf_index is None
    assert entry.commitment == hashlib.sha256(salt).hexdigest()
    assert entry.leaf == f"v1 confirmed {entry.time_ms} {entry.commitment}".encode()


@pytest.mark.django_db(transaction=True)
def test_append_event_belongs_inside_the_transaction_that_changes_the_count(petition):
    (signature,) = add_signers(petition, 1)
    with pytest.raises(RuntimeError):
        actions.append_event(signature, "confirmed", timezone.now())
    with pytest.raises(ValueError), transaction.atomic():
        actions.append_event(signature, "counted", timezone.now())


def test_a_signature_cannot_be_logged_as_confirmed_twice_or_changed_after_erasure(petition):
    (signature,) = add_signers(petition, 1)
    confirm(signature)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (the database refuses)
        actions.append_event(signature, "confirmed", timezone.now())
    withdraw(signature)
    with pytest.raises(ValueError), transaction.atomic():
        actions.append_event(signature, "invalidated", timezone.now())


def test_bulk_changes_log_one_entry_per_signature(petition):
    signers = add_signers(petition, 4)
    now = timezone.now()
    with transaction.atomic():
        actions.append_events(petition.pk, [s.pk for s in reversed(signers)], "confirmed", now)
    with transaction.atomic():
        actions.append_events(petition.pk, [signers[1].pk, signers[2].pk], "invalidated", now)
    entries = list(Entry.objects.order_by("id").values_list("kind", "commitment"))
    assert [kind for kind, _c in entries] == ["confirmed"] * 4 + ["invalidated"] * 2
    assert entries[4][1] == entries[1][1] and entries[5][1] == entries[2][1]  # id order
    assert Commitment.objects.count() == 4
    with pytest.raises(ValueError), transaction.atomic():
        actions.append_events(petition.pk, [signers[0].pk, 10**9], "withdrawn", now)


def test_the_sequencer_numbers_entries_in_order_and_stores_big_subtrees(petition, monkeypatch):
    monkeypatch.setattr(actions, "SEQUENCE_BATCH", 97)  # batches that straddle subtrees
    signers = add_signers(petition, 600)
    for signature in signers:
        confirm(signature)
    assert actions.sequence_entries() == 600
    indices = list(Entry.objects.order_by("id").values_list("leaf_index", flat=True))
    assert indices == list(range(600))
    head = LogHead.objects.get(petition=petition)
    leaves = all_leaf_hashes(petition)
    assert head.tree_size == 600 and head.count == 600
    assert head.root_hash == merkle.root(leaves).hex()
    assert sorted(Node.objects.values_list("level", "index")) == [(8, 0), (8, 1), (9, 0)]
    assert actions.sequence_entries() == 0


def test_stored_proofs_equal_proofs_from_all_leaves(petition):
    for signature in add_signers(petition, 530):
        confirm(signature)
    actions.sequence_entries()
    leaves = all_leaf_hashes(petition)
    in_memory = merkle.memory_subtree(leaves)
    for size in (1, 255, 256, 257, 511, 512, 530):
        tree = StoredTree(petition.pk, size)
        assert tree.root() == merkle.root(leaves[:size])
        for index in {0, size // 2, size - 1}:
            assert tree.inclusion_proof(index) == merkle.inclusion_proof(index, size, in_memory)
        for first in {1, size // 3, size - 1}:
            assert tree.consistency_proof(first) == merkle.consistency_proof(first, size, in_memory)


def test_a_checkpoint_is_signed_when_the_log_grows_and_only_then(petition):
    signers = add_signers(petition, 3)
    for signature in signers:
        confirm(signature)
    withdraw(signers[0])
    checkpoint = actions.publish_checkpoint(petition.pk)
    assert (checkpoint.tree_size, checkpoint.count) == (4, 2)
    body, _key = notes.open_note(checkpoint.note, [keys.current_verifier_key()])
    statement = notes.parse_checkpoint(body)
    assert statement.origin == f"testserver/petitions/{petition.pk}"
    assert statement.root_hash.hex() == merkle.root(all_leaf_hashes(petition)).hex()
    assert actions.publish_checkpoint(petition.pk) is None
    change(signers[1], "invalidated", "invalidated_at", timezone.now(), -1)
    assert actions.publish_checkpoints() == 1
    assert list(Checkpoint.objects.values_list("tree_size", "count")) == [(4, 2), (5, 1)]


def test_the_worker_clock_tasks_sequence_and_sign(petition):
    from undersigned.transparency import tasks

    for signature in add_signers(petition, 2):
        confirm(signature)
    tasks.sequence_entries.enqueue()
    run_queued_tasks()
    assert LogHead.objects.get(petition=petition).tree_size == 2
    tasks.publish_checkpoint.enqueue(petition.pk)
    run_queued_tasks()
    assert Checkpoint.objects.get().count == 2


def test_erasure_forgets_the_salt_but_the_entries_stay_valid(petition):
    (signature,) = add_signers(petition, 1)
    confirm(signature)
    withdraw(signature)
    assert not Commitment.objects.exists()
    kinds = list(Entry.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["confirmed", "withdrawn"]
    checkpoint = actions.publish_checkpoint(petition.pk)
    assert checkpoint.count == 0
    assert checkpoint.root_hash == merkle.root(all_leaf_hashes(petition)).hex()


EVENTS = st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["confirm", "withdraw",
                  "invalidate", "revert", "sequence"])), max_size=30)  # fmt: skip


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=EVENTS)
def test_the_log_implies_exactly_the_counted_signatures(petition, events):
    """Random confirmations, withdrawals, invalidations and reverts, sequenced at random
    moments: the count the log implies is always the count of the rows."""
    with transaction.atomic():
        signers = add_signers(petition, 5)
        for number, event in events:
            apply(Signature.objects.get(pk=signers[number].pk), event)
        actions.publish_checkpoint(petition.pk)
        counted = Signature.objects.filter(petition=petition).counted().count()
        head = LogHead.objects.filter(petition=petition).first()
        assert (head.count if head else 0) == counted == CountShard.total(petition.pk)
        transaction.set_rollback(True)


def apply(signature: Signature, event: str) -> None:
    if event == "sequence":
        actions.sequence_entries()
    elif event == "confirm" and not signature.confirmed_at:
        confirm(signature)
    elif event == "withdraw" and signature.is_counted:
        withdraw(signature)
    elif event == "invalidate" and signature.is_counted:
        change(signature, "invalidated", "invalidated_at", timezone.now(), -1)
    elif event == "revert" and signature.invalidated_at and not signature.withdrawn_at:
        change(signature, "reverted", "invalidated_at", None, +1)


@pytest.mark.django_db(transaction=True)
def test_parallel_appends_make_one_entry_each_and_distinct_leaves():
    organizer = User.objects.create_user("org@example.org")
    petition = make_petition(organizer, User.objects.create_user("m@example.org", is_staff=True))
    signers = add_signers(petition, 12)
    barrier = threading.Barrier(14)
    errors: list[Exception] = []

    def work(i: int) -> None:
        barrier.wait()
        try:
            confirm(signers[i]) if i < 12 else actions.sequence_entries()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(14)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    actions.publish_checkpoint(petition.pk)
    assert Entry.objects.count() == 12
    assert sorted(Entry.objects.values_list("leaf_index", flat=True)) == list(range(12))
    assert Checkpoint.objects.get().count == 12 == CountShard.total(petition.pk)


def test_a_key_is_made_once_readable_by_its_owner_only(settings, tmp_path):
    first = keys.current_verifier_key()
    path = tmp_path / keys.KEY_FILE
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert keys.current_verifier_key() == first


def test_a_configured_key_wins_and_a_bad_one_stops_the_site(settings):
    settings.TRANSPARENCY_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    assert str(keys.current_verifier_key()).startswith("testserver+")
    settings.TRANSPARENCY_KEY = "not a key"
    with pytest.raises(ImproperlyConfigured):
        keys.private_key()


def test_signing_confirming_and_withdrawing_on_the_site_is_logged(client, petition):
    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    run_queued_tasks()
    client.post(link_in_last_mail("confirm"))
    assert list(Entry.objects.values_list("kind", flat=True)) == ["confirmed"]
    signature = Signature.objects.get()
    Client().post(reverse("signatures:withdraw", args=[signature.withdraw_key()]))
    assert sorted(Entry.objects.values_list("kind", flat=True)) == ["confirmed", "withdrawn"]
    assert not Commitment.objects.exists()
    assert actions.publish_checkpoint(petition.pk).count == 0


def test_holds_invalidations_and_reverts_keep_the_log_in_step(petition, moderator):
    signers = add_signers(petition, 6)
    Signature.objects.filter(pk__in=[s.pk for s in signers[4:]]).update(held_reason="test-hold")
    for signature in Signature.objects.filter(petition=petition):
        secret = signature.new_token(timezone.now()).partition(".")[2]
        signature.save(update_fields=["token_hash", "token_created_at"])
        signature_actions.confirm_signature(signature, secret)
    signature_actions.withdraw_signature(signers[0])
    started = invalidation.start_invalidation(petition, {"country": "AM"}, "test", moderator)
    run_queued_tasks()
    assert actions.publish_checkpoint(petition.pk).count == 0
    invalidation.revert_invalidation(started, moderator)
    invalidation.release_held(petition)
    counted = Signature.objects.filter(petition=petition).counted().count()
    assert actions.publish_checkpoint(petition.pk).count == counted == 5
    assert CountShard.total(petition.pk) == counted
