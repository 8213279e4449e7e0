"""petitions reaches the apps built on it only through petitions/hooks.py: closing a
petition tells them in the closing transaction, and its JSON asks signatures for the
count."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from support import SIGNER, link_in_last_mail, make_petition

from undersigned.api import transport, webhooks
from undersigned.api.models import WebhookDelivery
from undersigned.petitions import hooks
from undersigned.petitions.actions import close_petition
from undersigned.petitions.models import Petition
from undersigned.transparency.models import Checkpoint


def signed_and_confirmed(client, petition, run_tasks) -> None:
    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    run_tasks()
    assert client.post(link_in_last_mail("confirm")).status_code == 303


def test_closing_stores_signs_and_announces_the_final_count(
    client, petition, organizer, run_tasks, monkeypatch
):
    signed_and_confirmed(client, petition, run_tasks)
    webhooks.add_webhook(petition, "https://hooks.example.org/in", ["closed"], organizer)
    sent = []
    monkeypatch.setattr(transport, "post", lambda url, body, headers: sent.append(body) or 200)

    close_petition(petition)
    assert Petition.objects.get(pk=petition.pk).signature_count == 1  # by signatures
    assert DBTaskResult.objects.filter(task_path__endswith=".publish_checkpoint").exists()

    run_tasks()
    assert Checkpoint.objects.get(petition=petition).count == 1  # by transparency
    (body,) = sent  # by api
    assert json.loads(body)["event"] == "closed"
    assert json.loads(body)["data"]["signature_count"] == 1


def test_a_receiver_that_fails_undoes_the_close(petition, organizer):
    webhooks.add_webhook(petition, "https://hooks.example.org/in", ["closed"], organizer)

    def broken(**kwargs):
        raise RuntimeError("a receiver failed")

    hooks.state_changed.connect(broken, dispatch_uid="test-broken-receiver")
    try:
        with pytest.raises(RuntimeError):
            close_petition(petition)
    finally:
        hooks.state_changed.disconnect(dispatch_uid="test-broken-receiver")
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__endswith=".publish_checkpoint").exists()


def test_every_transition_says_what_it_left(organizer, moderator):
    seen = []

    def record(sender, petition, previous, **kwargs):
        seen.append((previous, petition.state))

    hooks.state_changed.connect(record, dispatch_uid="test-record")
    try:
        close_petition(make_petition(organizer, moderator))
    finally:
        hooks.state_changed.disconnect(dispatch_uid="test-record")
    assert seen == [("draft", "moderation"), ("moderation", "open"), ("open", "closed")]


def test_the_json_count_comes_from_the_app_that_keeps_it(client, petition, monkeypatch):
    url = reverse("petitions:detail_json", args=[petition.pk])
    monkeypatch.setattr(hooks, "_signature_count", lambda petition: 41)
    assert client.get(url).json()["signature_count"] == 41
    monkeypatch.setattr(hooks, "_signature_count", None)
    with pytest.raises(ImproperlyConfigured, match="counts signatures"):
        hooks.signature_count(petition)
