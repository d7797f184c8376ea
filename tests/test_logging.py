"""No personal data in logs: distinctive names and contact details never reach a log record."""

import logging

import pytest

from referral.access import involvement_grant
from referral.models import InvolvementBasis
from tests.referral.factories import ReferralFactory

pytestmark = pytest.mark.django_db

SECRETS = ["Zephyrine Quillfeather", "07700 900461", "zq.private@example.net", "14 Nightjar Close"]


def test_no_personal_data_in_logs(demo, as_user, api, caplog):
    caplog.set_level(logging.DEBUG)
    police = demo["police.caseworker"]
    referral = ReferralFactory(
        referrer_agency=police.agency,
        referred_by=police.user,
        summary=" / ".join(SECRETS),
    )
    involvement_grant(referral=referral, agency=police.agency, basis=InvolvementBasis.REFERRER)
    client = as_user("police.caseworker")

    # Successes and failures of every kind, carrying the secrets in bodies, paths and queries.
    client.get(f"/api/v1/referrals/{referral.pk}/")
    client.get("/api/v1/referrals/", {"q": SECRETS[0]})
    as_user("cps.caseworker").get(f"/api/v1/referrals/{referral.pk}/")
    api().post(
        "/api/v1/auth/token/", {"username": SECRETS[2], "password": SECRETS[1]}, format="json"
    )
    api().generic("POST", "/api/v1/auth/token/", "{" + SECRETS[3], content_type="application/json")
    api().get(f"/api/v1/{SECRETS[0]}/")
    client.post("/api/v1/referrals/", {"summary": SECRETS[0]}, format="json")

    assert caplog.records, "expected some log output (e.g. 4xx warnings)"
    text = "\n".join(record.getMessage() + repr(record.args) for record in caplog.records)
    for secret in SECRETS:
        assert secret not in text
        assert secret.replace(" ", "%20") not in text
