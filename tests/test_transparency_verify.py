"""`undersigned verify` against a live site: an honest log passes; every kind of tampering
with entries or checkpoints fails it."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db.models import F
from django.utils import timezone
from support import make_petition
from test_transparency_log import add_signers, change, confirm, withdraw

from undersigned import cli
from undersigned.accounts.models import User
from undersigned.transparency import actions, keys, notes
from undersigned.transparency.models import Checkpoint, CountChange, Entry, LogHead, Node
from undersigned.transparency.receipts import receipt_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, settings, tmp_path) -> str:
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = live_server.url  # checkpoints name the host the verifier reads
    return live_server.url


@pytest.fixture
def logged(site):
    """A petition whose log has 9 entries over three checkpoints (4, 6, 9); 3 signatures count."""
    organizer = User.objects.create_user("org@example.org")
    petition = make_petition(organizer, User.objects.create_user("m@example.org", is_staff=True))
    signers = add_signers(petition, 5)
    for signature in signers[:4]:
        confirm(signature)
    actions.publish_checkpoint(petition.pk)
    withdraw(signers[0])
    change(signers[1], "invalidated", "invalidated_at", timezone.now(), -1)
    actions.publish_checkpoint(petition.pk)
    change(signers[1], "reverted", "invalidated_at", None, +1)
    confirm(signers[4])
    change(signers[2], "invalidated", "invalidated_at", timezone.now(), -1)
    actions.publish_checkpoint(petition.pk)
    petition.signers = signers
    return petition


def verify(capsys, petition, site, *options) -> tuple[int, str]:
    code = cli.main(["verify", f"{site}/petitions/{petition.pk}/log", *options])
    return code, capsys.readouterr().out


def test_an_honest_log_verifies(capsys, logged, site):
    code, out = verify(capsys, logged, site)
    assert code == 0, out
    assert "3 checkpoints" in out and "VERDICT: OK — 3 signatures" in out
    assert "consistency proofs checked between 2 pairs" in out


def test_a_receipt_proves_inclusion_and_a_wrong_code_fails(capsys, logged, site):
    receipt = receipt_for(logged.signers[3])
    code, out = verify(capsys, logged, site, "--receipt", str(receipt))
    assert code == 0 and "proven included; the signature is counted" in out
    wrong = f"{receipt.number}:{'0' * 48}"
    code, out = verify(capsys, logged, site, "--receipt", wrong)
    assert code == 1 and "receipt: wrong code" in out


def test_changing_an_entry_fails(capsys, logged, site):
    Entry.objects.filter(petition=logged, leaf_index=2).update(time_ms=F("time_ms") + 1)
    code, out = verify(capsys, logged, site)
    assert code == 1 and "do not hash to the roots" in out


def test_removing_an_entry_fails(capsys, logged, site):
    Entry.objects.filter(petition=logged, leaf_index=4).delete()
    for index in range(5, 9):
        Entry.objects.filter(petition=logged, leaf_index=index).update(leaf_index=index - 1)
    code, out = verify(capsys, logged, site)
    assert code == 1 and "8 entries served, the checkpoint has 9" in out and "FAILED" in out


def test_reordering_entries_fails(capsys, logged, site):
    entries = Entry.objects.filter(petition=logged)
    entries.filter(leaf_index=5).update(leaf_index=-1)
    entries.filter(leaf_index=6).update(leaf_index=5)
    entries.filter(leaf_index=-1).update(leaf_index=6)
    code, out = verify(capsys, logged, site)
    assert code == 1 and "do not hash to the roots" in out


def test_altering_a_checkpoint_fails(capsys, logged, site):
    checkpoint = Checkpoint.objects.get(petition=logged, tree_size=9)
    checkpoint.note = checkpoint.note.replace("count=3 ", "count=4 ")
    checkpoint.save()
    code, out = verify(capsys, logged, site)
    assert code == 1 and "does not verify" in out


def test_a_checkpoint_signed_by_another_key_fails(capsys, logged, site):
    checkpoint = Checkpoint.objects.get(petition=logged, tree_size=9)
    body = checkpoint.note.partition("\n\n")[0] + "\n"
    checkpoint.note = notes.sign(body, keys.key_name(), Ed25519PrivateKey.generate())
    checkpoint.save()
    code, out = verify(capsys, logged, site)
    assert code == 1 and "not signed by a known key" in out


def test_a_pinned_key_must_have_signed_the_checkpoints(capsys, logged, site):
    good = str(keys.current_verifier_key())
    assert verify(capsys, logged, site, "--key", good)[0] == 0
    other = str(notes.verifier_key(keys.key_name(), Ed25519PrivateKey.generate()))
    code, out = verify(capsys, logged, site, "--key", other)
    assert code == 1 and "not signed by a known key" in out


def test_a_rewritten_history_fails_against_a_checkpoint_saved_earlier(
    capsys, logged, site, tmp_path
):
    saved = tmp_path / "checkpoint.txt"
    assert verify(capsys, logged, site, "--save", str(saved))[0] == 0
    # The operator rebuilds the whole log without one entry and signs it all again, with a
    # line of the ledger of changes for the entry it turned into an invalidation.
    forged = CountChange.objects.create(
        petition=logged, kind="invalidated", day=timezone.now().date(), delta=-1
    )
    Entry.objects.filter(petition=logged, kind="withdrawn").update(
        kind="invalidated", change=forged
    )
    Checkpoint.objects.filter(petition=logged).delete()
    Node.objects.filter(petition=logged).delete()
    LogHead.objects.filter(petition=logged).delete()
    Entry.objects.filter(petition=logged).update(leaf_index=None)
    actions.publish_checkpoint(logged.pk)
    assert verify(capsys, logged, site)[0] == 0  # consistent with itself...
    code, out = verify(capsys, logged, site, "--since", str(saved))
    assert code == 1 and "is NOT part of this log" in out  # ...but not with what was seen


def test_a_log_without_checkpoints_has_nothing_to_verify(capsys, site):
    petition = make_petition(User.objects.create_user("org@example.org"))
    code, out = verify(capsys, petition, site)
    assert code == 0 and "NOTHING TO VERIFY YET" in out


def test_an_unreadable_site_or_a_bad_address_is_not_a_verdict(capsys, site):
    assert cli.main(["verify", "ftp://example.org/petitions/1"]) == 2
    assert cli.main(["verify", f"{site}/petitions/999999/log"]) == 2
    assert "Could not read the log" in capsys.readouterr().err


def test_the_verifier_needs_no_django():
    import subprocess
    import sys

    code = "import sys, undersigned.cli; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0  # noqa: S603
