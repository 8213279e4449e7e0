"""The public log's pages and JSON: correct proofs, one error shape, no personal data."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from support import SIGNER, make_petition
from test_transparency_log import add_signers, confirm, withdraw

from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature
from undersigned.transparency import actions, merkle, notes
from undersigned.transparency.models import Entry
from undersigned.transparency.receipts import receipt_for


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def logged(petition):
    """Six confirmations and one withdrawal, checkpointed; then one more, not yet."""
    signers = add_signers(petition, 7)
    for signature in signers[:6]:
        confirm(signature)
    withdraw(signers[0])
    actions.publish_checkpoint(petition.pk)
    confirm(signers[6])
    actions.sequence_entries()
    petition.signers = signers
    return petition


def url(name: str, petition: Petition, query: str = "") -> str:
    return reverse(f"transparency:{name}", args=[petition.pk]) + (f"?{query}" if query else "")


def leaf_hashes(petition) -> list[bytes]:
    return [e.leaf_hash for e in Entry.objects.filter(petition=petition).order_by("leaf_index")]


def test_the_latest_checkpoint_is_served_with_its_signed_note(client, logged):
    response = client.get(url("checkpoint", logged))
    data = response.json()
    assert (data["tree_size"], data["count"]) == (7, 5)
    assert data["root_hash"] == merkle.root(leaf_hashes(logged)[:7]).hex()
    assert data["note"].startswith(f"testserver/petitions/{logged.pk}\n7\n")
    assert notes.parse_verifier_key(data["key"])
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=10" in response["Cache-Control"]


def test_entries_are_served_by_range_and_fixed_pages_cache_for_long(client, logged):
    data = client.get(url("entries", logged, "start=2&end=5")).json()
    assert [e["index"] for e in data["entries"]] == [2, 3, 4]
    assert data["tree_size"] == 8
    first = data["entries"][0]
    assert first["leaf"] == f"v1 confirmed {first['time_ms']} {first['commitment']}"
    assert "max-age=86400" in client.get(url("entries", logged, "start=2&end=5"))["Cache-Control"]
    everything = client.get(url("entries", logged)).json()
    assert len(everything["entries"]) == 8 and everything["end"] == 8


def test_proofs_verify_against_the_roots(client, logged):
    hashes = leaf_hashes(logged)
    root = merkle.root(hashes[:7])
    data = client.get(url("inclusion", logged, "index=3")).json()
    proof = [bytes.fromhex(h) for h in data["proof"]]
    assert data["tree_size"] == 7 and data["leaf_hash"] == hashes[3].hex()
    assert merkle.verify_inclusion(hashes[3], 3, 7, proof, root)
    data = client.get(url("consistency", logged, "first=3&second=8")).json()
    proof = [bytes.fromhex(h) for h in data["proof"]]
    assert merkle.verify_consistency(3, 8, merkle.root(hashes[:3]), merkle.root(hashes), proof)


def test_the_history_lists_checkpoints_oldest_first(client, logged):
    actions.publish_checkpoint(logged.pk)
    data = client.get(url("checkpoints", logged)).json()
    assert [c["tree_size"] for c in data["checkpoints"]] == [7, 8] and data["next"] is None
    assert client.get(url("checkpoints", logged, "after=7")).json()["checkpoints"][0]["count"] == 6


@pytest.mark.parametrize(
    ("name", "query", "status", "code"),
    [
        ("entries", "start=-1", 400, "bad_parameter"),
        ("entries", "start=abc", 400, "bad_parameter"),
        ("entries", "start=5&end=2", 400, "bad_range"),
        ("entries", "start=0&end=1001", 400, "bad_range"),
        ("entries", "start=99", 400, "beyond_log"),
        ("entries", "start=99999999999999999999999", 400, "bad_parameter"),
        ("inclusion", "", 400, "bad_parameter"),
        ("inclusion", "index=7", 400, "beyond_tree"),
        ("inclusion", "index=0&size=9", 400, "beyond_log"),
        ("inclusion", "index=0&size=0", 400, "beyond_tree"),
        ("consistency", "first=5&second=3", 400, "bad_range"),
        ("consistency", "first=1&second=100", 400, "beyond_log"),
        ("checkpoints", "after=x", 400, "bad_parameter"),
    ],
)
def test_bad_parameters_get_a_json_error_never_a_500(client, logged, name, query, status, code):
    response = client.get(url(name, logged, query))
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]


def test_unknown_hidden_or_draft_petitions_have_no_public_log(client, organizer, logged):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    for path in (
        url("checkpoint", draft),
        reverse("transparency:entries", args=[123456]),
        reverse("transparency:checkpoint", args=[2**64]),
    ):
        response = client.get(path)
        assert (
            response.status_code == 404 and response.json()["error"]["code"] == "no_such_petition"
        )
    assert client.get(url("log", draft)).status_code == 404
    assert client.post(url("entries", logged)).status_code == 405


def test_a_log_with_no_checkpoint_says_so(client, petition):
    assert client.get(url("checkpoint", petition)).json()["error"]["code"] == "no_checkpoint"
    page = client.get(url("log", petition))
    assert page.status_code == 200 and b"No checkpoint yet" in page.content


def test_the_log_page_explains_and_shows_the_latest_checkpoint(client, logged):
    page = client.get(url("log", logged)).content.decode()
    assert "A count anyone can verify" in page and "count=5 time=" in page
    assert f"undersigned verify http://testserver/petitions/{logged.pk}/log" in page


def test_the_keys_are_published_with_their_use(client, logged):
    data = client.get(reverse("transparency:keys")).json()
    (key,) = data["keys"]
    assert key["current"] and key["verifier_key"] == data["current"] and key["first_used"]


def test_a_receipt_page_proves_inclusion_or_says_what_is_missing(client, logged):
    receipt = receipt_for(logged.signers[2])
    page = client.get(url("receipt", logged, f"entry={receipt.number}&salt={receipt.secret}"))
    assert page.status_code == 200 and b"included in the latest signed checkpoint" in page.content
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    newest = receipt_for(logged.signers[6])
    page = client.get(url("receipt", logged, f"entry={newest.number}&salt={newest.secret}"))
    assert b"The next signed checkpoint will include it" in page.content
    wrong = client.get(url("receipt", logged, f"entry={receipt.number}&salt={'ab' * 24}"))
    assert wrong.status_code == 404
    assert client.get(url("receipt", logged, "entry=x&salt=y")).status_code == 400
    assert receipt_for(logged.signers[0]) is None  # withdrawn: the salt is erased


def test_the_template_tag_renders_a_badge(logged):
    badge = Template("{% load transparency %}{% log_badge petition count %}")
    assert "this count is signed" in badge.render(Context({"petition": logged, "count": 5}))
    assert "last signed count 5" in badge.render(Context({"petition": logged, "count": 6}))


def test_nothing_public_names_a_signer(client, petition):
    signature = Signature.objects.create(
        petition=petition, **{**SIGNER, "postcode": "XQ7 9ZZ"}, email_normalized=SIGNER["email"]
    )
    confirm(signature)
    actions.publish_checkpoint(petition.pk)
    receipt = receipt_for(signature)
    withdraw(signature)
    pages = [url(name, petition) for name in ("log", "checkpoint", "checkpoints", "entries")] + [
        url("inclusion", petition, "index=0&size=2"),
        url("consistency", petition, "first=1&second=2"),
        url("receipt", petition, f"entry={receipt.number}&salt={receipt.secret}"),
        reverse("transparency:keys"),
    ]
    actions.publish_checkpoint(petition.pk)
    for path in pages:
        body = client.get(path).content.decode()
        for personal in ("Anahit", "Karapetyan", "anahit@", "XQ7 9ZZ", "Libraries matter"):
            assert personal not in body, (path, personal)
