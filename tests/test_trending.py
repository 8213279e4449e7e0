"""Hourly trending detection: an address block or e-mail domain signing one open petition
more than TRENDING_THRESHOLD times in an hour is recorded once per hour and mailed to
every moderator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string
from support import SIGNER, make_petition, run_queued_tasks

from undersigned.accounts.models import User
from undersigned.moderation import tasks
from undersigned.moderation.models import TrendingAlert
from undersigned.moderation.trending import detect_trending
from undersigned.petitions.models import Petition
from undersigned.signatures.models import Signature

NOW = datetime(2026, 11, 24, 10, 50, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.TRENDING_THRESHOLD = 3


def signatures(petition, n, at=NOW - timedelta(minutes=10), block="203.0.113.0/24",
               domain="campaign.example", **fields):  # fmt: skip
    """n signature rows written directly: detection reads only these columns."""
    last = Signature.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Signature.objects.bulk_create(
        Signature(
            petition=petition,
            name="Bot",
            email=f"b{last + i}@{domain}",
            email_normalized=f"b{last + i}@{domain}",
            country="VA",
            ip_block=block,
            email_domain=domain,
            **fields,
        )
        for i in range(n)
    )
    Signature.objects.filter(pk__gt=last).update(created_at=at)


def test_it_records_a_block_and_a_domain_over_the_threshold_and_mails_every_moderator(
    petition, moderator, organizer
):
    User.objects.create_user("second-mod@example.org", is_staff=True)
    User.objects.create_user("gone-mod@example.org", is_staff=True, is_active=False)
    signatures(petition, 4)
    alerts = detect_trending(NOW)
    assert {(a.kind, a.value, a.count) for a in alerts} == {
        ("ip_block", "203.0.113.0/24", 4),
        ("domain", "campaign.example", 4),
    }
    assert alerts[0].window_start == datetime(2026, 11, 24, 10, tzinfo=UTC)
    run_queued_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == ["mod@example.org", "second-mod@example.org"]
    message = mail.outbox[0]
    assert "2 new fraud alerts" in message.subject
    assert "campaign.example" in message.body and "203.0.113.0/24" in message.body
    assert petition.title in message.body
    assert reverse("moderation:fraud", args=[petition.pk]) in message.body
    assert "@campaign.example" not in message.body  # no signer's address
    assert "campaign.example" in message.alternatives[0][0]


def test_running_again_in_the_same_hour_creates_and_mails_nothing(petition, moderator):
    signatures(petition, 4)
    assert len(detect_trending(NOW)) == 2
    run_queued_tasks()
    mail.outbox.clear()
    signatures(petition, 2, at=NOW + timedelta(minutes=2))
    assert detect_trending(NOW + timedelta(minutes=5)) == []
    assert run_queued_tasks() == 0 and mail.outbox == []
    assert TrendingAlert.objects.count() == 2
    # A new hour, the campaign still going: a new batch.
    assert len(detect_trending(NOW + timedelta(minutes=15))) == 2
    assert TrendingAlert.objects.filter(count=6).count() == 2


def test_at_the_threshold_there_is_no_alert(petition, moderator):
    signatures(petition, 3)
    assert detect_trending(NOW) == []


def test_only_the_last_hour_counts(petition, moderator):
    signatures(petition, 2, at=NOW - timedelta(minutes=70))
    signatures(petition, 2)
    assert detect_trending(NOW) == []


def test_common_domains_are_exempt_but_their_address_blocks_are_not(petition, moderator):
    signatures(petition, 4, domain="gmail.com")
    assert [(a.kind, a.value) for a in detect_trending(NOW)] == [("ip_block", "203.0.113.0/24")]


def test_invalidated_signatures_and_other_petitions_are_left_out(petition, organizer, moderator):
    signatures(petition, 4, invalidated_at=NOW)
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    signatures(closed, 4)
    other = make_petition(organizer, moderator, title="Another open petition")
    signatures(other, 2)
    signatures(petition, 2)
    assert detect_trending(NOW) == []


def test_each_petition_is_counted_on_its_own(petition, organizer, moderator):
    other = make_petition(organizer, moderator, title="Another open petition")
    signatures(petition, 4)
    signatures(other, 4, block="192.0.2.0/24", domain="other.example")
    alerts = detect_trending(NOW)
    assert {(a.petition_id, a.value) for a in alerts} == {
        (petition.pk, "203.0.113.0/24"),
        (petition.pk, "campaign.example"),
        (other.pk, "192.0.2.0/24"),
        (other.pk, "other.example"),
    }
    run_queued_tasks()
    assert len(mail.outbox) == 1  # one e-mail per moderator per batch
    assert "4 new fraud alerts" in mail.outbox[0].subject


def test_a_real_campaign_through_the_sign_form_is_detected_by_the_task(petition, moderator):
    for n in range(4):
        Client(REMOTE_ADDR=f"203.0.113.{n + 1}").post(
            reverse("signatures:sign", args=[petition.pk]),
            {**SIGNER, "email": f"p{n}@campaign.example"},
        )
    run_queued_tasks()
    mail.outbox.clear()
    tasks.detect_trending.enqueue()
    run_queued_tasks()
    assert TrendingAlert.objects.filter(petition=petition).count() == 2
    assert [m.to[0] for m in mail.outbox] == ["mod@example.org"]


def test_alerts_show_on_the_fraud_page_and_the_queue(petition, moderator):
    signatures(petition, 4, at=datetime.now(UTC) - timedelta(minutes=5))
    detect_trending()
    client = Client()
    client.force_login(moderator)
    fraud = client.get(reverse("moderation:fraud", args=[petition.pk])).content.decode()
    assert "Trending alerts" in fraud and "campaign.example" in fraud
    assert "?ip_range=203.0.113.0/24" in fraud  # a link that prefills the invalidation
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert "campaign.example" in queue and reverse("moderation:fraud", args=[petition.pk]) in queue


def test_the_clock_can_find_the_task():
    # The lead adds to periodic_jobs():
    # "detect_trending": (3600, "undersigned.moderation.tasks.detect_trending"),
    assert import_string("undersigned.moderation.tasks.detect_trending") is tasks.detect_trending
