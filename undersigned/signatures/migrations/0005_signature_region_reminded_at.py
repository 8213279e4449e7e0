from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0004_listentry"),
    ]

    operations = [
        migrations.AddField(
            model_name="signature",
            name="region",
            field=models.CharField(blank=True, max_length=40, verbose_name="region"),
        ),
        migrations.AddField(
            model_name="signature",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
