# The block and allow lists' rows are signatures' now (signatures/0004, same table). Here
# the model becomes a proxy, so the admin keeps its address (/admin/moderation/listentry/)
# and moderators their permissions and content type. No SQL: the table is untouched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0002_trendingalert'),
        ('signatures', '0004_listentry'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ListEntry')],
            database_operations=[],
        ),
        migrations.CreateModel(
            name='ListEntry',
            fields=[],
            options={
                'verbose_name': 'block or allow list entry',
                'verbose_name_plural': 'block and allow lists',
                'proxy': True,
                'indexes': [],
                'constraints': [],
            },
            bases=('signatures.listentry',),
        ),
    ]
