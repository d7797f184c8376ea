"""The subject access API driven for the OpenAPI contract test (`tests/test_openapi_responses.py`):
a DPO's request about the case's suspect, its records and a decision, the disclosure and both
bundle files, each answer checked against the document."""

from __future__ import annotations

API = "/api/v1"


def drive(call, member) -> None:
    dpo = member["hub.dpo"]
    made = call(
        dpo,
        "post",
        f"{API}/subject-access/",
        201,
        {
            "subject_role": "suspect",
            "name": "Bob Sample",
            "date_of_birth": "1975-02-11",
            "received_on": "2025-03-03",
            "phone": "07700 900555",
        },
    )
    call(dpo, "get", f"{API}/subject-access/", 200)
    call(dpo, "get", f"{API}/subject-access/{{request_id}}/", 200, request_id=made["id"])
    found = call(
        dpo, "post", f"{API}/subject-access/{{request_id}}/search/", 200, request_id=made["id"]
    )
    suspect = next(i for i in found["items"] if i["record_kind"] == "suspect")
    call(
        dpo,
        "patch",
        f"{API}/subject-access/items/{{item_id}}/",
        200,
        {"decision": "redact", "redact": ["9 Low Road"]},
        item_id=suspect["id"],
    )
    done = call(
        dpo, "post", f"{API}/subject-access/{{request_id}}/disclose/", 201, request_id=made["id"]
    )
    assert done["bundle"]["json"].endswith("bundle.json")
    call(dpo, "get", f"{API}/subject-access/{{request_id}}/bundle.json", 200, request_id=made["id"])
    call(dpo, "get", f"{API}/subject-access/{{request_id}}/bundle.pdf", 200, request_id=made["id"])
    closed = call(
        dpo,
        "post",
        f"{API}/subject-access/",
        201,
        {
            "subject_role": "victim",
            "name": "Nobody Held",
            "received_on": "2025-03-03",
        },
    )
    call(
        dpo,
        "post",
        f"{API}/subject-access/{{request_id}}/close/",
        200,
        {"reason": "Nothing held."},
        request_id=closed["id"],
    )
