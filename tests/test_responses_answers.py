"""A decision maker answers through the private link; the answer is published, e-mailed
to signers who asked, and shown on the petition page. Addresses never leak."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import make_petition

from undersigned.accounts.models import User
from undersigned.petitions import actions as petition_actions
from undersigned.petitions.models import Organizer, Petition
from undersigned.responses import actions
from undersigned.responses.models import Notification
from undersigned.signatures.models import Signature, normalize_email
from undersigned.updates.models import Update

pytestmark = pytest.mark.django_db

MAYOR = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "maria.rossi@example.org"}
ANSWER = {
    "responder": "Maria Rossi, Mayor of Riverside",
    "text": "We will **restore** Sunday hours from March. Thank you all.",
}


@pytest.fixture
def addressed(organizer, moderator) -> Petition:
    return make_petition(organizer, moderator, targets=[MAYOR], notify_targets=True)


@pytest.fixture
def link(addressed, run_tasks) -> str:
    """The path of the answer link in the e-mail the decision maker received."""
    actions.notify_targets()
    run_tasks()
    match = re.search(r"https?://[^/\s]+(/respond/\S+)", mail.outbox[-1].body)
    assert match
    mail.outbox.clear()
    return match.group(1)


def add_signer(petition: Petition, n: int, wants_updates: bool = True) -> Signature:
    email = f"signer{n}@example.org"
    return Signature.objects.create(
        petition=petition, name=f"Signer Number{n}", email=email,
        email_normalized=normalize_email(email), country="AM", wants_updates=wants_updates,
        language="en", confirmed_at=timezone.now(),
    )  # fmt: skip


def test_the_link_opens_a_page_with_the_petition_and_a_form_without_any_cookie(link, addressed):
    response = Client().get(link)
    page = response.content.decode()
    assert response.status_code == 200
    assert addressed.title in page and "Publish my response" in page
    assert 'value="Maria Rossi, Mayor of Riverside"' in page  # suggested, editable
    assert response.cookies == {}  # no session, no CSRF cookie: the secret is the key
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "maria.rossi@example.org" not in page


def test_publishing_creates_the_response_update_and_emails_signers_who_asked(
    link, addressed, run_tasks
):
    add_signer(addressed, 1)
    add_signer(addressed, 2, wants_updates=False)
    response = Client(enforce_csrf_checks=True).post(link, ANSWER)
    assert response.status_code == 303
    page = Client().get(response["Location"]).content.decode()
    assert "Your response is published" in page

    update = Update.objects.get()
    assert update.kind == Update.Kind.RESPONSE
    assert update.target == addressed.targets.get()
    assert update.display_title == "Response from Maria Rossi, Mayor of Riverside"
    assert "<strong>restore</strong>" in update.text_html
    notification = Notification.objects.get()
    assert notification.used_at is not None and notification.response == update

    run_tasks()
    assert [m.to for m in mail.outbox] == [["signer1@example.org"]]
    assert "Sunday hours" in mail.outbox[0].body


def test_a_used_link_cannot_publish_twice(link):
    client = Client()
    assert client.post(link, ANSWER).status_code == 303
    again = client.post(link, {**ANSWER, "text": "A second answer that should not appear."})
    assert again.status_code == 410
    assert "already published with this link" in again.content.decode()
    assert client.get(link).status_code == 410
    assert Update.objects.count() == 1


def test_a_double_click_that_passed_the_checks_publishes_once(link):
    notification, state = actions.notification_from_token(link.rsplit("/", 1)[1])
    assert state == "valid"
    assert actions.publish_response(notification, **ANSWER) is not None
    assert actions.publish_response(notification, **ANSWER) is None
    assert Update.objects.count() == 1


def test_an_expired_link_has_its_own_page_and_offers_a_new_one(link, addressed, settings):
    settings.RESPONSE_LINK_DAYS = 90
    Notification.objects.update(
        sent_at=timezone.now() - timedelta(days=91),
        created_at=timezone.now() - timedelta(days=91),
    )
    response = Client().get(link)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "90 days" in response.content.decode()
    assert Client().post(link, ANSWER).status_code == 410
    assert not Update.objects.exists()

    response = Client().post(link + "/new-link")
    assert "A new link is on its way" in response.content.decode()
    from support import run_queued_tasks

    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [["maria.rossi@example.org"]]
    assert "Here is the new link you asked for." in mail.outbox[0].body
    again = Client().post(link + "/new-link")  # at most one a day
    assert "cannot send a new link yet" in again.content.decode()


def test_asking_for_a_new_link_while_the_link_works_sends_nothing(link):
    response = Client().post(link + "/new-link")
    assert response.status_code == 303 and response["Location"] == link
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    ["nonsense", "12", "12.short", "999999.aaaaaaaaaaaaaaaaaaaaaaaa", "x.yyyyyyyyyyyyyyyyyyyy"],
)
def test_a_malformed_link_has_its_own_page(link, token):
    response = Client().get(reverse("responses:respond", args=[token]))
    assert response.status_code == 404
    assert "This link is not complete" in response.content.decode()


def test_a_link_with_a_wrong_secret_is_malformed(link):
    key = link.rsplit("/", 1)[1].partition(".")[0]
    response = Client().get(f"/respond/{key}.{'a' * 32}")
    assert response.status_code == 404 and "not complete" in response.content.decode()


def test_a_cross_site_post_is_refused(link):
    response = Client().post(link, ANSWER, headers={"Origin": "https://evil.example.com"})
    assert response.status_code == 403
    assert not Update.objects.exists()


def test_a_bad_answer_is_shown_again_with_errors(link):
    response = Client().post(link, {"responder": "  ", "text": "Too short"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in page and "There is a problem" in page
    assert "Enter your name and title" in page and "at least 20 characters" in page
    assert not Update.objects.exists()
    assert Notification.objects.get().used_at is None


def test_a_target_can_answer_after_the_petition_closed(link, addressed):
    petition_actions.close_petition(addressed)
    assert Client().post(link, ANSWER).status_code == 303
    assert Update.objects.filter(kind=Update.Kind.RESPONSE).exists()


def test_a_hidden_petition_can_no_longer_be_answered(link, addressed, moderator):
    petition_actions.hide_petition(addressed, moderator)
    response = Client().get(link)
    assert response.status_code == 410
    assert "no longer public" in response.content.decode()


# What the public and the organizers see


def test_the_petition_page_shows_who_was_notified_and_their_response(link, addressed):
    page = Client().get(addressed.get_absolute_url()).content.decode()
    assert "Decision makers" in page and "Notified on" in page
    assert "Has not responded yet." in page
    assert "At 10,000 signatures we ask for a response." in page
    Client().post(link, ANSWER)
    page = Client().get(addressed.get_absolute_url()).content.decode()
    assert "Responded on" in page and "Response from Maria Rossi" in page
    assert "<strong>restore</strong>" in page
    update = Update.objects.get()
    assert f'href="#update-{update.pk}"' in page
    assert "maria.rossi@example.org" not in page and "m•••@" not in page


def test_addresses_never_appear_in_the_json(link, addressed):
    Client().post(link, ANSWER)
    for url in [
        reverse("petitions:detail_json", args=[addressed.pk]),
        f"/api/v1/petitions/{addressed.pk}",
        f"/api/v1/petitions/{addressed.pk}/updates",
    ]:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert "maria.rossi" not in response.content.decode(), url


def test_the_demo_adds_an_addressed_target_and_turns_notifications_on(petition):
    from undersigned.responses.demo import populate

    populate(petition)
    populate(petition)  # idempotent
    petition.refresh_from_db()
    assert petition.notify_targets
    assert list(petition.targets.exclude(email="").values_list("email", flat=True)) == [
        "mayor@example.org"
    ]


def test_the_dashboard_shows_the_address_masked_and_the_history(link, addressed, organizer):
    client = Client()
    client.force_login(organizer)
    page = client.get(reverse("dashboard:decision_makers", args=[addressed.pk])).content.decode()
    assert "m•••@example.org" in page and "maria.rossi@example.org" not in page
    assert "the petition opened" in page and "No response yet" in page
    assert "E-mail Maria Rossi again" in page


def test_a_dashboard_viewer_sees_the_panel_without_buttons(link, addressed):
    viewer = User.objects.create_user("vera@example.org", name="Vera Viewer")
    Organizer.objects.create(
        petition=addressed, email=viewer.email, user=viewer, role=Organizer.Role.VIEWER,
        accepted_at=timezone.now(),
    )  # fmt: skip
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("dashboard:decision_makers", args=[addressed.pk])).content.decode()
    assert "Decision makers" in page and "m•••@example.org" in page
    assert "E-mail Maria Rossi again" not in page
    assert "Stop e-mailing the decision makers" not in page


# The petition form


def test_the_petition_form_saves_addresses_and_the_choice_to_notify(organizer):
    from factories_accounts import petition_data

    client = Client()
    client.force_login(organizer)
    data = petition_data(notify_targets="on")
    data["targets-0-email"] = "council@example.org"
    response = client.post(reverse("petitions:new"), data)
    assert response.status_code == 303
    petition = Petition.objects.get()
    assert petition.notify_targets
    assert petition.targets.get().email == "council@example.org"
    form = client.get(reverse("petitions:edit", args=[petition.pk])).content.decode()
    assert "Never shown publicly" in form and 'value="council@example.org"' in form

    data = petition_data()  # notify unticked, address cleared
    response = client.post(reverse("petitions:edit", args=[petition.pk]), data)
    petition.refresh_from_db()
    assert not petition.notify_targets and petition.targets.get().email == ""


def test_the_petition_form_explains_a_bad_address(organizer):
    from factories_accounts import petition_data

    client = Client()
    client.force_login(organizer)
    data = petition_data()
    data["targets-0-email"] = "not an address"
    response = client.post(reverse("petitions:new"), data)
    assert response.status_code == 400
    assert "like name@example.org" in response.content.decode()
    data = petition_data(targets=[])
    data["targets-1-email"] = "a@example.org"
    response = client.post(reverse("petitions:new"), data)
    assert "or clear the e-mail address" in response.content.decode()


def test_answer_links_are_redacted_in_logs():
    from undersigned.lib.logredact import redact

    assert redact("Not Found: /respond/12.s3cr3t-value") == "Not Found: /respond/…"
