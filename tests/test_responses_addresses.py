"""Organizers add, change or remove a decision maker's address on the dashboard, also
after the petition opened; once a moderator approves the new address, the clock e-mails
a newly addressed decision maker about the current rung, and never re-sends what was
already sent (the moderators' side: tests/test_security_decision_makers.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from responses_support import COUNCIL, MAYOR, approve_address, set_count
from support import make_petition, signed_in

from undersigned.accounts.models import User
from undersigned.petitions.models import Organizer, Petition, Target
from undersigned.responses import actions
from undersigned.responses.actions import AddressChange
from undersigned.responses.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_thresholds(settings):
    settings.TARGET_THRESHOLDS = [(10, "response"), (100, "escalation")]


@pytest.fixture
def addressed(organizer, moderator) -> Petition:
    """An open petition whose organizer chose to notify its decision makers."""
    return make_petition(organizer, moderator, targets=[MAYOR, COUNCIL], notify_targets=True)


def add_organizer(petition: Petition, email: str, role=Organizer.Role.EDITOR) -> User:
    user = User.objects.create_user(email, name=email.split("@")[0].title())
    Organizer.objects.create(
        petition=petition, email=email, user=user, role=role, accepted_at=timezone.now()
    )
    return user


def url_for(target: Target) -> str:
    return reverse("responses:target_email", args=[target.petition_id, target.pk])


def dashboard(petition: Petition) -> str:
    return reverse("dashboard:decision_makers", args=[petition.pk])


def message_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_it_emails_a_decision_maker_given_an_address_after_opening_once_approved(
    addressed, organizer, moderator, run_tasks
):
    actions.notify_targets()
    run_tasks()
    mail.outbox.clear()
    council = addressed.targets.get(name="City Council")

    response = signed_in(organizer).post(url_for(council), {"email": " Clerk@Riverside.EXAMPLE "})

    assert response.status_code == 303
    assert response["Location"] == dashboard(addressed)
    assert "Our moderators check every new address" in message_of(response)
    council.refresh_from_db()
    assert council.email == "Clerk@riverside.example"  # the domain is case-insensitive
    assert actions.notify_targets() == 0
    approve_address(council, moderator)
    assert actions.notify_targets() == 1
    run_tasks()
    assert [m.to for m in mail.outbox] == [["Clerk@riverside.example"]]
    assert Notification.objects.get(target=council).event == "opened"
    assert actions.notify_targets() == 0


def test_a_late_address_gets_only_the_highest_rung_reached(
    addressed, organizer, moderator, run_tasks
):
    actions.notify_targets()
    set_count(addressed, 120)
    actions.notify_targets()
    run_tasks()
    mail.outbox.clear()
    council = addressed.targets.get(name="City Council")

    actions.set_target_email(council, "clerk@example.org", organizer)
    approve_address(council, moderator)

    assert actions.notify_targets() == 1
    run_tasks()
    assert len(mail.outbox) == 1 and "100 signatures" in mail.outbox[0].subject
    assert [n.threshold for n in council.notifications.all()] == [100]


def test_changing_an_address_does_not_resend_what_was_sent(
    addressed, organizer, moderator, run_tasks
):
    actions.notify_targets()
    set_count(addressed, 12)
    actions.notify_targets()
    run_tasks()
    mail.outbox.clear()
    mayor = addressed.targets.get(name="Maria Rossi")

    response = signed_in(organizer).post(url_for(mayor), {"email": "m.rossi@example.org"})

    assert response.status_code == 303
    assert "Our moderators check every new address" in message_of(response)
    assert Target.objects.get(pk=mayor.pk).email == "m.rossi@example.org"
    approve_address(mayor, moderator)
    assert actions.notify_targets() == 0
    run_tasks()
    assert mail.outbox == []


def test_e_mail_again_goes_to_the_new_address_once_approved(
    addressed, organizer, moderator, run_tasks
):
    actions.notify_targets()
    run_tasks()
    mayor = addressed.targets.get(name="Maria Rossi")
    Notification.objects.update(created_at=timezone.now() - actions.RESEND_EVERY)
    mail.outbox.clear()
    client = signed_in(organizer)

    client.post(url_for(mayor), {"email": "m.rossi@example.org"})
    response = client.post(reverse("responses:resend", args=[addressed.pk, mayor.pk]))
    assert "goes out once our moderators have checked" in message_of(response)
    run_tasks()
    assert mail.outbox == []

    approve_address(mayor, moderator)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["m.rossi@example.org"]]


def test_a_queued_email_goes_to_the_corrected_address_once_approved(
    addressed, organizer, moderator, run_tasks
):
    mayor = addressed.targets.get(name="Maria Rossi")
    actions.notify_targets()  # queued, not yet sent

    actions.set_target_email(mayor, "m.rossi@example.org", organizer)
    run_tasks()
    assert mail.outbox == []  # it waits for a moderator

    approve_address(mayor, moderator)
    run_tasks()
    assert [m.to for m in mail.outbox] == [["m.rossi@example.org"]]


def test_removing_an_address_drops_its_queued_emails(addressed, organizer, run_tasks):
    mayor = addressed.targets.get(name="Maria Rossi")
    actions.notify_targets()  # queued, not yet sent

    response = signed_in(organizer).post(url_for(mayor), {"remove": "1", "email": ""})

    assert response.status_code == 303
    assert "is removed" in message_of(response)
    assert Target.objects.get(pk=mayor.pk).email == ""
    assert not Notification.objects.exists()
    run_tasks()
    assert mail.outbox == []
    assert actions.notify_targets() == 0

    # An address given again later (the one approved before): the e-mail that was never
    # sent is sent now.
    assert actions.set_target_email(mayor, "maria@example.org", organizer) == AddressChange.ADDED
    assert actions.notify_targets() == 1
    run_tasks()
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]


def test_removing_and_restoring_an_address_does_not_resend(addressed, organizer, run_tasks):
    mayor = addressed.targets.get(name="Maria Rossi")
    actions.notify_targets()
    run_tasks()
    mail.outbox.clear()

    actions.set_target_email(mayor, "", organizer)
    actions.set_target_email(mayor, "maria@example.org", organizer)

    assert actions.notify_targets() == 0
    assert Notification.objects.filter(target=mayor).count() == 1  # the one sent


def test_with_notifications_off_a_new_address_is_not_emailed(organizer, moderator):
    petition = make_petition(organizer, moderator, targets=[{**COUNCIL, "email": "a@example.org"}])
    council = petition.targets.get()
    signed_in(organizer).post(url_for(council), {"remove": "1"})

    # An address approved before, given again: no moderator to wait for.
    response = signed_in(organizer).post(url_for(council), {"email": "a@example.org"})

    assert "E-mails to the decision makers are off" in message_of(response)
    assert actions.notify_targets() == 0


def test_an_address_given_before_opening_is_emailed_when_the_approval_opens_it(
    organizer, moderator
):
    petition = make_petition(organizer, moderator, targets=[COUNCIL], notify_targets=True,
                             state=Petition.State.MODERATION)  # fmt: skip
    council = petition.targets.get()
    signed_in(organizer).post(url_for(council), {"email": "clerk@example.org"})
    assert actions.notify_targets() == 0  # not open yet
    review = reverse("moderation:review", args=[petition.pk])
    staff = signed_in(moderator)
    listed = re.search(r'name="listed" value="([^"]+)"', staff.get(review).content.decode())
    staff.post(review, {"decision": "approve", "listed": listed.group(1)})
    assert actions.notify_targets() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"email": "maria@"}, "Enter an e-mail address in the right format"),
        ({"email": "not an address"}, "Enter an e-mail address in the right format"),
        ({"email": ""}, "To remove the address on file, press"),
        ({"email": "a" * 250 + "@example.org"}, "254 characters or fewer"),
    ],
)
def test_a_bad_address_is_refused_with_a_clear_message(addressed, organizer, data, error):
    mayor = addressed.targets.get(name="Maria Rossi")

    response = signed_in(organizer).post(url_for(mayor), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "There is a problem" in page and 'aria-invalid="true"' in page
    assert Target.objects.get(pk=mayor.pk).email == "maria@example.org"
    assert "maria@example.org" not in page  # the address on file stays masked


def test_the_same_address_again_changes_nothing(addressed, organizer):
    mayor = addressed.targets.get(name="Maria Rossi")
    response = signed_in(organizer).post(url_for(mayor), {"email": "maria@example.org"})
    assert "already the address on file" in message_of(response)


def test_an_editor_may_set_an_address(addressed):
    editor = add_organizer(addressed, "eddie@example.org")
    council = addressed.targets.get(name="City Council")
    response = signed_in(editor).post(url_for(council), {"email": "clerk@example.org"})
    assert response.status_code == 303
    assert Target.objects.get(pk=council.pk).email == "clerk@example.org"


def test_only_the_creator_and_editors_may_set_an_address(addressed, organizer, moderator):
    mayor = addressed.targets.get(name="Maria Rossi")
    viewer = add_organizer(addressed, "vera@example.org", role=Organizer.Role.VIEWER)
    stranger = User.objects.create_user("sam@example.org", name="Sam Stranger")
    for user in [viewer, stranger, moderator]:
        client = signed_in(user)
        assert client.post(url_for(mayor), {"email": "evil@example.org"}).status_code == 404
        assert client.post(url_for(mayor), {"remove": "1"}).status_code == 404
        assert client.get(url_for(mayor)).status_code == 404
    assert Client().post(url_for(mayor), {"email": "evil@example.org"}).status_code == 302
    assert Target.objects.get(pk=mayor.pk).email == "maria@example.org"

    other = make_petition(organizer, moderator, targets=[COUNCIL])
    wrong = reverse("responses:target_email", args=[other.pk, mayor.pk])
    assert signed_in(organizer).post(wrong, {"email": "x@example.org"}).status_code == 404


def test_the_post_needs_a_csrf_token(addressed, organizer):
    mayor = addressed.targets.get(name="Maria Rossi")
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    assert client.post(url_for(mayor), {"email": "evil@example.org"}).status_code == 403
    assert Target.objects.get(pk=mayor.pk).email == "maria@example.org"


def test_the_panel_shows_the_form_to_editors_only(addressed, organizer):
    viewer = add_organizer(addressed, "vera@example.org", role=Organizer.Role.VIEWER)
    mayor = addressed.targets.get(name="Maria Rossi")

    page = signed_in(organizer).get(dashboard(addressed)).content.decode()
    assert page.count("E-mail address (never shown publicly)") == 2
    assert url_for(mayor) in page and "csrfmiddlewaretoken" in page
    assert "Remove the address" in page and "Add the address" in page
    assert "maria@example.org" not in page and "m•••@example.org" in page

    page = signed_in(viewer).get(dashboard(addressed)).content.decode()
    assert "never shown publicly)" not in page and url_for(mayor) not in page


def test_the_address_is_never_on_the_petition_page(addressed, organizer):
    council = addressed.targets.get(name="City Council")
    actions.set_target_email(council, "clerk@example.org", organizer)
    page = Client().get(addressed.get_absolute_url()).content.decode()
    assert "clerk@example.org" not in page and "clerk" not in page


def test_the_address_page_works_without_the_dashboard(addressed, organizer):
    council = addressed.targets.get(name="City Council")
    response = signed_in(organizer).get(url_for(council))
    assert response.status_code == 200
    page = response.content.decode()
    assert "E-mail address of City Council" in page and "csrfmiddlewaretoken" in page
    assert "Remove the address" not in page  # none on file
