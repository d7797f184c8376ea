"""Events sealed in the digest form from now on, and their personal data erasable.

From the chain head's next seq (`ChainHead.digest_form_from`, 1 on an empty trail) an event's
hash covers the SHA-256 digests of its `reason`, `changes` and `recipients` rather than their
values (`audit.chain.canonical`); the events sealed before keep their form, so no hash and no
exported anchor changes. Stop the sealers (the servers and the timer loop) while this runs: a
sealer of the code before it would seal these seqs in the old form.

`audit_erasure` holds those digests for each erased event. The guard allows one UPDATE of an
event: setting reason "", changes {"erased": true} and recipients [] on an event that has its
`Erasure` row, every other column as it was. The erasures are append-only like the events
(TRUNCATE opens only in the test database, as for the others: migration 0007).
"""

import django.db.models.deletion
from django.db import migrations, models

ERASED_CHANGES = '{"erased": true}'

PG = f"""
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE'
     AND to_regclass('concord_test_database') IS NOT NULL
     AND coalesce(current_setting('concord.audit_truncate', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  -- Nested: PL/pgSQL does not promise to stop at the first false operand of an AND, and
  -- the other tables' rows have no column id.
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_event' THEN
    IF EXISTS (SELECT 1 FROM audit_erasure WHERE event_id = OLD.id)
       AND NEW.reason = ''
       AND NEW.changes = '{ERASED_CHANGES}'::jsonb
       AND NEW.recipients = '[]'::jsonb
       AND (to_jsonb(NEW) - 'reason' - 'changes' - 'recipients')
           = (to_jsonb(OLD) - 'reason' - 'changes' - 'recipients') THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit % are append-only: % refused',
    CASE TG_TABLE_NAME WHEN 'audit_seal' THEN 'seals' WHEN 'audit_erasure' THEN 'erasures'
      ELSE 'events' END,
    TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_erasure_append_only BEFORE UPDATE OR DELETE ON audit_erasure
  FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
CREATE TRIGGER audit_erasure_no_truncate BEFORE TRUNCATE ON audit_erasure
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard();
"""

# Backwards: migration 0007's guard.
PG_BACK = """
DROP TRIGGER IF EXISTS audit_erasure_no_truncate ON audit_erasure;
DROP TRIGGER IF EXISTS audit_erasure_append_only ON audit_erasure;

CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE'
     AND to_regclass('concord_test_database') IS NOT NULL
     AND coalesce(current_setting('concord.audit_truncate', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit % are append-only: % refused',
    CASE TG_TABLE_NAME WHEN 'audit_seal' THEN 'seals' ELSE 'events' END, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""

# The columns an erasure leaves as they were.
KEPT = ["id", "at", "actor_id", "actor_username", "agency_id", "agency_slug", "verb",
        "object_type", "object_id", "referral_id", "request_id"]


def _refuse(name: str, when: str, table: str, what: str, condition: str = "") -> str:
    return (f"CREATE TRIGGER {name} BEFORE {when} ON {table}{condition}"
            f" BEGIN SELECT RAISE(ABORT, 'audit {what} are append-only: {when} refused'); END;")


# SQLite stores JSON as text (`json()` takes the spaces out of Django's `json.dumps`).
ERASURE_ALLOWED = (
    "EXISTS (SELECT 1 FROM audit_erasure WHERE event_id = OLD.id)"
    " AND NEW.reason = '' AND json(NEW.changes) = '{\"erased\":true}'"
    " AND json(NEW.recipients) = '[]' AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)
)

SQLITE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    _refuse("audit_event_no_update", "UPDATE", "audit_event", "events",
            f" WHEN NOT ({ERASURE_ALLOWED})"),
    _refuse("audit_erasure_no_delete", "DELETE", "audit_erasure", "erasures"),
    _refuse("audit_erasure_no_update", "UPDATE", "audit_erasure", "erasures"),
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS audit_erasure_no_delete;",
    "DROP TRIGGER IF EXISTS audit_erasure_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    _refuse("audit_event_no_update", "UPDATE", "audit_event", "events"),
]

DIGEST_FORM_FROM = "UPDATE audit_chainhead SET digest_form_from = seq + 1"


def forwards(apps, schema_editor):
    schema_editor.execute(DIGEST_FORM_FROM)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACK, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACK:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_no_truncate_switch")]

    operations = [
        migrations.CreateModel(
            name="Erasure",
            fields=[
                ("event", models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT, primary_key=True,
                    related_name="erasure", serialize=False, to="audit.event")),
                ("reason_digest", models.CharField(max_length=64)),
                ("changes_digest", models.CharField(max_length=64)),
                ("recipients_digest", models.CharField(max_length=64)),
                ("erased_at", models.DateTimeField()),
                ("erased_by", models.CharField(blank=True, max_length=150)),
            ],
            options={"db_table": "audit_erasure"},
        ),
        migrations.AddField(
            model_name="chainhead",
            name="digest_form_from",
            field=models.BigIntegerField(default=1),
        ),
        migrations.RunPython(forwards, backwards),
    ]
