"""A small hand-made caseload for the reports' surfaces: referrals by month, by two agencies.

The police (region West Yorkshire) referred 3 cases in January 2025, 6 in February, 2 in March
and 7 in April; the hub (no region) 1 in February and 4 in April. The police see only theirs.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from agencies.models import Agency
from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral
from tests.referral.factories import ReferralFactory

REGION = "West Yorkshire"
POLICE = {1: 3, 2: 6, 3: 2, 4: 7}
HUB = {2: 1, 4: 4}


def make(demo) -> None:
    Agency.objects.filter(slug="police").update(region=REGION)
    for username, months in (("police.caseworker", POLICE), ("hub.caseworker", HUB)):
        member = demo[username]
        member.agency.refresh_from_db()
        for month, n in months.items():
            for _ in range(n):
                referral = ReferralFactory(referrer_agency=member.agency, referred_by=member.user)
                involvement_grant(
                    referral=referral, agency=member.agency, basis=InvolvementBasis.REFERRER
                )
                Referral.objects.filter(pk=referral.pk).update(
                    created_at=datetime(2025, month, 15, 12, tzinfo=ZoneInfo("Europe/London"))
                )
