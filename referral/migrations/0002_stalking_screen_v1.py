"""Loads the stalking screening questionnaire, version 1, as data."""

from django.db import migrations

QUESTIONS = [
    ("very_frightened", "Is the victim very frightened?"),
    ("previous_harassment", "Has the suspect stalked or harassed the victim, or anyone else, before?"),
    ("property_damage", "Has the suspect damaged or destroyed the victim's property?"),
    ("visits_3_per_week", "Does the suspect turn up at the victim's home, work or elsewhere more than three times a week?"),
    ("loitering", "Does the suspect wait or loiter around the victim's home, work or other places?"),
    ("threats_of_violence", "Has the suspect threatened violence, physical or sexual, against the victim?"),
    ("third_parties_harassed", "Has anyone else been harassed or threatened: family, friends, colleagues, children?"),
    ("violence_in_incidents", "Has the suspect been violent in any of the current incidents?"),
    ("others_recruited", "Has the suspect got other people to help them, knowingly or not?"),
    ("substance_abuse", "Does the suspect misuse drugs or alcohol?"),
    ("history_of_violence", "Does the suspect have a history of violence, to the victim or to others?"),
]


def load(apps, schema_editor):
    Instrument = apps.get_model("referral", "ScreeningInstrument")
    Instrument.objects.update_or_create(
        slug="stalking-screen-v1",
        defaults={
            "title": "Stalking screening questions",
            "version": 1,
            "questions": [{"key": key, "text": text} for key, text in QUESTIONS],
            # Yes answers needed for each level.
            "thresholds": {"medium": 3, "high": 6},
            # What sends a case to a multi-agency case conference.
            "escalation": {
                "risk_level": "high",
                "incidents_in_12_months": 3,
                "repeat_within_months": 12,
                "threat_or_violence": True,
            },
            "is_active": True,
        },
    )


def unload(apps, schema_editor):
    apps.get_model("referral", "ScreeningInstrument").objects.filter(
        slug="stalking-screen-v1"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("referral", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
