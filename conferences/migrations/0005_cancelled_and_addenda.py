from django.db import migrations, models
from django.db.models import F


def mark_addenda(apps, schema_editor):
    """Corrections stored after the signing were the addenda the signed minutes show."""
    Note = apps.get_model("conferences", "Note")
    Note.objects.filter(
        addendum_to__isnull=False, created_at__gt=F("conference__minutes_signed_at")
    ).update(is_addendum=True)


class Migration(migrations.Migration):

    dependencies = [
        ('conferences', '0004_decision_action_client_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='note',
            name='is_addendum',
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name='conference',
            name='status',
            field=models.CharField(choices=[('scheduled', 'Scheduled'), ('in_session', 'In session'), ('closed', 'Closed'), ('minutes_signed', 'Minutes signed'), ('cancelled', 'Cancelled')], default='scheduled', max_length=20),
        ),
        migrations.RunPython(mark_addenda, migrations.RunPython.noop),
    ]
