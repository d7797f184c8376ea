import copy
from datetime import timedelta

import factory
from django.utils import timezone

from referral.models import Referral

ANSWER_KEYS = [
    "very_frightened",
    "previous_harassment",
    "property_damage",
    "visits_3_per_week",
    "loitering",
    "threats_of_violence",
    "third_parties_harassed",
    "violence_in_incidents",
    "others_recruited",
    "substance_abuse",
    "history_of_violence",
]


def answers(yes: int = 0) -> dict:
    """Screening answers with the first `yes` questions answered yes."""
    return {key: i < yes for i, key in enumerate(ANSWER_KEYS)}


BASE_PAYLOAD = {
    "victim": {"name": "Alice Example", "date_of_birth": "1990-04-01", "enhanced_rights": False},
    "victim_contact": {
        "phone": "07700 900123",
        "email": "alice@example.org",
        "address": "1 High Street",
        "safe_contact_method": "Text first, never call after 6pm",
    },
    "suspect": {
        "name": "Bob Sample",
        "date_of_birth": "1975-02-11",
        "address": "9 Low Road",
        "aliases": ["Robert Sample"],
    },
    "relationship": ["former_partner"],
    "behaviours": ["phone_calls", "following", "texts"],
    "stalking_since": "2025-09-01",
    "consent": True,
    "screening": {"instrument": "stalking-screen-v1", "answers": answers(2)},
    "summary": "Calls and follows the victim since the relationship ended.",
}


def payload(**overrides) -> dict:
    """A valid referral body; keyword arguments replace top-level keys."""
    body = copy.deepcopy(BASE_PAYLOAD)
    body.update(copy.deepcopy(overrides))
    return body


def incident_body(days_ago: float = 1, behaviours=("phone_calls",), **extra) -> dict:
    return {
        "occurred_at": (timezone.now() - timedelta(days=days_ago)).isoformat(),
        "behaviours": list(behaviours),
        "description": "Rang eleven times overnight.",
        **extra,
    }


class ReferralFactory(factory.django.DjangoModelFactory):
    """A bare referral row (no people, no screening) for permission and volume tests."""

    class Meta:
        model = Referral

    reference = factory.Sequence(lambda n: f"STK-2099-{n:06d}")
    summary = "Repeated unwanted contact."
