"""Delivery packs: what the PDF and CSV say, inline or from the worker, who may have them."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from test_delivery_helpers import ARMENIAN, CYRILLIC, add_signers, client_for, co_organizer

from undersigned.delivery import actions
from undersigned.delivery.models import DeliveryPack, Download
from undersigned.jobs.actions import periodic_jobs
from undersigned.petitions.models import Organizer

State = DeliveryPack.State
EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _deliveries(settings, tmp_path):
    settings.DELIVERY_DIR = tmp_path / "deliveries"


@pytest.fixture
def signers(petition):
    return add_signers(
        petition,
        [
            {"name": ARMENIAN, "email": "anahit@example.am", "postcode": "9Z9Z",
             "comment": "Գրադարանները կարևոր են։"},
            {"name": CYRILLIC, "email": "natalya@example.org", "country": "UA"},
            {"name": EVIL, "email": "evil@example.org", "country": "FR", "comment": "+SUM(A1)"},
        ],
    )  # fmt: skip


def make_pack(client, petition, target="all"):
    return client.post(reverse("delivery:request_pack", args=[petition.pk]), {"target": target})


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def download(client, pack: DeliveryPack, kind: str):
    url = reverse("delivery:download_pack", args=[pack.petition_id, pack.pk, kind])
    return client.get(url)


def test_it_makes_a_pack_with_the_petition_the_count_and_names_but_no_addresses(
    petition, organizer, signers
):
    client = client_for(organizer)
    response = make_pack(client, petition)
    assert response.status_code == 303 and response["Location"].endswith("/dashboard/delivery")
    pack = DeliveryPack.objects.get()
    assert pack.state == State.READY and pack.online_count == 3

    body = b"".join(download(client, pack, "pdf").streaming_content)
    assert body.startswith(b"%PDF") and hashlib.sha256(body).hexdigest() == pack.pdf_sha256
    text = pdf_text(body)
    assert "Keep the library open on Sundays" in text
    assert "restore Sunday hours" in text
    assert "3 people signed online and confirmed their signatures by e-mail" in text
    assert ARMENIAN in text and CYRILLIC in text and "Armenia" in text and "Ukraine" in text
    assert "City Council" in text
    assert pack.csv_sha256 in text.replace("\n", "")  # the footer names the complete list
    assert "@" not in text and "9Z9Z" not in text


def test_the_pack_csv_lists_everyone_without_addresses_and_disarms_formulas(
    petition, organizer, signers
):
    client = client_for(organizer)
    make_pack(client, petition)
    pack = DeliveryPack.objects.get()
    response = download(client, pack, "csv")
    body = b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/csv")
    assert hashlib.sha256(body).hexdigest() == pack.csv_sha256
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Name", "Country", "Country code", "Comment"]
    names = [row[0] for row in rows[1:]]
    assert names == [ARMENIAN, CYRILLIC, "'" + EVIL]
    assert rows[3][3] == "'+SUM(A1)"
    assert "@" not in body.decode() and "9Z9Z" not in body.decode()


def test_a_pack_for_one_decision_maker_is_addressed_to_them(petition, organizer, signers):
    target = petition.targets.get()
    client = client_for(organizer)
    make_pack(client, petition, target=str(target.pk))
    pack = DeliveryPack.objects.get()
    assert pack.target == target
    text = pdf_text(b"".join(download(client, pack, "pdf").streaming_content))
    assert "To: City Council, Riverside" in text


def test_an_unknown_decision_maker_is_a_clear_400(petition, organizer, signers):
    assert make_pack(client_for(organizer), petition, target="999").status_code == 400
    assert make_pack(client_for(organizer), petition, target="x").status_code == 400
    assert not DeliveryPack.objects.exists()


def test_the_files_live_in_the_delivery_directory_not_in_static(
    petition, organizer, signers, settings
):
    make_pack(client_for(organizer), petition)
    pack = DeliveryPack.objects.get()
    for kind in ("pdf", "csv"):
        assert pack.path(kind).is_file()
        assert pack.path(kind).is_relative_to(settings.DELIVERY_DIR)
        assert not pack.path(kind).is_relative_to(settings.STATIC_ROOT)


def test_a_new_pack_replaces_the_old_one_and_its_files(petition, organizer, signers):
    client = client_for(organizer)
    make_pack(client, petition)
    old = DeliveryPack.objects.get()
    make_pack(client, petition)
    new = DeliveryPack.objects.get()
    assert new.pk != old.pk and not old.path("pdf").exists() and new.path("pdf").exists()


def test_the_pdf_lists_at_most_the_cap_and_points_to_the_complete_csv(
    petition, organizer, signers, settings
):
    settings.DELIVERY_PDF_MAX_SIGNERS = 2
    client = client_for(organizer)
    make_pack(client, petition)
    pack = DeliveryPack.objects.get()
    assert (pack.listed_in_pdf, pack.online_count) == (2, 3)
    text = pdf_text(b"".join(download(client, pack, "pdf").streaming_content))
    assert "lists the first 2 of the 3 online signers" in text
    assert ARMENIAN in text and EVIL not in text
    body = b"".join(download(client, pack, "csv").streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 4
    page = client.get(reverse("dashboard:delivery", args=[petition.pk])).content.decode()
    assert "The PDF lists the first 2 signers; the CSV lists them all." in page


# In the background


def test_large_petitions_get_their_pack_from_the_worker(
    petition, organizer, signers, settings, run_tasks
):
    settings.DELIVERY_INLINE_MAX = 2
    client = client_for(organizer)
    make_pack(client, petition)
    pack = DeliveryPack.objects.get()
    assert pack.state == State.REQUESTED and not pack.file_stem
    page = client.get(reverse("dashboard:delivery", args=[petition.pk])).content.decode()
    assert "Being prepared since" in page and "Download the PDF" not in page

    make_pack(client, petition)  # a second click while it is on its way: the same pack
    assert DeliveryPack.objects.count() == 1

    assert run_tasks() == 1
    pack.refresh_from_db()
    assert pack.state == State.READY and pack.online_count == 3 and pack.attempts == 1
    page = client.get(reverse("dashboard:delivery", args=[petition.pk])).content.decode()
    assert pack.pdf_sha256 in page and pack.csv_sha256 in page and "Download the PDF" in page


def test_a_pack_left_generating_by_a_killed_worker_is_made_again(
    petition, organizer, signers, run_tasks
):
    now = timezone.now()
    pack = DeliveryPack.objects.create(
        petition=petition, requested_at=now - timedelta(minutes=30), state=State.GENERATING,
        claimed_at=now - timedelta(minutes=20), alive_at=now - timedelta(minutes=20), attempts=1,
    )  # fmt: skip
    assert actions.recover_stuck_packs(now) == 1
    assert DeliveryPack.objects.get(pk=pack.pk).state == State.REQUESTED
    assert run_tasks() == 1
    pack.refresh_from_db()
    assert pack.state == State.READY and pack.attempts == 2 and pack.path("pdf").exists()


def test_a_late_task_takes_over_a_stale_claim_too(petition, signers):
    now = timezone.now()
    pack = DeliveryPack.objects.create(
        petition=petition, requested_at=now - timedelta(minutes=30), state=State.GENERATING,
        claimed_at=now - timedelta(minutes=20), alive_at=now - timedelta(minutes=20), attempts=1,
    )  # fmt: skip
    assert actions.build_pack(pack.pk, now) == "ready"
    assert actions.build_pack(pack.pk, now) == "skipped"  # done: a rerun does nothing


def test_a_pack_still_being_made_is_left_alone(petition, organizer, signers):
    now = timezone.now()
    pack = DeliveryPack.objects.create(
        petition=petition,
        requested_at=now,
        state=State.GENERATING,
        claimed_at=now,
        alive_at=now,
        attempts=1,
    )
    assert actions.recover_stuck_packs(now + timedelta(minutes=5)) == 0
    assert actions.build_pack(pack.pk, now + timedelta(minutes=5)) == "skipped"


def test_recovery_gives_up_after_three_attempts(petition, signers):
    now = timezone.now()
    pack = DeliveryPack.objects.create(
        petition=petition, requested_at=now - timedelta(hours=2), state=State.GENERATING,
        claimed_at=now - timedelta(hours=1), alive_at=now - timedelta(hours=1),
        attempts=actions.MAX_ATTEMPTS,
    )  # fmt: skip
    assert actions.recover_stuck_packs(now) == 0
    pack.refresh_from_db()
    assert pack.state == State.FAILED and pack.error


def test_a_worker_that_finishes_after_being_replaced_keeps_nothing(petition, signers):
    now = timezone.now()
    pack = DeliveryPack.objects.create(petition=petition, requested_at=now)
    # While this run writes, a recovery (15 minutes later) hands the pack to another run.
    original = actions.packs.write_files

    def slow_write(pack, as_of, beat=None):
        written = original(pack, as_of, beat)
        DeliveryPack.objects.filter(pk=pack.pk).update(claimed_at=as_of + timedelta(minutes=11))
        return written

    actions.packs.write_files = slow_write
    try:
        assert actions.build_pack(pack.pk, now) == "skipped"
    finally:
        actions.packs.write_files = original
    pack.refresh_from_db()
    assert not pack.file_stem
    assert not list((pack.path("pdf").parent).glob("*.pdf"))


def test_recovery_runs_on_the_clock():
    assert "recover_delivery_packs" in periodic_jobs()


# Who may have it


def test_strangers_viewers_and_moderators_cannot_make_or_download_packs(
    petition, organizer, moderator, signers
):
    make_pack(client_for(organizer), petition)
    pack = DeliveryPack.objects.get()
    viewer = co_organizer(petition, "vic@example.org", Organizer.Role.VIEWER)
    from undersigned.accounts.models import User

    stranger = User.objects.create_user("stranger@example.org")
    for user in (stranger, viewer, moderator):
        client = client_for(user)
        assert make_pack(client, petition).status_code == 404
        assert download(client, pack, "pdf").status_code == 404
        assert download(client, pack, "csv").status_code == 404
    anonymous = download(client_for(None), pack, "pdf")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous["Location"]

    page = client_for(viewer).get(reverse("dashboard:delivery", args=[petition.pk]))
    html = page.content.decode()
    assert pack.pdf_sha256 in html and "Download the PDF" not in html
    assert "Only the petition’s creator and its editors can" in html
    assert not Download.objects.exists()


def test_editors_download_and_every_download_is_logged(petition, organizer, signers):
    make_pack(client_for(organizer), petition)
    pack = DeliveryPack.objects.get()
    editor = co_organizer(petition, "eddie@example.org")
    client = client_for(editor)
    assert download(client, pack, "pdf").status_code == 200
    assert download(client, pack, "csv").status_code == 200
    assert download(client, pack, "txt").status_code == 404

    log = list(Download.objects.order_by("pk"))
    assert [(d.kind, d.user, d.sha256) for d in log] == [
        ("pdf", editor, pack.pdf_sha256),
        ("csv", editor, pack.csv_sha256),
    ]
    html = client.get(reverse("dashboard:delivery", args=[petition.pk])).content.decode()
    assert "Eddie" in html and "delivery pack (PDF)" in html and "delivery pack (CSV)" in html


def test_packs_are_deleted_after_the_days_they_are_kept(petition, organizer, signers, settings):
    settings.DELIVERY_KEEP_DAYS = 30
    make_pack(client_for(organizer), petition)
    pack = DeliveryPack.objects.get()
    assert actions.forget_old_packs(timezone.now() + timedelta(days=29)) == 0
    assert actions.forget_old_packs(timezone.now() + timedelta(days=31)) == 1
    assert not DeliveryPack.objects.exists() and not pack.path("pdf").exists()


def test_the_privacy_page_says_what_reaches_decision_makers_and_organizers(client, settings):
    settings.DELIVERY_KEEP_DAYS = 12
    html = client.get(reverse("privacy:policy")).content.decode()
    assert "full name, country and comment" in html and "delivery pack" in html
    assert "never contains e-mail addresses or postcodes" in html
    assert "Unless you let them e-mail you, organizers never see your e-mail address" in html
    assert "12 days after they were made" in html


def test_a_long_pack_whose_worker_still_beats_is_not_taken_over(petition, signers, monkeypatch):
    now = timezone.now()
    pack = DeliveryPack.objects.create(
        petition=petition, requested_at=now - timedelta(hours=1), state=State.GENERATING,
        claimed_at=now - timedelta(hours=1), alive_at=now - timedelta(minutes=1), attempts=1,
    )  # fmt: skip
    assert actions.recover_stuck_packs(now) == 0
    assert actions.build_pack(pack.pk, now) == "skipped"


def test_the_writer_beats_while_it_writes(petition, signers, monkeypatch):
    monkeypatch.setattr(actions, "HEARTBEAT", timedelta(0))
    claim = timezone.now() - timedelta(seconds=5)
    pack = DeliveryPack.objects.create(petition=petition, requested_at=claim)
    assert actions.build_pack(pack.pk, claim) == "ready"
    pack.refresh_from_db()
    assert pack.alive_at > pack.claimed_at == claim
