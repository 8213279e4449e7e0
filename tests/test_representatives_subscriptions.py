"""A representative subscribes through their own link to be told when their region
reaches N signers on an open petition, once per petition."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from representatives_support import (
    ALICE,
    BOB,
    CAROL,
    NORTH,
    SCHEME,
    alerts_link,
    mails_to,
    make_representatives,
    make_scheme,
    sign_in_ward,
)
from support import make_petition, run_queued_tasks

from undersigned.representatives.models import Alert, Representative
from undersigned.representatives.subscriptions import alert_representatives

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    make_scheme(quorum=1000)  # no request for a position gets in the way
    return make_representatives()


def ask_for_link(client, address: str):
    cache.clear()  # one e-mail a minute per address
    return client.post("/representatives/subscribe", {"email": address})


def test_the_page_answers_the_same_whether_or_not_the_address_is_known(client, people):
    known = ask_for_link(client, ALICE["email"].upper())
    unknown = ask_for_link(client, "stranger@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r, a: r.content.decode().replace(a, "")  # noqa: E731
    assert strip(known, ALICE["email"].upper()) == strip(unknown, "stranger@example.org")
    run_queued_tasks()
    assert [m.to for m in mail.outbox] == [[ALICE["email"]]]
    assert alerts_link(ALICE["email"]).startswith("/representatives/alerts/")


def test_a_bad_address_is_a_form_error(client, people):
    response = client.post("/representatives/subscribe", {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter an e-mail address in the right format" in response.content.decode()


def test_a_representative_chooses_a_number_and_can_stop(client, people):
    ask_for_link(client, BOB["email"])
    run_queued_tasks()
    link = alerts_link(BOB["email"])
    assert client.get(link).status_code == 200
    response = client.post(link, {"threshold": "0"})
    assert (
        response.status_code == 400 and "Enter a number of 1 or more" in response.content.decode()
    )
    response = client.post(link, {"threshold": "abc"})
    assert response.status_code == 400 and "Enter a whole number" in response.content.decode()
    assert client.post(link, {"threshold": "250"}).status_code == 200
    assert Representative.objects.get(email=BOB["email"]).alert_threshold == 250
    assert client.post(link, {"threshold": ""}).status_code == 200  # the link works again
    assert Representative.objects.get(email=BOB["email"]).alert_threshold is None


def test_an_expired_or_replaced_link_changes_nothing(client, people, settings):
    ask_for_link(client, BOB["email"])
    run_queued_tasks()
    first = alerts_link(BOB["email"])
    ask_for_link(client, BOB["email"])
    run_queued_tasks()
    second = alerts_link(BOB["email"])
    assert client.post(first, {"threshold": "5"}).status_code == 404  # replaced
    old = timezone.now() - timedelta(days=settings.RESPONSE_LINK_DAYS + 1)
    Representative.objects.filter(email=BOB["email"]).update(alert_link_sent_at=old)
    response = client.post(second, {"threshold": "5"})
    assert response.status_code == 410 and "Ask for a new link" in response.content.decode()
    assert Representative.objects.get(email=BOB["email"]).alert_threshold is None


def test_a_subscriber_is_told_once_per_petition_when_their_region_reaches_their_number(
    organizer, moderator, people
):
    Representative.objects.filter(email=ALICE["email"]).update(alert_threshold=2)
    Representative.objects.filter(email=CAROL["email"]).update(alert_threshold=2)  # south
    first = make_petition(organizer, moderator, region_scheme=SCHEME)
    second = make_petition(organizer, moderator, region_scheme=SCHEME, title="A second petition")
    sign_in_ward(first, NORTH, 1)
    assert alert_representatives() == 0
    sign_in_ward(first, NORTH, 1)
    sign_in_ward(second, NORTH, 3)
    assert alert_representatives() == 2
    run_queued_tasks()
    sign_in_ward(first, NORTH, 5)
    assert alert_representatives() == 0
    run_queued_tasks()
    letters = mails_to(ALICE["email"])
    assert len(letters) == 2 and Alert.objects.count() == 2
    assert {first.title, second.title} == {m.subject.split(": ", 1)[1] for m in letters}
    assert mails_to(CAROL["email"]) == [] and mails_to(BOB["email"]) == []
