"""Many requests at the same moment: one person is still one signature, and the count is
exactly the number of confirmed rows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from support import SIGNER, in_parallel, make_petition, run_queued_tasks

from undersigned.accounts.models import User
from undersigned.signatures import actions
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_petition():
    organizer = User.objects.create_user("org@example.org")
    moderator = User.objects.create_user("mod@example.org", is_staff=True)
    return make_petition(organizer, moderator)


def test_simultaneous_identical_submissions_make_exactly_one_signature(open_petition):
    url = reverse("signatures:sign", args=[open_petition.pk])
    statuses = in_parallel(lambda i: Client().post(url, SIGNER).status_code, 12)
    assert statuses == [303] * 12
    assert Signature.objects.filter(petition=open_petition).count() == 1


def test_simultaneous_confirmations_are_all_counted_once(open_petition, settings):
    settings.LIMIT_ADDRESS_PER_MINUTE = 100  # all these signers share the test's address
    for n in range(12):
        Client().post(
            reverse("signatures:sign", args=[open_petition.pk]),
            {**SIGNER, "email": f"signer{n}@example.org"},
        )
    run_queued_tasks()
    from django.core import mail

    paths = [m.body.split("/confirm/")[1].split()[0] for m in mail.outbox]
    # Every link clicked twice at once: a double click must not count twice.
    twice = paths + paths
    statuses = in_parallel(
        lambda i: Client().post(reverse("signatures:confirm", args=[twice[i]])).status_code,
        len(twice),
    )
    assert sorted(statuses) == [303] * 12 + [410] * 12
    counted = Signature.objects.filter(petition=open_petition).counted().count()
    assert counted == 12 == actions.count_for(open_petition)
