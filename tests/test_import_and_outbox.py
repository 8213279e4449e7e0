"""Organizers load a petition from a Markdown file; e-mails land in a local outbox."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from undersigned.lib.emails import build_message
from undersigned.lib.outbox import OutboxBackend, letters
from undersigned.petitions.models import Petition

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT.parent / "shared" / "examples" / "first-petition.txt"


def test_it_imports_the_documented_example_as_a_draft(db):
    out = StringIO()
    call_command("import_petition", str(ROOT / "docs/examples/petition.md"), stdout=out)
    petition = Petition.objects.get()
    assert petition.state == Petition.State.DRAFT
    assert petition.goal == 2500 and petition.closes_at.year == 2027
    assert [t.name for t in petition.targets.all()] == [
        "Harbour District Council", "Mayor of Harbour City",
    ]  # fmt: skip
    assert petition.creator.email == "organizer@example.org"
    assert "<strong>no shade</strong>" in petition.text_html
    assert "draft" in out.getvalue()


@pytest.mark.skipif(not EXAMPLE.exists(), reason="shared/examples is not beside this clone")
def test_the_first_real_petition_imports_and_reads_well(client, moderator, tmp_path):
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    title, body = lines[0].strip(), "\n".join(lines[3:]).strip()
    source = tmp_path / "first.md"
    source.write_text(
        f'---\ntitle: "{title}"\ngoal: 25000\nlanguage: en\ncreator: first@example.org\n'
        "creator_name: Anahit Sargsyan\n"
        "targets:\n  - name: United Nations Security Council\n    role: Member states\n---\n"
        + body,
        encoding="utf-8",
    )
    call_command("import_petition", str(source), "--open", stdout=StringIO())
    petition = Petition.objects.get()
    html = client.get(petition.get_absolute_url()).content.decode()
    assert f">{title.replace('&', '&amp;').replace(chr(39), '&#x27;')}</h1>" in html
    assert "Started by Anahit Sargsyan" in html and "an organizer" not in html
    assert "Be the first to sign" in html and "The goal is 25,000 signatures." in html
    assert "0</span>" not in html and "more signatures to reach" not in html
    assert "extensive military aid–both" in html and "“drown[ing]”" in html
    assert "United Nations Security Council" in html


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: x\ngoal: lots\ncreator: a@b.org\ncreator_name: A\ntargets: [A]", "goal"),
        ("title: x\ngoal: 100\ncreator: a@b.org\ncreator_name: A", "targets"),
        ("title: ''\ngoal: 100\ncreator: a@b.org\ncreator_name: A\ntargets: [A]", "title"),
        ("title: x\ngoal: 100\ncreator_name: A\ntargets: [A]", "organizer"),
        ("title: x\ngoal: 100\ncreator: a@b.org\ntargets: [A]", "creator_name"),
        ("title: [unclosed\n", "YAML"),
    ],
)
def test_a_bad_file_gets_a_clear_message(db, tmp_path, front, message):
    source = tmp_path / "bad.md"
    source.write_text(f"---\n{front}\n---\nSome text.\n")
    with pytest.raises(CommandError, match=message):
        call_command("import_petition", str(source))
    assert not Petition.objects.exists()


def test_each_mail_becomes_an_eml_file_in_the_outbox(settings, tmp_path):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    message = build_message(
        "petition_approved", "lena@example.org", {"name": "Lena", "title": "T", "url": "http://x/1"}
    )
    OutboxBackend().send_messages([message])
    (letter,) = letters()
    assert letter.to == "lena@example.org" and "T" in letter.subject
    assert "http://x/1" in letter.text and letter.html


def test_the_outbox_page_lists_mails_only_when_debug_is_on(client, settings, tmp_path, db):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    OutboxBackend().send_messages(
        [build_message("petition_closed", "a@example.org", {"title": "Closed one", "url": "u"})]
    )
    settings.DEBUG = False
    assert client.get(reverse("outbox")).status_code == 404
    settings.DEBUG = True
    page = client.get(reverse("outbox")).content.decode()
    assert "Closed one" in page
    name = letters()[0].name
    assert "Closed one" in client.get(reverse("outbox_letter", args=[name])).content.decode()
    assert client.get("/outbox/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get(reverse("outbox_letter", args=["secret-key"])).status_code == 404
    assert mail.outbox == []


def test_a_letter_shows_its_html_part_sandboxed_with_the_text_one_click_away(
    client, settings, tmp_path, db
):
    settings.OUTBOX_DIR = tmp_path / "outbox"
    settings.DEBUG = True
    context = {"name": "Lena", "title": "Keep it open", "url": "http://x/1"}
    OutboxBackend().send_messages([build_message("petition_approved", "lena@example.org", context)])
    name = letters()[0].name
    page = client.get(reverse("outbox_letter", args=[name])).content.decode()
    frame = reverse("outbox_letter_html", args=[name])
    assert f'<iframe class="letter-html" src="{frame}" sandbox=' in page
    assert "<details" in page and "<summary>Text version</summary>" in page
    assert "lena@<wbr>example.<wbr>org" in page  # wraps after @ and dots, never mid-word
    html = client.get(frame)
    assert html.status_code == 200 and "Keep it open" in html.content.decode()
    assert '<base target="_top">' in html.content.decode()
    policy = html["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script" not in policy
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    settings.DEBUG = False
    assert client.get(frame).status_code == 404
