"""Orders on a case and the agencies that may see it."""

from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral


def involve(demo, case_body, *usernames) -> None:
    """Involve the agencies of these demo accounts in the case (as holding a task on it)."""
    referral = Referral.objects.get(pk=case_body["id"])
    for username in usernames:
        involvement_grant(referral=referral, agency=demo[username].agency,
                          basis=InvolvementBasis.TASK, source="test")


def order_body(kind: str, **fields) -> dict:
    return {"kind": kind, "conditions": "No contact.", "starts": "2025-06-01", **fields}


OTHER_VICTIM = {"name": "Other Person", "date_of_birth": "1980-01-01", "enhanced_rights": False}
