from django.db import migrations, models


def name_existing_petitions(apps, schema_editor):
    """Petitions saved before the byline existed say what their pages said: the
    organizer's account name."""
    Petition = apps.get_model("petitions", "Petition")
    for petition in Petition.objects.filter(creator_name="").select_related("creator"):
        if petition.creator.name:
            petition.creator_name = petition.creator.name
            petition.save(update_fields=["creator_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0003_organizers_victory_notify"),
    ]

    operations = [
        migrations.AddField(
            model_name="petition",
            name="creator_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="started by"),
        ),
        migrations.AddField(
            model_name="petition",
            name="organisation",
            field=models.CharField(blank=True, max_length=150, verbose_name="organisation"),
        ),
        migrations.RunPython(name_existing_petitions, migrations.RunPython.noop),
    ]
