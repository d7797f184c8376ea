"""TRUNCATE of the trail opens only in a test database, never by a setting alone.

The guard used to yield to `SET concord.audit_truncate = 'on'`, which any session, the app's own
login included, may set. It now yields only where the table `concord_test_database` exists as
well: the test suite creates it in the test database it builds (tests/conftest.py); no migration
creates it, so a database made by `migrate` never has it.
"""

from django.db import migrations

PG = """
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

PG_BACK = """
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
"""


def _on_postgresql(statement: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_seal")]
    operations = [migrations.RunPython(_on_postgresql(PG), _on_postgresql(PG_BACK))]
