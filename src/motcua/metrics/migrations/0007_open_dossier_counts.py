# The rollup counts of open dossiers were named "running", which `dossiers.models.RUNNING` uses for a set of
# statuses; they count open dossiers by supplement requests.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0006_dailyrollup_ended_late_or_disliked_and_more'),
    ]

    operations = [
        migrations.RenameField(
            model_name='dailyrollup',
            old_name='running',
            new_name='open_one_request',
        ),
        migrations.RenameField(
            model_name='dailyrollup',
            old_name='running_disliked',
            new_name='open_one_request_disliked',
        ),
        migrations.RenameField(
            model_name='dailyrollup',
            old_name='running_multi_supplement',
            new_name='open_more_requests',
        ),
    ]
