"""The justice API driven for `tests/test_openapi_responses.py`: every answer checked against
the OpenAPI document. `drive(call, member, rid)` runs after the case is charged; `call` is the
contract's checking call, `member` {username: APIClient}."""

from django.utils import timezone

from referral.models import CourtHearing, Referral

API = "/api/v1"


def drive(call, member, rid) -> None:
    police, cps = member["police.caseworker"], member["cps.caseworker"]
    today = timezone.localdate().isoformat()
    path = f"{API}/referrals/{{referral_id}}/offences/"
    offence = call(police, "post", path, 201,
                   {"kind": "pha_s4a", "crime_reference": "13/1/26", "domestic_abuse": True},
                   referral_id=rid)
    oid = offence["id"]
    call(police, "post", f"{path}{{offence_id}}/police-decisions/", 201,
         {"kind": "arrested", "decided_on": today}, referral_id=rid, offence_id=oid)
    call(cps, "post", f"{path}{{offence_id}}/charging-decisions/", 201,
         {"decision": "charge", "decided_on": today, "test": "full_code"},
         referral_id=rid, offence_id=oid)
    # A hearing held today (the API records hearings only before they are held).
    referral = Referral.objects.get(pk=rid)
    hearing = CourtHearing.objects.create(
        referral=referral, kind=CourtHearing.Kind.TRIAL, date=timezone.localdate(),
        court="Leeds Crown Court", recorded_by=referral.referred_by,
    )
    call(cps, "post", f"{API}/referrals/{{referral_id}}/hearings/{{hearing_id}}/outcomes/", 201,
         {"result": "convicted", "offence": oid}, referral_id=rid, hearing_id=hearing.pk)
    call(cps, "post", f"{path}{{offence_id}}/sentence/", 201,
         {"disposal": "community_order", "sentenced_on": today, "hearing": hearing.pk,
          "requirements": [{"kind": "mental_health_treatment"}],
          "orders": [{"kind": "restraining_order", "conditions": "No contact",
                      "starts": today}]},
         referral_id=rid, offence_id=oid)
    for name in ("police.caseworker", "cps.caseworker", "ftac.caseworker",
                 "probation.caseworker"):
        call(member[name], "get", path, 200, referral_id=rid)
        court = call(member[name], "get", f"{API}/referrals/{{referral_id}}/court/", 200,
                     referral_id=rid)
        [held] = [h for h in court["hearings"] if h["id"] == hearing.pk]
        assert [o["result"] for o in held["outcomes"]] == ["convicted"]
        detail = call(member[name], "get", f"{API}/referrals/{{referral_id}}/", 200,
                      referral_id=rid)
        assert "offences" in detail and "court" in detail
