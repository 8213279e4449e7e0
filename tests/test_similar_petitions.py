"""While an organizer writes a title, open and recently closed petitions like it are listed
with their counts: "Sign this one instead?". Found by the database's own text search
(PostgreSQL full-text and trigrams, SQLite FTS5): run this file on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from factories_accounts import petition_data
from support import make_petition

from undersigned.petitions import actions
from undersigned.petitions.models import Petition
from undersigned.petitions.similar import similar_petitions


@pytest.fixture
def library(organizer, moderator) -> Petition:
    petition = make_petition(organizer, moderator)  # "Keep the library open on Sundays"
    Petition.objects.filter(pk=petition.pk).update(signature_count=1234)
    return Petition.objects.get(pk=petition.pk)


@pytest.fixture
def trees(organizer, moderator) -> Petition:
    return make_petition(
        organizer, moderator, title="Plant more trees in Riverside park",
        text="Shade for the playground and cleaner air.",
    )  # fmt: skip


def titles(found) -> list[str]:
    return [petition.title for petition in found]


def similar_section(html: str) -> str:
    """The form's "Sign this one instead?" section (rendered hidden when empty)."""
    start = html.index('id="similar"')
    return html[start : html.index("</section>", start)]


def test_a_petition_with_a_close_title_is_found_and_an_unrelated_one_is_not(library, trees):
    assert titles(similar_petitions("Keep our libraries open on Sunday")) == [library.title]
    assert titles(similar_petitions("More trees for the park")) == [trees.title]
    assert similar_petitions("Lower the bus fares") == []


def test_words_in_the_text_count_too(organizer, moderator, trees):
    sundays = make_petition(
        organizer, moderator, title="Sunday hours for everyone",
        text="The central library closes on weekends; open it on Sundays.",
    )  # fmt: skip
    assert titles(similar_petitions("Open the central library at weekends")) == [sundays.title]


def test_one_common_word_alone_is_not_similar(library, trees):
    assert similar_petitions("Open a swimming pool") == []


def test_russian_and_armenian_titles_are_found_despite_other_word_endings(organizer, moderator):
    russian = make_petition(
        organizer, moderator, title="Сохраним библиотеку в парке Победы", language="ru"
    )
    armenian = make_petition(
        organizer, moderator, title="Պահպանենք Երևանի գրադարանը", language="hy"
    )
    assert titles(similar_petitions("Спасите библиотеки в парке")) == [russian.title]
    assert titles(similar_petitions("Երևանի գրադարանները բաց պահեք")) == [armenian.title]


def test_only_open_and_recently_closed_petitions_are_listed(organizer, moderator, library):
    title = library.title
    make_petition(organizer, moderator, title=title, state=Petition.State.DRAFT)
    make_petition(organizer, moderator, title=title, state=Petition.State.MODERATION)
    hidden = make_petition(organizer, moderator, title=title)
    actions.hide_petition(hidden, moderator)
    recent = make_petition(organizer, moderator, title=title, state=Petition.State.CLOSED)
    old = make_petition(organizer, moderator, title=title, state=Petition.State.CLOSED)
    Petition.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=400))
    duplicate = make_petition(organizer, moderator, title=title)
    actions.mark_duplicate(duplicate, library, moderator)
    found = similar_petitions(title, limit=10)
    assert {petition.pk for petition in found} == {library.pk, recent.pk}


def test_the_petition_being_edited_is_not_listed_as_like_itself(library):
    assert similar_petitions(library.title, exclude=library.pk) == []


def test_a_changed_title_is_searched_as_it_is_now(organizer, moderator):
    petition = make_petition(organizer, moderator, state=Petition.State.MODERATION)
    petition.title = "Repair the old stone bridge"
    actions.save_draft(petition, [{"name": "City Council"}])
    actions.approve_petition(petition, moderator)
    assert titles(similar_petitions("Repair the stone bridge")) == [petition.title]
    assert similar_petitions("Keep the library open on Sundays") == []


def test_the_search_is_the_databases_own(library):
    with CaptureQueriesContext(connection) as queries:
        similar_petitions("Keep the library open")
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    if connection.vendor == "postgresql":
        assert "@@" in sql and "%" in sql and "to_tsquery" in sql
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'petitions_petition'"
            )
            indexes = {row[0] for row in cursor.fetchall()}
        assert {"petition_title_trgm", "petition_words"} <= indexes
    else:
        assert "MATCH" in sql and "petition_search" in sql


def test_the_form_lists_them_as_soon_as_a_title_is_sent_even_with_other_errors(
    client, organizer, library
):
    client.force_login(organizer)
    data = petition_data(title="Keep our library open on Sunday", goal="5", text="")
    response = client.post(reverse("petitions:new"), data)
    html = response.content.decode()
    assert response.status_code == 400 and "Error:" in html
    section = similar_section(html)
    assert "Sign this one instead?" in section and "1,234 signatures" in section
    assert f'href="{library.get_absolute_url()}"' in section


def test_the_preview_and_the_edit_page_list_them_too(client, organizer, library):
    client.force_login(organizer)
    preview = client.post(reverse("petitions:new"), {**petition_data(), "action": "preview"})
    assert f'href="{library.get_absolute_url()}"' in similar_section(preview.content.decode())
    client.post(reverse("petitions:new"), petition_data(title="Keep the library open late"))
    draft = Petition.objects.get(state=Petition.State.DRAFT)
    edit = similar_section(client.get(reverse("petitions:edit", args=[draft.pk])).content.decode())
    assert library.title in edit and draft.title not in edit


def test_the_list_stays_hidden_when_nothing_is_similar(client, organizer, library):
    client.force_login(organizer)
    data = petition_data(title="Lower the bus fares", goal="5")
    section = similar_section(client.post(reverse("petitions:new"), data).content.decode())
    assert section.split(">")[0].endswith(" hidden") and "<li>" not in section
    data = petition_data(title="Keep the library open", goal="5")
    section = similar_section(client.post(reverse("petitions:new"), data).content.decode())
    assert not section.split(">")[0].endswith(" hidden") and "<li>" in section


def test_the_json_endpoint_answers_the_script_with_counts_in_words(client, library, trees):
    url = reverse("petitions:similar")
    data = client.get(url, {"title": "Keep our library open on Sunday"}).json()
    assert data == {
        "petitions": [
            {
                "id": library.pk,
                "title": library.title,
                "url": library.get_absolute_url(),
                "state": "open",
                "signature_count": 1234,
                "signatures": "1,234 signatures",
            }
        ]
    }
    excluded = client.get(url, {"title": library.title, "exclude": str(library.pk)}).json()
    assert excluded == {"petitions": []}


@pytest.mark.parametrize(
    "query", [{}, {"title": ""}, {"title": "a"}, {"title": "x" * 5000}, {"exclude": "-1; drop"}]
)
def test_the_json_endpoint_takes_any_input_without_an_error(client, library, query):
    response = client.get(reverse("petitions:similar"), query)
    assert response.status_code == 200 and response.json() == {"petitions": []}


def test_a_title_with_a_nul_byte_is_searched_without_it_and_refused_by_the_form(
    client, organizer, library
):
    """Found by tests/test_fuzz.py on PostgreSQL, which refuses a NUL in any text: the
    search ran on the raw title before the form said no, and the page was a 500."""
    assert titles(similar_petitions("Keep the library\x00open")) == [library.title]
    client.force_login(organizer)
    data = petition_data(title="Keep the library\x00open")
    response = client.post(reverse("petitions:new"), data)
    assert response.status_code == 400 and "Null characters are not allowed" in (
        response.content.decode()
    )


def test_a_recently_closed_petition_says_so_with_its_count(client, organizer, moderator):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    Petition.objects.filter(pk=closed.pk).update(signature_count=1)
    data = client.get(reverse("petitions:similar"), {"title": closed.title}).json()
    assert data["petitions"][0]["signatures"] == "closed with 1 signature"
