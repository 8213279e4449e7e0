# A petition's picture (sharing.Picture). It depends on the first petitions migration
# only: a foreign key needs nothing newer.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("petitions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Picture",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("status", models.CharField(choices=[("shown", "shown"), ("pending", "waiting for a moderator")], max_length=8)),
                ("key", models.CharField(max_length=32, unique=True)),
                ("alt", models.CharField(max_length=250, verbose_name="description")),
                ("widths", models.JSONField(default=list)),
                ("width", models.PositiveIntegerField()),
                ("height", models.PositiveIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("petition", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pictures", to="petitions.petition")),
                ("reviewed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("uploaded_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("petition", "status"), name="one_picture_per_status")],
            },
        ),
    ]
