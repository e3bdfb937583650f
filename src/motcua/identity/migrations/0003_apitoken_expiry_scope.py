"""API tokens expire and carry a scope. Tokens issued before this migration keep the power they had
(write) and get 30 days' grace from the upgrade, so integrations can be given new tokens in time."""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def grace(apps, schema_editor):
    ApiToken = apps.get_model("identity", "ApiToken")
    ApiToken.objects.update(expires_at=timezone.now() + timedelta(days=30), scope="write")
    ApiToken.objects.filter(revoked=True).update(revoked_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0002_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write")],
                default="read",
                max_length=8,
                verbose_name="scope",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="revoked at"),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="prefix",
            field=models.CharField(editable=False, max_length=12, verbose_name="prefix"),
        ),
        migrations.RunPython(grace, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
