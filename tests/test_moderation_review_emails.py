"""The review page says what approving will e-mail, and to whom, and approving then sends
exactly that: the organizer's "your petition is open", and the decision makers' "a
petition addressed to you" to each address the page listed, or nothing to them when they
have no address or the organizers chose not to e-mail them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from support import make_petition, signed_in

from undersigned.petitions.models import Petition
from undersigned.responses import actions as responses

pytestmark = pytest.mark.django_db

TITLE = "Keep the library open on Sundays"
MAYOR = {"name": "Maria Rossi", "role": "Mayor of Riverside", "email": "mayor@riverside.example"}
COUNCIL = {"name": "City Council", "role": "Riverside"}
OPEN = f"Your petition is open: {TITLE}"
ADDRESSED = f"A petition addressed to you: {TITLE}"


def submitted(organizer, targets, notify: bool) -> Petition:
    return make_petition(
        organizer, targets=targets, notify_targets=notify, state=Petition.State.MODERATION
    )


def review_page(moderator, petition) -> str:
    url = reverse("moderation:review", args=[petition.pk])
    html = signed_in(moderator).get(url).content.decode()
    region = re.search(r'<div class="notice approval-emails".*?</div>', html, re.S)
    assert region, "the review page has no “What approving sends”"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", region.group())).split())


def approve_and_send(moderator, petition, run_tasks) -> list[tuple[str, str]]:
    """Approve as the page does, let the clock and the worker run: (to, subject) sent."""
    staff = signed_in(moderator)
    url = reverse("moderation:review", args=[petition.pk])
    listed = re.search(r'name="listed" value="([^"]+)"', staff.get(url).content.decode())
    staff.post(url, {"decision": "approve", "listed": listed.group(1)})
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    run_tasks()
    responses.notify_targets()
    run_tasks()
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def test_it_names_both_emails_and_every_address_and_approving_sends_just_those(
    organizer, moderator, run_tasks
):
    petition = submitted(organizer, [MAYOR, COUNCIL], notify=True)
    text = review_page(moderator, petition)
    assert f"To the organizer, Lena Aramyan ( {organizer.email} ): the e-mail “{OPEN}”" in text
    assert "Approving will e-mail these decision makers at these addresses" in text
    assert f"“{ADDRESSED}”" in text and "private link to publish a response" in text
    assert f"Maria Rossi · {MAYOR['email']}" in text
    assert "City Council · no address on file: not e-mailed" in text

    assert approve_and_send(moderator, petition, run_tasks) == sorted(
        [(organizer.email, OPEN), (MAYOR["email"], ADDRESSED)]
    )


def test_with_emails_off_it_says_nothing_goes_to_the_decision_makers(
    organizer, moderator, run_tasks
):
    petition = submitted(organizer, [MAYOR, COUNCIL], notify=False)
    text = review_page(moderator, petition)
    assert f"“{OPEN}”" in text
    assert "Nothing to the decision makers: the organizers chose not to" in text
    assert f"Maria Rossi · {MAYOR['email']}" in text  # approved with the petition, unused
    assert ADDRESSED not in text and "City Council" not in text

    assert approve_and_send(moderator, petition, run_tasks) == [(organizer.email, OPEN)]


def test_with_no_address_on_file_it_says_nobody_else_is_emailed(organizer, moderator, run_tasks):
    petition = submitted(organizer, [COUNCIL], notify=True)
    text = review_page(moderator, petition)
    assert f"“{OPEN}”" in text
    assert "Nothing to the decision makers" in text and "none has an address on file" in text
    assert ADDRESSED not in text

    assert approve_and_send(moderator, petition, run_tasks) == [(organizer.email, OPEN)]


def test_with_emails_off_and_no_address_it_says_so(organizer, moderator):
    petition = submitted(organizer, [COUNCIL], notify=False)
    text = review_page(moderator, petition)
    assert "chose not to have us e-mail them, and none has an address on file" in text


def test_an_organizer_without_a_name_is_named_by_address(moderator, db):
    from undersigned.accounts.models import User

    nameless = User.objects.create_user("nameless@example.org")
    text = review_page(moderator, submitted(nameless, [COUNCIL], notify=False))
    assert f"To the organizer, at nameless@example.org : the e-mail “{OPEN}”" in text
