"""The OpenAPI document describes the bodies the API really answers.

A case is driven through the API by the demo members (referred, triaged, researched, charged,
heard at a meeting, audited), and every answer is validated against the schema the document
declares for its operation and status: field names, types, formats, nullability and nesting. The
check is stricter than the document: an object may not carry a field its schema does not name,
so a field the API adds without describing it fails here. Every GET operation of the document,
and the main writes, must have been checked.
"""

import json
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from tests.evidence import contract as evidence_contract
from tests.interventions import contract as interventions_contract
from tests.justice import contract as justice_contract
from tests.privacy import retention_contract, subject_access_contract
from tests.referral.factories import answers, incident_body, payload
from tests.seed import DEMO_PASSWORD
from tests.tokens import token_for
from tests.victims import contract as victims_contract

pytestmark = pytest.mark.django_db

API = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete")
# The writes whose answers must have been checked, beside every read.
MAIN_WRITES = {
    ("post", "/api/v1/auth/token/"),
    ("post", "/api/v1/referrals/"),
    ("post", "/api/v1/referrals/{referral_id}/incidents/"),
    ("post", "/api/v1/tasks/{task_id}/claim/"),
    ("post", "/api/v1/tasks/{task_id}/complete/"),
    ("post", "/api/v1/conferences/"),
    ("post", "/api/v1/conferences/{conference_id}/notes/"),
}


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in METHODS:
                yield path, method, operation


# --- The document's schemas as strict JSON Schema ---------------------------------------------


def _strict(schema):
    """An OpenAPI 3.0 schema as JSON Schema 2020-12 (`nullable` becomes a null alternative),
    refusing properties an object's schema does not name."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items() if k not in ("nullable", "discriminator")}
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    if schema.get("nullable"):
        if "type" in out and "enum" not in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value and parsed.tzinfo is not None


def _date(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


FORMATS = FormatChecker(formats=["uuid", "email"])
FORMATS.checks("date-time")(_date_time)
FORMATS.checks("date")(_date)
FORMATS.checks("uri")(lambda v: not isinstance(v, str) or bool(re.match(r"https?://\S+$", v)))


class Contract:
    """Checks answers against the document and remembers which operations it checked."""

    def __init__(self, document):
        self.document = document
        self.components = _strict(document["components"])
        self.checked: set[tuple[str, str]] = set()

    def validator(self, schema) -> Draft202012Validator:
        return Draft202012Validator(
            {**_strict(schema), "components": self.components}, format_checker=FORMATS
        )

    def declared(self, method: str, path: str, status: int) -> dict:
        operation = self.document["paths"][path][method]
        assert str(status) in operation["responses"], (method, path, status)
        return operation["responses"][str(status)]

    def call(self, client, method, path, status, body=None, query="", **params):
        """`client`'s answer to `method path` (a path of the document, with its {params}),
        validated against what the document declares for `status`; its JSON body."""
        url = path.format(**params) + query
        send = getattr(client, method)
        response = send(url, body, format="json") if body is not None else send(url)
        return self.check(method, path, response, status)

    def check(self, method, path, response, status):
        """An answer to `method path` (sent by the caller: a multipart upload, say) validated
        as `call` validates its own; its JSON body."""
        assert response.status_code == status, (method, path, response.content[:2000])
        self.checked.add((method, path))
        declared = self.declared(method, path, status)
        if status == 204:
            assert "content" not in declared and not response.content
            return None
        content_type = response["Content-Type"].split(";")[0]
        assert content_type in declared["content"], (method, path, content_type)
        if content_type != "application/json":
            return response
        data = response.json()
        errors = sorted(
            self.validator(declared["content"][content_type]["schema"]).iter_errors(data),
            key=lambda e: list(e.absolute_path),
        )
        assert not errors, (method, path, [(list(e.absolute_path), e.message) for e in errors[:5]])
        return data


# --- The document declares a body for every success ------------------------------------------


def test_no_operation_answers_an_untyped_success(document):
    schemas = document["components"]["schemas"]

    def typed(schema) -> bool:
        if "$ref" in schema:
            return typed(schemas[schema["$ref"].rsplit("/", 1)[1]])
        if "oneOf" in schema or "allOf" in schema or "anyOf" in schema:
            return all(typed(s) for s in schema.get("oneOf", schema.get("allOf", [])))
        if schema.get("type") == "object":
            return bool(schema.get("properties"))
        if schema.get("type") == "array":
            return typed(schema["items"])
        return "type" in schema or "enum" in schema

    operations = list(_operations(document))
    assert len(operations) > 30
    for path, method, operation in operations:
        successes = {s: r for s, r in operation["responses"].items() if s.startswith("2")}
        assert successes, (method, path)
        for status, response in successes.items():
            if status == "204":
                assert "content" not in response, (method, path)
                continue
            assert response.get("content"), (method, path, status, "no body declared")
            for media_type, content in response["content"].items():
                assert typed(content["schema"]), (method, path, status, media_type)


def test_the_strict_check_refuses_an_undeclared_field(document):
    contract = Contract(document)
    schema = contract.declared("get", f"{API}/me/", 200)["content"]["application/json"]["schema"]
    me = {
        "username": "u", "agency": "police", "agency_kind": "police", "roles": ["caseworker"],
        "readable_sections": [], "writable_sections": [], "capabilities": [],
    }
    assert contract.validator(schema).is_valid(me)
    assert not contract.validator(schema).is_valid({**me, "secret": 1})
    assert not contract.validator(schema).is_valid({**me, "roles": None})


# --- Real answers fit the document --------------------------------------------------------------


def _find_task(contract, client, task_type, referral_id, scope="queue"):
    tasks = contract.call(
        client, "get", f"{API}/tasks/", 200, query=f"?scope={scope}&page_size=500"
    )["results"]
    found = [t for t in tasks if t["task_type"] == task_type and t["referral"] == referral_id]
    assert found, (task_type, referral_id)
    return found[0]["id"]


def _work(contract, client, task_type, referral_id, data):
    task = _find_task(contract, client, task_type, referral_id)
    contract.call(client, "get", f"{API}/tasks/{{task_id}}/", 200, task_id=task)
    contract.call(client, "post", f"{API}/tasks/{{task_id}}/claim/", 200, task_id=task)
    return contract.call(
        client, "post", f"{API}/tasks/{{task_id}}/complete/", 200, data, task_id=task
    )


def test_every_answer_fits_the_document(
    document, demo, api, as_user, django_capture_on_commit_callbacks, evidence_storage,
    privacy_storage,
):
    contract = Contract(document)
    call = contract.call
    member = {name: as_user(name) for name in demo}

    # Signing in, and who the caller is.
    signed_in = call(
        api(), "post", f"{API}/auth/token/", 200,
        {"username": "police.caseworker", "password": DEMO_PASSWORD},
    )
    police = api()
    police.credentials(HTTP_AUTHORIZATION=f"Token {signed_in['token']}")
    call(police, "get", f"{API}/me/", 200)
    token_for(demo["police.caseworker"].user)  # a spare, the newest
    tokens = call(police, "get", f"{API}/auth/tokens/", 200)
    assert any(t["current"] for t in tokens) and len(tokens) >= 3
    call(police, "post", f"{API}/auth/ws-ticket/", 200)
    spare = max(t["id"] for t in tokens if not t["current"])
    call(police, "delete", f"{API}/auth/tokens/{{token_id}}/", 204, token_id=spare)

    # A high-risk case with incidents and an order at intake, then more of each.
    today = timezone.localdate()
    case = call(
        police, "post", f"{API}/referrals/", 201,
        payload(
            screening={"instrument": "stalking-screen-v1", "answers": answers(7)},
            incidents=[incident_body(20), incident_body(3, ["threats"])],
            orders=[{"kind": "restraining_order", "conditions": "No contact",
                     "starts": (today - timedelta(days=60)).isoformat(), "expires": None}],
        ),
    )
    rid = case["id"]
    order = call(
        police, "post", f"{API}/referrals/{{referral_id}}/orders/", 201,
        {"kind": "non_molestation_order", "conditions": "Stay 100 m away",
         "starts": (today - timedelta(days=10)).isoformat(),
         "expires": (today + timedelta(days=300)).isoformat()},
        referral_id=rid,
    )
    call(
        police, "post", f"{API}/referrals/{{referral_id}}/incidents/", 201,
        incident_body(1, ["following", "loitering"], breach_of_order=order["id"]),
        referral_id=rid,
    )
    call(
        police, "post", f"{API}/referrals/{{referral_id}}/hearings/", 201,
        {"kind": "bail", "date": (today + timedelta(days=21)).isoformat(), "court": "Leeds"},
        referral_id=rid,
    )
    # A stalking protection order's life: applied for, an interim order, served.
    application = call(
        police, "post", f"{API}/referrals/{{referral_id}}/order-applications/", 201,
        {"applied_on": (today - timedelta(days=5)).isoformat(), "court": "Leeds"},
        referral_id=rid,
    )
    decided = call(
        police, "post",
        f"{API}/referrals/{{referral_id}}/order-applications/{{application_id}}/decision/", 201,
        {"decision": "interim", "on": (today - timedelta(days=4)).isoformat(),
         "conditions": "No contact"},
        referral_id=rid, application_id=application["id"],
    )
    call(
        police, "post", f"{API}/referrals/{{referral_id}}/orders/{{order_id}}/service/", 201,
        {"served_on": (today - timedelta(days=1)).isoformat()},
        referral_id=rid, order_id=decided["interim_order"],
    )
    call(
        police, "post", f"{API}/referrals/{{referral_id}}/orders/{{order_id}}/changes/", 201,
        {"kind": "varied", "on": today.isoformat(), "conditions": "No contact at all"},
        referral_id=rid, order_id=order["id"],
    )
    listed = call(police, "get", f"{API}/referrals/{{referral_id}}/orders/", 200,
                  referral_id=rid)
    assert listed["applications"] and any(o["notification"] for o in listed["orders"])
    call(
        police, "post", f"{API}/referrals/{{referral_id}}/identifiers/", 201,
        {"role": "suspect", "kind": "pnc_id", "value": "2001/0123456X"}, referral_id=rid,
    )
    call(
        police, "post", f"{API}/referrals/{{referral_id}}/screening/", 200,
        {"answers": {**answers(7), "loitering": None}}, referral_id=rid,
    )
    call(police, "get", f"{API}/local-policies/", 200)

    # The hub chair schedules a meeting.
    chair = member["hub.chair"]
    meeting = call(
        chair, "post", f"{API}/conferences/", 201,
        {"title": "Leeds MASC", "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
         "invited_agencies": ["police", "cps", "probation", "advocacy", "ftac"]},
    )
    cid = meeting["id"]

    # The flow: triage, police research asking for charging advice, charging, threat assessment.
    _work(contract, member["hub.caseworker"], "triage", rid,
          {"decision": "accept", "risk_level": "high"})
    _work(contract, member["police.caseworker"], "research", rid,
          {"summary": "Two prior harassment warnings.", "facts": "PNC record", "withheld": False,
           "request_charging_advice": True})
    _work(contract, member["cps.caseworker"], "charging_review", rid,
          {"decision": "charge", "offence": "s.4A PHA 1997", "reason": "Both stages met."})
    _work(contract, member["ftac.caseworker"], "threat_assessment", rid,
          {"summary": "Fixated", "risk_formulation": "Grievance", "recommendations": "Assess"})
    # What happened after referral: each app's API driven through its contract.
    justice_contract.drive(call, member, rid)
    interventions_contract.drive(call, member, rid)
    victims_contract.drive(call, member, rid)
    evidence_contract.drive(call, contract.check, member, rid, case["incidents"][0]["id"])
    subject_access_contract.drive(call, member)
    retention_contract.drive(call, member, rid)

    # A second case, declined at triage: the supervisor's task shows the decline to decide on.
    declined = call(
        member["police.caseworker"], "post", f"{API}/referrals/", 201,
        payload(victim={"name": "Carol Other", "date_of_birth": "1980-01-01"},
                suspect={"name": "Dan Other", "date_of_birth": "1970-01-01"}),
    )
    _work(contract, member["hub.caseworker"], "triage", declined["id"],
          {"decision": "decline", "risk_level": "standard", "reason": "Not stalking."})
    approve = _find_task(contract, member["hub.supervisor"], "approve_decline", declined["id"])
    brief = call(member["hub.supervisor"], "get", f"{API}/tasks/{{task_id}}/", 200,
                 task_id=approve)["brief"]
    assert brief["decline_reason"] == "Not stalking."
    with django_capture_on_commit_callbacks(execute=True):  # the referrer is told
        _work(contract, member["hub.supervisor"], "approve_decline", declined["id"],
              {"approved": True, "reason": "Agreed."})

    # The case as each agency may see it: sections absent, present or null.
    sections = set()
    for name in ("police.caseworker", "probation.caseworker", "cps.caseworker",
                 "ftac.caseworker", "hub.caseworker", "hub.chair"):
        call(member[name], "get", f"{API}/referrals/", 200, query="?page_size=1")
        sections |= set(call(member[name], "get", f"{API}/referrals/{{referral_id}}/", 200,
                             referral_id=rid))
        call(member[name], "get", f"{API}/referrals/{{referral_id}}/timeline/", 200,
             referral_id=rid)
    assert {"research", "charging", "threat_assessment", "victim_contact"} <= sections
    timeline = call(police, "get", f"{API}/referrals/{{referral_id}}/timeline/", 200,
                    referral_id=rid)
    call(police, "get", f"{API}/referrals/{{referral_id}}/case-file/", 200, referral_id=rid)
    assert {e["kind"] for e in timeline["entries"]} == {
        "referral", "order", "incident", "breach", "decision"
    }

    # The meeting: material only after the statement is accepted; the chair runs it.
    item = call(chair, "post", f"{API}/conferences/{{conference_id}}/agenda/", 201,
                {"referral": rid}, conference_id=cid)
    police_view = call(police, "get", f"{API}/conferences/{{conference_id}}/", 200,
                       conference_id=cid)
    assert not police_view["acknowledged"] and "reference" not in police_view["agenda"][0]
    for client in (chair, police):
        call(client, "post", f"{API}/conferences/{{conference_id}}/acknowledge/", 200,
             conference_id=cid)
    call(chair, "post", f"{API}/conferences/{{conference_id}}/agenda/order/", 200,
         {"order": [item["id"]]}, conference_id=cid)
    call(chair, "post", f"{API}/conferences/{{conference_id}}/start/", 200, conference_id=cid)
    call(chair, "post", f"{API}/conferences/{{conference_id}}/move/", 200,
         {"item": item["id"]}, conference_id=cid)
    at_item = f"{API}/conferences/{{conference_id}}/agenda/{{item_id}}/"
    call(chair, "post", at_item + "decisions/", 201,
         {"text": "Apply for an SPO", "reason": "Escalating"}, conference_id=cid,
         item_id=item["id"])
    action = call(chair, "post", at_item + "actions/", 201,
                  {"agency": "police", "description": "Apply for an SPO",
                   "due": (today + timedelta(days=7)).isoformat()},
                  conference_id=cid, item_id=item["id"])
    notes = f"{API}/conferences/{{conference_id}}/notes/"
    note_body = {"client_id": str(uuid.uuid4()), "text": "Police: bail breached twice.",
                 "agenda_item": item["id"], "visible_to": ["police", "cps"]}
    note = call(police, "post", notes, 201, note_body, conference_id=cid)
    call(police, "post", notes, 200, note_body, conference_id=cid)
    call(police, "post", notes, 201, {"client_id": str(uuid.uuid4()), "text": "General note"},
         conference_id=cid)
    call(police, "patch", notes + "{note_id}/", 200, {"version": 1, "text": "Breached twice."},
         conference_id=cid, note_id=note["id"])
    assert call(police, "get", notes, 200, query="?since=0", conference_id=cid)["results"]
    call(chair, "get", f"{API}/conferences/{{conference_id}}/", 200, conference_id=cid)
    call(chair, "post", at_item + "close/", 200, conference_id=cid, item_id=item["id"])
    call(chair, "post", f"{API}/conferences/{{conference_id}}/uninvite/", 200,
         {"agency": "probation"}, conference_id=cid)
    call(chair, "post", f"{API}/conferences/{{conference_id}}/close/", 200, conference_id=cid)
    call(chair, "post", f"{API}/conferences/{{conference_id}}/sign/", 200, conference_id=cid)
    call(police, "get", f"{API}/conferences/{{conference_id}}/minutes/", 200, conference_id=cid)
    call(police, "get", f"{API}/conferences/", 200)

    # The action's task: claimed, released, given by the supervisor, done.
    task = action["task"]
    call(police, "post", f"{API}/tasks/{{task_id}}/claim/", 200, task_id=task)
    call(police, "post", f"{API}/tasks/{{task_id}}/release/", 200, task_id=task)
    call(member["police.supervisor"], "post", f"{API}/tasks/{{task_id}}/reassign/", 200,
         {"username": "police.caseworker"}, task_id=task)
    call(police, "get", f"{API}/tasks/", 200, query="?scope=mine")
    call(police, "get", f"{API}/tasks/", 200, query="?scope=overdue")
    call(police, "post", f"{API}/tasks/{{task_id}}/complete/", 200,
         {"outcome": "done", "note": "Applied."}, task_id=task)

    # A referral to a conference on professional judgement, of a case of other people.
    other = call(
        police, "post", f"{API}/referrals/", 201,
        payload(victim={"name": "Carol Other", "enhanced_rights": False},
                suspect={"name": "Dan Other"}),
    )
    call(
        police, "post", f"{API}/referrals/{{referral_id}}/conference-referral/", 201,
        {"reason": "Fixated; the victim's fear is rising."}, referral_id=other["id"],
    )

    # Notifications.
    told = call(police, "get", f"{API}/notifications/", 200)
    assert told["unread"] and told["results"][0]["task"] is None
    call(police, "post", f"{API}/notifications/read/", 200)

    # The trail: the auditor's whole one, an agency's own part, the access report, exports.
    auditor = member["oversight.auditor"]
    page = call(auditor, "get", f"{API}/audit/events/", 200, query=f"?referral={rid}&page_size=2")
    assert page["next"]
    call(police, "get", f"{API}/audit/events/", 200, query=f"?referral={rid}")
    call(auditor, "get", f"{API}/audit/access/", 200, query=f"?referral={rid}")
    call(auditor, "get", f"{API}/audit/verify/", 200)
    call(auditor, "get", f"{API}/audit/access/", 200, query="?report=disclosures&outside=outside")

    # Information sharing: the agreements, a case's disclosures with their basis.
    agreements = call(member["police.supervisor"], "get", f"{API}/sharing-agreements/", 200)
    made = call(member["police.supervisor"], "post", f"{API}/sharing-agreements/", 201, body={
        "title": "Police and CPS charging", "purpose": "Charging decisions.",
        "lawful_basis": "dpa_part3_s35", "parties": ["police", "cps"],
        "starts_on": "2026-01-01", "review_on": "2027-01-01",
    })
    call(member["cps.caseworker"], "get", f"{API}/sharing-agreements/{{agreement_id}}/", 200,
         agreement_id=agreements[0]["id"])
    call(member["police.supervisor"], "patch", f"{API}/sharing-agreements/{{agreement_id}}/",
         200, body={"review_on": "2027-06-01"}, agreement_id=made["id"])
    call(member["police.supervisor"], "get", f"{API}/referrals/{{referral_id}}/disclosures/", 200,
         referral_id=rid)
    fields = set(document["components"]["schemas"]["EventOutput"]["properties"])
    lines = call(auditor, "get", f"{API}/audit/events/export/", 200,
                 query=f"?format=jsonl&referral={rid}")
    rows = [json.loads(line) for line in b"".join(lines.streaming_content).splitlines()]
    assert rows and all(set(row) == fields for row in rows)
    call(auditor, "get", f"{API}/audit/events/export/", 200, query=f"?format=csv&referral={rid}")

    # The outcome reports: the list, a report over a period, its CSV.
    reports = call(auditor, "get", f"{API}/reports/", 200)
    assert reports["results"][0]["key"] == "funnel"
    report = call(auditor, "get", f"{API}/reports/{{key}}/", 200, key="funnel",
                  query=f"?since={today.replace(day=1).isoformat()}")
    assert report["tables"][0]["total"]["values"]["count"]
    call(auditor, "get", f"{API}/reports/{{key}}/csv/", 200, key="funnel")

    # Signing out.
    call(police, "post", f"{API}/auth/logout/", 204)
    call(member["cps.caseworker"], "post", f"{API}/auth/logout-all/", 204)

    reads = {(m, p) for p, m, _ in _operations(document) if m == "get"}
    assert not reads - contract.checked, sorted(reads - contract.checked)
    assert not MAIN_WRITES - contract.checked, sorted(MAIN_WRITES - contract.checked)
