"""The home page shows what petitions achieved: recent victories and responses."""

import pytest
from django.test import Client
from support import make_petition

from undersigned.accounts.models import User
from undersigned.updates import actions

pytestmark = pytest.mark.django_db


def test_it_lists_recent_victories_and_responses_but_not_news_on_the_home_page():
    organizer = User.objects.create_user("org@example.org", name="Lena")
    won = make_petition(organizer, title="Open the library on Sundays")
    actions.declare_victory(won, organizer, "The council voted yes.", email=False)
    answered = make_petition(organizer, title="Light the river path")
    target = answered.targets.get()
    actions.post_update(answered, kind="response", title="Response", text="We will.", target=target)
    news_only = make_petition(organizer, title="Plant trees on Elm Street")
    actions.post_update(news_only, title="We met them", text="Soon.")

    page = Client().get("/").content.decode()

    assert "Recent wins and responses" in page
    assert "Open the library on Sundays" in page and "Won" in page
    assert f"{target.name} responded" in page
    assert "Plant trees on Elm Street" in page  # listed as a new petition…
    assert page.count("Plant trees on Elm Street") == 1  # …but not as an outcome


def test_it_shows_no_outcomes_section_when_nothing_was_achieved_yet():
    assert "Recent wins and responses" not in Client().get("/").content.decode()
