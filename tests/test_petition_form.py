"""The petition form: up to five decision makers without any script, who started it, and a
preview that looks like the petition page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from factories_accounts import petition_data

from undersigned.accounts.models import User
from undersigned.petitions.models import Petition

FIVE = [
    ("City Council", "Riverside"), ("Mayor of Riverside", ""), ("Culture Committee", "Council"),
    ("Library Board", ""), ("Regional Parliament", "Education Committee"),
]  # fmt: skip


@pytest.fixture
def author(client, organizer):
    client.force_login(organizer)
    return client


def five_targets(**fields) -> dict[str, str]:
    data = petition_data(targets=FIVE[:3], **fields)
    data["targets-TOTAL_FORMS"] = "5"
    for i, (name, role) in enumerate(FIVE):
        data[f"targets-{i}-name"], data[f"targets-{i}-role"] = name, role
    return data


def details(html: str) -> str:
    return html[html.index('<details class="more-targets">') : html.index("</details>")]


def test_all_five_rows_are_in_the_page_the_empty_ones_behind_add_another(author):
    html = author.get(reverse("petitions:new")).content.decode()
    assert 'name="targets-TOTAL_FORMS" value="5"' in html
    assert all(f'name="targets-{i}-name"' in html for i in range(5))
    hidden = details(html)
    assert "<summary>Add up to 4 more decision makers</summary>" in hidden
    assert 'name="targets-0-name"' not in hidden and 'name="targets-1-name"' in hidden
    assert "<script" not in hidden


def test_filled_in_rows_stay_open_when_editing(author):
    author.post(reverse("petitions:new"), five_targets())
    edit = reverse("petitions:edit", args=[Petition.objects.get().pk])
    html = author.get(edit).content.decode()
    assert "more-targets" not in html  # all five are filled in: nothing left to add
    assert 'value="Regional Parliament"' in html


def test_it_saves_five_decision_makers_and_shows_them_all(author):
    response = author.post(reverse("petitions:new"), five_targets())
    assert response.status_code == 303
    petition = Petition.objects.get()
    assert [(t.name, t.role) for t in petition.targets.all()] == FIVE
    page = author.get(response["Location"]).content.decode()
    assert all(name in page for name, _role in FIVE)


def test_a_refused_row_is_shown_open_with_its_error(author):
    data = petition_data()
    data["targets-TOTAL_FORMS"] = "5"
    data["targets-3-role"] = "Without a name"
    html = author.post(reverse("petitions:new"), data).content.decode()
    assert "or clear the role" in html
    assert "Add another decision maker" in html  # only row 5 is left behind the summary
    assert 'name="targets-3-role"' not in details(html)


def test_the_form_starts_with_the_account_name_and_the_page_shows_both(author):
    form = author.get(reverse("petitions:new")).content.decode()
    assert 'name="creator_name"' in form and 'value="Lena Aramyan"' in form
    data = petition_data(creator_name="Lena  Aramyan", organisation="Friends of the Library")
    page = author.get(author.post(reverse("petitions:new"), data)["Location"]).content.decode()
    assert "Started by Lena Aramyan (Friends of the Library)" in page


def test_an_account_without_a_name_must_give_one(client, db):
    client.force_login(User.objects.create_user("nameless@example.org"))
    page = client.post(reverse("petitions:new"), petition_data())
    assert page.status_code == 400 and b"Enter your name as the petition will show it" in (
        page.content
    )
    saved = client.post(reverse("petitions:new"), petition_data(creator_name="Sam Lee"))
    assert saved.status_code == 303 and Petition.objects.get().started_by == "Sam Lee"


def test_a_name_with_a_link_is_refused(author):
    page = author.post(reverse("petitions:new"), petition_data(organisation="https://spam.example"))
    assert page.status_code == 400 and b"without links or addresses" in page.content


def test_the_preview_looks_like_the_petition_page_and_saves_nothing(author):
    data = five_targets(action="preview", goal="2500", organisation="Friends of the Library")
    data["text"] = "# Why\n\nSunday hours **matter**."
    html = author.post(reverse("petitions:new"), data).content.decode()
    preview = html[html.index('<section id="preview"') : html.index("</section>")]
    flat = " ".join(preview.split())
    assert '<h2 id="preview-heading">Preview</h2>' in preview and "Nothing is saved yet" in preview
    assert re.search(r'<h3 class="preview-title"[^>]*>Keep the library open on Sundays</h3>', flat)
    assert 'To <span class="target">City Council <span class="muted">(Riverside)</span>' in flat
    assert "Regional Parliament" in flat
    assert "Started by Lena Aramyan (Friends of the Library)" in flat
    assert "Closes on" in flat
    assert "Be the first to sign" in flat and "The goal is 2,500 signatures." in flat
    assert "<h2>Why</h2>" in preview and "<strong>matter</strong>" in preview
    assert html.count("<h1") == 1
    assert not Petition.objects.exists()


def test_saving_after_a_preview_never_keeps_the_preview_in_the_address(author):
    html = author.get(reverse("petitions:new")).content.decode()
    assert '<form method="post" action="/petitions/new" novalidate>' in html
    assert 'formaction="/petitions/new#preview"' in html
