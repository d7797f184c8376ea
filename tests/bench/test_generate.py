"""The load generator: reproducible from its seed, shaped like the studies, trail intact."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from agencies.models import Agency, Membership
from audit import chain
from audit.models import Event
from referral.models import Incident, Referral, ReferralAgencyPermission
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db


def _generate() -> dict:
    """Generate 50 referrals, describe what was written, then roll it all back."""
    with transaction.atomic():
        call_command("generate_load", referrals=50, seed=1, verbosity=0, stdout=None)
        relationships = Counter(r for rel in Referral.objects.values_list("relationship", flat=True)
                                for r in rel)
        described = {
            "agencies": Agency.objects.count(),
            "members": Membership.objects.count(),
            "references": list(Referral.objects.order_by("pk").values_list("reference", flat=True)),
            "statuses": Counter(Referral.objects.values_list("status", flat=True)),
            "tasks": AgencyTask.objects.count(),
            "open_tasks": AgencyTask.objects.filter(is_open=True).count(),
            "incidents": Incident.objects.count(),
            "permissions": ReferralAgencyPermission.objects.count(),
            "events": Event.objects.count(),
            "relationships": relationships,
            "verified": chain.verify().ok,
            "unsealed": Event.objects.filter(seq__isnull=True).count(),
        }
        transaction.set_rollback(True)
    return described


def test_generate_load_is_reproducible_study_shaped_and_verifiable(capsys):
    first = _generate()
    second = _generate()
    assert first == second

    assert first["agencies"] >= 60
    assert first["members"] >= 2000
    assert len(first["references"]) == 50
    assert all(ref.startswith("STK-") for ref in first["references"])
    # Former partners are the most common relationship (57% in the victims' survey).
    assert first["relationships"].most_common(1)[0][0] == "former_partner"
    # Every case is visible to at least its referrer; there is history and open work.
    assert first["permissions"] >= 50
    assert first["tasks"] > 50 and first["open_tasks"] > 0
    assert first["incidents"] >= 50
    assert len(first["statuses"]) >= 2
    # The trail is sealed and its hash chain verifies.
    assert first["events"] > 1000
    assert first["unsealed"] == 0
    assert first["verified"] is True


def test_generate_load_refuses_a_database_with_a_caseload():
    call_command("generate_load", referrals=5, seed=2, verbosity=0)
    with pytest.raises(Exception, match="already holds referrals"):
        call_command("generate_load", referrals=5, seed=2, verbosity=0)
