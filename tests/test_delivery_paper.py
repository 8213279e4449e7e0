"""Paper signature sheets: recorded by organizers, shown apart, never in the count."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from test_delivery_helpers import add_signers, client_for, co_organizer

from undersigned.delivery import actions
from undersigned.delivery.models import DeliveryPack, PaperSheet
from undersigned.petitions.models import Organizer, Petition
from undersigned.signatures.actions import count_for, refresh_counts


@pytest.fixture(autouse=True)
def _deliveries(settings, tmp_path):
    settings.DELIVERY_DIR = tmp_path / "deliveries"


def record(client, petition, **fields):
    data = {"country": "AM", "count": "600", "names": "", "note": "", **fields}
    return client.post(reverse("delivery:paper", args=[petition.pk]), data)


def test_an_organizer_records_a_sheet_with_names(petition, organizer):
    client = client_for(organizer)
    response = record(
        client, petition, count="3", names="Արամ Պետրոսյան\n\n  Marie Dubois  \n", note="Market"
    )
    assert response.status_code == 303
    sheet = PaperSheet.objects.get()
    assert (sheet.country, sheet.count, sheet.note) == ("AM", 3, "Market")
    assert sheet.name_list == ["Արամ Պետրոսյան", "Marie Dubois"]
    assert sheet.recorded_by == organizer and sheet.recorded_at
    page = client.get(response["Location"]).content.decode()
    assert "3 paper signatures from Armenia are recorded." in page
    assert "Recorded by Lena Aramyan" in page and "2 names typed in." in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": ""}, "Choose the country where these people signed."),
        ({"country": "XX"}, "Choose the country where these people signed."),
        ({"count": ""}, "Enter the number of signatures, for example 120."),
        ({"count": "ten"}, "Enter the number of signatures as a whole number"),
        ({"count": "0"}, "Enter a number of at least 1."),
        ({"count": "-5"}, "Enter a number of at least 1."),
        ({"count": "200000"}, "Enter at most 100,000 signatures in one entry"),
        ({"count": "1", "names": "A One\nB Two"}, "You typed 2 names but the number"),
        ({"names": "x" * 101}, "is longer than 100 characters"),
    ],
)
def test_bad_entries_get_a_clear_message(petition, organizer, fields, message):
    response = record(client_for(organizer), petition, **fields)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "<title>Error:" in html and 'class="error-summary"' in html
    assert not PaperSheet.objects.exists()


def test_sheets_can_be_changed_and_deleted(petition, organizer):
    editor = co_organizer(petition, "eddie@example.org")
    record(client_for(organizer), petition, count="10")
    sheet = PaperSheet.objects.get()
    client = client_for(editor)
    url = reverse("delivery:edit_paper", args=[petition.pk, sheet.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"country": "FR", "count": "0"})
    assert bad.status_code == 200 and PaperSheet.objects.get().count == 10
    assert client.post(url, {"country": "FR", "count": "12", "note": "Lyon"}).status_code == 303
    sheet.refresh_from_db()
    assert (sheet.country, sheet.count, sheet.updated_by) == ("FR", 12, editor)
    assert actions.paper_total(petition) == 12
    delete = reverse("delivery:delete_paper", args=[petition.pk, sheet.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 303
    assert not PaperSheet.objects.exists() and actions.paper_total(petition) == 0


def test_only_the_creator_and_editors_record_sheets(petition, organizer, moderator):
    record(client_for(organizer), petition)
    sheet = PaperSheet.objects.get()
    viewer = co_organizer(petition, "vic@example.org", Organizer.Role.VIEWER)
    other = make_other_petition(moderator)
    for user in (viewer, moderator):
        client = client_for(user)
        assert client.get(reverse("delivery:paper", args=[petition.pk])).status_code == 404
        assert record(client, petition).status_code == 404
        edit = reverse("delivery:edit_paper", args=[petition.pk, sheet.pk])
        assert client.post(edit, {"country": "FR", "count": "1"}).status_code == 404
    # A sheet is reached only through its own petition.
    co_organizer(other, "lena2@example.org")
    wrong = reverse("delivery:edit_paper", args=[other.pk, sheet.pk])
    assert client_for(other.creator).get(wrong).status_code == 404
    assert PaperSheet.objects.get().count == 600


def make_other_petition(moderator) -> Petition:
    from support import make_petition

    from undersigned.accounts.models import User

    return make_petition(User.objects.create_user("other@example.org"), moderator)


def test_paper_signatures_are_shown_apart_and_never_counted(petition, organizer, client):
    add_signers(petition, [{"name": f"S {i}", "email": f"s{i}@example.org"} for i in range(3)])
    record(client_for(organizer), petition, count="850")
    record(client_for(organizer), petition, country="FR", count="150")
    refresh_counts()
    petition.refresh_from_db()
    assert count_for(petition) == 3 and petition.signature_count == 3

    html = client.get(petition.get_absolute_url()).content.decode()
    assert "3 online · 1,000 on paper" in html
    assert "Nobody confirmed them by e-mail" in html
    data = client.get(reverse("petitions:detail_json", args=[petition.pk])).json()
    assert "1000" not in str(data) and "1,000" not in str(data)

    panel = client_for(organizer).get(reverse("dashboard:delivery", args=[petition.pk]))
    text = panel.content.decode()
    assert "1,000 signatures on paper, in 2 entries." in text
    assert "Armenia: 850 · France: 150" in text


def test_no_paper_line_without_paper_signatures(petition, client):
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "on paper" not in html


def test_delivery_packs_include_paper_signatures_separately(petition, organizer):
    add_signers(petition, [{"name": "Online Signer", "email": "o@example.org", "country": "FR"}])
    client = client_for(organizer)
    record(client, petition, count="2", names="Paper Person\nԱրամ Պետրոսյան")
    client.post(reverse("delivery:request_pack", args=[petition.pk]), {"target": "all"})
    pack = DeliveryPack.objects.get()
    assert (pack.online_count, pack.paper_count) == (1, 2)
    url = reverse("delivery:download_pack", args=[petition.pk, pack.pk, "pdf"])
    body = b"".join(client.get(url).streaming_content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert "1 person signed online and confirmed their signature by e-mail" in text
    assert "2 more signatures were collected on paper" in text
    assert "Names written on paper sheets" in text and "Արամ Պետրոսյան" in text
    url = reverse("delivery:download_pack", args=[petition.pk, pack.pk, "csv"])
    body = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "Online Signer" and rows[1][-1] == "online, confirmed by e-mail"
    assert rows[2][:4] == ["Paper Person", "Armenia", "AM", ""] and rows[2][-1] == "on paper"
    assert rows[3][0] == "Արամ Պետրոսյան" and len(rows) == 4


def test_the_demo_records_one_sheet_however_often_it_runs(petition):
    from undersigned.delivery import demo

    demo.populate(petition)
    demo.populate(petition)
    sheet = PaperSheet.objects.get()
    assert sheet.count == len(sheet.name_list) == 24  # every paper signer is named


def test_the_paper_summary_gives_each_number_its_own_plural(petition, organizer):
    client = client_for(organizer)
    record(client, petition, count="1")
    page = client.get(reverse("delivery:paper", args=[petition.pk])).content.decode()
    assert "1 signature on paper, in 1 entry." in page
    record(client, petition, count="1200", country="FR")
    page = client.get(reverse("delivery:paper", args=[petition.pk])).content.decode()
    assert "1,201 signatures on paper, in 2 entries." in page
