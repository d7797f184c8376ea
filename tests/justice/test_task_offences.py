"""Offences on the task forms: triage's offences considered (a list field: a JSON list in the
API, checkboxes on the page) become the case's offences; a charging review may decide on some of
the case's open offences only."""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from audit.models import Event
from justice.models import ChargingDecision, Offence, WarningSigns
from referral.models import Referral
from tests.justice.factories import offence_for
from tests.orders.factories import OTHER_VICTIM
from tests.referral.factories import answers, payload
from workflows import task_schemas
from workflows.labels import answer_pairs
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

RESEARCH = {"summary": "Two prior harassment convictions.", "withheld": False}
ACCEPT = {"decision": "accept", "risk_level": "medium"}


@pytest.fixture
def refer(as_user):
    def do(username="police.caseworker"):
        body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(2)})
        response = as_user(username).post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()["id"]

    return do


@pytest.fixture
def signed_in(demo):
    def make(username):
        client = Client()
        client.force_login(demo[username].user)
        return client

    return make


def _task(referral_id, task_type, **more):
    return AgencyTask.objects.get(referral_id=referral_id, task_type=task_type, is_open=True,
                                  **more)


@pytest.fixture
def complete(as_user, demo):
    """complete(username, task_type, referral_id, data) -> the API's response."""

    def do(username, task_type, referral_id, data):
        client = as_user(username)
        task = _task(referral_id, task_type, agency=demo[username].agency)
        assert client.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
        return client.post(f"/api/v1/tasks/{task.pk}/complete/", data, format="json")

    return do


# --- The list field --------------------------------------------------------------------------


def test_the_triage_form_asks_the_offences_considered_as_a_list_of_offence_kinds():
    spec = task_schemas.schema_for("triage")["properties"]["offences_considered"]
    assert spec["type"] == "array" and spec["uniqueItems"] is True
    assert "pha_s4a" in spec["items"]["enum"] and "enum" not in spec
    assert spec[task_schemas.LABELS]["pha_s2a"].startswith("Stalking")
    assert "offences_considered" not in task_schemas.schema_for("triage")["required"]


@pytest.mark.parametrize(
    "value, message",
    [
        ("pha_s4a", "Must be a list of choices."),
        (["pha_s4a", "pha_s4a"], "Choose each at most once."),
        (["burglary"], "Must be one of:"),
        ([3], "Must be one of:"),
    ],
)
def test_a_bad_list_is_a_clear_400(refer, complete, value, message):
    rid = refer()
    response = complete("hub.caseworker", "triage", rid, {**ACCEPT, "offences_considered": value})
    assert response.status_code == 400, response.content
    said = response.json()["error"]["fields"]["offences_considered"]
    assert any(m.startswith(message) for m in said), said
    assert not Offence.objects.filter(referral_id=rid).exists()


# --- Triage -----------------------------------------------------------------------------------


def test_triage_records_the_offences_considered_as_the_case_offences(refer, complete, demo):
    rid = refer("advocacy.caseworker")
    referral = Referral.objects.get(pk=rid)
    already = offence_for(referral, demo["police.caseworker"], kind="pha_s2a")
    closed = offence_for(referral, demo["police.caseworker"], kind="criminal_damage")
    Offence.objects.filter(pk=closed.pk).update(status="no_further_action")
    done = complete("hub.caseworker", "triage", rid, {
        **ACCEPT, "offences_considered": ["pha_s2a", "pha_s4a", "criminal_damage", "other"],
    })
    assert done.status_code == 200, done.content
    rows = list(Offence.objects.filter(referral_id=rid).order_by("id").values_list(
        "kind", "status", "label", "agency__slug"))
    # The open s.2A is not recorded twice; a closed offence of a kind is no reason not to.
    assert rows == [
        ("pha_s2a", "open", "", "police"),
        ("criminal_damage", "no_further_action", "", "police"),
        ("pha_s4a", "open", "", "hub"),
        ("criminal_damage", "open", "", "hub"),
        ("other", "open", "Other offence considered at triage", "hub"),
    ]
    signs = WarningSigns.objects.get(referral_id=rid, stage="triage")
    assert signs.offences_considered == ["pha_s2a", "pha_s4a", "criminal_damage", "other"]
    assert Event.objects.filter(verb="offence.recorded", referral_id=rid).count() == 5
    assert already.pk in Offence.objects.filter(referral_id=rid).values_list("pk", flat=True)
    # The kinds considered are a decision kept on the trail, and read back by their names.
    completed = Event.objects.filter(verb__startswith="triage.", referral_id=rid).get()
    assert completed.changes["offences_considered"] == [
        "pha_s2a", "pha_s4a", "criminal_damage", "other"]
    shown = dict(answer_pairs("triage", {"offences_considered": ["pha_s4a", "other"]}))
    assert "pha_s4a" not in shown["Offences considered"]
    assert shown["Offences considered"].endswith(", Other offence")


def test_triage_without_offences_considered_records_none(refer, complete):
    rid = refer()
    assert complete("hub.caseworker", "triage", rid, ACCEPT).status_code == 200
    assert not Offence.objects.filter(referral_id=rid).exists()
    assert not WarningSigns.objects.filter(referral_id=rid).exists()


def test_the_triage_page_shows_the_offences_as_checkboxes_in_one_fieldset(refer, signed_in):
    rid = refer()
    task = _task(rid, "triage")
    hub = signed_in("hub.caseworker")
    hub.post(f"/workspace/tasks/{task.pk}/claim/")
    html = hub.get(f"/workspace/tasks/{task.pk}/").content.decode()
    block = re.search(r'data-field="offences_considered">(.*?)</fieldset>', html, re.S).group(1)
    assert block.count("<legend>") == 1 and "Offences considered" in block
    assert block.count('type="checkbox"') == len(
        task_schemas.schema_for("triage")["properties"]["offences_considered"]["items"]["enum"]
    )
    assert escape("Breach of a restraining order (PHA 1997 s.5(5))") in block
    response = hub.post(f"/workspace/tasks/{task.pk}/", {
        "decision": "accept", "risk_level": "medium",
        "offences_considered": ["pha_s4a", "coercive_control"],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert task.data["result"]["offences_considered"] == ["pha_s4a", "coercive_control"]
    assert sorted(Offence.objects.filter(referral_id=rid).values_list("kind", flat=True)) == [
        "coercive_control", "pha_s4a",
    ]


# --- Charging review on chosen offences -----------------------------------------------------


def _to_charging(refer, complete):
    rid = refer()
    assert complete("hub.caseworker", "triage", rid, ACCEPT).status_code == 200
    assert complete("police.caseworker", "research", rid,
                    {**RESEARCH, "request_charging_advice": True}).status_code == 200
    return rid


def test_a_review_on_chosen_offences_decides_those_only(refer, complete, demo):
    rid = _to_charging(refer, complete)
    referral = Referral.objects.get(pk=rid)
    police = demo["police.caseworker"]
    first = offence_for(referral, police)
    second = offence_for(referral, police, kind="criminal_damage")
    third = offence_for(referral, police, kind="malicious_communications")
    done = complete("cps.caseworker", "charging_review", rid, {
        "decision": "charge", "offence": "Stalking", "reason": "Met.",
        "offences": [first.pk, third.pk],
    })
    assert done.status_code == 200, done.content
    statuses = dict(Offence.objects.filter(referral_id=rid).values_list("pk", "status"))
    assert statuses == {first.pk: "charged", second.pk: "open", third.pk: "charged"}
    decisions = ChargingDecision.objects.filter(referral_id=rid).order_by("id")
    assert [d.offence_id for d in decisions] == [first.pk, third.pk]
    assert all(d.task_id is not None and d.offence_named == "Stalking" for d in decisions)
    # The victim is told once, of the decision on both.
    assert AgencyTask.objects.filter(referral_id=rid, task_type="victim_update").count() == 1


def test_a_review_without_offences_decides_every_open_one_as_before(refer, complete, demo):
    rid = _to_charging(refer, complete)
    referral = Referral.objects.get(pk=rid)
    first = offence_for(referral, demo["police.caseworker"])
    second = offence_for(referral, demo["police.caseworker"], kind="criminal_damage")
    done = complete("cps.caseworker", "charging_review", rid,
                    {"decision": "no_further_action", "reason": "Not met."})
    assert done.status_code == 200
    assert set(Offence.objects.filter(pk__in=[first.pk, second.pk])
               .values_list("status", flat=True)) == {"no_further_action"}


def test_an_offence_not_of_the_case_or_not_open_is_400(refer, complete, demo, submit):
    rid = _to_charging(refer, complete)
    referral = Referral.objects.get(pk=rid)
    mine = offence_for(referral, demo["police.caseworker"])
    closed = offence_for(referral, demo["police.caseworker"], kind="criminal_damage")
    Offence.objects.filter(pk=closed.pk).update(status="no_further_action")
    other_case = Referral.objects.get(pk=submit(victim=OTHER_VICTIM)["id"])
    elsewhere = offence_for(other_case, demo["police.caseworker"])
    response = complete("cps.caseworker", "charging_review", rid, {
        "decision": "charge", "offence": "Stalking", "reason": "Met.",
        "offences": [mine.pk, elsewhere.pk, closed.pk],
    })
    assert response.status_code == 400, response.content
    said = response.json()["error"]["fields"]["offences"]
    assert said[0] == f"No offence of this case with id {elsewhere.pk}."
    assert "is no further action: only open offences" in said[1]
    # Nothing half-written: the offences and the task are as they were.
    mine.refresh_from_db()
    assert mine.status == "open"
    assert not ChargingDecision.objects.filter(referral_id=rid).exists()
    assert _task(rid, "charging_review").status == "ASSIGNED"


def test_the_charging_page_offers_the_open_offences_and_shows_a_form_error(
    refer, complete, demo, signed_in
):
    rid = _to_charging(refer, complete)
    referral = Referral.objects.get(pk=rid)
    first = offence_for(referral, demo["police.caseworker"], crime_reference="13/5/26")
    closed = offence_for(referral, demo["police.caseworker"], kind="criminal_damage")
    Offence.objects.filter(pk=closed.pk).update(status="no_further_action")
    task = _task(rid, "charging_review")
    cps = signed_in("cps.caseworker")
    cps.post(f"/workspace/tasks/{task.pk}/claim/")
    html = cps.get(f"/workspace/tasks/{task.pk}/").content.decode()
    block = re.search(r'data-field="offences">(.*?)</fieldset>', html, re.S).group(1)
    assert f'value="{first.pk}"' in block and "crime ref. 13/5/26" in block
    assert f'value="{closed.pk}"' not in block
    # The offence closes between the page and the post: the form says so by the field.
    Offence.objects.filter(pk=first.pk).update(status="no_further_action")
    response = cps.post(f"/workspace/tasks/{task.pk}/", {
        "decision": "more_evidence", "reason": "Need phone records.", "offences": [first.pk],
    })
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="error-summary"' in text
    assert 'data-testid="error-offences"' in text
    Offence.objects.filter(pk=first.pk).update(status="open")
    done = cps.post(f"/workspace/tasks/{task.pk}/", {
        "decision": "charge", "offence": "Stalking", "reason": "Met.", "offences": [first.pk],
    })
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.status == "charged"
