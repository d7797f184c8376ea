"""The justice records the workflow's tasks make: triage's warning signs and the charging
review's CPS decision (the old free-text offence still accepted)."""

import pytest
from django.utils import timezone

from audit.models import Event
from justice.models import ChargingDecision, Offence, Sentence, WarningSigns
from justice.services import ChargingDraft, charging_decision_record
from referral.access import involvement_grant
from referral.models import InvolvementBasis, Referral
from tests.justice.factories import offence_for
from tests.referral.factories import answers, payload
from workflows.models import AgencyTask
from workflows.selectors import task_brief

pytestmark = pytest.mark.django_db

RESEARCH = {"summary": "Two prior harassment convictions.", "withheld": False}


@pytest.fixture
def refer(as_user):
    def do(yes=2, username="police.caseworker", **overrides):
        body = payload(
            screening={"instrument": "stalking-screen-v1", "answers": answers(yes)}, **overrides
        )
        response = as_user(username).post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return do


@pytest.fixture
def work(as_user):
    def do(username, task_type, referral_id, data):
        client = as_user(username)
        tasks = client.get("/api/v1/tasks/?scope=queue&page_size=500").json()["results"]
        [task] = [t for t in tasks if t["task_type"] == task_type and t["referral"] == referral_id]
        assert client.post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
        done = client.post(f"/api/v1/tasks/{task['id']}/complete/", data, format="json")
        assert done.status_code == 200, done.content
        return done.json()

    return do


def _to_charging(refer, work):
    rid = refer()["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "medium"})
    work("police.caseworker", "research", rid, {**RESEARCH, "request_charging_advice": True})
    return rid


def test_triage_records_the_warning_signs(refer, work):
    rid = refer()["id"]
    work("hub.caseworker", "triage", rid, {
        "decision": "accept", "risk_level": "medium",
        "fixated": True, "obsessive": None, "unwanted": True, "repeated": False,
    })
    signs = WarningSigns.objects.get(referral_id=rid)
    assert (signs.stage, signs.fixated, signs.obsessive, signs.unwanted, signs.repeated) == (
        "triage", True, None, True, False,
    )
    assert Event.objects.filter(verb="warning_signs.recorded", referral_id=rid).exists()


def test_triage_without_the_signs_records_none(refer, work):
    rid = refer()["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "medium"})
    assert not WarningSigns.objects.filter(referral_id=rid).exists()


def test_triage_refuses_a_bad_sign(refer, as_user):
    rid = refer()["id"]
    client = as_user("hub.caseworker")
    tasks = client.get("/api/v1/tasks/?scope=queue&page_size=500").json()["results"]
    [task] = [t for t in tasks if t["task_type"] == "triage" and t["referral"] == rid]
    client.post(f"/api/v1/tasks/{task['id']}/claim/")
    response = client.post(f"/api/v1/tasks/{task['id']}/complete/", {
        "decision": "accept", "risk_level": "medium", "fixated": "perhaps",
    }, format="json")
    assert response.status_code == 400
    assert "fixated" in response.json()["error"]["fields"]


def test_the_old_free_text_charge_records_an_offence(refer, work, as_user, demo):
    rid = _to_charging(refer, work)
    work("cps.caseworker", "charging_review", rid, {
        "decision": "charge", "offence": "Stalking, PHA 1997 s.4A",
        "reason": "Full Code Test met.",
    })
    offence = Offence.objects.get(referral_id=rid)
    assert (offence.kind, offence.label, offence.status, offence.cps_decision) == (
        "other", "Offence charged at a CPS charging review", "charged", "charge",
    )
    decision = ChargingDecision.objects.get(referral_id=rid)
    assert (decision.offence_id, decision.offence_named) == (offence.pk, "Stalking, PHA 1997 s.4A")
    assert decision.task_id is not None
    # The review's words are charging content: not for the psychiatric unit, which reads offences.
    involvement_grant(referral=Referral.objects.get(pk=rid), agency=demo["ftac.caseworker"].agency,
                      basis=InvolvementBasis.TASK, source="test")
    detail = as_user("ftac.caseworker").get(f"/api/v1/referrals/{rid}/")
    assert detail.status_code == 200
    assert detail.json()["offences"][0]["status"] == "charged"
    assert "Stalking, PHA 1997" not in detail.content.decode()
    cps = as_user("cps.caseworker").get(f"/api/v1/referrals/{rid}/offences/").json()
    assert cps[0]["charging_decisions"][0]["offence_named"] == "Stalking, PHA 1997 s.4A"


def test_a_charge_applies_to_the_open_offences(refer, work, demo):
    rid = _to_charging(refer, work)
    referral = Referral.objects.get(pk=rid)
    first = offence_for(referral, demo["police.caseworker"])
    second = offence_for(referral, demo["police.caseworker"], kind="criminal_damage")
    work("cps.caseworker", "charging_review", rid, {
        "decision": "charge", "offence": "Stalking", "reason": "Met.", "test": "threshold",
    })
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == "charged"
    decision = ChargingDecision.objects.get(referral_id=rid)
    assert (decision.offence_id, decision.test) == (None, "threshold")
    assert Event.objects.get(verb="charging_decision.charge").changes["offences"] == [
        first.pk, second.pk,
    ]


def test_no_further_action_at_review_closes_the_open_offences(refer, work, demo):
    rid = _to_charging(refer, work)
    referral = Referral.objects.get(pk=rid)
    offence = offence_for(referral, demo["police.caseworker"])
    work("cps.caseworker", "charging_review", rid, {
        "decision": "no_further_action", "reason": "Evidential test not met.",
    })
    offence.refresh_from_db()
    assert (offence.status, offence.cps_decision) == ("no_further_action", "no_further_action")
    # the charging section (the last review) is unchanged
    assert ChargingDecision.objects.filter(referral_id=rid).count() == 1


def test_the_closure_brief_lists_the_outcomes(case, demo):
    referral = case()
    police, cps = demo["police.caseworker"], demo["cps.caseworker"]
    offence = offence_for(referral, police)
    offence_for(referral, police, kind="criminal_damage")
    charging_decision_record(referral=referral, offence=offence, actor=cps.user, membership=cps,
                             draft=ChargingDraft(decision="charge",
                                                 decided_on=timezone.localdate()))
    Offence.objects.filter(pk=offence.pk).update(status="convicted")
    Sentence.objects.create(offence=offence, sentenced_on=timezone.localdate(), disposal="fine",
                            fine_pence=8000, agency=cps.agency, recorded_by=cps.user)
    task = AgencyTask(task_type="closure", referral=referral)
    brief = task_brief(task=task, membership=demo["hub.caseworker"])
    assert brief["outcomes"] == (
        "Stalking involving fear of violence or serious alarm or distress (PHA 1997 s.4A): "
        "convicted; sentence: fine, £80; Criminal damage (CDA 1971 s.1): under investigation"
    )
    assert task_brief(task=task, membership=demo["oversight.auditor"]) == {}


def test_a_charge_when_the_police_charged_already_adds_no_offence(refer, work, demo):
    rid = _to_charging(refer, work)
    referral = Referral.objects.get(pk=rid)
    offence = offence_for(referral, demo["police.caseworker"])
    Offence.objects.filter(pk=offence.pk).update(status="charged")
    work("cps.caseworker", "charging_review", rid, {
        "decision": "charge", "offence": "Stalking", "reason": "Met.",
    })
    assert list(Offence.objects.filter(referral_id=rid).values_list("pk", flat=True)) == [
        offence.pk
    ]
    assert ChargingDecision.objects.get(referral_id=rid).offence_id is None
