"""Bad input: a clear 400 naming the fields, and nothing written."""

import pytest

from audit.models import Event
from referral.models import Incident, Person, ProtectiveOrder, Referral, Screening, VictimContact
from tests.referral.factories import answers, incident_body, payload

pytestmark = pytest.mark.django_db

TABLES = [Referral, Person, Screening, VictimContact, Incident, ProtectiveOrder, Event]


def _counts():
    return [m.objects.count() for m in TABLES]


def _without(key):
    body = payload()
    del body[key]
    return body


def _with_answers(**changes):
    a = answers(2)
    a.update(changes)
    return payload(screening={"instrument": "stalking-screen-v1", "answers": a})


def _missing_answer():
    a = answers(2)
    del a["loitering"]
    return payload(screening={"instrument": "stalking-screen-v1", "answers": a})


CASES = [
    ("missing victim", _without("victim"), ["victim"]),
    ("victim without name", payload(victim={"date_of_birth": "1990-01-01"}), ["victim"]),
    ("missing suspect", _without("suspect"), ["suspect"]),
    ("missing consent", _without("consent"), ["consent"]),
    ("missing screening", _without("screening"), ["screening"]),
    (
        "future date of birth",
        payload(victim={"name": "A", "date_of_birth": "2999-01-01"}),
        ["victim"],
    ),
    ("future stalking_since", payload(stalking_since="2999-01-01"), ["stalking_since"]),
    ("bad date", payload(stalking_since="last spring"), ["stalking_since"]),
    ("unknown relationship", payload(relationship=["ex_lover"]), ["relationship"]),
    ("unknown behaviour", payload(behaviours=["telepathy"]), ["behaviours"]),
    ("empty behaviours", payload(behaviours=[]), ["behaviours"]),
    ("behaviours not a list", payload(behaviours="phone_calls"), ["behaviours"]),
    ("name not text", payload(victim={"name": 12345}), ["victim"]),
    ("consent not boolean", payload(consent="yes"), ["consent"]),
    ("victim not an object", payload(victim="Alice"), ["victim"]),
    (
        "unknown instrument",
        payload(screening={"instrument": "dash-2009", "answers": {}}),
        ["screening"],
    ),
    ("non-boolean answer", _with_answers(loitering="yes"), ["screening"]),
    ("numeric answer", _with_answers(loitering=1), ["screening"]),
    ("unknown question", _with_answers(owns_a_dog=True), ["screening"]),
    ("missing answer", _missing_answer(), ["screening"]),
    ("oversized summary", payload(summary="x" * 10001), ["summary"]),
    ("oversized name", payload(victim={"name": "x" * 201}), ["victim"]),
    ("unknown top-level field", payload(victim_mood="sad"), ["victim_mood"]),
    ("unknown nested field", payload(suspect={"name": "B", "shoe_size": 9}), ["suspect"]),
    ("unknown risk level", payload(risk_level="extreme"), ["risk_level"]),
    ("future incident", payload(incidents=[incident_body(-2)]), ["incidents"]),
    (
        "incident without description",
        payload(incidents=[{"occurred_at": "2025-01-01T10:00:00Z", "behaviours": ["texts"]}]),
        ["incidents"],
    ),
    (
        "order expiring before it starts",
        payload(
            orders=[
                {
                    "kind": "bail_conditions",
                    "conditions": "c",
                    "starts": "2025-05-01",
                    "expires": "2025-04-01",
                }
            ]
        ),
        ["orders"],
    ),
    (
        "unknown order kind",
        payload(orders=[{"kind": "asbo", "conditions": "c", "starts": "2025-05-01"}]),
        ["orders"],
    ),
    ("bad email", payload(victim_contact={"email": "not-an-email"}), ["victim_contact"]),
]


@pytest.mark.parametrize("name,body,fields", CASES, ids=[c[0] for c in CASES])
def test_bad_referral_is_400_and_writes_nothing(as_user, name, body, fields):
    client = as_user("police.caseworker")
    before = _counts()
    response = client.post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    for field in fields:
        assert field in error["fields"], error
    assert _counts() == before


def test_not_json_object_is_400(as_user):
    client = as_user("police.caseworker")
    for raw in ["[]", "null", "42", "{"]:
        response = client.generic(
            "POST", "/api/v1/referrals/", raw, content_type="application/json"
        )
        assert response.status_code == 400
    assert Referral.objects.count() == 0


@pytest.mark.parametrize(
    "body,field",
    [
        ({"behaviours": ["texts"], "description": "d"}, "occurred_at"),
        (incident_body(behaviours=["pigeons"]), "behaviours"),
        (incident_body(description="x" * 10001), "description"),
        (incident_body(breach_of_order="first"), "breach_of_order"),
        (incident_body(breach_of_order=999999), "breach_of_order"),
        (incident_body(-1), "occurred_at"),
    ],
)
def test_bad_incident_is_400_and_writes_nothing(as_user, submit, body, field):
    case = submit()
    before = _counts()
    response = as_user("police.caseworker").post(
        f"/api/v1/referrals/{case['id']}/incidents/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert _counts() == before
