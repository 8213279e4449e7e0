"""A signer's privacy: the policy, stopping updates, export and erasure, retention, logs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition

from undersigned.jobs.actions import periodic_jobs
from undersigned.petitions.models import Petition
from undersigned.privacy import actions
from undersigned.privacy.models import AnonymisedPetition, DataRequest
from undersigned.signatures.actions import count_for, withdraw_signature
from undersigned.signatures.links import signer_headers, signer_links, unsubscribe_url
from undersigned.signatures.models import CountShard, Signature

OTHER = {**SIGNER, "name": "Other Person", "email": "other@example.org", "country": "FR"}


def sign(client, petition, run_tasks, confirm=True, **fields) -> Signature:
    data = {**SIGNER, **fields}
    client.post(reverse("signatures:sign", args=[petition.pk]), data)
    run_tasks()
    if confirm:
        client.post(link_in_last_mail("confirm"))
    return Signature.objects.get(petition=petition, email=data["email"])


def ask(client, email=SIGNER["email"], kind="export"):
    return client.post(reverse("privacy:request"), {"email": email, "kind": kind})


def data_link(client, run_tasks, kind="export", email=SIGNER["email"]) -> str:
    ask(client, email, kind)
    run_tasks()
    return link_in_last_mail("my-data")


# The policy


def test_the_privacy_page_states_the_numbers_the_settings_enforce(client, settings):
    settings.RETENTION_MONTHS, settings.SIGNATURE_TOKEN_DAYS = 9, 12
    settings.IP_HASH_ROTATION_HOURS = 7
    settings.PRIVACY_CONTACT_EMAIL = "privacy@example.org"
    html = client.get(reverse("privacy:policy")).content.decode()
    assert "9 months after the petition closes" in html
    assert "works for 12 days" in html and "every 7 hours" in html
    assert "never see your e-mail address" in html
    assert html.count("<h1") == 1 and reverse("privacy:request") in html
    assert 'href="mailto:privacy@example.org"' in html


# Stopping updates


def test_the_unsubscribe_link_shows_a_button_and_only_the_post_stops_updates(
    client, petition, run_tasks
):
    signature = sign(client, petition, run_tasks, wants_updates="on")
    path = unsubscribe_url(signature).removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200 and b"Stop e-mailing me updates" in page.content
    assert Signature.objects.get().wants_updates
    assert client.post(path).status_code == 200
    after = Signature.objects.get()
    assert not after.wants_updates
    assert (after.name, after.confirmed_at, after.withdrawn_at) == (
        SIGNER["name"], signature.confirmed_at, None,
    )  # fmt: skip
    assert count_for(petition) == 1


def test_one_click_unsubscribe_from_a_mail_provider_needs_no_csrf_token(
    petition, run_tasks, client
):
    signature = sign(client, petition, run_tasks, wants_updates="on")
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        unsubscribe_url(signature), {"List-Unsubscribe": "One-Click"},
        HTTP_ORIGIN="https://mail.example", HTTP_SEC_FETCH_SITE="cross-site",
    )  # fmt: skip
    assert response.status_code == 200
    assert not Signature.objects.get().wants_updates
    assert count_for(petition) == 1


def test_a_forged_or_foreign_unsubscribe_key_is_refused(client, petition, run_tasks):
    signature = sign(client, petition, run_tasks, wants_updates="on")
    for key in ["nonsense", signature.withdraw_key(), "x" * 300]:
        assert client.post(reverse("privacy:unsubscribe", args=[key])).status_code == 404
    assert Signature.objects.get().wants_updates


def test_signer_headers_offer_one_click_unsubscribe(client, petition, run_tasks):
    headers = signer_headers(signer_links(sign(client, petition, run_tasks)))
    assert headers["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_confirmation_mail_carries_an_unsubscribe_link_and_headers(client, petition, run_tasks):
    sign(client, petition, run_tasks, confirm=False, wants_updates="on")
    (message,) = mail.outbox
    path = link_in_last_mail("unsubscribe")
    assert path in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{path}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.post(path).status_code == 200
    assert not Signature.objects.get().wants_updates


# Asking for a copy or an erasure


def test_the_answer_is_the_same_whether_or_not_the_address_signed(client, petition, run_tasks):
    sign(client, petition, run_tasks)
    mail.outbox.clear()
    known, unknown = ask(client), ask(client, email="nobody@example.net")
    assert known.status_code == unknown.status_code == 200
    assert known.templates[0].name == unknown.templates[0].name == "privacy/request_sent.html"
    run_tasks()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {SIGNER["email"], "nobody@example.net"}
    assert "/my-data/" in by_address[SIGNER["email"]].body
    assert "/my-data/" not in by_address["nobody@example.net"].body
    assert "hold no signature" in by_address["nobody@example.net"].body


def test_one_mail_a_minute_per_address(client, petition, run_tasks):
    sign(client, petition, run_tasks)
    mail.outbox.clear()
    for email in [SIGNER["email"], SIGNER["email"].upper()]:
        assert ask(client, email=email).status_code == 200
    run_tasks()
    assert len(mail.outbox) == 1 and DataRequest.objects.count() == 1


def test_the_form_explains_errors_without_sending_anything(client, run_tasks, db):
    response = client.post(reverse("privacy:request"), {"email": "not-an-address"})
    html = response.content.decode()
    assert response.status_code == 400 and "<title>Error:" in html
    assert 'href="#id_email"' in html and "Choose whether you want" in html
    run_tasks()
    assert mail.outbox == [] and not DataRequest.objects.exists()


def test_the_export_holds_every_signature_of_the_address_and_nobody_else(
    client, organizer, moderator, petition, run_tasks
):
    second = make_petition(organizer, moderator, title="Plant trees on Abovyan Street")
    sign(client, petition, run_tasks, wants_updates="on")
    sign(client, second, run_tasks, confirm=False, email="Anahit@Example.am")
    sign(client, petition, run_tasks, **OTHER)
    path = data_link(client, run_tasks)
    page = client.get(path)
    assert page.status_code == 200 and b"Download my data" in page.content
    response = client.post(path)
    assert response["Content-Disposition"].startswith("attachment;")
    export = json.loads(response.content)
    titles = {row["petition"]["title"] for row in export["signatures"]}
    assert titles == {petition.title, second.title}
    first = next(row for row in export["signatures"] if row["petition"]["title"] == petition.title)
    assert first["name"] == SIGNER["name"] and first["postcode"] == SIGNER["postcode"]
    assert first["email_me_updates"] is True and first["confirmed_at"] and first["consent_version"]
    body = response.content.decode()
    assert "Other Person" not in body and "other@example.org" not in body


def test_a_data_link_works_once_and_opening_it_spends_nothing(client, petition, run_tasks):
    sign(client, petition, run_tasks)
    path = data_link(client, run_tasks)
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    for again in [client.get(path), client.post(path)]:
        assert again.status_code == 410 and b"has been used" in again.content
    assert DataRequest.objects.get().email_normalized == ""  # the address is forgotten


def test_an_expired_data_link_does_nothing(client, petition, run_tasks):
    sign(client, petition, run_tasks)
    path = data_link(client, run_tasks, kind="erase")
    DataRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = client.post(path)
    assert response.status_code == 410 and b"expired" in response.content
    assert Signature.objects.get().name == SIGNER["name"] and count_for(petition) == 1


@pytest.mark.parametrize("token", ["nonsense", "1.short", "999.abcdefghijklmnopqrstuvwxyz"])
def test_a_malformed_data_link_gets_its_own_page(client, db, token):
    response = client.get(reverse("privacy:data_link", args=[token]))
    assert response.status_code == 404 and b"not complete" in response.content


def test_erasure_withdraws_every_signature_and_the_counts_drop_exactly(
    client, organizer, moderator, petition, run_tasks
):
    second = make_petition(organizer, moderator, title="Plant trees on Abovyan Street")
    third = make_petition(organizer, moderator, title="Light the park at night")
    mine = [sign(client, p, run_tasks) for p in (petition, second, third)]
    sign(client, petition, run_tasks, **OTHER)
    withdraw_signature(mine[2])
    before = Signature.objects.get(pk=mine[2].pk).withdrawn_at
    assert [count_for(p) for p in (petition, second, third)] == [2, 1, 0]
    path = data_link(client, run_tasks, kind="erase")
    page = client.get(path)
    assert b"Erase everything you hold about me" in page.content and petition.title in (
        page.content.decode()
    )
    response = client.post(path)
    assert response.status_code == 200 and b"We removed 2 signatures" in response.content
    assert [count_for(p) for p in (petition, second, third)] == [1, 0, 0]
    for signature in Signature.objects.filter(pk__in=[s.pk for s in mine[:2]]):
        assert signature.withdrawn_at is not None
        personal = [signature.name, signature.email, signature.email_normalized,
                    signature.postcode, signature.comment, signature.ip_block, signature.ip_hash,
                    signature.email_domain]  # fmt: skip
        assert personal == [""] * 8 and signature.country == "AM"
    assert Signature.objects.get(pk=mine[2].pk).withdrawn_at == before  # already withdrawn
    assert Signature.objects.get(email=OTHER["email"]).name == OTHER["name"]


def test_old_data_requests_are_forgotten(client, petition, run_tasks):
    sign(client, petition, run_tasks)
    data_link(client, run_tasks)
    now = timezone.now()
    assert actions.forget_data_requests(now + timedelta(hours=47)) == 0
    assert actions.forget_data_requests(now + timedelta(hours=49)) == 1


# Retention


def close(petition: Petition, when: datetime) -> None:
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.CLOSED, closed_at=when)


def country_totals(petition: Petition) -> dict:
    rows = Signature.objects.filter(petition=petition).counted().values("country")
    return {row["country"]: row["n"] for row in rows.annotate(n=Count("id"))}


@pytest.fixture
def old_and_recent(client, organizer, moderator, petition, run_tasks):
    """`petition` closed 7 months ago with 4 signatures, another closed last month."""
    sign(client, petition, run_tasks, public="on")
    sign(client, petition, run_tasks, **OTHER)
    sign(client, petition, run_tasks, email="third@example.org", name="Third Signer")
    sign(client, petition, run_tasks, confirm=False, email="late@example.org", name="Late One")
    recent = make_petition(organizer, moderator, title="Plant trees on Abovyan Street")
    sign(client, recent, run_tasks)
    now = timezone.now()
    close(petition, actions.months_before(now, 7))
    close(recent, actions.months_before(now, 1))
    return petition, recent


def test_retention_erases_signers_of_long_closed_petitions_and_keeps_counts_exact(
    old_and_recent,
):
    old, recent = old_and_recent
    totals, count = country_totals(old), CountShard.total(old.pk)
    assert (totals, count) == ({"AM": 2, "FR": 1}, 3)
    assert actions.anonymise_expired() == 4
    for signature in Signature.objects.filter(petition=old):
        personal = [signature.name, signature.email, signature.email_normalized,
                    signature.postcode, signature.comment, signature.ip_hash, signature.ip_block,
                    signature.token_hash, signature.email_domain]  # fmt: skip
        assert personal == [""] * 9 and not signature.public
    assert country_totals(old) == totals and CountShard.total(old.pk) == count
    assert Signature.objects.filter(petition=old).exclude(confirmed_at=None).count() == 3
    assert Signature.objects.get(petition=recent).name == SIGNER["name"]


def test_retention_reads_the_number_of_months_from_the_settings(old_and_recent, settings):
    settings.RETENTION_MONTHS = 12
    assert actions.anonymise_expired() == 0
    assert not Signature.objects.filter(name="").exists()


def test_retention_is_idempotent_and_resumes_where_it_stopped(old_and_recent):
    old, _recent = old_and_recent
    assert actions.anonymise_expired(batch=3, max_batches=1) == 3
    assert AnonymisedPetition.objects.get().finished_at is None
    assert actions.anonymise_expired(batch=3, max_batches=1) == 1
    assert AnonymisedPetition.objects.get(petition=old).finished_at is not None
    assert actions.anonymise_expired() == 0  # finished petitions are skipped
    assert not actions.due_for_anonymising(timezone.now()).exists()


def test_a_petition_closed_again_later_is_anonymised_again(old_and_recent, client, run_tasks):
    old, _recent = old_and_recent
    actions.anonymise_expired(timezone.now() - timedelta(days=2))
    Petition.objects.filter(pk=old.pk).update(state=Petition.State.OPEN, closed_at=None)
    newer = sign(client, Petition.objects.get(pk=old.pk), run_tasks, email="new@example.org")
    close(old, timezone.now() - timedelta(days=1))
    assert actions.anonymise_expired() == 0  # not yet: it closed again only yesterday
    later = actions.months_before(timezone.now(), -7)
    assert actions.anonymise_expired(later) == 2  # the new signature, and `recent`'s
    assert Signature.objects.get(pk=newer.pk).email == ""
    assert AnonymisedPetition.objects.get(petition=old).anonymised == 5


def test_the_worker_clock_runs_retention():
    tasks = {path for _seconds, path in periodic_jobs().values()}
    assert "undersigned.privacy.tasks.anonymise_expired" in tasks
    assert "undersigned.privacy.tasks.forget_data_requests" in tasks


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 12, tzinfo=UTC), 1, datetime(2026, 2, 28, 12, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 6, datetime(2025, 7, 15, tzinfo=UTC)),
        (datetime(2024, 8, 31, tzinfo=UTC), 6, datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(moment, months, expected):
    assert actions.months_before(moment, months) == expected
