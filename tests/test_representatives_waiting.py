"""The public "Waiting for an answer" page, a representative's public page, and the
petition's "To" line; and that no page or format ever shows a representative's address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from representatives_support import (
    ALICE,
    BOB,
    CAROL,
    NORTH,
    SCHEME,
    answer_link,
    make_representatives,
    make_scheme,
    sign_in_ward,
)
from responses_support import MAYOR, approve_address, set_count
from support import make_petition, run_queued_tasks

from undersigned.representatives import actions
from undersigned.representatives.models import PositionRequest
from undersigned.responses.actions import notify_targets, publish_response
from undersigned.responses.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(organizer, moderator):
    make_scheme(quorum=2)
    make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME, title="Save the ferry")
    sign_in_ward(petition, NORTH, 2)
    actions.ask_representatives()
    run_queued_tasks()
    ten_days_ago = timezone.now() - timedelta(days=10)
    PositionRequest.objects.filter(representative__email=BOB["email"]).update(asked_at=ten_days_ago)
    return petition


def test_the_waiting_page_lists_representatives_who_have_not_answered(client, asked):
    Client().post(answer_link(ALICE["email"]), {"position": "agree", "reason": "Yes, of course."})
    page = client.get("/waiting").content.decode()
    assert "Save the ferry" in page
    assert "Bob Norris" in page and "waiting for 10 days" in page
    assert "Alice Northcote" not in page  # she answered


def test_the_waiting_page_lists_decision_makers_past_a_response_threshold(
    client, organizer, moderator, settings
):
    settings.TARGET_THRESHOLDS = [(5, "response")]
    petition = make_petition(organizer, moderator, targets=[MAYOR], notify_targets=True,
                             title="Light the underpass")  # fmt: skip
    approve_address(petition.targets.get(), moderator)
    set_count(petition, 6)
    notify_targets()
    run_queued_tasks()
    Notification.objects.update(sent_at=timezone.now() - timedelta(days=3))
    page = client.get("/waiting").content.decode()
    assert "Light the underpass" in page and "Maria Rossi" in page and "waiting for 3 days" in page

    notification = Notification.objects.get()
    notification.refresh_from_db()
    publish_response(notification, "Maria Rossi, Mayor", "We will light it before winter.")
    assert "Light the underpass" not in client.get("/waiting").content.decode()


def test_nobody_waiting_says_so_and_the_footer_links_the_page(client, db):
    page = client.get("/waiting").content.decode()
    assert "Nobody is waiting" in page
    assert 'href="/waiting"' in client.get("/").content.decode()


def test_the_representatives_page_lists_answers_and_waits(client, asked):
    Client().post(answer_link(ALICE["email"]), {"position": "disagree", "reason": "Too costly."})
    alice = PositionRequest.objects.get(representative__email=ALICE["email"]).representative
    bob = PositionRequest.objects.get(representative__email=BOB["email"]).representative
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "Alice Northcote" in page and "Disagrees" in page and "Too costly." in page
    assert "Riverside North" in page and "https://example.org/alice" in page
    page = client.get(bob.get_absolute_url()).content.decode()
    assert "Save the ferry" in page and "waiting for 10 days" in page
    assert client.get("/representatives/999999").status_code == 404


def test_the_petition_is_addressed_to_the_representatives_of_the_signers_regions(client, asked):
    page = client.get(asked.get_absolute_url()).content.decode()
    assert "the representatives of the signers’ regions" in page
    assert "We asked 2 representatives for a position; none has answered yet." in page


def test_no_page_or_format_shows_a_representatives_address(client, asked):
    Client().post(answer_link(ALICE["email"]), {"position": "agree", "reason": "Yes, of course."})
    alice = PositionRequest.objects.get(representative__email=ALICE["email"]).representative
    pages = [
        asked.get_absolute_url(), f"/petitions/{asked.pk}.json", f"/api/v1/petitions/{asked.pk}",
        alice.get_absolute_url(), "/waiting", f"/petitions/{asked.pk}/regions",
        f"/petitions/{asked.pk}/regions.json", f"/petitions/{asked.pk}/regions.csv",
    ]  # fmt: skip
    for path in pages:
        response = client.get(path)
        body = response.content.decode()
        for person in (ALICE, BOB, CAROL):
            assert person["email"] not in body, path
            assert "council.example.org" not in body, path


def test_no_log_line_names_a_representatives_address(caplog, asked):
    caplog.set_level("DEBUG")
    Client().post(answer_link(ALICE["email"]), {"position": "agree", "reason": "Yes, of course."})
    run_queued_tasks()
    assert "council.example.org" not in caplog.text
