"""Supporters before moderation (PETITION_SUPPORTERS_REQUIRED): a submitted petition
gathers its first supporters through a private link, reaches the moderators once enough
have confirmed by e-mail, and counts them as signers when it opens."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import (
    SIGNER,
    in_parallel,
    link_in_last_mail,
    make_petition,
    run_queued_tasks,
    signed_in,
)

from undersigned.petitions import actions as petition_actions
from undersigned.petitions import hooks, supporters
from undersigned.petitions.models import Petition
from undersigned.signatures.actions import SignRequest, confirm_signature, count_for, sign_petition
from undersigned.signatures.mailing import send_confirmation_mails
from undersigned.signatures.models import Signature


@pytest.fixture
def gathering(organizer, settings) -> Petition:
    """A draft submitted by its organizer, on a site that asks for 2 supporters."""
    settings.PETITION_SUPPORTERS_REQUIRED = 2
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    response = signed_in(organizer).post(reverse("petitions:submit", args=[draft.pk]))
    assert response.status_code == 303
    assert response["Location"] == supporters.support_path(draft)
    return Petition.objects.get(pk=draft.pk)


def support(petition: Petition, email: str, key: str | None = None) -> Client:
    """A supporter signs through the private link and confirms from the e-mail."""
    client = Client()
    key = supporters.support_key(petition) if key is None else key
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]),
        {**SIGNER, "email": email, "support": key},
    )
    assert response.status_code == 303, response.content
    assert client.get(response["Location"]).status_code == 200  # "check your e-mail"
    send_confirmation_mails()
    confirm = link_in_last_mail("confirm")
    assert client.get(confirm).status_code == 200  # the one-button page
    thanks = client.post(confirm)
    assert thanks.status_code == 303
    page = client.get(thanks["Location"])
    assert page.status_code == 200 and "Not open yet" in page.content.decode()
    return client


def test_the_supporter_gate_end_to_end(gathering, organizer, moderator, client):
    link = supporters.support_url(gathering)
    assert gathering.state == Petition.State.SUPPORT
    run_queued_tasks()  # the organizer's e-mail with the private link
    assert any(link in message.body for message in mail.outbox)
    # The organizer lands on the page with the link to share.
    page = signed_in(organizer).get(supporters.support_path(gathering)).content.decode()
    assert link in page and "0 of 2 supporters have confirmed" in page

    support(gathering, "first@example.org")
    gathering.refresh_from_db()
    assert gathering.state == Petition.State.SUPPORT  # 1 of 2: still gathering
    dashboard = signed_in(organizer).get(reverse("dashboard:petition", args=[gathering.pk]))
    assert "1 of 2" in dashboard.content.decode()

    mail.outbox.clear()
    support(gathering, "second@example.org")
    gathering.refresh_from_db()
    assert gathering.state == Petition.State.MODERATION
    run_queued_tasks()
    assert any("it is now with the moderators" in message.body for message in mail.outbox)
    queue = signed_in(moderator).get(reverse("moderation:queue")).content.decode()
    assert "2 supporters" in queue

    petition_actions.approve_petition(gathering, moderator)
    assert count_for(gathering) == 2  # the supporters are its first signers
    page = client.get(gathering.get_absolute_url()).content.decode()
    assert '<span class="count-number">2</span> people have signed' in page


def test_a_confirmation_that_reaches_the_number_moves_it_once(gathering, settings):
    moved = []

    def record(sender, petition, previous, **kwargs):
        moved.append(previous)

    hooks.state_changed.connect(record, sender=Petition, dispatch_uid="test-supporters")
    try:
        assert not supporters.gather_supporters(gathering.pk, 1)
        assert supporters.gather_supporters(gathering.pk, 2)
        assert not supporters.gather_supporters(gathering.pk, 3)  # a second confirmation
    finally:
        hooks.state_changed.disconnect(sender=Petition, dispatch_uid="test-supporters")
    assert moved == [Petition.State.SUPPORT]
    assert Petition.objects.get(pk=gathering.pk).state == Petition.State.MODERATION


def test_a_gathering_petition_is_not_public_listed_or_in_the_api(gathering, client):
    assert client.get(gathering.get_absolute_url()).status_code == 404
    assert client.get(reverse("petitions:detail_json", args=[gathering.pk])).status_code == 404
    assert gathering.title not in client.get(reverse("petitions:list")).content.decode()
    assert client.get(f"/api/v1/petitions/{gathering.pk}").status_code == 404
    items = client.get("/api/v1/petitions").json()["items"]
    assert gathering.pk not in [item["id"] for item in items]
    page = client.get(supporters.support_path(gathering))
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()
    assert "private" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]


def test_a_wrong_link_is_the_same_404_as_a_missing_petition(gathering, client):
    pages = []
    for pk in (gathering.pk, 10**9):
        path = reverse("petitions:support", args=[pk, "0" * 32])
        response = client.get(path)
        assert response.status_code == 404
        pages.append(response.content.decode().replace(path, ""))  # the language form's
    assert pages[0] == pages[1]


@pytest.mark.parametrize("key", ["", "0" * 32])
def test_signing_a_gathering_petition_needs_the_right_key(gathering, client, key):
    response = client.post(
        reverse("signatures:sign", args=[gathering.pk]), {**SIGNER, "support": key}
    )
    assert response.status_code == 404
    assert not gathering.signatures.exists()


def test_a_supporter_form_with_errors_comes_back_on_the_supporters_page(gathering, client):
    response = client.post(
        reverse("signatures:sign", args=[gathering.pk]),
        {**SIGNER, "name": "", "support": supporters.support_key(gathering)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This petition needs its first supporters" in page and "Error:" in page
    assert re.search(r'name="support" value="[0-9a-f]{32}"', page)


def test_once_open_the_private_link_leads_to_the_public_page(gathering, moderator, client):
    support(gathering, "first@example.org")
    support(gathering, "second@example.org")
    petition_actions.approve_petition(gathering, moderator)
    response = client.get(supporters.support_path(gathering))
    assert response.status_code == 302 and response["Location"] == gathering.get_absolute_url()


def test_without_the_setting_a_submitted_petition_goes_to_moderation(organizer, settings):
    settings.PETITION_SUPPORTERS_REQUIRED = 0
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    response = signed_in(organizer).post(reverse("petitions:submit", args=[draft.pk]))
    assert response.status_code == 303
    assert Petition.objects.get(pk=draft.pk).state == Petition.State.MODERATION


def test_an_import_opened_by_a_moderator_skips_the_gate(organizer, moderator, settings):
    settings.PETITION_SUPPORTERS_REQUIRED = 5
    petition = Petition(title="Imported", text="Text", creator=organizer, goal=100)
    petition, _existed = petition_actions.import_petition(
        petition, [], organizer.email, moderator=moderator
    )
    assert petition.state == Petition.State.OPEN


@pytest.mark.django_db(transaction=True)
def test_the_last_supporters_confirming_at_once_move_it_exactly_once(organizer, settings):
    """Three supporters needed, the last three confirm together: whichever commits last
    reads them all after its commit, and only one conditional UPDATE moves the state."""
    settings.PETITION_SUPPORTERS_REQUIRED = 3
    settings.LIMIT_ADDRESS_PER_MINUTE = 100
    moved = []

    def record(sender, petition, previous, **kwargs):
        moved.append((petition.pk, previous))

    hooks.state_changed.connect(record, sender=Petition, dispatch_uid="test-supporters-race")
    try:
        for round_ in range(3):
            draft = make_petition(organizer, title=f"Round {round_}", state=Petition.State.DRAFT)
            petition = petition_actions.submit_petition(draft)
            links = []
            for n in range(3):
                data = SignRequest(name=f"Supporter {n}", email=f"r{round_}s{n}@example.org",
                                   country="AM")  # fmt: skip
                signature = sign_petition(petition, data)
                token = signature.new_token(timezone.now())
                signature.save(update_fields=["token_hash", "token_created_at"])
                links.append((signature.pk, token.split(".", 1)[1]))

            def confirm(i: int, links=links):
                pk, secret = links[i]
                signature = Signature.objects.select_related("petition").get(pk=pk)
                return confirm_signature(signature, secret)

            assert None not in in_parallel(confirm, 3)
            assert Petition.objects.get(pk=petition.pk).state == Petition.State.MODERATION
            assert moved.count((petition.pk, Petition.State.SUPPORT)) == 1
    finally:
        hooks.state_changed.disconnect(sender=Petition, dispatch_uid="test-supporters-race")
