"""The agency's queue read from our task table alone: `in_queue` (open and unclaimed) and an
index of queued tasks by agency and due date.

Unclaimed is viewflow's status and owner, on its own table, so without the mirror the queue
joins every open task of the agency to it before it can count, filter or order them, a read
that grows with the agency's whole backlog. The activation keeps the mirror
(`workflows.nodes.AgencyViewActivation`); this sets it on the tasks already there.
"""

from django.db import migrations, models


def mark_queued(apps, schema_editor):
    AgencyTask = apps.get_model("workflows", "AgencyTask")
    AgencyTask.objects.filter(is_open=True, status="NEW", owner__isnull=True).update(in_queue=True)


def analyze(apps, schema_editor):
    """Statistics of the new column now: without them PostgreSQL takes half the tasks to be
    queued and counts the queue from every task of the agency, twenty times slower, until
    autovacuum comes round."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE workflows_agencytask")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_task_open_owner_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="agencytask",
            name="in_queue",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_queued, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="agencytask",
            index=models.Index(
                condition=models.Q(("in_queue", True)),
                fields=["agency", "due"],
                name="task_in_queue_idx",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
