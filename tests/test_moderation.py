"""Moderators review submitted petitions, oldest first, and approve, reject or hide them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories_accounts import petition_data, sign_in_by_mail
from support import make_petition

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature


@pytest.fixture
def staff(client, moderator) -> Client:
    client.force_login(moderator)
    return client


@pytest.fixture
def submitted(organizer) -> Petition:
    return make_petition(organizer, state=Petition.State.MODERATION)


def decide(client, petition, **data):
    return client.post(reverse("moderation:review", args=[petition.pk]), data)


def test_the_queue_sends_visitors_to_the_moderators_sign_in(client, db):
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff_sign_in") + "?next=/moderation/"


def test_organizers_cannot_see_the_queue_or_decide(client, organizer, submitted):
    client.force_login(organizer)
    assert client.get(reverse("moderation:queue")).status_code == 403
    assert client.get(reverse("moderation:review", args=[submitted.pk])).status_code == 403
    assert decide(client, submitted, decision="approve").status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == Petition.State.MODERATION


def test_the_queue_lists_petitions_awaiting_moderation_oldest_first(staff, organizer):
    older = make_petition(organizer, state=Petition.State.MODERATION, title="The older petition")
    newer = make_petition(organizer, state=Petition.State.MODERATION, title="The newer petition")
    Petition.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    make_petition(organizer, state=Petition.State.DRAFT, title="A draft nobody should see")
    html = staff.get(reverse("moderation:queue")).content.decode()
    assert html.index(older.title) < html.index(newer.title)
    assert "A draft nobody should see" not in html
    assert reverse("moderation:review", args=[older.pk]) in html
    assert "City Council" in html and organizer.name in html
    assert "2 petitions are awaiting moderation" in html


def test_the_review_page_shows_the_text_as_it_will_be_published(staff, submitted, organizer):
    html = staff.get(reverse("moderation:review", args=[submitted.pk])).content.decode()
    assert submitted.text_html in html  # "<strong>restore</strong>", not the Markdown
    assert organizer.email in html and "City Council" in html
    assert (
        "<legend>Your decision</legend>" in html and "<legend>Reason for rejecting</legend>" in html
    )
    assert str(Petition.Rejection.DUPLICATE.label) in html  # the plain-language reason
    assert "Save decision" in html


def test_approving_opens_the_petition_and_emails_the_organizer(
    staff, submitted, moderator, organizer, run_tasks
):
    response = decide(staff, submitted, decision="approve")
    assert response.status_code == 303 and response["Location"] == reverse("moderation:queue")
    submitted.refresh_from_db()
    assert submitted.state == Petition.State.OPEN and submitted.moderated_by == moderator
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [organizer.email] and "is open" in message.subject
    queue = staff.get(response["Location"]).content.decode()
    assert "Approved" in queue and "Recently decided" in queue


def test_rejecting_needs_a_reason(staff, submitted):
    page = decide(staff, submitted, decision="reject", note="Too vague.")
    html = page.content.decode()
    assert page.status_code == 400 and "<title>Error:" in html
    assert 'href="#id_reason_0"' in html and "Choose the reason" in html
    assert 'value="Too vague."' in html or "Too vague." in html  # the note is kept
    submitted.refresh_from_db()
    assert submitted.state == Petition.State.MODERATION


def test_rejecting_emails_the_reason_and_the_note(staff, submitted, organizer, run_tasks):
    reason = Petition.Rejection.NO_ACTION
    decide(
        staff, submitted, decision="reject", reason=reason, note="Say what the council should do."
    )
    submitted.refresh_from_db()
    assert submitted.state == Petition.State.REJECTED
    assert submitted.rejection_reason == reason
    run_tasks()
    (message,) = mail.outbox
    assert message.to == [organizer.email]
    assert str(reason.label) in message.body and "Say what the council should do." in message.body
    public = Client().get(submitted.get_absolute_url()).content.decode()
    assert str(reason.label) in public


def test_a_note_longer_than_2000_characters_is_refused(staff, submitted):
    page = decide(staff, submitted, decision="reject", reason="other", note="x" * 2001)
    assert page.status_code == 400 and b"2,000 characters or fewer" in page.content


def test_choosing_no_decision_is_explained(staff, submitted):
    page = decide(staff, submitted)
    assert page.status_code == 400 and b'href="#id_decision_0"' in page.content


def test_hiding_takes_it_off_the_site_without_an_email(staff, submitted, run_tasks):
    decide(staff, submitted, decision="hide", note="Spam")
    submitted.refresh_from_db()
    assert submitted.state == Petition.State.HIDDEN
    run_tasks()
    assert mail.outbox == []
    assert Client().get(submitted.get_absolute_url()).status_code == 404


def test_a_decision_on_a_petition_no_longer_awaiting_moderation_is_a_conflict(
    staff, submitted, moderator
):
    decide(staff, submitted, decision="approve")
    other = Client()
    other.force_login(User.objects.create_user("mod2@example.org", is_staff=True))
    page = decide(other, submitted, decision="reject", reason="other")
    assert page.status_code == 409 and b"no longer awaiting moderation" in page.content
    submitted.refresh_from_db()
    assert submitted.state == Petition.State.OPEN


def test_approving_after_the_closing_date_is_a_conflict_not_an_error(staff, submitted):
    Petition.objects.filter(pk=submitted.pk).update(closes_at=timezone.now() - timedelta(days=1))
    assert (
        b"closing date has passed"
        in staff.get(reverse("moderation:review", args=[submitted.pk])).content
    )
    page = decide(staff, submitted, decision="approve")
    assert page.status_code == 409 and b"closing date has passed" in page.content
    submitted.refresh_from_db()
    assert submitted.state == Petition.State.MODERATION


def test_the_admin_shows_petitions_and_signatures_read_only_where_it_matters(
    client, moderator, petition
):
    moderator.is_superuser = True
    moderator.save()
    client.force_login(moderator)
    page = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert page.status_code == 200 and b'name="state"' not in page.content
    assert b"City Council" in page.content  # the targets inline
    signature = Signature.objects.create(
        petition=petition, name="Anahit K", email="Anahit@Example.am",
        email_normalized="anahit@example.am", country="AM",
    )  # fmt: skip
    found = client.get(reverse("admin:signatures_signature_changelist"), {"q": "ANAHIT@example.am"})
    assert found.status_code == 200 and found.context["cl"].result_count == 1
    change = client.get(reverse("admin:signatures_signature_change", args=[signature.pk]))
    assert change.status_code == 200 and b'name="email"' not in change.content
    assert client.get(reverse("admin:signatures_signature_add")).status_code == 403


def test_the_whole_journey_from_sign_up_to_a_public_petition(client, moderator, run_tasks):
    # An organizer signs up by e-mail, on the way to starting a petition.
    start = client.get(reverse("petitions:new"))
    next_url = start["Location"].split("next=")[1].replace("%2F", "/")
    landed = sign_in_by_mail(client, "ani@example.org", "Ani Hakobyan", next_url)
    assert landed["Location"] == reverse("petitions:new")
    # They write it, save it as a draft, and submit it.
    saved = client.post(reverse("petitions:new"), petition_data(title="Light the riverside path"))
    petition = Petition.objects.get(title="Light the riverside path")
    assert saved["Location"] == petition.get_absolute_url()
    assert Client().get(petition.get_absolute_url()).status_code == 404  # a draft is private
    client.post(reverse("petitions:submit", args=[petition.pk]))
    # A moderator approves it from the queue.
    staff = Client()
    staff.force_login(moderator)
    assert petition.title in staff.get(reverse("moderation:queue")).content.decode()
    decide(staff, petition, decision="approve")
    run_tasks()
    assert mail.outbox[-1].to == ["ani@example.org"]
    # Now anyone can read and sign it.
    page = Client().get(petition.get_absolute_url())
    assert page.status_code == 200 and b"Sign this petition" in page.content
    assert b"Ani Hakobyan" in page.content
