"""Decisions made at the same time by two people never overwrite each other."""

from __future__ import annotations

import pytest
from django.core import mail
from support import make_petition, run_queued_tasks

from undersigned.accounts.actions import request_sign_in
from undersigned.petitions import actions
from undersigned.petitions.models import InvalidTransition, Petition, Target


def test_a_second_moderator_cannot_overturn_a_decision_just_made(organizer, moderator):
    petition = make_petition(organizer, moderator, state=Petition.State.MODERATION)
    stale_copy = Petition.objects.get(pk=petition.pk)
    actions.moderate_petition(petition, moderator, "approve")
    with pytest.raises(InvalidTransition):
        actions.moderate_petition(stale_copy, moderator, "reject", "advert", "spam")
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN


def test_an_edit_from_a_stale_page_cannot_reopen_moderation(organizer, moderator):
    petition = make_petition(organizer, moderator, state=Petition.State.MODERATION)
    stale_copy = Petition.objects.get(pk=petition.pk)
    actions.moderate_petition(petition, moderator, "approve")
    stale_copy.title = "Changed after approval"
    with pytest.raises(InvalidTransition):
        actions.save_draft(stale_copy, [{"name": "City Council"}])
    fresh = Petition.objects.get(pk=petition.pk)
    assert fresh.state == Petition.State.OPEN and fresh.title != "Changed after approval"


def test_editing_keeps_the_private_address_of_an_unchanged_target(organizer):
    petition = make_petition(organizer, state=Petition.State.DRAFT)
    Target.objects.filter(petition=petition).update(email="council@riverside.example")
    actions.save_draft(petition, [{"name": "City Council", "role": "Riverside"}, {"name": "Mayor"}])
    emails = dict(petition.targets.values_list("name", "email"))
    assert emails == {"City Council": "council@riverside.example", "Mayor": ""}


def test_sign_in_links_to_one_address_are_sent_at_most_once_a_minute(db):
    for _attempt in range(5):
        request_sign_in("flooded@example.org")
    run_queued_tasks()
    assert len(mail.outbox) == 1
