"""Inviting co-organizers: a private, expiring, single-use link, accepted by the person it
was sent to after signing in; broken, expired and used links each get their own page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from factories_accounts import mailed_link
from support import run_queued_tasks

from undersigned.accounts.models import User
from undersigned.dashboard import actions
from undersigned.lib.links import Used, hash_secret
from undersigned.petitions.models import Organizer

INVITEE = "ani@example.org"


@pytest.fixture
def invite(client, organizer, petition):
    """invite(email, role): the creator sends an invitation; returns the link's path."""

    def send(email: str = INVITEE, role: str = "editor") -> str:
        client.force_login(organizer)
        url = reverse("dashboard:invite", args=[petition.pk])
        response = client.post(url, {"email": email, "role": role})
        assert response.status_code == 303, response.content.decode()
        client.logout()
        run_queued_tasks()
        match = re.search(r"https?://[^/\s]+(/organizers/invitations/\S+)", mail.outbox[-1].body)
        assert match, mail.outbox[-1].body
        return match.group(1)

    return send


def test_it_mails_a_private_link_and_stores_only_its_hash(invite, petition):
    link = invite(role="viewer")
    letter = mail.outbox[-1]
    assert letter.to == [INVITEE]
    assert petition.title in letter.subject
    assert "Lena Aramyan invites you" in letter.body and "viewer" in letter.body
    secret = link.rsplit(".", 1)[1]
    row = Organizer.objects.get(email=INVITEE)
    assert row.token_hash == hash_secret(secret) and secret not in row.token_hash
    assert row.role == "viewer" and row.accepted_at is None


def test_a_new_invitee_signs_in_from_the_link_and_accepts_with_one_button(client, invite, petition):
    link = invite()
    page = client.get(link)
    assert "Sign in to accept the invitation" in page.content.decode()
    assert INVITEE in page.content.decode()
    client.post(mailed_link(client, INVITEE, "Ani", next_url=link))  # the e-mailed sign-in
    page = client.get(link)
    assert "Accept and help run this petition" in page.content.decode()
    assert not petition.can_edit(User.objects.get(email=INVITEE))  # not before pressing
    response = client.post(link)
    assert response.status_code == 303
    assert response["Location"] == reverse("dashboard:petition", args=[petition.pk])
    user = User.objects.get(email=INVITEE)
    assert petition.can_edit(user)
    assert Organizer.objects.get(email=INVITEE).token_hash == ""
    mine = client.get(reverse("accounts:dashboard")).content.decode()
    assert petition.title in mine and "as an editor" in mine


def test_a_link_works_once(client, invite):
    link = invite()
    client.force_login(User.objects.create_user(INVITEE))
    assert client.post(link).status_code == 303
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "already been used" in response.content.decode()


def test_it_refuses_an_expired_link(client, invite, settings):
    link = invite()
    Organizer.objects.filter(email=INVITEE).update(
        invited_at=timezone.now() - timedelta(days=settings.ORGANIZER_INVITE_DAYS, minutes=1)
    )
    client.force_login(User.objects.create_user(INVITEE))
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "This invitation has expired" in response.content.decode()
    assert Organizer.objects.get(email=INVITEE).accepted_at is None


@pytest.mark.parametrize("change", ["cut", "letters", "unknown id", "no dot", "arabic digits"])
def test_it_refuses_a_malformed_link(client, invite, change):
    link = invite()
    key, secret = link.rsplit("/", 1)[1].split(".")
    token = {
        "cut": f"{key}.{secret[:8]}",
        "letters": f"x{key}.{secret}",
        "unknown id": f"99999.{secret}",
        "no dot": f"{key}{secret}",
        "arabic digits": f"\u0661.{secret}",
    }[change]
    response = client.get(reverse("dashboard:invitation", args=[token]))
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_a_cancelled_invitation_stops_working(client, invite, organizer, petition):
    link = invite()
    row = Organizer.objects.get(email=INVITEE)
    client.force_login(organizer)
    assert client.post(reverse("dashboard:remove", args=[petition.pk, row.pk])).status_code == 303
    assert client.get(link).status_code == 404


def test_inviting_again_replaces_the_link(client, invite):
    old, new = invite(), invite(role="viewer")
    assert Organizer.objects.filter(email=INVITEE).count() == 1
    client.force_login(User.objects.create_user(INVITEE))
    assert client.get(old).status_code == 410
    assert client.post(new).status_code == 303
    assert Organizer.objects.get(email=INVITEE).role == "viewer"


def test_only_the_invited_address_can_accept(client, invite, petition):
    link = invite()
    someone = User.objects.create_user("forwarded-to@example.org")
    client.force_login(someone)
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 403
        assert "another address" in response.content.decode()
    assert not petition.can_view_dashboard(someone)


def test_accepting_twice_at_once_accepts_once(invite):
    link = invite()
    organizer, secret = actions.check_invitation(link.rsplit("/", 1)[1])
    user = User.objects.create_user(INVITEE)
    actions.accept_invitation(organizer, secret, user)
    with pytest.raises(Used):
        actions.accept_invitation(organizer, secret, user)


def test_the_creator_sees_pending_invitations(client, invite, organizer, petition):
    invite(role="viewer")
    client.force_login(organizer)
    page = client.get(reverse("dashboard:organizers", args=[petition.pk])).content.decode()
    assert "Invitations not accepted yet" in page and INVITEE in page and "works until" in page


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter the e-mail address of the person to invite"),
        ("not-an-address", "Enter an e-mail address in the right format"),
        ("LENA@example.org", "You started this petition"),
    ],
)
def test_it_explains_what_is_wrong_with_an_invitation(client, organizer, petition, email, message):
    client.force_login(organizer)
    url = reverse("dashboard:invite", args=[petition.pk])
    response = client.post(url, {"email": email, "role": "editor"})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "There is a problem" in page
    assert page.count(message) == 2  # in the summary and at the field
    assert not Organizer.objects.exists()


def test_it_does_not_invite_someone_who_already_helps(client, invite, organizer, petition):
    link = invite()
    client.force_login(User.objects.create_user(INVITEE))
    client.post(link)
    client.force_login(organizer)
    response = client.post(
        reverse("dashboard:invite", args=[petition.pk]), {"email": INVITEE, "role": "viewer"}
    )
    assert response.status_code == 400
    assert "already a co-organizer" in response.content.decode()


def test_it_refuses_an_unknown_role(client, organizer, petition):
    client.force_login(organizer)
    response = client.post(
        reverse("dashboard:invite", args=[petition.pk]), {"email": INVITEE, "role": "owner"}
    )
    assert response.status_code == 400
    assert "Choose editor or viewer." in response.content.decode()
