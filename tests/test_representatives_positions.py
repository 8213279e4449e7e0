"""The position page behind a representative's private link: its form and errors, the
pages of a malformed, expired or used link, what is published where, and the signers
of the region told once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from representatives_support import (
    ALICE,
    BOB,
    NORTH,
    SCHEME,
    SOUTH,
    answer_link,
    mails_to,
    make_representatives,
    make_scheme,
    sign_in_ward,
)
from support import in_parallel, make_petition, run_queued_tasks

from undersigned.representatives import actions, telling
from undersigned.representatives.models import PositionRequest

CHOOSE = "Choose whether you agree, disagree or are undecided."
AGREE = {"position": "agree", "reason": "The library is the heart of the north ward."}


@pytest.fixture
def asked(organizer, moderator):
    """A petition whose north ward reached its quorum: Alice and Bob were e-mailed."""
    make_scheme(quorum=3)
    make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME)
    sign_in_ward(petition, NORTH, 3)
    sign_in_ward(petition, SOUTH, 1)
    actions.ask_representatives()
    run_queued_tasks()
    return petition


@pytest.mark.django_db
def test_the_link_opens_a_form_naming_the_petition_and_the_region(client, asked):
    response = client.get(answer_link(ALICE["email"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert asked.title in page and "Riverside North" in page and "Publish my position" in page
    assert (
        response["Referrer-Policy"] == "strict-origin" and "no-cache" in response["Cache-Control"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "A good enough reason."}, CHOOSE),
        ({"position": "maybe", "reason": "A good enough reason."}, CHOOSE),
        ({"position": "agree", "reason": "  "}, "Enter a reason for your position"),
        ({"position": "agree", "reason": "Yes."}, "Enter a reason for your position"),
        ({"position": "agree", "reason": "x" * 1001}, "Shorten your reason to 1,000 characters"),
    ],
)  # fmt: skip
def test_bad_input_is_a_form_error_and_publishes_nothing(client, asked, data, error):
    link = answer_link(ALICE["email"])
    response = client.post(link, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and "<title>Error:" in page and 'aria-invalid="true"' in page
    assert not PositionRequest.objects.filter(answered_at__isnull=False).exists()
    assert client.get(link).status_code == 200  # the link still works


@pytest.mark.django_db
def test_a_position_is_published_on_the_petition_and_the_representatives_page(client, asked):
    response = client.post(answer_link(ALICE["email"]), AGREE)
    alice = PositionRequest.objects.get(representative__email=ALICE["email"]).representative
    assert response.status_code == 303
    assert response["Location"] == f"/representatives/{alice.pk}#petition-{asked.pk}"
    petition_page = Client().get(asked.get_absolute_url()).content.decode()
    assert "1 of 2 representatives has answered: 1 agrees." in petition_page
    assert "The library is the heart of the north ward." in petition_page
    assert "1 representative has not answered yet" in petition_page  # Bob
    page = Client().get(alice.get_absolute_url()).content.decode()
    assert "Agrees" in page and asked.title in page and "Green" in page


@pytest.mark.django_db
def test_the_summary_counts_each_position_with_plurals(client, asked):
    client.post(answer_link(ALICE["email"]), AGREE)
    undecided = {"position": "undecided", "reason": "I need to hear more."}
    client.post(answer_link(BOB["email"]), undecided)
    page = Client().get(asked.get_absolute_url()).content.decode()
    assert "2 of 2 representatives have answered: 1 agrees, 1 undecided." in page


@pytest.mark.django_db
def test_a_reason_is_shown_as_plain_text(client, asked):
    markup = {"position": "disagree", "reason": "<script>alert(1)</script> **no**"}
    client.post(answer_link(ALICE["email"]), markup)
    page = Client().get(asked.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **no**" in page and "<script>alert" not in page


@pytest.mark.django_db
def test_a_used_link_says_so_and_publishes_nothing_more(client, asked):
    link = answer_link(ALICE["email"])
    client.post(link, AGREE)
    again = client.post(link, {"position": "disagree", "reason": "Changed my mind entirely."})
    assert again.status_code == 410
    assert "Your position was already published" in again.content.decode()
    assert PositionRequest.objects.get(representative__email=ALICE["email"]).position == "agree"


@pytest.mark.django_db
def test_a_malformed_link_is_a_404_that_names_no_petition(client, asked):
    link = answer_link(ALICE["email"])
    for broken in (link[:-5], link + "x", "/representatives/answer/1.short", link.replace(".", "")):
        response = client.get(broken)
        assert response.status_code == 404, broken
        assert asked.title not in response.content.decode()


@pytest.mark.django_db
def test_an_expired_link_offers_a_new_one_sent_to_the_address_on_file(client, asked, settings):
    link = answer_link(ALICE["email"])
    old = timezone.now() - timedelta(days=settings.RESPONSE_LINK_DAYS + 1)
    PositionRequest.objects.filter(representative__email=ALICE["email"]).update(sent_at=old)
    response = client.get(link)
    assert response.status_code == 410 and "Send me a new link" in response.content.decode()
    assert client.post(link, AGREE).status_code == 410  # publishes nothing
    assert client.post(link + "/new-link").status_code == 200
    run_queued_tasks()
    assert len(mails_to(ALICE["email"])) == 2
    fresh = answer_link(ALICE["email"])
    assert fresh != link and client.get(link).status_code == 404  # the old one is replaced
    assert client.post(link + "/new-link").status_code == 404  # and asks for nothing more
    assert client.post(fresh, AGREE).status_code == 303


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_from_one_link_publish_once(asked):
    link = answer_link(ALICE["email"])
    statuses = in_parallel(lambda i: Client().post(link, AGREE).status_code, 6)
    assert sorted(statuses) == [303, 410, 410, 410, 410, 410], statuses
    run_queued_tasks()
    told = [m for m in mail.outbox if "Alice Northcote" in m.subject]
    assert len(told) == 3  # the three north signers, once each


@pytest.mark.django_db
def test_the_regions_signers_who_asked_for_updates_are_told_once(client, asked):
    """Alice sits for the north ward: its three signers who asked for updates are told,
    not the one who did not, nor the south ward's signer."""
    quiet = sign_in_ward(asked, NORTH, 1, wants_updates=False)[0]
    link = answer_link(ALICE["email"])
    mail.outbox.clear()
    client.post(link, AGREE)
    run_queued_tasks()
    told = [m for m in mail.outbox if "Alice Northcote" in m.subject]
    addresses = {m.to[0] for m in told}
    assert len(told) == 3 == len(addresses) == len(mail.outbox)
    assert quiet.email not in addresses
    letter = told[0]
    assert "Agree" in letter.body and "The library is the heart of the north ward." in letter.body
    assert "/unsubscribe/" in letter.body and letter.extra_headers["List-Unsubscribe"]
    request = PositionRequest.objects.get(representative__email=ALICE["email"])
    assert request.told_at is not None
    assert telling.tell_signers(request.pk) == 0  # a rerun tells nobody again
    run_queued_tasks()
    assert len(mail.outbox) == 3
