"""Counts read as people write them, in every plural form; the home page's "New, needs
support" is a real list of new petitions short of their goal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from support import make_petition

from undersigned.petitions.models import NEW_DAYS, Petition


def count_block(petition: Petition, count: int) -> str:
    template = Template("{% load petitions %}{% count_block petition count %}")
    return " ".join(template.render(Context({"petition": petition, "count": count})).split())


def test_at_zero_it_invites_the_first_signature_and_states_the_goal(petition):
    petition.goal = 25_000
    html = count_block(petition, 0)
    assert "Be the first to sign" in html
    assert "The goal is 25,000 signatures." in html
    assert "have signed" not in html and "more signature" not in html and ">0<" not in html


@pytest.mark.parametrize(
    ("count", "said", "goal_line"),
    [
        (1, '<span class="count-number">1</span> person has signed', "99 more signatures"),
        (2, '<span class="count-number">2</span> people have signed', "98 more signatures"),
        (99, '<span class="count-number">99</span> people have signed', "1 more signature to"),
        (1234, '<span class="count-number">1,234</span> people have signed', "1,266 more"),
    ],
)
def test_counts_and_what_is_left_agree_with_their_number(petition, count, said, goal_line):
    html = count_block(petition, count)  # goal 100: past it, the goal moves up the ladder
    assert said in html and goal_line in html
    assert "Confirmed signatures only." in html


def test_a_closed_petition_says_how_many_signed_and_no_goal(organizer, moderator):
    closed = make_petition(organizer, moderator, state=Petition.State.CLOSED)
    assert '<span class="count-number">1</span> person signed' in count_block(closed, 1)
    assert "more signature" not in count_block(closed, 7)
    assert "Nobody signed this petition." in count_block(closed, 0)
    assert "data-count-url" not in count_block(closed, 7)  # nothing moves: no polling


def test_a_draft_shows_the_block_as_it_will_look_without_polling(organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    html = count_block(draft, 0)
    assert "Be the first to sign" in html and "data-count-url" not in html


def test_an_open_petition_polls_its_block_in_the_readers_language(client, petition):
    html = count_block(petition, 0)
    url = reverse("petitions:count", args=[petition.pk])
    assert f'data-count-url="{url}"' in html
    assert 'data-reached="Goal reached: 100 signatures!"' in html
    response = client.get(url)
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
    assert "Be the first to sign" in response.content.decode()
    assert response.content.decode().strip().startswith('<div class="count-block')


def test_the_block_of_a_petition_nobody_may_see_is_not_found(client, organizer):
    draft = make_petition(organizer, state=Petition.State.DRAFT)
    assert client.get(reverse("petitions:count", args=[draft.pk])).status_code == 404


def card_of(html: str, title: str) -> str:
    start = html.index(title)
    return html[start : html.index("</li>", start)]


def test_cards_say_counts_in_words_that_fit_them(client, organizer, moderator):
    unsigned = make_petition(organizer, moderator, title="Open the pool in winter")
    one = make_petition(organizer, moderator, title="Light the river path")
    closed = make_petition(organizer, moderator, title="Paint the old bridge")
    Petition.objects.filter(pk=one.pk).update(signature_count=1)
    Petition.objects.filter(pk=closed.pk).update(signature_count=2, state="closed")
    html = " ".join(client.get(reverse("petitions:list") + "?state=all").content.decode().split())
    assert "<strong>Be the first to sign</strong> · goal: 100 signatures" in card_of(
        html, unsigned.title
    )
    assert "<strong>1</strong> signed of 100" in card_of(html, one.title)
    assert "Closed with <strong>2</strong> signatures" in card_of(html, closed.title)
    assert "Started by Lena Aramyan" in card_of(html, one.title)


def columns(client: Client) -> tuple[str, str]:
    html = client.get("/").content.decode()
    most = html[html.index('id="most-signed"') : html.index('id="newest"')]
    new = html[html.index('id="newest"') : html.index("</div>", html.index('id="newest"'))]
    return most, new


def test_new_petitions_short_of_their_goal_need_support_and_signed_ones_are_most_signed(
    client, organizer, moderator
):
    fresh = make_petition(organizer, moderator, title="Open the pool in winter")
    signed = make_petition(organizer, moderator, title="Light the river path")
    old = make_petition(organizer, moderator, title="Paint the old bridge")
    done = make_petition(organizer, moderator, title="Fix the station lift")
    Petition.objects.filter(pk=signed.pk).update(signature_count=5)
    Petition.objects.filter(pk=done.pk).update(signature_count=10, goal=10)  # reached it
    long_ago = timezone.now() - timedelta(days=NEW_DAYS + 1)
    Petition.objects.filter(pk=old.pk).update(opened_at=long_ago)

    most, new = columns(client)

    assert fresh.title in new and fresh.title not in most
    assert signed.title in most and signed.title not in new
    assert old.title not in new and old.title not in most  # unsigned, and no longer new
    assert done.title in most and done.title not in new
    assert "Opened in the last 30 days and short of their goal, newest first." in new


def test_the_new_list_is_newest_first(client, organizer, moderator):
    first = make_petition(organizer, moderator, title="Open the pool in winter")
    second = make_petition(organizer, moderator, title="Light the river path")
    Petition.objects.filter(pk=first.pk).update(opened_at=timezone.now() - timedelta(days=2))
    _most, new = columns(client)
    assert new.index(second.title) < new.index(first.title)


def test_empty_columns_say_honestly_why(client, organizer, moderator):
    most, new = columns(client)
    assert "No open petitions yet" in most and "No petition has opened in the last 30 days" in new

    signed = make_petition(organizer, moderator)
    Petition.objects.filter(pk=signed.pk).update(signature_count=3)
    most, new = columns(client)
    assert signed.title in most
    assert "No other petition opened in the last 30 days is short of its goal." in new

    Petition.objects.filter(pk=signed.pk).update(
        signature_count=0, opened_at=timezone.now() - timedelta(days=NEW_DAYS + 1)
    )
    most, new = columns(client)
    assert "Nobody has signed an open petition yet" in most
