# Idempotency keys for decisions and actions; when an action's outcome came back.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("conferences", "0003_presence"),
    ]

    operations = [
        migrations.AddField(
            model_name="conferenceaction",
            name="client_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="conferenceaction",
            name="outcome_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="decision",
            name="client_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="conferenceaction",
            constraint=models.UniqueConstraint(fields=("client_id",), name="action_client_once"),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.UniqueConstraint(fields=("client_id",), name="decision_client_once"),
        ),
    ]
