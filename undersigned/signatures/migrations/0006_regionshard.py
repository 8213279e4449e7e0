import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0005_duplicates_regions_support"),
        ("signatures", "0005_signature_region_reminded_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegionShard",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("region", models.CharField(max_length=40)),
                ("shard", models.PositiveSmallIntegerField()),
                ("count", models.BigIntegerField(default=0)),
                (
                    "petition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="petitions.petition"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("petition", "region", "shard"), name="one_row_per_region_shard"
                    )
                ],
            },
        ),
    ]
