"""Receipts name an entry by its number in its own petition's log, the number the log page
shows, with a code that names no database row; receipts e-mailed before still check."""

from __future__ import annotations

import hashlib
import re
import secrets

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition
from test_transparency_log import add_signers, confirm
from test_transparency_verify import site, verify  # noqa: F401 (site: a fixture)

from undersigned.accounts.models import User
from undersigned.signatures.actions import add_to_count
from undersigned.signatures.models import Signature
from undersigned.transparency import actions
from undersigned.transparency.models import Commitment, Entry
from undersigned.transparency.receipts import receipt_for


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def log_url(petition, query: str = "") -> str:
    return reverse("transparency:log", args=[petition.pk]) + (f"?{query}" if query else "")


def receipt_url(petition, entry, code: str) -> str:
    return reverse("transparency:receipt", args=[petition.pk]) + f"?entry={entry}&salt={code}"


def legacy_confirm(signature: Signature) -> str:
    """Confirm as the site did before 2026-12: a 16-byte salt the signature id follows.
    Returns that receipt's code."""
    salt = secrets.token_bytes(16)
    opening = salt + signature.pk.to_bytes(8, "big")
    now = timezone.now()
    with transaction.atomic():
        Signature.objects.filter(pk=signature.pk).update(confirmed_at=now, shard=0)
        add_to_count(signature.petition_id, 0, +1)
        entry = Entry.objects.create(
            petition_id=signature.petition_id, kind="confirmed", time_ms=actions.unix_ms(now),
            commitment=hashlib.sha256(opening).hexdigest(),
        )  # fmt: skip
        Commitment.objects.create(signature=signature, salt=salt.hex(), entry=entry)
    return opening.hex()


def test_an_emailed_receipt_gives_the_number_the_petitions_log_page_shows(
    client, petition, moderator, run_tasks
):
    # Another petition's log first, so that this petition's first entry is not the site's.
    other = make_petition(petition.creator, moderator, title="Another petition")
    for signature in add_signers(other, 3):
        confirm(signature)
    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    run_tasks()
    thanks = client.post(link_in_last_mail("confirm"))["Location"]
    mail.outbox.clear()
    client.post(thanks + "/receipt")
    run_tasks()  # the worker numbers the entry (no clock ran), then writes the receipt
    (letter,) = mail.outbox
    assert "It is entry number 1 of the petition’s public log" in letter.body
    code = re.search(r"^([0-9a-f]{48})$", letter.body, re.M).group(1)
    signature = Signature.objects.get(petition=petition)
    assert not code.endswith(signature.pk.to_bytes(8, "big").hex())  # no database id in it
    assert f"--receipt 1:{code}" in letter.body
    assert f"/petitions/{petition.pk}/log?entry=1#found" in letter.body

    page = client.get(log_url(petition, "entry=1")).content.decode()
    row = page.split('id="found"')[1].split("</tr>")[0]
    assert '<th scope="row" data-label="Entry">1</th>' in row
    assert hashlib.sha256(bytes.fromhex(code)).hexdigest() in row  # its fingerprint
    checked = client.get(receipt_url(petition, 1, code))
    assert checked.status_code == 200
    assert "Entry number 1 is in the log" in checked.content.decode()


def test_a_receipt_is_made_only_once_its_entry_has_a_number(petition):
    (signature,) = add_signers(petition, 1)
    confirm(signature)
    assert receipt_for(signature) is None  # not numbered yet: no number to give
    receipt = receipt_for(signature, sequence=True)  # the worker numbers it first
    assert receipt.number == 1 and len(receipt.secret) == 48


def test_the_log_page_lists_entries_fifty_at_a_time_newest_block_first(client, petition):
    for signature in add_signers(petition, 53):
        confirm(signature)
    actions.sequence_entries()
    newest = client.get(log_url(petition)).content.decode()
    assert "Entries 51 to 53 of 53" in newest and 'data-label="Entry">53<' in newest
    assert "?page=1#entries-heading" in newest and 'id="found"' not in newest
    first = client.get(log_url(petition, "page=1")).content.decode()
    assert "Entries 1 to 50 of 53" in first and "?page=2#entries-heading" in first
    found = client.get(log_url(petition, "entry=7")).content.decode()
    assert "Entries 1 to 50 of 53" in found
    assert 'id="found" class="log-entry-found"' in found.split('data-label="Entry">7<')[0]
    missing = client.get(log_url(petition, "entry=99")).content.decode()
    assert "There is no entry number 99 yet." in missing and "Entries 51 to 53" in missing
    assert client.get(log_url(petition, "entry=x&page=-2")).status_code == 200


def test_the_entries_json_gives_each_entry_its_number(client, petition):
    for signature in add_signers(petition, 2):
        confirm(signature)
    actions.sequence_entries()
    data = client.get(reverse("transparency:entries", args=[petition.pk])).json()
    assert [(e["index"], e["number"]) for e in data["entries"]] == [(0, 1), (1, 2)]


def test_a_receipt_from_before_still_checks_by_its_entry_id(client, petition):
    first, second = add_signers(petition, 2)
    confirm(first)
    code = legacy_confirm(second)
    actions.publish_checkpoint(petition.pk)
    entry = Entry.objects.get(commitment=hashlib.sha256(bytes.fromhex(code)).hexdigest())
    assert receipt_for(second).secret == code  # the site still gives the old code back
    page = client.get(receipt_url(petition, entry.pk, code))
    assert page.status_code == 200
    assert "Entry number 2 is in the log" in page.content.decode()  # told its number now
    assert client.get(receipt_url(petition, entry.pk, "ab" * 24)).status_code == 404
    assert client.get(receipt_url(petition, 1, code)).status_code == 404  # not entry 1's code


@pytest.mark.django_db(transaction=True)
def test_the_verifier_checks_a_receipt_by_number_and_an_older_one_by_entry_id(capsys, site):  # noqa: F811
    organizer = User.objects.create_user("org@example.org")
    petition = make_petition(organizer, User.objects.create_user("m@example.org", is_staff=True))
    signers = add_signers(petition, 3)
    confirm(signers[0])
    old_code = legacy_confirm(signers[1])
    confirm(signers[2])
    actions.publish_checkpoint(petition.pk)
    new = receipt_for(signers[2])
    assert new.number == 3
    code, out = verify(capsys, petition, site, "--receipt", str(new))
    assert code == 0 and "receipt: entry 3 is in the latest checkpoint" in out, out
    assert "receipt: leaf 2 proven included; the signature is counted" in out
    old_entry = Entry.objects.get(commitment=hashlib.sha256(bytes.fromhex(old_code)).hexdigest())
    code, out = verify(capsys, petition, site, "--receipt", f"{old_entry.pk}:{old_code}")
    assert code == 0 and "receipt: the code opens the entry" in out, out
    code, out = verify(capsys, petition, site, "--receipt", f"2:{old_code}")  # its number now
    assert code == 0 and "receipt: leaf 1 proven included" in out, out
    code, out = verify(capsys, petition, site, "--receipt", f"1:{new.secret}")
    assert code == 1 and "receipt: wrong code" in out
