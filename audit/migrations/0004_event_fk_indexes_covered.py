"""Drop the event foreign keys' own indexes: (actor, at) and (agency, at) already lead with them.

Only the two indexes go: Django's AlterField would also drop and re-add both foreign-key
constraints, re-checking every event of a trail that holds millions.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = {
    "audit_event_actor_id_fdb5de2b": "actor_id",
    "audit_event_agency_id_ee1c9bb0": "agency_id",
}


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_agency_region"),
        ("audit", "0003_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "audit_event" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="agency",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True,
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="agencies.agency",
                    ),
                ),
            ],
        ),
    ]
