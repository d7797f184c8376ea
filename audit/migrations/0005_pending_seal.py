"""The sealer's queue: a row per committed, unsealed event, written by the database.

A statement-level trigger on PostgreSQL (one INSERT per statement, however many events it
writes), a row-level one on SQLite. Events written already sealed (the load generator's) are not
queued. The partial index of unsealed events goes: the sealer no longer reads it, and every
event written updated it.
"""

from django.db import migrations, models

PG = """
CREATE FUNCTION audit_event_queue_seal() RETURNS trigger AS $$
BEGIN
  INSERT INTO audit_pending_seal (event_id) SELECT id FROM written WHERE seq IS NULL;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_queue_seal AFTER INSERT ON audit_event
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION audit_event_queue_seal();

INSERT INTO audit_pending_seal (event_id) SELECT id FROM audit_event WHERE seq IS NULL;

-- Its rows live a fraction of a second: vacuum it after every 5,000 deletions, whatever
-- the server's default scale factor (a fifth of the table) has been tuned to.
ALTER TABLE audit_pending_seal SET (autovacuum_vacuum_scale_factor = 0,
                                    autovacuum_vacuum_threshold = 5000);
"""

PG_DROP = """
DROP TRIGGER IF EXISTS audit_event_queue_seal ON audit_event;
DROP FUNCTION IF EXISTS audit_event_queue_seal();
"""

SQLITE = [
    "CREATE TRIGGER audit_event_queue_seal AFTER INSERT ON audit_event WHEN NEW.seq IS NULL"
    " BEGIN INSERT INTO audit_pending_seal (event_id) VALUES (NEW.id); END;",
    "INSERT INTO audit_pending_seal (event_id) SELECT id FROM audit_event WHERE seq IS NULL;",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_queue_seal;"]


def _on_each_vendor(postgresql: str, sqlite: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(postgresql, params=None)
        elif schema_editor.connection.vendor == "sqlite":
            for statement in sqlite:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_event_fk_indexes_covered")]

    operations = [
        migrations.CreateModel(
            name="PendingSeal",
            fields=[("event_id", models.BigIntegerField(primary_key=True, serialize=False))],
            options={"db_table": "audit_pending_seal"},
        ),
        migrations.RunPython(_on_each_vendor(PG, SQLITE), _on_each_vendor(PG_DROP, SQLITE_DROP)),
        migrations.RemoveIndex(model_name="event", name="event_unsealed"),
    ]
