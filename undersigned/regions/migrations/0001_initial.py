import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Scheme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "quorum",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="quorum (signers in a region)"
                    ),
                ),
                (
                    "quorum_share",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        help_text="For example 0.001 for one in a thousand of the people who live in the region.",
                        max_digits=7,
                        null=True,
                        verbose_name="quorum (share of a region's population)",
                    ),
                ),
                ("map_width", models.PositiveIntegerField(default=0, editable=False)),
                ("map_height", models.PositiveIntegerField(default=0, editable=False)),
                (
                    "schematic_map",
                    models.BooleanField(default=False, verbose_name="the map is schematic"),
                ),
            ],
            options={
                "verbose_name": "region scheme",
                "verbose_name_plural": "region schemes",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Boundary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region", models.CharField(max_length=40)),
                ("path", models.TextField()),
                (
                    "scheme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="boundaries",
                        to="regions.scheme",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scheme", "region"), name="one_boundary_per_region"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Postcode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("postcode", models.CharField(max_length=16)),
                ("region", models.CharField(max_length=40)),
                (
                    "scheme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="regions.scheme",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scheme", "postcode"), name="one_region_per_postcode"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Region",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=40, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("country", models.CharField(max_length=2, verbose_name="country")),
                (
                    "parent",
                    models.CharField(
                        blank=True, max_length=40, verbose_name="parent region's code"
                    ),
                ),
                (
                    "population",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="population"
                    ),
                ),
                (
                    "scheme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="regions",
                        to="regions.scheme",
                    ),
                ),
            ],
            options={
                "verbose_name": "region",
                "verbose_name_plural": "regions",
                "ordering": ["name"],
                "indexes": [models.Index(fields=["scheme", "country"], name="region_by_country")],
                "constraints": [
                    models.UniqueConstraint(fields=("scheme", "code"), name="one_region_per_code")
                ],
            },
        ),
    ]
