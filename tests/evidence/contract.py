"""The evidence API driven for the OpenAPI contract test (`tests/test_openapi_responses.py`):
the upload (multipart, so sent here, its answer checked against the document by `check`) and
every read answered as the document declares."""

from __future__ import annotations

from tests.evidence.files import png, upload

API = "/api/v1"


def drive(call, check, member, rid, incident) -> None:
    """A file uploaded to case `rid` by the police (about `incident`), listed, read with its
    chain of custody, and downloaded."""
    police = member["police.caseworker"]
    response = upload(police, rid, "doorbell.png", png(), "image/png", incident=incident,
                      description="Doorbell camera")
    created = check("post", f"{API}/referrals/{{referral_id}}/evidence/", response, 201)
    call(police, "get", f"{API}/referrals/{{referral_id}}/evidence/", 200, referral_id=rid)
    call(police, "get", f"{API}/evidence/{{evidence_id}}/", 200, evidence_id=created["id"])
    call(police, "get", f"{API}/evidence/{{evidence_id}}/download/", 200,
         evidence_id=created["id"])
