"""Moderators' fraud tools in the browser: the fraud page, releasing held signatures,
bulk invalidation with a dry run, cancel and revert, and the block lists in the admin."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, run_queued_tasks

from undersigned.moderation.fraud import report
from undersigned.moderation.models import ListEntry
from undersigned.signatures import actions, risk
from undersigned.signatures.models import Invalidation, Signature


def sign_and_confirm(petition, email, address="198.51.100.7", confirm=True, **fields):
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": email, **fields}
    )
    assert response.status_code == 303
    run_queued_tasks()
    if confirm:
        assert client.post(link_in_last_mail("confirm")).status_code == 303
    return Signature.objects.get(email=email)


def campaign(petition, n=3, domain="fake.example"):
    """n confirmed signatures from one /24 and one domain, and a real one elsewhere."""
    for i in range(n):
        sign_and_confirm(petition, f"x{i}@{domain}", address=f"203.0.113.{i + 1}", name=f"Bot {i}")
    sign_and_confirm(petition, "real@example.org", address="198.51.100.1")


@pytest.fixture
def staff(moderator) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def url(name, pk):
    return reverse(f"moderation:{name}", args=[pk])


def dry_run(staff, petition, **conditions):
    return staff.post(url("invalidate", petition.pk), {"action": "count", **conditions})


def checked_token(response) -> str:
    match = re.search(r'name="checked" value="([^"]+)"', response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def invalidate(staff, petition, checked, reason="Campaign of fakes", **conditions):
    data = {"action": "invalidate", "checked": checked, "reason": reason, **conditions}
    return staff.post(url("invalidate", petition.pk), data)


def test_visitors_are_sent_to_sign_in_and_organizers_refused(petition, organizer):
    invalidation = Invalidation.objects.create(petition=petition, reason="r", state="done")
    gets = [url("fraud", petition.pk), url("invalidate", petition.pk)]
    posts = [
        url("release", petition.pk),
        url("invalidate", petition.pk),
        url("invalidation_cancel", invalidation.pk),
        url("invalidation_revert", invalidation.pk),
    ]
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(organizer)
    for path in gets:
        assert anonymous.get(path).status_code == 302
        assert signed_in.get(path).status_code == 403
    for path in posts:
        assert anonymous.post(path, {"reason": "x", "domain": "a.example"}).status_code == 302
        assert signed_in.post(path, {"reason": "x", "domain": "a.example"}).status_code == 403
    invalidation.refresh_from_db()
    assert invalidation.state == "done" and Invalidation.objects.count() == 1


def test_the_fraud_page_shows_blocks_domains_and_held_counts_never_an_address_or_name(
    staff, petition
):
    campaign(petition)
    held = sign_and_confirm(petition, "bot@mailinator.com", address="192.0.2.50", name="Zed Q")
    response = staff.get(url("fraud", petition.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "203.0.113.0/24" in html and "fake.example" in html and "mailinator.com" in html
    assert "disposable-domain" in html and held.held_reason == "disposable-domain"
    assert "60.0%" in html  # the /24 and the domain: 3 of the 5 signatures of the last day
    for signature in Signature.objects.all():
        assert signature.email not in html
        assert signature.name not in html
    assert "style=" not in html and "<script>" not in html  # the strict CSP holds
    assert "<svg" in html and 'role="img"' in html and "<rect" in html
    hours = report(petition, timezone.now()).hours
    assert len(hours) == 48 and sum(h.signed for h in hours) == 5
    assert sum(h.held for h in hours) == 1
    assert f"{url('invalidate', petition.pk)}?domain=fake.example" in html
    assert f"{url('invalidate', petition.pk)}?ip_range=203.0.113.0/24" in html


def test_the_review_and_queue_pages_link_to_the_fraud_page(staff, petition):
    fraud = url("fraud", petition.pk)
    assert fraud in staff.get(url("review", petition.pk)).content.decode()
    assert fraud in staff.get(reverse("moderation:queue")).content.decode()


def test_a_country_whose_share_jumped_in_the_last_hour_is_flagged(staff, petition):
    base = {"petition": petition, "confirmed_at": timezone.now(), "name": "", "email": ""}
    Signature.objects.bulk_create(
        [Signature(**base, email_normalized=f"am{i}", country="AM") for i in range(10)]
    )
    Signature.objects.update(created_at=timezone.now() - timezone.timedelta(hours=3))
    Signature.objects.bulk_create(
        [Signature(**base, email_normalized=f"va{i}", country="VA") for i in range(10)]
    )
    html = staff.get(url("fraud", petition.pk)).content.decode()
    assert "Vatican City" in html and html.count("Yes: share jumped") == 1


def test_a_dry_run_counts_and_changes_nothing(staff, petition):
    campaign(petition)
    response = dry_run(staff, petition, domain="fake.example")
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 signatures match" in html and "Invalidate 3 signatures" in html
    assert not Invalidation.objects.exists() and actions.count_for(petition) == 4


def test_invalidating_through_the_page_drops_the_count_by_exactly_the_number_shown(staff, petition):
    campaign(petition)
    sign_and_confirm(petition, "x9@fake.example", address="203.0.113.9", confirm=False)
    before = actions.count_for(petition)
    response = dry_run(staff, petition, domain="fake.example", ip_range="203.0.113.0/24")
    html = response.content.decode()
    assert "4 signatures match" in html
    drop = int(re.search(r"the public count will drop by (\d+)", html).group(1))
    assert drop == 3
    answer = invalidate(staff, petition, checked_token(response), domain="fake.example",
                        ip_range="203.0.113.0/24")  # fmt: skip
    assert answer.status_code == 303
    run_queued_tasks()
    assert before - actions.count_for(petition) == drop
    invalidation = Invalidation.objects.get()
    assert invalidation.matched == invalidation.invalidated == 4
    assert invalidation.conditions == {"domain": "fake.example", "ip_range": "203.0.113.0/24"}
    page = staff.get(url("invalidate", petition.pk)).content.decode()
    assert "Campaign of fakes" in page and "Revert" in page


def test_a_stale_dry_run_count_is_refused(staff, petition):
    campaign(petition)
    response = dry_run(staff, petition, domain="fake.example")
    sign_and_confirm(petition, "late@fake.example", address="203.0.113.77")
    stale = invalidate(staff, petition, checked_token(response), domain="fake.example")
    assert stale.status_code == 409
    assert "3 signatures matched when you counted, 4 match now" in stale.content.decode()
    assert not Invalidation.objects.exists()
    again = invalidate(staff, petition, checked_token(stale), domain="fake.example")
    assert again.status_code == 303 and Invalidation.objects.get().matched == 4


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"domain": "fake.example", "checked": ""}, "Count the matching signatures first"),
        ({"domain": "other.example"}, "The conditions changed after you counted"),
        ({"domain": "fake.example", "checked": "forged"}, "Count the matching signatures first"),
    ],
)
def test_invalidating_needs_a_count_of_the_same_conditions(staff, petition, conditions, message):
    campaign(petition)
    token = checked_token(dry_run(staff, petition, domain="fake.example"))
    response = invalidate(staff, petition, **{"checked": token, **conditions})
    assert response.status_code == 409 and message in response.content.decode()
    assert not Invalidation.objects.exists()


def test_invalidating_needs_a_reason_and_keeps_the_count_on_screen(staff, petition):
    campaign(petition)
    token = checked_token(dry_run(staff, petition, domain="fake.example"))
    response = invalidate(staff, petition, token, reason=" ", domain="fake.example")
    html = response.content.decode()
    assert response.status_code == 400 and "Say why you are invalidating" in html
    assert "3 signatures match" in html and not Invalidation.objects.exists()


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"name_pattern": "(unclosed"}, "Enter a valid regular expression"),
        ({"ip_range": "not-a-range"}, "Enter an address range like"),
        ({"domain": "no dots"}, "Enter a domain like"),
        ({}, "Give at least one condition"),
        ({"since": "2026-11-24T18:00", "until": "2026-11-24T17:00"}, "Enter a time after"),
        ({"since": "yesterday"}, "Enter a valid date/time"),
        ({"country": "XX"}, "Select a valid choice"),
    ],
)
def test_bad_conditions_are_form_errors(staff, petition, conditions, message):
    for action in ("count", "invalidate"):
        response = staff.post(url("invalidate", petition.pk), {"action": action, **conditions})
        html = response.content.decode()
        assert response.status_code == 400 and message in html, html
        assert "<title>Error:" in html and 'class="error-summary"' in html
    assert not Invalidation.objects.exists()


@pytest.mark.parametrize("pattern", ["(?P<n>x)", "a{2,1}", "\\", "a**", "(?<!x)y", "x" * 300])
def test_a_pattern_the_database_may_refuse_is_never_a_500(staff, petition, pattern):
    sign_and_confirm(petition, "a@example.org")
    response = dry_run(staff, petition, name_pattern=pattern)
    assert response.status_code in {200, 400}


def test_times_select_a_window_in_local_time(staff, petition):
    campaign(petition)
    since = timezone.localtime().replace(second=0, microsecond=0) - timezone.timedelta(hours=1)
    response = dry_run(
        staff, petition, domain="fake.example", since=since.strftime("%Y-%m-%dT%H:%M")
    )
    assert "3 signatures match" in response.content.decode()
    response = dry_run(
        staff, petition, domain="fake.example", until=since.strftime("%Y-%m-%dT%H:%M")
    )
    assert "No signature matches" in response.content.decode()


def test_cancel_through_the_page_stops_a_running_invalidation(staff, petition):
    campaign(petition)
    token = checked_token(dry_run(staff, petition, domain="fake.example"))
    invalidate(staff, petition, token, domain="fake.example")
    invalidation = Invalidation.objects.get()
    assert staff.post(url("invalidation_cancel", invalidation.pk)).status_code == 303
    run_queued_tasks()
    invalidation.refresh_from_db()
    assert invalidation.state == "cancelled" and invalidation.invalidated == 0
    assert actions.count_for(petition) == 4
    again = staff.post(url("invalidation_cancel", invalidation.pk), follow=True)
    assert "no longer running" in again.content.decode()


def test_revert_through_the_page_gives_the_signatures_back(staff, petition):
    campaign(petition)
    token = checked_token(dry_run(staff, petition, domain="fake.example"))
    invalidate(staff, petition, token, domain="fake.example")
    invalidation = Invalidation.objects.get()
    early = staff.post(url("invalidation_revert", invalidation.pk), follow=True)
    assert "Cancel the invalidation before reverting it" in early.content.decode()
    run_queued_tasks()
    assert actions.count_for(petition) == 1
    response = staff.post(url("invalidation_revert", invalidation.pk), follow=True)
    assert "3 signatures are no longer invalidated" in response.content.decode()
    invalidation.refresh_from_db()
    assert invalidation.state == "reverted" and actions.count_for(petition) == 4


def test_release_through_the_page_raises_the_count(staff, petition):
    sign_and_confirm(petition, "one@mailinator.com")
    sign_and_confirm(petition, "two@mailinator.com", address="198.51.100.8")
    assert actions.count_for(petition) == 0
    assert staff.post(url("release", petition.pk)).status_code == 400  # which reason?
    response = staff.post(url("release", petition.pk), {"reason": "disposable-domain"})
    assert response.status_code == 303 and response["Location"] == url("fraud", petition.pk)
    assert actions.count_for(petition) == 2
    assert "No signatures are held" in staff.get(url("fraud", petition.pk)).content.decode()


def test_prefilled_conditions_come_from_the_link(staff, petition):
    html = staff.get(url("invalidate", petition.pk) + "?ip_range=203.0.113.0/24&x=1").content
    assert b'value="203.0.113.0/24"' in html


def test_a_list_entry_saved_in_the_admin_is_normalised_and_applies_at_once(admin_client, petition):
    assert risk.lists().domains == frozenset()  # cached for a minute from now
    add = reverse("admin:moderation_listentry_add")
    response = admin_client.post(add, {"kind": "block-domain", "value": " Spam.Example "})
    assert response.status_code == 302, response.content.decode()
    entry = ListEntry.objects.get()
    assert entry.value == "spam.example" and entry.created_by.email == "admin@example.com"
    assert sign_and_confirm(petition, "a@spam.example").held_reason == "blocked-domain"
    delete = reverse("admin:moderation_listentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert sign_and_confirm(petition, "b@spam.example").held_reason == ""


def test_a_bad_list_entry_is_refused_in_the_admin(admin_client):
    add = reverse("admin:moderation_listentry_add")
    response = admin_client.post(add, {"kind": "block-range", "value": "not a range"})
    assert response.status_code == 200 and "Enter a range like" in response.content.decode()
    assert not ListEntry.objects.exists()


def test_invalidations_are_read_only_in_the_admin(admin_client, petition):
    invalidation = Invalidation.objects.create(petition=petition, reason="r", state="done")
    assert admin_client.get(reverse("admin:signatures_invalidation_add")).status_code == 403
    change = reverse("admin:signatures_invalidation_change", args=[invalidation.pk])
    assert admin_client.get(change).status_code == 200
    admin_client.post(change, {"reason": "changed", "state": "reverted"})
    invalidation.refresh_from_db()
    assert invalidation.reason == "r" and invalidation.state == "done"


def test_every_form_needs_a_csrf_token(moderator, petition):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    invalidation = Invalidation.objects.create(petition=petition, reason="r", state="done")
    data = {"reason": "disposable-domain", "action": "count", "domain": "x.example"}
    for path in [
        url("release", petition.pk),
        url("invalidate", petition.pk),
        url("invalidation_cancel", invalidation.pk),
        url("invalidation_revert", invalidation.pk),
    ]:
        assert client.post(path, data).status_code == 403
    assert client.get(url("release", petition.pk)).status_code == 405
    invalidation.refresh_from_db()
    assert invalidation.state == "done"
