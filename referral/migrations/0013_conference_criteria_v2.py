"""Conference criteria, version 2 of the default (`conferences.criteria`): routes of their own
for professional judgement and for repeats counted per victim-suspect pair since their last
conference, and an escalation route tuned not to flood agendas."""

from django.db import migrations
from django.utils import timezone

VALUE = {
    "risk_level": "high",
    "repeat_within_months": 12,
    "min_signs": 2,
    "incidents_in_12_months": 3,
    "recent_incidents": 1,
}
REASON = (
    "Version 2 of the default. Routes: high risk; professional judgement (a referral to a "
    "conference since the pair's last one); repeat (the pair was heard at a conference in the "
    "last 12 months and a new incident, breach or referral followed); escalation, tuned so that "
    "it does not flood agendas: at least 2 of the escalation signal's three 30-day signs (more "
    "incidents than usual, a new behaviour, a step up in severity), or 3 incidents in 12 months "
    "with one in the last 30 days. Version 1 sent a case on any one sign, on 3 incidents in 12 "
    "months however old, and on any earlier referral of the pair."
)


def seed(apps, schema_editor):
    LocalPolicy = apps.get_model("referral", "LocalPolicy")
    LocalPolicy.objects.get_or_create(
        key="conference.criteria", region="", version=2,
        defaults={"value": VALUE, "reason": REASON, "effective_from": timezone.now()},
    )


def unseed(apps, schema_editor):
    apps.get_model("referral", "LocalPolicy").objects.filter(
        key="conference.criteria", region="", version=2
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referral", "0012_local_policy_seeds")]
    operations = [migrations.RunPython(seed, unseed)]
