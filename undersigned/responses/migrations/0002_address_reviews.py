"""Moderators check decision makers' addresses before anything is e-mailed there.

No data migration: existing addresses start unchecked, on purpose. The review page
moderators approved petitions from showed decision makers' names and roles, never their
addresses, so no moderator has seen them; they now wait in the moderation list of
addresses to check, and e-mails to them wait for the approval. Links already sent have
`address_checked` False: they can no longer publish, and offer to send a new one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0003_organizers_victory_notify"),
        ("responses", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="address_checked",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="notification",
            name="sent_to_domain",
            field=models.CharField(blank=True, max_length=254),
        ),
        migrations.CreateModel(
            name="AddressReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254)),
                (
                    "decision",
                    models.CharField(
                        choices=[("approved", "approved"), ("rejected", "rejected")], max_length=8
                    ),
                ),
                ("decided_at", models.DateTimeField()),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="address_reviews",
                        to="petitions.target",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("target", "email"), name="one_decision_per_address"
                    )
                ],
            },
        ),
    ]
