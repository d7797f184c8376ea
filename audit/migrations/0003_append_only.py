"""The database itself refuses to change or remove events (PostgreSQL and SQLite alike).

The one UPDATE allowed is the sealer's: setting seq, prev_hash and hash on an unsealed row,
leaving every other column as it was. TRUNCATE is refused unless the session sets
concord.audit_truncate = 'on' (the test database sets it, for its between-test flushes).
"""

from django.db import migrations

PG = """
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

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_guard();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
DROP FUNCTION IF EXISTS audit_event_guard();
"""

CONTENT = ["at", "actor_id", "actor_username", "agency_id", "agency_slug", "verb", "object_type",
           "object_id", "referral_id", "reason", "changes", "recipients", "request_id"]

SQLITE = [
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event WHEN OLD.seq IS NOT NULL"
    " OR OLD.hash <> '' OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)
    + " BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chainhead_event_hash_event_prev_hash_event_seq_and_more")]
    operations = [migrations.RunPython(create, drop)]
