"""A confirmation link works only for whoever holds its secret: without it, every
signature id looks like a missing one, and nothing is sent or changed (issue #20)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition

from undersigned.lib import links
from undersigned.petitions.models import Petition
from undersigned.signatures import actions
from undersigned.signatures.models import Signature

JUNK = "x" * 32  # the length of a real secret


def sign(client, petition, email: str) -> Signature:
    client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": email})
    return Signature.objects.get(petition=petition, email=email)


def confirm_path(pk: int, secret: str = JUNK) -> str:
    return reverse("signatures:confirm", args=[f"{pk}.{secret}"])


def row_state(signature: Signature) -> tuple:
    row = Signature.objects.get(pk=signature.pk)
    return (row.token_hash, row.token_created_at, row.mail_requested_at, row.mails_sent,
            row.mail_claimed_at, row.confirmed_at)  # fmt: skip


@pytest.fixture
def signatures(client, petition, run_tasks) -> dict[str, Signature]:
    """One signature in each state, each with a link mailed (the real secrets unused)."""
    found = {}
    for state in ["unconfirmed", "confirmed", "withdrawn", "expired"]:
        found[state] = sign(client, petition, f"{state}@example.org")
        run_tasks()
        if state == "confirmed":
            assert client.post(link_in_last_mail("confirm")).status_code == 303
        if state == "withdrawn":
            actions.withdraw_signature(found[state])
    Signature.objects.filter(pk=found["expired"].pk).update(
        token_created_at=timezone.now() - timedelta(days=31)
    )
    # A signature on a petition moderators have hidden: its title must not show either.
    hidden = make_petition(petition.creator, title="A hidden petition")
    found["on a hidden petition"] = sign(client, hidden, "hidden@example.org")
    run_tasks()
    Petition.objects.filter(pk=hidden.pk).update(state=Petition.State.HIDDEN)
    mail.outbox.clear()
    return found


def test_a_resend_with_a_junk_secret_sends_nothing_and_changes_nothing(
    client, signatures, run_tasks
):
    for signature in signatures.values():
        before = row_state(signature)
        response = client.post(confirm_path(signature.pk) + "/resend")
        assert response.status_code == 404 and b"not complete" in response.content
        assert row_state(signature) == before
    run_tasks()
    assert mail.outbox == []


@pytest.mark.parametrize("secret", ["", "x", "short"])
def test_a_resend_without_a_secret_is_a_malformed_link(client, signatures, secret, run_tasks):
    signature = signatures["expired"]
    before = row_state(signature)
    response = client.post(reverse("signatures:resend", args=[f"{signature.pk}.{secret}"]))
    assert response.status_code == 404
    assert row_state(signature) == before
    run_tasks()
    assert mail.outbox == []


def test_a_resend_with_the_real_expired_secret_sends_a_new_link(client, petition, run_tasks):
    sign(client, petition, SIGNER["email"])
    run_tasks()
    path = link_in_last_mail("confirm")
    Signature.objects.update(token_created_at=timezone.now() - timedelta(days=31))
    assert client.post(path).status_code == 410
    response = client.post(path + "/resend")
    assert response.status_code == 200 and b"We have sent you a new link" in response.content
    run_tasks()
    assert len(mail.outbox) == 2
    assert client.post(link_in_last_mail("confirm")).status_code == 303


def test_a_wrong_secret_gets_the_same_answer_as_a_missing_id(client, signatures):
    def answer(method: str, path: str) -> tuple:
        response = getattr(client, method)(path)
        # The page names its own address (the language switcher comes back to it), so
        # its length is the only header that differs.
        body = response.content.replace(path.encode(), b"PATH")
        headers = sorted(i for i in response.headers.items() if i[0] != "Content-Length")
        return response.status_code, body, headers

    missing = Signature.objects.order_by("-pk").first().pk + 1000
    for method, suffix in [("get", ""), ("post", ""), ("post", "/resend")]:
        expected = answer(method, confirm_path(missing) + suffix)
        assert expected[0] == 404
        for state, signature in signatures.items():
            got = answer(method, confirm_path(signature.pk) + suffix)
            assert got == expected, (state, method, suffix)


def test_a_wrong_secret_costs_the_same_lookup_and_hashing_as_a_missing_id(client, signatures):
    """The same work either way, so the time taken tells nothing either."""

    def work(pk: int) -> tuple[int, int]:
        with (
            mock.patch.object(links, "hash_secret", wraps=links.hash_secret) as hashing,
            CaptureQueriesContext(connection) as queries,
        ):
            client.get(confirm_path(pk))
        return hashing.call_count, len(queries)

    missing = work(Signature.objects.order_by("-pk").first().pk + 1000)
    assert missing[0] == 1
    for signature in signatures.values():
        assert work(signature.pk) == missing


def test_the_link_s_holder_still_sees_what_became_of_it(client, petition, run_tasks):
    sign(client, petition, SIGNER["email"])
    run_tasks()
    path = link_in_last_mail("confirm")
    assert client.post(path).status_code == 303
    again = client.get(path)
    assert again.status_code == 410 and b"already confirmed" in again.content
    assert client.post(path + "/resend").status_code == 410


@pytest.mark.parametrize(
    "token", ["9" * 30 + "." + JUNK, "１２." + JUNK, "12." + "x" * 200, "12..", "-1." + JUNK]
)
def test_an_odd_link_is_a_malformed_link_not_an_error(client, db, token):
    for method in ["get", "post"]:
        response = getattr(client, method)(reverse("signatures:confirm", args=[token]))
        assert response.status_code == 404 and b"not complete" in response.content
    assert client.post(reverse("signatures:resend", args=[token])).status_code == 404
