import config.encryption
from django.db import migrations

from config.encryption import encrypt_plaintext


def encrypt_existing(apps, schema_editor):
    """Encrypt what was stored in plain text before these columns were encrypted (irreversible:
    the plain text is gone)."""
    for name in ("HearingAssessment", "PerpetratorAssessment",):
        encrypt_plaintext(apps.get_model("interventions", name), using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('interventions', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='hearingassessment',
            name='summary',
            field=config.encryption.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name='hearingassessment',
            name='treatment_suitability',
            field=config.encryption.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name='perpetratorassessment',
            name='summary',
            field=config.encryption.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_existing),
    ]
