"""manage.py import_petition as a new organizer meets it: it says what it made, where,
who can see it and what to do next; a file with problems gets a clear message per
problem and changes nothing; the same file imported again updates, never doubles."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs/examples/petition.md"
FRONT = """title: Light the river path between the bridges
goal: 500
closes: 2027-06-30
creator: lena@example.org
creator_name: Lena Aramyan
organisation: Riverside Walkers
targets:
  - name: City Council
    role: Riverside"""


def write(tmp_path: Path, front: str = FRONT, body: str = "The path is **dark**.") -> Path:
    source = tmp_path / "petition.md"
    source.write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8")
    return source


def imported(*args: str) -> str:
    out = StringIO()
    call_command("import_petition", *map(str, args), stdout=out)
    return out.getvalue()


def test_it_says_what_it_made_where_who_sees_it_and_what_next(db, settings, tmp_path):
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = imported(write(tmp_path))
    petition = Petition.objects.get()
    assert petition.state == Petition.State.DRAFT
    assert f"Made petition {petition.pk} (draft): Light the river path" in out
    assert "Started by: Lena Aramyan (Riverside Walkers) <lena@example.org>" in out
    assert "To: City Council (Riverside)" in out
    assert f"Address: http://127.0.0.1:8123/petitions/{petition.pk}" in out
    assert "only its organizer and moderators see it" in out
    assert f"http://127.0.0.1:8123/accounts/sign-in/?next=%2Fpetitions%2F{petition.pk}" in out
    assert "Submit for moderation" in out
    assert "import it again with --open" in out and "petition.md --open" in out


def test_the_organizers_name_and_organisation_are_on_the_page(client, db, tmp_path):
    User.objects.create_user("mod@example.org", is_staff=True)
    imported(write(tmp_path), "--open")
    petition = Petition.objects.get()
    html = client.get(petition.get_absolute_url()).content.decode()
    assert "Started by Lena Aramyan (Riverside Walkers)" in html
    assert User.objects.get(email="lena@example.org").name == "Lena Aramyan"


def test_an_account_that_has_a_name_needs_no_creator_name(client, moderator, tmp_path):
    User.objects.create_user("lena@example.org", name="Lena A.")
    front = FRONT.replace("creator_name: Lena Aramyan\norganisation: Riverside Walkers\n", "")
    imported(write(tmp_path, front), "--open")
    page = client.get(Petition.objects.get().get_absolute_url()).content.decode()
    assert "Started by Lena A." in page


def test_open_makes_it_public_at_once(client, moderator, tmp_path):
    out = imported(write(tmp_path), "--open")
    petition = Petition.objects.get()
    assert petition.state == Petition.State.OPEN and petition.moderated_by == moderator
    assert "(open)" in out and "anyone can see and sign it" in out
    assert client.get(petition.get_absolute_url()).status_code == 200


def test_importing_again_updates_the_draft_and_open_opens_that_one(moderator, tmp_path):
    imported(write(tmp_path))
    out = imported(write(tmp_path, body="The path is *very* dark."), "--open")
    petition = Petition.objects.get()
    assert out.startswith(f"Updated petition {petition.pk} (open)")
    assert petition.state == Petition.State.OPEN and "very" in petition.text
    with pytest.raises(CommandError, match="already open: http://testserver/petitions/"):
        imported(write(tmp_path), "--open")
    assert Petition.objects.count() == 1


def test_open_without_a_moderator_account_says_how_to_make_one(db, tmp_path):
    with pytest.raises(CommandError, match="make run"):
        imported(write(tmp_path), "--open")
    assert not Petition.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("closes: 2027-06-30", "closes: 2027-02-30"), "impossible date"),
        (("closes: 2027-06-30", "closes: 2020-01-01"), "has passed"),
        (("closes: 2027-06-30", "closes: next summer"), "like 2027-06-30"),
        (("goal: 500", "goal: 25,000"), None),  # written as people write it: fine
        (("goal: 500", "goal: many"), "whole number"),
        (("goal: 500", "goal: 5"), "goal"),
        (("creator: lena@example.org", "creator: Lena"), "not an e-mail address"),
        (
            ("targets:", "target:"),
            r"target: not a field of the front matter \(did you mean targets\?\)",
        ),
        (("language: en\n", ""), None),
        (("closes: 2027-06-30", "language: xx"), "language"),
        (("  - name: City Council", "  - role: Council"), "has no name"),
        (("    role: Riverside", "    role: Riverside\n" + "  - Mayor\n" * 5), "up to 5"),
        (("title: Light the river path between the bridges", "title: " + "x" * 151), "title"),
    ],
)
def test_a_bad_value_gets_a_message_naming_its_field(db, tmp_path, change, message):
    source = write(tmp_path, FRONT.replace(*change))
    if message is None:
        imported(source)
        assert Petition.objects.count() == 1
        return
    with pytest.raises(CommandError, match=message):
        imported(source)
    assert not Petition.objects.exists()


def test_several_problems_are_listed_at_once(db, tmp_path):
    front = "title: ''\ngoal: lots\ncreator: lena@example.org"
    with pytest.raises(CommandError) as raised:
        imported(write(tmp_path, front))
    message = str(raised.value)
    assert "has 4 problems" in message
    for field in ("goal:", "targets:", "title:", "creator_name:"):
        assert f"\n- {field}" in message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("Stop the war crimes\n\n0 have signed.\n\nText.", "no front matter"),
        ("---\n- a list\n---\nText.", "must be `field: value` lines"),
        ("---\ntitle: [unclosed\n---\nText.", "not valid YAML"),
        (b"---\ntitle: caf\xe9\n---\n", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(db, tmp_path, content, message):
    source = tmp_path / "petition.md"
    if isinstance(content, bytes):
        source.write_bytes(content)
    elif content is not None:
        source.write_text(content)
    with pytest.raises(CommandError, match=message):
        imported(source)


def test_a_folder_is_not_a_petition(db, tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        imported(tmp_path)


def test_the_documented_example_names_who_started_it(client, moderator):
    imported(EXAMPLE, "--open")
    html = client.get(Petition.objects.get().get_absolute_url()).content.decode()
    assert "Started by Lena Aramyan (Harbour Road Residents&#x27; Association)" in html
