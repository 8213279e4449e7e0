"""The worker assesses a batch of signatures with a few queries per petition, address and
domain, never one per signature, and comes to the same holds as assessing each signature
on its own, ties included."""

import ipaddress
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from support import make_petition

from undersigned.signatures import actions, risk
from undersigned.signatures.models import Signature

pytestmark = pytest.mark.django_db


def test_a_batch_from_many_addresses_and_domains_is_held_as_one_by_one(
    organizer, moderator, settings
):
    settings.LIMIT_ADDRESS_PER_MINUTE, settings.LIMIT_ADDRESS_PER_HOUR = 2, 4
    settings.LIMIT_DOMAIN_PER_HOUR = 5
    pick = random.Random(7)
    petitions = [make_petition(organizer, moderator), make_petition(organizer, moderator)]
    start = timezone.now() - timedelta(minutes=50)
    for n in range(120):
        address = ipaddress.ip_address(f"198.51.100.{pick.randrange(6)}")
        data = actions.SignRequest(
            name="Ani Signer", email=f"s{n}@d{pick.randrange(4)}.example", country="AM"
        )
        at = start + timedelta(seconds=20 * n + pick.randrange(15))
        row = actions.sign_petition(pick.choice(petitions), data, actions.Client(address=address))
        Signature.objects.filter(pk=row.pk).update(created_at=at)  # the database's clock
    rows = list(Signature.objects.order_by("?"))
    Signature.objects.update(held_reason="")  # as the worker finds them: none held yet
    for row in rows:
        row.held_reason = ""
    one_by_one = {row.pk: risk._rate_reasons([row])[row.pk] for row in rows}
    with CaptureQueriesContext(connection) as queries:
        batch = risk._rate_reasons(rows)
    assert batch == one_by_one
    assert {"address-burst", "address-rate", "domain-rate"} <= set(batch.values())
    # never one per signature: per petition a count of its addresses and the rows of
    # those near a limit (minute, hour, domain); two bounded counts per address and
    # per domain at most
    groups = {(r.petition_id, r.ip_hash) for r in rows}
    domains = {(r.petition_id, r.email_domain) for r in rows}
    assert len(queries) <= 4 * len(petitions) + 2 * (len(groups) + len(domains)) < len(rows)


def test_signatures_made_at_the_same_instant_are_ordered_by_id(organizer, moderator, settings):
    settings.LIMIT_ADDRESS_PER_MINUTE = 2
    petition = make_petition(organizer, moderator)
    address = ipaddress.ip_address("198.51.100.9")
    for n in range(4):
        data = actions.SignRequest(name="Ani Signer", email=f"t{n}@example.org", country="AM")
        actions.sign_petition(petition, data, actions.Client(address=address))
    Signature.objects.update(created_at=timezone.now(), held_reason="")  # one instant
    rows = list(Signature.objects.order_by("pk"))
    reasons = risk._rate_reasons(rows)
    assert [reasons[row.pk] for row in rows] == ["", "", "address-burst", "address-burst"]
    assert [risk._rate_reasons([row])[row.pk] for row in rows] == [reasons[r.pk] for r in rows]


def _signed(petition, count: int, domain: str, at, tag: str = "f") -> list[Signature]:
    rows = []
    for n in range(count):
        data = actions.SignRequest(name="Ani Signer", email=f"{tag}{n}@{domain}", country="AM")
        client = actions.Client(address=ipaddress.ip_address(f"10.1.{n // 250}.{n % 250}"))
        rows.append(actions.sign_petition(petition, data, client))
    Signature.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=at, held_reason="")
    return list(Signature.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk"))


def _rows_read(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" not in q["sql"].upper()]


def _domain_batch(petition, settings, earlier: int, minutes_ago: int) -> list[Signature]:
    """Five signatures from one domain now, `earlier` from it `minutes_ago`; its limit
    is 10 an hour."""
    settings.LIMIT_DOMAIN_PER_HOUR = 10
    _signed(petition, earlier, "one.example", timezone.now() - timedelta(minutes=minutes_ago))
    return _signed(petition, 5, "one.example", timezone.now(), tag="g")


def test_a_domain_far_past_its_limit_is_held_without_reading_its_rows(petition, settings):
    batch = _domain_batch(petition, settings, earlier=40, minutes_ago=30)
    with CaptureQueriesContext(connection) as queries:
        reasons = risk._rate_reasons(batch)
    assert set(reasons.values()) == {"domain-rate"}
    assert reasons == {row.pk: risk._rate_reasons([row])[row.pk] for row in batch}
    assert not any("email_domain" in sql for sql in _rows_read(queries)), "rows were read"


def test_quiet_addresses_and_domains_are_cleared_by_counts_alone(petition):
    batch = _signed(petition, 20, "quiet.example", timezone.now())
    with CaptureQueriesContext(connection) as queries:
        reasons = risk._rate_reasons(batch)
    assert set(reasons.values()) == {""}
    assert _rows_read(queries) == []
    assert len(queries) == 2  # one count for the addresses, one for the domains


def test_a_domain_crossing_its_limit_within_the_batch_is_held_from_the_crossing_on(
    petition, settings
):
    batch = _domain_batch(petition, settings, earlier=8, minutes_ago=10)
    reasons = risk._rate_reasons(batch)
    held = [reasons[row.pk] for row in batch]
    assert held == ["", "", "domain-rate", "domain-rate", "domain-rate"]


def test_an_address_far_past_both_limits_is_held_without_reading_its_rows(
    organizer, moderator, settings
):
    settings.LIMIT_ADDRESS_PER_MINUTE, settings.LIMIT_ADDRESS_PER_HOUR = 2, 4
    petition = make_petition(organizer, moderator)
    address = actions.Client(address=ipaddress.ip_address("198.51.100.77"))
    rows = []
    for n in range(12):
        data = actions.SignRequest(name="Ani Signer", email=f"a{n}@gmail.com", country="AM")
        rows.append(actions.sign_petition(petition, data, address))
    now = timezone.now()
    Signature.objects.update(created_at=now - timedelta(seconds=10), held_reason="")
    Signature.objects.filter(pk__in=[r.pk for r in rows[-3:]]).update(created_at=now)
    batch = list(Signature.objects.filter(pk__in=[r.pk for r in rows[-3:]]))
    with CaptureQueriesContext(connection) as queries:
        reasons = risk._rate_reasons(batch)
    assert set(reasons.values()) == {"address-burst"}
    assert reasons == {row.pk: risk._rate_reasons([row])[row.pk] for row in batch}
    assert not any("ip_hash" in sql for sql in _rows_read(queries)), "rows were read"
