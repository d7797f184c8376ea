"""The victims API driven for the OpenAPI contract test (`tests/test_openapi_responses.py`):
every read and write answered as the document declares."""

from __future__ import annotations

from django.utils import timezone

API = "/api/v1"


def drive(call, member, rid) -> None:
    """The victim's voice, contact log and others at risk on case `rid` (police refer it)."""
    police = member["police.caseworker"]
    today = timezone.localdate().isoformat()
    voice = f"{API}/referrals/{{referral_id}}/victim-voice/"
    call(police, "get", voice, 200, referral_id=rid)
    for part, body in (
        ("wishes", {"supports_prosecution": True, "wishes": "Wants it to stop.",
                    "given_under_consent": True}),
        ("consent", {"agency_kinds": ["coordinator"], "covers": "Wishes", "given_on": today}),
        ("entitlement", {"enhanced": True}),
        ("statement", {"offered_on": today}),
        ("safety-plan", {"agreed_on": today, "review_on": today, "summary": "Alarm."}),
    ):
        call(police, "post", voice + f"{part}/", 201, body, referral_id=rid)
    call(police, "get", voice, 200, referral_id=rid)
    call(member["cps.caseworker"], "get", voice, 200, referral_id=rid)
    contacts = f"{API}/referrals/{{referral_id}}/contacts/"
    call(police, "post", contacts, 201, {"method": "phone", "reached": True}, referral_id=rid)
    call(police, "get", contacts, 200, referral_id=rid)
    others = f"{API}/referrals/{{referral_id}}/others-at-risk/"
    person = call(police, "post", others, 201, {"relation": "child"}, referral_id=rid)
    call(police, "post", others + "{person_id}/safeguarding/", 201,
         {"referred_on": today, "to": "Children's services"}, referral_id=rid,
         person_id=person["id"])
    call(police, "get", others, 200, referral_id=rid)
