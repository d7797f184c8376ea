"""Seals move to a table of their own, and events are never updated again.

The sealer used to UPDATE each event to set its seq, prev_hash and hash. That UPDATE wrote a new
version of the row and of every one of the trail's eight indexes (seq is indexed, so it could
never be done in place), about 1 KB of WAL an event, most of the cost of a seal. A seal is now
one narrow row in `audit_seal`, inserted.

So the guard refuses every UPDATE of an event, not all but the sealer's, and guards the seals
the same way. The queue trigger queues every event written: none is written sealed (the load
generator, which writes its trail already sealed, takes its events off the queue itself).

PostgreSQL: the seals are copied, the functions replaced, the columns dropped (a catalogue
change: no rewrite of the trail). SQLite remakes the table to drop a column, which drops its
triggers with it: they are created again after.
"""

import django.db.models.deletion
from django.db import migrations, models

# A queued event is unsealed (the sealer took each off the queue in the statement that sealed
# it), so the queue stays as it is.
COPY_SEALS = ("INSERT INTO audit_seal (event_id, seq, prev_hash, hash)"
              " SELECT id, seq, prev_hash, hash FROM audit_event WHERE seq IS NOT NULL")

PG = """
CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE'
     AND coalesce(current_setting('concord.audit_truncate', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit % are append-only: % refused',
    CASE TG_TABLE_NAME WHEN 'audit_seal' THEN 'seals' ELSE 'events' END, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal
  FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard();

CREATE OR REPLACE FUNCTION audit_event_queue_seal() RETURNS trigger AS $$
BEGIN
  INSERT INTO audit_pending_seal (event_id) SELECT id FROM written;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

# Backwards: the functions of migrations 0003 and 0005, the seals copied back into the events.
PG_BACK = """
DROP TRIGGER IF EXISTS audit_seal_no_truncate ON audit_seal;
DROP TRIGGER IF EXISTS audit_seal_append_only ON audit_seal;

CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF coalesce(current_setting('concord.audit_truncate', true), '') = 'on' THEN
      RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash = ''
     AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash') = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_event_queue_seal() RETURNS trigger AS $$
BEGIN
  INSERT INTO audit_pending_seal (event_id) SELECT id FROM written WHERE seq IS NULL;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

UPDATE audit_event e SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash
  FROM audit_seal s WHERE e.id = s.event_id;
"""

EVENT_CONTENT = ["at", "actor_id", "actor_username", "agency_id", "agency_slug", "verb",
                 "object_type", "object_id", "referral_id", "reason", "changes", "recipients",
                 "request_id"]


def _refuse(name: str, when: str, table: str, what: str) -> str:
    return (f"CREATE TRIGGER {name} BEFORE {when} ON {table}"
            f" BEGIN SELECT RAISE(ABORT, 'audit {what} are append-only: {when} refused'); END;")


SQLITE = [
    _refuse("audit_event_no_delete", "DELETE", "audit_event", "events"),
    _refuse("audit_event_no_update", "UPDATE", "audit_event", "events"),
    _refuse("audit_seal_no_delete", "DELETE", "audit_seal", "seals"),
    _refuse("audit_seal_no_update", "UPDATE", "audit_seal", "seals"),
    "CREATE TRIGGER audit_event_queue_seal AFTER INSERT ON audit_event"
    " BEGIN INSERT INTO audit_pending_seal (event_id) VALUES (NEW.id); END;",
]
SQLITE_TRIGGERS = ["audit_event_no_delete", "audit_event_no_update", "audit_seal_no_delete",
                   "audit_seal_no_update", "audit_event_queue_seal"]
SQLITE_BACK = [
    "UPDATE audit_event SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash"
    " FROM audit_seal s WHERE audit_event.id = s.event_id;",
    _refuse("audit_event_no_delete", "DELETE", "audit_event", "events"),
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event WHEN OLD.seq IS NOT NULL"
    " OR OLD.hash <> '' OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in EVENT_CONTENT)
    + " BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;",
    "CREATE TRIGGER audit_event_queue_seal AFTER INSERT ON audit_event WHEN NEW.seq IS NULL"
    " BEGIN INSERT INTO audit_pending_seal (event_id) VALUES (NEW.id); END;",
]


def copy_seals(apps, schema_editor):
    schema_editor.execute(COPY_SEALS)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG, params=None)


def copy_seals_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACK, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACK:
            schema_editor.execute(statement)


def _sqlite_triggers_dropped(schema_editor):
    for name in SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_triggers_dropped(schema_editor)
        for statement in SQLITE:
            schema_editor.execute(statement)


def sqlite_triggers_dropped(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _sqlite_triggers_dropped(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_pending_seal")]

    operations = [
        migrations.CreateModel(
            name="Seal",
            fields=[
                ("event", models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT, primary_key=True,
                    related_name="seal", serialize=False, to="audit.event")),
                ("seq", models.BigIntegerField(unique=True)),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"db_table": "audit_seal"},
        ),
        migrations.RunPython(copy_seals, copy_seals_back),
        migrations.RemoveField(model_name="event", name="seq"),
        migrations.RemoveField(model_name="event", name="prev_hash"),
        migrations.RemoveField(model_name="event", name="hash"),
        migrations.RunPython(sqlite_triggers, sqlite_triggers_dropped),
    ]
