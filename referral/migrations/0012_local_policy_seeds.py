"""The defaults every region follows until it sets its own version (`referral.local_policy`)."""

from datetime import UTC, datetime

from django.db import migrations

SEEDS = [
    (
        "screening.thresholds",
        {"stalking-screen-v1": {"medium": 3, "high": 6}},
        "The counts the screening instrument was loaded with. The published screening tools give "
        "no cut-offs: each region sets its own, and the screen informs professional judgement.",
    ),
    (
        "enforcement.deadline",
        {"default": {"hours": 24}},
        "Seeded default; each force sets its own. No national deadline exists for acting on a "
        "breach of an order.",
    ),
    (
        "conference.criteria",
        {"risk_level": "high", "incidents_in_12_months": 3, "repeat_within_months": 12,
         "escalating_alone": True},
        "The criteria Concord applied before they were local policy.",
    ),
]


def seed(apps, schema_editor):
    LocalPolicy = apps.get_model("referral", "LocalPolicy")
    # In effect for every case already on the system, whenever it was made.
    since = datetime(2000, 1, 1, tzinfo=UTC)
    for key, value, reason in SEEDS:
        LocalPolicy.objects.get_or_create(
            key=key, region="", version=1,
            defaults={"value": value, "reason": reason, "effective_from": since},
        )


def unseed(apps, schema_editor):
    apps.get_model("referral", "LocalPolicy").objects.filter(region="", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("referral", "0011_practice")]
    operations = [migrations.RunPython(seed, unseed)]
