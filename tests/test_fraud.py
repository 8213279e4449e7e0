"""Honest counts under attack: held signatures look normal to the signer but do not
count; moderators invalidate in audited bulk and can revert or release."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from support import SIGNER, link_in_last_mail, run_queued_tasks

from undersigned.lib import ratelimit
from undersigned.moderation.models import ListEntry
from undersigned.signatures import actions
from undersigned.signatures.invalidation import (
    BadConditions,
    cancel_invalidation,
    release_held,
    revert_invalidation,
    start_invalidation,
)
from undersigned.signatures.models import Invalidation, Signature


def sign_and_confirm(petition, email, address="198.51.100.7", **fields):
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": email, **fields}
    )
    assert response.status_code == 303
    run_queued_tasks()
    assert client.post(link_in_last_mail("confirm")).status_code == 303
    return Signature.objects.get(email=email)


def block(kind, value):
    entry = ListEntry(kind=kind, value=value)
    entry.clean()
    entry.save()


def test_a_disposable_address_is_accepted_mailed_and_held_not_counted(petition):
    signature = sign_and_confirm(petition, "bot@mailinator.com")
    assert signature.held_reason == "disposable-domain" and signature.confirmed_at
    assert actions.count_for(petition) == 0
    assert len(mail.outbox) == 1  # the bot sees exactly what a person sees


@pytest.mark.parametrize(
    ("kind", "value", "email", "address", "reason"),
    [
        (ListEntry.Kind.BLOCK_DOMAIN, "spam.example", "x@sub.spam.example", "198.51.100.1",
         "blocked-domain"),
        (ListEntry.Kind.BLOCK_ADDRESS, "Bad.Actor@gmail.com", "badactor+x@gmail.com",
         "198.51.100.1", "blocked-address"),
        (ListEntry.Kind.BLOCK_RANGE, "203.0.113.0/24", "a@example.org", "203.0.113.9",
         "blocked-range"),
    ],
)  # fmt: skip
def test_block_lists_hold_signatures(petition, kind, value, email, address, reason):
    block(kind, value)
    signature = sign_and_confirm(petition, email, address)
    assert signature.held_reason == reason
    assert actions.count_for(petition) == 0


def test_a_burst_from_one_address_is_held_beyond_the_limit(petition, settings):
    settings.LIMIT_ADDRESS_PER_MINUTE = 3
    for n in range(5):
        sign_and_confirm(petition, f"s{n}@example.org")
    held = Signature.objects.exclude(held_reason="")
    assert held.count() == 2 and set(held.values_list("held_reason", flat=True)) == {
        "address-burst"
    }
    assert actions.count_for(petition) == 3


def test_an_allowlisted_range_is_never_throttled(petition, settings):
    settings.LIMIT_ADDRESS_PER_MINUTE = 1
    block(ListEntry.Kind.ALLOW_RANGE, "198.51.100.0/24")
    for n in range(3):
        sign_and_confirm(petition, f"student{n}@uni.example")
    assert actions.count_for(petition) == 3


def test_a_domain_campaign_is_held_beyond_the_domain_limit(petition, settings):
    settings.LIMIT_DOMAIN_PER_HOUR = 2
    for n in range(4):
        sign_and_confirm(petition, f"p{n}@campaign.example", address=f"192.0.2.{n + 1}")
    assert actions.count_for(petition) == 2
    assert Signature.objects.filter(held_reason="domain-rate").count() == 2


def test_no_raw_ip_is_stored_only_a_hash_and_a_coarse_block(petition):
    signature = sign_and_confirm(petition, "a@example.org", address="198.51.100.77")
    values = " ".join(
        str(v) for v in Signature.objects.filter(pk=signature.pk).values().get().values()
    )
    assert "198.51.100.77" not in values
    assert signature.ip_block == "198.51.100.0/24" and len(signature.ip_hash) == 32
    assert signature.consent_version


def test_x_forwarded_for_is_trusted_only_through_configured_proxies(petition, settings):
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    client.post(reverse("signatures:sign", args=[petition.pk]), SIGNER)
    assert Signature.objects.get().ip_block == "10.0.0.0/24"  # no proxy configured
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": "b@x.org"})
    assert Signature.objects.get(email="b@x.org").ip_block == "203.0.113.0/24"


def test_releasing_held_signatures_counts_the_confirmed_ones(petition):
    sign_and_confirm(petition, "one@mailinator.com")
    sign_and_confirm(petition, "two@mailinator.com")
    assert release_held(petition, "disposable-domain") == 2
    assert actions.count_for(petition) == 2


def test_bulk_invalidation_is_audited_exact_idempotent_and_revertible(petition, moderator):
    for n in range(3):
        sign_and_confirm(petition, f"x{n}@fake.example", address=f"192.0.2.{n + 1}")
    sign_and_confirm(petition, "real@example.org", address="198.51.100.1")
    conditions = {"domain": "fake.example"}
    invalidation = start_invalidation(petition, conditions, "Campaign of fakes", moderator)
    assert invalidation.matched == 3
    run_queued_tasks()
    invalidation.refresh_from_db()
    assert invalidation.state == Invalidation.State.DONE and invalidation.invalidated == 3
    assert invalidation.created_by == moderator
    assert actions.count_for(petition) == 1
    from undersigned.signatures.invalidation import continue_invalidation

    assert continue_invalidation(invalidation.pk) == 0  # running it again changes nothing
    assert revert_invalidation(invalidation, moderator) == 3
    assert actions.count_for(petition) == 4
    assert revert_invalidation(invalidation, moderator) == 0


def test_an_invalidation_can_be_cancelled_before_it_runs(petition, moderator):
    sign_and_confirm(petition, "x@fake.example")
    invalidation = start_invalidation(petition, {"domain": "fake.example"}, "r", moderator)
    assert cancel_invalidation(invalidation)
    run_queued_tasks()
    assert actions.count_for(petition) == 1


@pytest.mark.parametrize(
    "conditions",
    [{}, {"ip_range": "not-a-range"}, {"name_pattern": "(unclosed"}, {"colour": "red"}],
)
def test_bad_conditions_are_refused_clearly(petition, moderator, conditions):
    with pytest.raises(BadConditions):
        start_invalidation(petition, conditions, "r", moderator)


def test_invalidation_by_range_time_country_and_name(petition, moderator):
    sign_and_confirm(petition, "a@example.org", address="203.0.113.4", country="VA",
                     name="Bot Alpha")  # fmt: skip
    sign_and_confirm(petition, "b@example.org", address="198.51.100.4", country="AM")
    conditions = {"ip_range": "203.0.0.0/16", "country": "va", "name_pattern": "^bot "}
    invalidation = start_invalidation(petition, conditions, "Vatican bots", moderator)
    assert invalidation.matched == 1
    run_queued_tasks()
    assert actions.count_for(petition) == 1


def test_with_redis_a_burst_is_caught_in_the_request_and_redis_down_changes_nothing(
    petition, settings, monkeypatch
):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.LIMIT_ADDRESS_PER_MINUTE = 2
    for n in range(3):
        Client(REMOTE_ADDR="198.51.100.9").post(
            reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": f"r{n}@x.org"}
        )
    # Held at once, before the worker has looked (the cache here is the test's own).
    assert Signature.objects.get(email="r2@x.org").held_reason == "address-burst"
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "add", down)
    monkeypatch.setattr(ratelimit, "_redis", down)  # the pipelined path, on real Redis
    response = Client(REMOTE_ADDR="198.51.100.10").post(
        reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": "ok@x.org"}
    )
    assert response.status_code == 303
    assert Signature.objects.get(email="ok@x.org").held_reason == ""
