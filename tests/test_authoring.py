"""Organizers write a petition, preview it, save it as a draft, submit it and close it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories_accounts import petition_data
from support import make_petition

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition


@pytest.fixture
def author(client, organizer) -> Client:
    client.force_login(organizer)
    return client


@pytest.fixture
def stranger(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_user("stranger@example.org", name="Sam Stranger"))
    return client


@pytest.fixture
def draft(organizer) -> Petition:
    return make_petition(organizer, state=Petition.State.DRAFT)


def new(client, **fields):
    return client.post(reverse("petitions:new"), petition_data(**fields))


def test_starting_a_petition_needs_an_account(client, db):
    response = client.get(reverse("petitions:new"))
    assert response.status_code == 302
    assert reverse("accounts:sign_in") in response["Location"]


def test_the_form_has_labelled_fields_and_empty_rows_for_decision_makers(author):
    html = author.get(reverse("petitions:new")).content.decode()
    assert '<label for="id_title">' in html and '<label for="id_text">' in html
    assert 'type="date"' in html and 'name="targets-2-name"' in html
    assert "Save draft" in html and "Preview" in html and ">Submit<" not in html


def test_saving_creates_a_draft_with_its_targets_and_shows_it(author, organizer):
    targets = [("City Council", "Riverside"), ("Mayor of Riverside", "")]
    response = new(author, targets=targets, text="Sunday hours *matter*.")
    petition = Petition.objects.get()
    assert response.status_code == 303
    assert response["Location"] == petition.get_absolute_url()
    assert petition.state == Petition.State.DRAFT and petition.creator == organizer
    assert [(t.name, t.role) for t in petition.targets.all()] == targets
    assert petition.text_html == "<p>Sunday hours <em>matter</em>.</p>\n"
    assert timezone.localdate(petition.closes_at) == timezone.localdate() + timedelta(days=60)
    page = author.get(response["Location"]).content.decode()
    assert "Your draft is saved" in page and "Submit for moderation" in page


def test_preview_renders_the_text_and_saves_nothing(author):
    page = new(author, action="preview", text="# Why\n\nSunday hours **matter**.")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h2>Why</h2>" in html and "<strong>matter</strong>" in html
    assert 'value="Keep the library open on Sundays"' in html  # the values stay
    assert not Petition.objects.exists()


def test_preview_never_lets_a_script_through(author):
    page = new(author, action="preview", text="<script>alert(1)</script> [x](javascript:y)")
    html = page.content.decode()
    assert "<script>alert" not in html and 'href="javascript:' not in html


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"title": ""}, "id_title", "Enter a title"),
        ({"title": "x" * 151}, "id_title", "150 characters or fewer"),
        ({"text": ""}, "id_text", "Enter the text"),
        ({"goal": "5"}, "id_goal", "at least 10"),
        ({"goal": "many"}, "id_goal", "whole number"),
        ({"closes_at": timezone.localdate().isoformat()}, "id_closes_at", "after today"),
        ({"closes_at": "2999-01-01"}, "id_closes_at", "within a year"),
        ({"closes_at": "31/02/2027"}, "id_closes_at", "real date"),
        ({"targets": []}, "id_targets-0-name", "at least one decision maker"),
        ({"targets": [("", "Mayor")]}, "id_targets-0-name", "or clear the role"),
    ],
)
def test_it_explains_each_problem_next_to_its_field(author, fields, field_id, message):
    page = new(author, **fields)
    html = page.content.decode()
    assert page.status_code == 400
    assert "<title>Error:" in html and "There is a problem" in html
    assert f'href="#{field_id}"' in html and message in html
    assert f'id="{field_id}-error"' in html
    assert not Petition.objects.exists()


def test_it_refuses_more_than_five_decision_makers(author):
    data = petition_data()
    data["targets-TOTAL_FORMS"] = "6"
    for i in range(6):
        data[f"targets-{i}-name"] = f"Council {i}"
    page = author.post(reverse("petitions:new"), data)
    assert page.status_code == 400 and b"up to 5 decision makers" in page.content
    assert not Petition.objects.exists()


def test_the_creator_edits_a_draft_and_can_remove_a_target(author, draft):
    url = reverse("petitions:edit", args=[draft.pk])
    form = author.get(url).content.decode()
    assert 'value="City Council"' in form
    assert 'name="targets-3-name"' in form  # one filled row plus three empty ones
    data = petition_data(targets=[("Mayor of Riverside", "")], title="Open the library on Sundays")
    data["targets-INITIAL_FORMS"] = "1"
    response = author.post(url, data)
    assert response.status_code == 303
    draft.refresh_from_db()
    assert draft.title == "Open the library on Sundays"
    assert [t.name for t in draft.targets.all()] == ["Mayor of Riverside"]


def test_only_the_owner_or_a_moderator_may_edit(stranger, draft, moderator):
    url = reverse("petitions:edit", args=[draft.pk])
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, petition_data(title="Taken over by a stranger")).status_code == 404
    draft.refresh_from_db()
    assert draft.title != "Taken over by a stranger"
    staff = Client()
    staff.force_login(moderator)
    assert staff.get(url).status_code == 200


def test_drafts_are_invisible_to_everyone_but_their_creator_and_moderators(
    client, stranger, draft, organizer
):
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    assert stranger.get(url).status_code == 404
    assert client.get(reverse("petitions:detail_json", args=[draft.pk])).status_code == 404
    client.force_login(organizer)
    assert client.get(url).status_code == 200


def test_an_open_petition_can_no_longer_be_edited(author, petition):
    url = reverse("petitions:edit", args=[petition.pk])
    assert author.get(url).status_code == 409
    assert author.post(url, petition_data(title="Changed after opening")).status_code == 409
    petition.refresh_from_db()
    assert petition.title != "Changed after opening"


def test_submitting_sends_the_draft_to_moderation(author, draft):
    response = author.post(reverse("petitions:submit", args=[draft.pk]))
    assert response.status_code == 303 and response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.state == Petition.State.MODERATION and draft.submitted_at is not None
    page = author.get(response["Location"]).content.decode()
    assert "Your petition is submitted" in page


def test_submitting_twice_is_a_conflict_not_an_error(author, draft):
    author.post(reverse("petitions:submit", args=[draft.pk]))
    again = author.post(reverse("petitions:submit", args=[draft.pk]))
    assert again.status_code == 409 and b"<html" in again.content


def test_submit_and_close_need_a_post(author, draft):
    assert author.get(reverse("petitions:submit", args=[draft.pk])).status_code == 405
    assert author.get(reverse("petitions:close", args=[draft.pk])).status_code == 405


def test_only_the_creator_submits(stranger, draft, moderator):
    assert stranger.post(reverse("petitions:submit", args=[draft.pk])).status_code == 404
    staff = Client()
    staff.force_login(moderator)
    assert staff.post(reverse("petitions:submit", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.state == Petition.State.DRAFT


def test_the_creator_closes_an_open_petition(author, petition):
    response = author.post(reverse("petitions:close", args=[petition.pk]))
    assert response.status_code == 303
    petition.refresh_from_db()
    assert petition.state == Petition.State.CLOSED and petition.closed_at is not None
    assert "no longer accepts signatures" in author.get(response["Location"]).content.decode()


def test_a_moderator_may_close_someone_elses_petition(client, petition, moderator):
    client.force_login(moderator)
    assert client.post(reverse("petitions:close", args=[petition.pk])).status_code == 303
    petition.refresh_from_db()
    assert petition.state == Petition.State.CLOSED


def test_closing_a_draft_is_a_conflict(author, draft):
    assert author.post(reverse("petitions:close", args=[draft.pk])).status_code == 409
    draft.refresh_from_db()
    assert draft.state == Petition.State.DRAFT


def test_nobody_else_closes_a_petition(stranger, petition):
    assert stranger.post(reverse("petitions:close", args=[petition.pk])).status_code == 404
    petition.refresh_from_db()
    assert petition.state == Petition.State.OPEN
