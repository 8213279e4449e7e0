import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0004_petition_creator_name_organisation"),
    ]

    operations = [
        migrations.AlterField(
            model_name="petition",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "draft"),
                    ("support", "gathering supporters"),
                    ("moderation", "awaiting moderation"),
                    ("open", "open"),
                    ("closed", "closed"),
                    ("rejected", "rejected"),
                    ("hidden", "hidden"),
                ],
                default="draft",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="petition",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="duplicates",
                to="petitions.petition",
            ),
        ),
        migrations.AddField(
            model_name="petition",
            name="duplicate_told_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="petition",
            name="region_scheme",
            field=models.CharField(blank=True, max_length=40, verbose_name="region scheme"),
        ),
        migrations.AddField(
            model_name="petition",
            name="region_quorum",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="signers per region"
            ),
        ),
    ]
