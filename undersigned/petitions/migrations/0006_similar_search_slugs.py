"""Similar petitions and readable links.

- The database's text search for petitions/similar.py: on PostgreSQL the pg_trgm
  extension and two GIN indexes; on SQLite an FTS5 table kept in step by triggers. Each
  step does nothing on the other database.
- Petition.duplicate_told_cursor, for telling a duplicate's signers once.
- Every slug made again with transliteration, so Armenian and Russian titles get one.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from undersigned.petitions import similar
from undersigned.petitions.models import make_slug


def search_forwards(apps, schema_editor):
    similar.install_sqlite_search(schema_editor.connection)
    similar.install_postgres_indexes(schema_editor.connection)


def search_backwards(apps, schema_editor):
    similar.remove_sqlite_search(schema_editor.connection)
    similar.remove_postgres_indexes(schema_editor.connection)


def transliterated_slugs(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    changed = []
    for petition in Petition.objects.only("pk", "title", "slug").iterator(chunk_size=1000):
        slug = make_slug(petition.title)
        if slug != petition.slug:
            petition.slug = slug
            changed.append(petition)
    Petition.objects.bulk_update(changed, ["slug"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0005_duplicates_regions_support"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(search_forwards, search_backwards),
        migrations.AddField(
            model_name="petition",
            name="duplicate_told_cursor",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(transliterated_slugs, migrations.RunPython.noop),
    ]
