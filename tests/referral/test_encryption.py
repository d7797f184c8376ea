"""The victim's contact details are encrypted at rest (config/encryption.py): the columns hold
Fernet tokens, the API and the page show the values to who may read them, the keys rotate, and a
missing or wrong key fails loudly."""

import io
from importlib import import_module

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from config.encryption import UndecryptableValue
from referral.models import Referral, VictimContact
from referral.views import case_url
from tests.referral.factories import BASE_PAYLOAD

pytestmark = pytest.mark.django_db

CONTACT = BASE_PAYLOAD["victim_contact"]
COLUMNS = ("phone", "email", "address", "safe_contact_method")
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored(referral_id: int) -> dict[str, str]:
    """The contact's columns as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM referral_victimcontact WHERE referral_id = %s",
            [referral_id],
        )
        return dict(zip(COLUMNS, cursor.fetchone(), strict=True))


def _read(referral_id: int) -> dict[str, str]:
    contact = VictimContact.objects.get(referral_id=referral_id)
    return {column: getattr(contact, column) for column in COLUMNS}


def test_the_columns_hold_no_plain_text_and_the_readers_see_the_values(submit, as_user, demo,
                                                                       client):
    case = submit()
    stored = _stored(case["id"])
    for column, value in stored.items():
        assert value.startswith("gAAAAA"), column  # a Fernet token
        assert CONTACT[column] not in value
    detail = as_user("police.caseworker").get(f"/api/v1/referrals/{case['id']}/").json()
    assert {c: detail["victim_contact"][c] for c in COLUMNS} == CONTACT
    client.force_login(demo["police.caseworker"].user)
    page = client.get(case_url(case["id"])).content.decode()
    assert CONTACT["address"] in page and CONTACT["safe_contact_method"] in page


def test_empty_values_and_bulk_create_are_encrypted_too(submit):
    case = submit(victim_contact=None)
    VictimContact.objects.bulk_create([VictimContact(referral_id=case["id"], phone="07700 900777")])
    stored = _stored(case["id"])
    assert all(v.startswith("gAAAAA") for v in stored.values())
    assert _read(case["id"]) == {"phone": "07700 900777", "email": "", "address": "",
                                 "safe_contact_method": ""}


def test_the_database_cannot_compare_an_encrypted_column():
    with pytest.raises(FieldError, match="VictimContact.phone is encrypted"):
        VictimContact.objects.filter(phone=CONTACT["phone"]).exists()
    with pytest.raises(FieldError):
        Referral.objects.filter(victim_contact__email__iexact=CONTACT["email"]).exists()
    assert not VictimContact.objects.filter(phone__isnull=True).exists()


def test_rotation_rewrites_with_the_newest_key_and_old_values_stay_readable_until_then(
    submit, settings
):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    case = submit()
    before = _stored(case["id"])
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert _read(case["id"]) == CONTACT  # the old key still reads what it wrote
    # New values are written with the newest key.
    written = submit(victim={**BASE_PAYLOAD["victim"], "name": "Carol Example"})
    assert Fernet(NEW_KEY).decrypt(_stored(written["id"])["phone"]).decode() == CONTACT["phone"]

    out = io.StringIO()
    call_command("rotate_field_keys", "--batch-size", "1", stdout=out)
    assert "referral_victimcontact: 2 rows, 4 values re-encrypted" in out.getvalue()
    after = _stored(case["id"])
    for column in COLUMNS:
        assert after[column] != before[column]
        assert Fernet(NEW_KEY).decrypt(after[column]).decode() == CONTACT[column]

    again = io.StringIO()
    call_command("rotate_field_keys", stdout=again)  # idempotent: nothing left to rewrite
    assert "Every value is already encrypted with the newest key." in again.getvalue()
    assert _stored(case["id"]) == after
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can go
    assert _read(case["id"]) == CONTACT


def test_a_missing_or_wrong_key_fails_clearly(submit, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    case = submit()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(UndecryptableValue, match="victimcontact.phone cannot be decrypted"):
        _read(case["id"])
    with pytest.raises(CommandError, match=r"referral_victimcontact\.\w+ of row \d+ cannot be"):
        call_command("rotate_field_keys", stdout=io.StringIO())
    assert Fernet(OLD_KEY).decrypt(_stored(case["id"])["phone"])  # left as it was
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is empty"):
        _read(case["id"])
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key 1 of 1 is not a Fernet key"):
        _read(case["id"])


def test_the_migration_encrypts_the_rows_stored_in_plain_text(submit):
    case = submit()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referral_victimcontact SET phone = %s, email = %s WHERE referral_id = %s",
            ["07700 900999", "old@example.org", case["id"]],
        )
    encrypted_before = _stored(case["id"])["address"]
    migration = import_module("referral.migrations.0014_encrypted_fields")
    migration.encrypt_existing(apps, connection.schema_editor())
    stored = _stored(case["id"])
    assert "900999" not in stored["phone"] and "old@" not in stored["email"]
    assert stored["address"] == encrypted_before  # a token already is left alone
    assert _read(case["id"]) == {**CONTACT, "phone": "07700 900999", "email": "old@example.org"}
