"""A task's notice names its task's case too: the list leaves out notices of cases the reader's
agency may no longer see by that one column."""

from django.db import migrations, models


def name_the_tasks_case(apps, schema_editor):
    Notification = apps.get_model("workflows", "Notification")
    AgencyTask = apps.get_model("workflows", "AgencyTask")
    Notification.objects.filter(referral__isnull=True, task__referral__isnull=False).update(
        referral_id=models.Subquery(
            AgencyTask.objects.filter(pk=models.OuterRef("task_id")).values("referral_id")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('referral', '0008_drop_referraluserpermission'),
        ('workflows', '0006_approve_downgrade_and_link'),
    ]

    operations = [
        migrations.RunPython(name_the_tasks_case, migrations.RunPython.noop, elidable=True),
    ]
