"""The public ledger of changes to the count: every change but a person's own confirm or
withdraw is a line, written with the change (bulk invalidation, its reversal, a release
of held signatures, paper sheets), published at /petitions/<id>/changes and as .json,
reported by `undersigned verify` beside the count and checked against the log."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import SIGNER, link_in_last_mail, make_petition, run_queued_tasks

from undersigned import cli
from undersigned.accounts.models import User
from undersigned.delivery import actions as delivery
from undersigned.signatures import actions, invalidation
from undersigned.signatures.mailing import send_confirmation_mails
from undersigned.signatures.models import Signature
from undersigned.transparency import actions as log_actions
from undersigned.transparency import verifier
from undersigned.transparency.models import CountChange, Entry

SINCE = "2026-11-24T18:00"
UNTIL = "2026-11-24T18:04"


def sign_and_confirm(petition, email: str, address: str = "198.51.100.7") -> Signature:
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("signatures:sign", args=[petition.pk]), {**SIGNER, "email": email}
    )
    assert response.status_code == 303
    send_confirmation_mails()
    assert client.post(link_in_last_mail("confirm")).status_code == 303
    return Signature.objects.get(email=email)


def invalidate_fakes(petition, moderator, n: int = 3):
    for i in range(n):
        sign_and_confirm(petition, f"x{i}@fake.example", address=f"192.0.2.{i + 1}")
    Signature.objects.filter(email_domain="fake.example").update(
        created_at=datetime(2026, 11, 24, 18, 2, tzinfo=UTC)
    )
    conditions = {"domain": "fake.example", "ip_range": "192.0.2.0/24", "since": SINCE,
                  "until": UNTIL}  # fmt: skip
    done = invalidation.start_invalidation(petition, conditions, "fakes from bob@x", moderator)
    run_queued_tasks()
    return done


def lines(petition) -> list[tuple[str, int]]:
    return list(CountChange.objects.filter(petition=petition).values_list("kind", "delta"))


def test_a_bulk_invalidation_in_batches_is_one_line_naming_its_entries(
    petition, moderator, monkeypatch
):
    monkeypatch.setattr(invalidation, "BATCH", 2)  # 3 signatures: two transactions
    sign_and_confirm(petition, "real@example.org")
    invalidate_fakes(petition, moderator)
    assert actions.count_for(petition) == 1
    (line,) = CountChange.objects.filter(petition=petition)
    assert (line.kind, line.delta) == ("invalidated", -3)
    assert line.criteria == {"domain": True, "address_range": True, "minutes": 4}
    assert (
        sorted(Entry.objects.filter(change=line).values_list("kind", flat=True))
        == ["invalidated"] * 3
    )
    assert line.day == timezone.now().date()


def test_reverting_and_releasing_are_lines_of_their_own(petition, moderator):
    done = invalidate_fakes(petition, moderator, n=2)
    invalidation.revert_invalidation(done, moderator)
    sign_and_confirm(petition, "one@mailinator.com")  # disposable: held, not counted
    invalidation.release_held(petition, "disposable-domain")
    assert lines(petition) == [("invalidated", -2), ("reinstated", 2), ("released", 1)]
    reinstated, released = CountChange.objects.filter(petition=petition)[1:]
    assert set(Entry.objects.filter(change=reinstated).values_list("kind", flat=True)) == {
        "reverted"
    }
    assert Entry.objects.filter(change=released).get().kind == "confirmed"
    assert released.criteria == {"held": "disposable-domain"}
    assert actions.count_for(petition) == 3


def test_a_persons_own_confirm_and_withdraw_are_not_in_the_ledger(petition):
    signature = sign_and_confirm(petition, "me@example.org")
    actions.withdraw_signature(signature)
    assert lines(petition) == []
    assert not Entry.objects.filter(change__isnull=False).exists()


def test_paper_sheets_are_lines_of_the_paper_count_without_log_entries(petition, organizer):
    entry = delivery.PaperEntry(country="AM", count=120)
    sheet = delivery.record_paper_sheet(petition, entry, organizer)
    delivery.change_paper_sheet(sheet, delivery.PaperEntry(country="AM", count=100), organizer)
    delivery.change_paper_sheet(sheet, delivery.PaperEntry(country="AM", count=100, note="x"),
                                organizer)  # fmt: skip
    delivery.delete_paper_sheet(sheet)
    assert lines(petition) == [
        ("paper-added", 120),
        ("paper-changed", -20),
        ("paper-removed", -100),
    ]
    assert {line.scope for line in CountChange.objects.all()} == {"paper"}
    assert not Entry.objects.filter(change__isnull=False).exists()


def test_the_changes_page_and_its_json_say_what_when_why_and_name_no_one(
    petition, moderator, organizer, client
):
    invalidate_fakes(petition, moderator)
    delivery.record_paper_sheet(petition, delivery.PaperEntry(country="AM", count=12), organizer)
    log_actions.sequence_entries()
    detail = client.get(petition.get_absolute_url()).content.decode()
    assert reverse("transparency:changes", args=[petition.pk]) in detail  # by the log link
    page = client.get(reverse("transparency:changes", args=[petition.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "−3" in html and "+12" in html
    assert (
        "Signatures from one address range, with e-mail addresses at one domain, made in 4 minutes"
        in html
    )
    assert "Moderators found these signatures invalid" in html
    assert "Online signatures: 1 change (−3, +0)." in html
    data = client.get(reverse("transparency:changes_json", args=[petition.pk])).json()
    first = data["changes"][0]
    assert first["kind"] == "invalidated" and first["delta"] == -3 and first["scope"] == "online"
    numbers = [n for a, b in first["entries"] for n in range(a, b + 1)]
    assert len(numbers) == 3 and first["entries_waiting"] == 0
    assert data["online"] == {"changes": 1, "removed": 3, "added": 0}
    assert data["paper"] == {"changes": 1, "removed": 0, "added": 12}
    for text in (html, str(data)):  # nothing a moderator typed, nothing about a signer
        for private in ("fake.example", "192.0.2", "bob@x", "18:00", "x0@"):
            assert private not in text


def test_a_petition_not_public_has_no_changes_page(organizer, client):
    draft = make_petition(organizer, state="draft")
    assert client.get(reverse("transparency:changes", args=[draft.pk])).status_code == 404
    response = client.get(reverse("transparency:changes_json", args=[draft.pk]))
    assert response.status_code == 404 and response.json()["error"]["code"] == "no_such_petition"


def test_the_backfill_recreates_lines_for_past_invalidations_and_paper(petition, moderator,
                                                                       organizer):  # fmt: skip
    invalidate_fakes(petition, moderator, n=2)
    sign_and_confirm(petition, "later@example.org")
    undone = invalidation.start_invalidation(petition, {"domain": "example.org"}, "r", moderator)
    run_queued_tasks()
    invalidation.revert_invalidation(undone, moderator)
    delivery.record_paper_sheet(petition, delivery.PaperEntry(country="FR", count=7), organizer)
    # As before the ledger: no lines, no entry naming one.
    Entry.objects.update(change=None)
    CountChange.objects.all().delete()

    backfill = importlib.import_module(
        "undersigned.transparency.migrations.0004_backfill_count_changes"
    ).backfill
    backfill(apps, None)
    found = list(
        CountChange.objects.filter(petition=petition).values_list("kind", "delta", "criteria")
    )
    assert ("invalidated", -2, {"domain": True, "address_range": True, "minutes": 4}) in found
    # The reverted one forgot its signatures: its entries get lines that say so.
    assert ("invalidated", -1, {"before_ledger": True}) in found
    assert ("reinstated", 1, {"before_ledger": True}) in found
    assert ("paper-added", 7, {"paper": True, "country": "FR"}) in found
    assert not Entry.objects.filter(kind__in=["invalidated", "reverted"], change=None).exists()


# `undersigned verify` reads the ledger and checks it against the log.


@pytest.fixture
def site(live_server, settings, tmp_path, monkeypatch) -> str:
    settings.VAR_DIR = tmp_path
    settings.SITE_URL = live_server.url
    settings.COUNT_CACHE_SECONDS = 0
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(verifier, "pause", lambda: None)
    monkeypatch.setenv("LANGUAGE", "en")
    return live_server.url


@pytest.fixture
def ledgered(site):
    organizer = User.objects.create_user("org@example.org")
    moderator = User.objects.create_user("m@example.org", is_staff=True)
    petition = make_petition(organizer, moderator)
    sign_and_confirm(petition, "real@example.org")
    invalidate_fakes(petition, moderator)
    sign_and_confirm(petition, "one@mailinator.com")  # disposable: held until released
    invalidation.release_held(petition)
    delivery.record_paper_sheet(petition, delivery.PaperEntry(country="AM", count=40), organizer)
    log_actions.publish_checkpoint(petition.pk)
    return petition


def verify(capsys, petition, site) -> tuple[int, str]:
    code = cli.main(["verify", f"{site}/petitions/{petition.pk}"])
    return code, capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_verify_reports_the_ledger_beside_the_count(capsys, ledgered, site):
    code, out = verify(capsys, ledgered, site)
    assert code == 0, out
    assert "the ledger of changes to the count matches the log (3 lines)" in out
    assert "Changes to the count: 2 (−3, +1)" in out
    assert "Changes to the paper signatures: 1 (−0, +40)" in out
    assert "VERDICT: OK — 2 signatures" in out


@pytest.mark.django_db(transaction=True)
def test_verify_says_in_words_when_nothing_but_signers_changed_the_count(capsys, site):
    organizer = User.objects.create_user("org@example.org")
    moderator = User.objects.create_user("m@example.org", is_staff=True)
    petition = make_petition(organizer, moderator)
    sign_and_confirm(petition, "real@example.org")
    log_actions.publish_checkpoint(petition.pk)
    code, out = verify(capsys, petition, site)
    assert code == 0, out
    assert "Changes to the count: none besides people’s own confirmations and withdrawals" in out
    assert "(−0, +0)" not in out and "paper signatures" not in out


@pytest.mark.django_db(transaction=True)
def test_verify_fails_a_ledger_that_does_not_add_up(capsys, ledgered, site):
    CountChange.objects.filter(petition=ledgered, kind="invalidated").update(delta=-2)
    code, out = verify(capsys, ledgered, site)
    assert code == 1 and "says -2, but its log entries add up to -3" in out


@pytest.mark.django_db(transaction=True)
def test_verify_fails_an_invalidation_missing_from_the_ledger(capsys, ledgered, site):
    line = CountChange.objects.get(petition=ledgered, kind="invalidated")
    Entry.objects.filter(change=line).update(change=None)
    line.delete()
    code, out = verify(capsys, ledgered, site)
    assert code == 1 and "3 entries found invalid or reinstated are in no line of the ledger" in out


@pytest.mark.django_db(transaction=True)
def test_verify_fails_a_line_naming_entries_of_the_wrong_kind(capsys, ledgered, site):
    released = CountChange.objects.get(petition=ledgered, kind="released")
    CountChange.objects.filter(pk=released.pk).update(kind="invalidated")
    code, out = verify(capsys, ledgered, site)
    assert code == 1 and "(invalidated) names entry" in out and "which is “confirmed”" in out


def test_a_line_older_than_today_keeps_its_day(petition, moderator):
    invalidate_fakes(petition, moderator, n=1)
    yesterday = timezone.now().date() - timedelta(days=1)
    CountChange.objects.update(day=yesterday)
    data = Client().get(reverse("transparency:changes_json", args=[petition.pk])).json()
    assert data["changes"][0]["day"] == yesterday.isoformat()
