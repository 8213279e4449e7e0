"""When a region reaches its quorum, its representatives are asked once: one row and one
e-mail each, whatever the number of workers, confirmations or runs."""

from __future__ import annotations

import pytest
from django.core import mail
from representatives_support import (
    ALICE,
    BOB,
    CAROL,
    NORTH,
    SCHEME,
    SOUTH,
    answer_link,
    confirm,
    mails_to,
    make_representatives,
    make_scheme,
    sign_in_ward,
)
from support import in_parallel, make_petition, run_queued_tasks

from undersigned.regions import lookups
from undersigned.representatives import actions
from undersigned.representatives.models import PositionRequest
from undersigned.signatures import actions as signing


@pytest.fixture
def addressed(organizer, moderator):
    make_scheme(quorum=3)
    make_representatives()
    return make_petition(organizer, moderator, region_scheme=SCHEME)


def asked() -> set[str]:
    return set(PositionRequest.objects.values_list("representative__name", flat=True))


@pytest.mark.django_db
def test_a_region_below_its_quorum_asks_nobody(addressed):
    sign_in_ward(addressed, NORTH, 2)
    assert actions.ask_representatives() == 0
    assert asked() == set()


@pytest.mark.django_db
def test_reaching_the_quorum_asks_each_representative_of_that_region_once(addressed):
    sign_in_ward(addressed, NORTH, 3)
    sign_in_ward(addressed, SOUTH, 1)
    assert actions.ask_representatives() == 2
    run_queued_tasks()
    assert asked() == {ALICE["name"], BOB["name"]}
    assert len(mails_to(ALICE["email"])) == 1 and len(mails_to(BOB["email"])) == 1
    assert mails_to(CAROL["email"]) == []
    letter = mails_to(ALICE["email"])[0]
    assert "3 signers in Riverside North" in letter.subject
    assert answer_link(ALICE["email"]).startswith("/representatives/answer/")
    assert "/representatives/alerts/" in letter.body  # their subscription link, first time

    sign_in_ward(addressed, NORTH, 2)  # more signers, later runs: nothing new
    assert actions.ask_representatives() == 0
    run_queued_tasks()
    assert len(mail.outbox) == 2 and PositionRequest.objects.count() == 2


@pytest.mark.django_db
def test_the_petitions_own_quorum_comes_before_the_schemes(organizer, moderator):
    make_scheme(quorum=100)
    make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME, region_quorum=2)
    sign_in_ward(petition, SOUTH, 2)
    assert actions.ask_representatives() == 1
    assert asked() == {CAROL["name"]}


@pytest.mark.django_db
def test_a_share_of_the_population_is_the_quorum_when_the_scheme_says_so(organizer, moderator):
    from decimal import Decimal

    make_scheme(quorum=None, quorum_share=Decimal("0.0002"))  # south: 10,000 people → 2
    make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME)
    sign_in_ward(petition, SOUTH, 2)
    sign_in_ward(petition, NORTH, 2)  # north: 20,000 people → 4
    actions.ask_representatives()
    assert asked() == {CAROL["name"]}


@pytest.mark.django_db
def test_without_any_quorum_the_sites_default_applies(organizer, moderator, settings):
    settings.REGION_QUORUM = 2
    make_scheme(quorum=None)
    make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME)
    sign_in_ward(petition, SOUTH, 2)
    actions.ask_representatives()
    assert asked() == {CAROL["name"]}


@pytest.mark.django_db
def test_closed_petitions_and_petitions_without_a_scheme_ask_nobody(organizer, moderator):
    make_scheme(quorum=1)
    make_representatives()
    plain = make_petition(organizer, moderator)
    sign_in_ward(plain, NORTH, 2)
    closing = make_petition(organizer, moderator, region_scheme=SCHEME)
    sign_in_ward(closing, NORTH, 2)
    from undersigned.petitions.actions import close_petition

    close_petition(closing)
    assert actions.ask_representatives() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_and_racing_workers_ask_each_representative_once(
    organizer, moderator
):
    """Six signers confirm at the same moment as four workers run the job, then every
    worker runs it again: Alice and Bob are asked once each, with one e-mail each."""
    make_scheme(quorum=3)
    make_representatives()
    petition = make_petition(organizer, moderator, region_scheme=SCHEME)
    waiting = []
    for number in range(6):
        request = signing.SignRequest(
            name=f"Racer {number}", email=f"racer{number}@example.net", country="GB",
            region=NORTH,
        )  # fmt: skip
        waiting.append(signing.sign_petition(petition, request))

    def work(i: int):
        if i < len(waiting):
            return confirm(waiting[i])
        lookups.forget()
        return actions.ask_representatives()

    results = in_parallel(work, len(waiting) + 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not [r for r in in_parallel(lambda i: actions.ask_representatives(), 4)
                if isinstance(r, Exception)]  # fmt: skip
    run_queued_tasks()
    assert PositionRequest.objects.count() == 2
    assert len(mails_to(ALICE["email"])) == 1 and len(mails_to(BOB["email"])) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_request_send_one_email(addressed):
    sign_in_ward(addressed, SOUTH, 3)
    actions.ask_representatives()
    request = PositionRequest.objects.get()
    results = in_parallel(lambda i: actions.send_request(request.pk), 4)
    assert sorted(results) == [False, False, False, True], results
    assert len(mails_to(CAROL["email"])) == 1
