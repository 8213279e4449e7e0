"""The organizers' contact list and `manage.py export_signers`: streamed, consented, safe."""

from __future__ import annotations

import csv
import io
import types

import pytest
from django.core.management import CommandError, call_command
from django.http import StreamingHttpResponse
from django.urls import reverse
from test_delivery_helpers import ARMENIAN, add_signers, client_for, co_organizer

from undersigned.accounts.models import User
from undersigned.delivery import exports
from undersigned.delivery.models import Download
from undersigned.petitions.models import Organizer


@pytest.fixture
def signers(petition):
    return add_signers(
        petition,
        [
            {"name": ARMENIAN, "email": "anahit@example.am", "postcode": "0010", "contact": True},
            {"name": "=HYPERLINK(\"http://x\")", "email": "@evil.example", "contact": True},
            {"name": "Quiet Person", "email": "quiet@example.org", "comment": "no contact"},
            {"name": "Withdrawn", "email": "gone@example.org", "contact": True,
             "withdrawn_at": "2026-01-01T00:00:00Z"},
            {"name": "Held", "email": "held@example.org", "contact": True, "held_reason": "x"},
        ],
    )  # fmt: skip


def contacts(client, petition):
    return client.get(reverse("delivery:contacts", args=[petition.pk]))


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_contact_list_has_only_counted_signers_who_let_organizers_email_them(
    petition, organizer, signers
):
    response = contacts(client_for(organizer), petition)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == f'attachment; filename="contacts-{petition.pk}.csv"'
    rows = rows_of(b"".join(response.streaming_content).decode())
    assert rows[0] == ["Name", "E-mail address", "Country", "Postcode", "Signed at"]
    assert [row[:4] for row in rows[1:]] == [
        [ARMENIAN, "anahit@example.am", "AM", "0010"],
        ['\'=HYPERLINK("http://x")', "'@evil.example", "AM", ""],
    ]


def test_the_contact_list_is_for_the_creator_and_editors_and_each_download_is_logged(
    petition, organizer, moderator, signers
):
    editor = co_organizer(petition, "eddie@example.org")
    viewer = co_organizer(petition, "vic@example.org", Organizer.Role.VIEWER)
    stranger = User.objects.create_user("stranger@example.org")
    for user in (viewer, stranger, moderator):
        assert contacts(client_for(user), petition).status_code == 404
    assert contacts(client_for(editor), petition).status_code == 200
    assert contacts(client_for(organizer), petition).status_code == 200
    log = list(Download.objects.order_by("pk").values_list("kind", "user", "rows"))
    assert log == [("contacts", editor.pk, 2), ("contacts", organizer.pk, 2)]
    page = client_for(viewer).get(reverse("dashboard:delivery", args=[petition.pk]))
    assert "2 signers let you e-mail them." in page.content.decode()
    assert "contact list (CSV)" in page.content.decode()


def test_rows_are_read_in_chunks_and_sent_in_blocks(petition, signers, monkeypatch):
    chunk_sizes = []
    original = exports.Signature.objects.counted

    def counted():
        queryset = original()
        real_iterator = queryset.__class__.iterator

        def iterator(self, chunk_size=None):
            chunk_sizes.append(chunk_size)
            return real_iterator(self, chunk_size=chunk_size)

        queryset.__class__ = type("Spy", (queryset.__class__,), {"iterator": iterator})
        return queryset

    monkeypatch.setattr(exports.Signature.objects, "counted", counted)
    stream = exports.signers_csv(petition, contactable=True)
    assert isinstance(stream, types.GeneratorType)  # nothing read until asked
    assert chunk_sizes == []
    list(stream)
    assert chunk_sizes == [exports.CHUNK_ROWS]


def test_blocks_join_lines_up_to_a_size():
    lines = [f"{i:04d}\r\n" for i in range(100)]
    joined = list(exports.blocks(iter(lines), size=60))
    assert "".join(joined) == "".join(lines)
    assert all(len(block) <= 60 + 6 for block in joined) and len(joined) == 10


def test_the_command_writes_the_signer_list_without_addresses(petition, signers):
    out = io.StringIO()
    call_command("export_signers", str(petition.pk), stdout=out)
    rows = rows_of(out.getvalue())
    assert rows[0] == ["Name", "Country", "Country code", "Comment", "Signed on"]
    assert [row[0] for row in rows[1:]] == [ARMENIAN, '\'=HYPERLINK("http://x")', "Quiet Person"]
    assert "@" not in out.getvalue() and "0010" not in out.getvalue()
    assert Download.objects.get().kind == "signers"


def test_the_command_writes_the_contact_list_with_contactable(petition, signers):
    out = io.StringIO()
    call_command("export_signers", str(petition.pk), "--contactable", stdout=out)
    rows = rows_of(out.getvalue())
    assert [row[1] for row in rows[1:]] == ["anahit@example.am", "'@evil.example"]
    assert Download.objects.get().kind == "contacts"


def test_the_command_says_when_there_is_no_such_petition(db):
    with pytest.raises(CommandError, match="no petition 999"):
        call_command("export_signers", "999", stdout=io.StringIO())
