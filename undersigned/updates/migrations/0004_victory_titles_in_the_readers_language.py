"""Victories declared before this stored "Victory!" in the petition's language; now the
title is put together in each reader's language (Update.display_title), so those stored
words are cleared. A title an organizer changed by hand is kept."""

from django.conf import settings
from django.db import migrations
from django.utils import translation


def clear_stored_victory_titles(apps, schema_editor):
    Update = apps.get_model("updates", "Update")
    words = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.add(translation.gettext("Victory!"))
    Update.objects.filter(kind="victory", title__in=words).update(title="")


class Migration(migrations.Migration):
    dependencies = [("updates", "0003_update_responder")]

    operations = [
        migrations.RunPython(clear_stored_victory_titles, migrations.RunPython.noop),
    ]
