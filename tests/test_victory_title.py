"""A victory's title is "Victory!" in the reader's language, not the petition's."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import translation
from support import make_petition

from undersigned.updates import actions
from undersigned.updates.models import Update

pytestmark = pytest.mark.django_db


def test_an_armenian_petitions_victory_reads_victory_in_english_and_in_french(organizer, moderator):
    petition = make_petition(organizer, moderator, language="hy")
    victory = actions.declare_victory(petition, organizer, "Կիրակի օրերը վերադարձան։", email=False)
    assert victory.title == ""
    with translation.override("en"):
        assert victory.display_title == "Victory!"
    with translation.override("fr"):
        assert victory.display_title == "Victoire !"
    with translation.override("hy"):
        assert victory.display_title == "Հաղթանա՜կ"


def test_the_migration_clears_stored_victory_words_and_keeps_an_organizers_own(
    organizer, moderator
):
    petition = make_petition(organizer, moderator, language="fr")
    victory = actions.declare_victory(petition, organizer, "Gagné.", email=False)
    Update.objects.filter(pk=victory.pk).update(title="Victoire !")
    own = Update.objects.create(
        petition=petition, kind=Update.Kind.VICTORY, title="We did it", text="Yes."
    )
    migration = importlib.import_module(
        "undersigned.updates.migrations.0004_victory_titles_in_the_readers_language"
    )
    migration.clear_stored_victory_titles(django_apps, None)
    assert Update.objects.get(pk=victory.pk).title == ""
    assert Update.objects.get(pk=own.pk).title == "We did it"
