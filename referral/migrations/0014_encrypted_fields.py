import config.encryption
from django.db import migrations

from config.encryption import encrypt_plaintext


def encrypt_existing(apps, schema_editor):
    """Encrypt what was stored in plain text before these columns were encrypted (irreversible:
    the plain text is gone)."""
    for name in ("VictimContact",):
        encrypt_plaintext(apps.get_model("referral", name), using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('referral', '0013_conference_criteria_v2'),
    ]

    operations = [
        migrations.AlterField(
            model_name='victimcontact',
            name='address',
            field=config.encryption.EncryptedTextField(blank=True, max_length=1000),
        ),
        migrations.AlterField(
            model_name='victimcontact',
            name='email',
            field=config.encryption.EncryptedEmailField(blank=True, max_length=254),
        ),
        migrations.AlterField(
            model_name='victimcontact',
            name='phone',
            field=config.encryption.EncryptedCharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name='victimcontact',
            name='safe_contact_method',
            field=config.encryption.EncryptedTextField(blank=True, max_length=1000),
        ),
        migrations.RunPython(encrypt_existing),
    ]
