# The block and allow lists move from moderation to signatures, whose risk screen reads
# them. The table stays as it is (db_table): only Django's picture of it changes, so
# nothing is rebuilt or copied. moderation/0003 turns its model into an admin proxy.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('signatures', '0003_contact_by_organizer'),
        ('moderation', '0002_trendingalert'),  # the table exists
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ListEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('block-domain', 'blocked e-mail domain'), ('block-address', 'blocked e-mail address'), ('block-range', 'blocked network range'), ('allow-range', 'allowed network range (never throttled)')], max_length=16)),
                        ('value', models.CharField(help_text='A domain, an e-mail address, or a range like 192.0.2.0/24.', max_length=254)),
                        ('note', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'block or allow list entry',
                        'verbose_name_plural': 'block and allow lists',
                        'db_table': 'moderation_listentry',
                        'constraints': [models.UniqueConstraint(fields=('kind', 'value'), name='one_list_entry')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
