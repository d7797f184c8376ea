"""Finding a case by reference or name (`referral.search`).

Every name of a victim or suspect gets a `PersonName` row, with or without a date of birth (a
name without one links nothing but still finds its case). On PostgreSQL: pg_trgm; unaccent,
which ranks the cases found by their people's names as stored; and three GIN indexes: trigrams
of the names (typos: `%`), the names' full-text vector (whole words and prefixes: `@@`) and
trigrams of the references (a part of one: `LIKE`). SQLite searches without them
(`referral.search` says how).
"""

import re
import unicodedata

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

_NOT_LETTERS = re.compile(r"[^a-z ]+")

INDEXES = (
    ("referral_personname_trgm_idx", "referral_personname",
     "USING gin (normalised gin_trgm_ops)"),
    ("referral_personname_fts_idx", "referral_personname",
     "USING gin (to_tsvector('simple'::regconfig, COALESCE(normalised, '')))"),
    ("referral_reference_trgm_idx", "referral_referral",
     "USING gin (reference gin_trgm_ops)"),
)


def _normalise(name: str) -> str:
    """`referral.linking.normalise` as it is when this migration was written."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(sorted(_NOT_LETTERS.sub(" ", text).split()))


def names_without_birth_dates(apps, schema_editor):
    """The names of the people referred without a date of birth, who had no rows."""
    Referral = apps.get_model("referral", "Referral")
    PersonName = apps.get_model("referral", "PersonName")
    rows = []
    people = Referral.objects.select_related("victim", "suspect").filter(
        models.Q(victim__date_of_birth__isnull=True) | models.Q(suspect__date_of_birth__isnull=True)
    )
    for referral in people.iterator(chunk_size=2000):
        for role, person in (("victim", referral.victim), ("suspect", referral.suspect)):
            if person is None or person.date_of_birth is not None:
                continue
            names = {_normalise(n) for n in [person.name, *(person.aliases or [])]} - {""}
            rows += [PersonName(referral_id=referral.pk, role=role, normalised=n)
                     for n in sorted(names)]
    PersonName.objects.bulk_create(rows, batch_size=2000)


def forget_names_without_birth_dates(apps, schema_editor):
    apps.get_model("referral", "PersonName").objects.filter(date_of_birth__isnull=True).delete()


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("referral", "0008_drop_referraluserpermission"),
    ]

    operations = [
        TrigramExtension(),
        UnaccentExtension(),
        migrations.AlterField(
            model_name="personname",
            name="date_of_birth",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(names_without_birth_dates, forget_names_without_birth_dates),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
