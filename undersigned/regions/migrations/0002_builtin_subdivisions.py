from django.db import migrations


def add_builtin(apps, schema_editor):
    """The built-in scheme: its regions are not rows, they come from pycountry."""
    Scheme = apps.get_model("regions", "Scheme")
    Scheme.objects.get_or_create(
        code="subdivisions",
        defaults={"name": "Country subdivisions (ISO 3166-2: provinces, states, regions…)"},
    )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(add_builtin, migrations.RunPython.noop)]
