"""The completed tasks' time and answer on `AgencyTask` (`completed_at`, `outcome`), filled in
for the tasks completed before, and the index the outcome reports read them by."""

from django.conf import settings
from django.db import migrations, models

# As `workflows.models.task_outcome`: the result's decision, else its approval, else "".
POSTGRESQL = """
UPDATE workflows_agencytask a
SET completed_at = t.finished,
    outcome = COALESCE(
        CASE WHEN jsonb_typeof(t.data -> 'result' -> 'decision') = 'string'
             THEN t.data -> 'result' ->> 'decision' END,
        CASE t.data -> 'result' -> 'approved'
             WHEN 'true'::jsonb THEN 'approved' WHEN 'false'::jsonb THEN 'refused' END,
        '')
FROM viewflow_task t
WHERE t.id = a.task_ptr_id AND t.status = 'DONE' AND a.task_type <> ''
"""
SQLITE = """
UPDATE workflows_agencytask
SET completed_at = (SELECT t.finished FROM viewflow_task t WHERE t.id = task_ptr_id),
    outcome = COALESCE((
        SELECT CASE
            WHEN json_type(t.data, '$.result.decision') = 'text'
                THEN json_extract(t.data, '$.result.decision')
            WHEN json_type(t.data, '$.result.approved') = 'true' THEN 'approved'
            WHEN json_type(t.data, '$.result.approved') = 'false' THEN 'refused'
        END
        FROM viewflow_task t WHERE t.id = task_ptr_id), '')
WHERE task_type <> '' AND task_ptr_id IN (SELECT id FROM viewflow_task WHERE status = 'DONE')
"""


def fill_in(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL if connection.vendor == "postgresql" else SQLITE)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_membership_demo_account"),
        ("referral", "0013_conference_criteria_v2"),
        ("viewflow", "0015_task_scheduled"),
        ("workflows", "0010_notification_conference_awaited"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="agencytask",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="agencytask",
            name="outcome",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.RunPython(fill_in, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="agencytask",
            index=models.Index(
                condition=models.Q(("referral__isnull", False)),
                fields=["task_type", "referral"],
                include=("is_open", "completed_at", "outcome"),
                name="task_report_idx",
            ),
        ),
    ]
