"""The perpetrator's interventions (MASIP): plans, assessments, interventions with their
vehicle and status, and a sentence's treatment requirement entered as treatment."""

import pytest
from django.utils import timezone

from audit.models import Event
from interventions.models import Intervention, InterventionPlan
from interventions.services import intervention_from_sentence
from justice.models import Offence
from referral.models import Referral
from tests.justice.factories import offence_for
from workflows.models import AgencyTask

from .factories import PERPETRATOR_ASSESSMENT, intervention

pytestmark = pytest.mark.django_db


def _url(case, rest=""):
    return f"/api/v1/referrals/{case['id']}/{rest}"


def _post(client, case, body, rest="interventions/"):
    return client.post(_url(case, rest), body, format="json")


def _sentenced(case, demo, disposal="community_order", **fields):
    referral = Referral.objects.get(pk=case["id"])
    offence = offence_for(referral, demo["police.caseworker"], **fields)
    Offence.objects.filter(pk=offence.pk).update(
        status="convicted", disposal=disposal, sentenced_on=timezone.localdate()
    )
    offence.refresh_from_db()
    return offence


def test_an_intervention_opens_the_plan(submit, as_user):
    case = submit()
    police = as_user("police.caseworker")
    assert police.get(_url(case, "interventions/")).json() == {
        "plan": None, "assessments": [], "interventions": [], "treatment": []
    }
    assert police.get(_url(case)).json()["interventions"] is None
    response = _post(police, case, intervention(provider="Stalking service"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["plan"]["lead_agency"] == "police"
    assert [(i["kind"], i["status"], i["source"]) for i in body["interventions"]] == [
        ("stalking_programme", "offered", "recorded")
    ]
    assert body["treatment"] == [{k: body["interventions"][0][k] for k in
                                  ("id", "kind", "status", "source", "vehicle")}]
    verbs = set(Event.objects.filter(referral_id=case["id"]).values_list("verb", flat=True))
    assert {"intervention_plan.opened", "intervention.offered"} <= verbs
    assert InterventionPlan.objects.filter(referral_id=case["id"]).count() == 1


def test_other_interventions_are_not_treatment(submit, as_user):
    case = submit()
    body = _post(as_user("police.caseworker"), case, intervention(kind="other")).json()
    assert len(body["interventions"]) == 1 and body["treatment"] == []


def test_a_domestic_abuse_programme_needs_a_reason_it_fits(submit, as_user):
    case = submit()  # former partners
    police = as_user("police.caseworker")
    refused = _post(police, case, intervention(kind="domestic_abuse_programme"))
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"fit_reason"}
    fits = _post(police, case, intervention(
        kind="domestic_abuse_programme", fit_reason="Controlling behaviour in the relationship."
    ))
    assert fits.status_code == 201


def test_a_domestic_abuse_programme_needs_a_domestic_abuse_context(submit, as_user, demo):
    case = submit(relationship=["stranger"])
    police = as_user("police.caseworker")
    body = intervention(kind="domestic_abuse_programme", fit_reason="Asked for it.")
    refused = _post(police, case, body)
    assert refused.status_code == 400 and "kind" in refused.json()["error"]["fields"]
    offence_for(Referral.objects.get(pk=case["id"]), demo["police.caseworker"],
                domestic_abuse=True)
    assert _post(police, case, body).status_code == 201


def test_an_spo_requirement_needs_an_spo_of_the_case(submit, as_user):
    case = submit()
    police = as_user("police.caseworker")
    refused = _post(police, case, intervention(vehicle="spo_requirement"))
    assert refused.status_code == 400 and "vehicle" in refused.json()["error"]["fields"]
    order = police.post(_url(case, "orders/"), {
        "kind": "stalking_protection_order", "conditions": "Attend the programme",
        "starts": timezone.localdate().isoformat(),
    }, format="json").json()
    made = _post(police, case, intervention(vehicle="spo_requirement"))
    assert made.status_code == 201
    assert made.json()["interventions"][0]["order"] == order["id"]


def test_an_order_of_the_wrong_kind_is_refused(submit, as_user):
    case = submit(orders=[{"kind": "restraining_order", "conditions": "No contact",
                           "starts": "2025-01-01"}])
    police = as_user("police.caseworker")
    order_id = case["orders"][0]["id"]
    refused = _post(police, case, intervention(vehicle="spo_requirement", order=order_id))
    assert refused.status_code == 400 and "order" in refused.json()["error"]["fields"]
    refused = _post(police, case, intervention(vehicle="licence_condition"))
    assert refused.status_code == 400 and "vehicle" in refused.json()["error"]["fields"]


def test_a_sentence_requirement_needs_an_offence_so_sentenced(submit, as_user, demo):
    case = submit()
    police = as_user("police.caseworker")
    body = intervention(kind="mental_health_treatment", vehicle="community_order_requirement")
    refused = _post(police, case, body)
    assert refused.status_code == 400 and "vehicle" in refused.json()["error"]["fields"]
    suspended = _sentenced(case, demo, disposal="suspended_sentence")
    assert _post(police, case, body).status_code == 400
    offence = _sentenced(case, demo)
    made = _post(police, case, body)
    assert made.status_code == 201
    assert made.json()["interventions"][0]["offence"] == offence.pk
    wrong = _post(police, case, {**body, "offence": suspended.pk})
    assert wrong.status_code == 400 and "offence" in wrong.json()["error"]["fields"]


def test_status_offered_started_completed_and_a_stop_needs_a_reason(submit, as_user):
    case = submit()
    police = as_user("police.caseworker")
    first = _post(police, case, intervention()).json()["interventions"][0]["id"]
    second = _post(police, case, intervention(kind="psychological_treatment")).json()

    def move(iid, **body):
        return _post(police, case, body, rest=f"interventions/{iid}/status/")

    assert move(first, status="completed").status_code == 400
    assert move(first, status="started").status_code == 200
    stop = move(first, status="stopped")
    assert stop.status_code == 400 and "reason" in stop.json()["error"]["fields"]
    assert move(first, status="completed").status_code == 200
    assert move(first, status="started").status_code == 400
    iid = second["interventions"][1]["id"]
    declined = move(iid, status="declined")
    assert declined.status_code == 400 and "reason" in declined.json()["error"]["fields"]
    done = move(iid, status="declined", reason="Denies any problem.")
    assert done.status_code == 200
    rows = {i["id"]: i for i in done.json()["interventions"]}
    assert rows[first]["status"] == "completed" and rows[first]["ended_on"]
    assert rows[iid]["status"] == "declined" and rows[iid]["stop_reason"] == "Denies any problem."
    event = Event.objects.get(referral_id=case["id"], verb="intervention.declined")
    assert event.reason == "Denies any problem."
    assert move(999999, status="started").status_code == 404


def test_a_perpetrator_assessment(submit, as_user):
    case = submit()
    response = _post(as_user("police.caseworker"), case,
                     {**PERPETRATOR_ASSESSMENT, "summary": "Rejected ex-partner type."},
                     rest="perpetrator-assessments/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assessments"][0]["instrument"] == "srp"
    assert body["assessments"][0]["persistence"] == "high"
    event = Event.objects.get(referral_id=case["id"], verb="perpetrator_assessment.completed")
    assert event.changes["persistence"] == "high" and "Rejected" not in str(event.changes)


@pytest.mark.parametrize("username,status", [
    ("cps.caseworker", 403), ("advocacy.caseworker", 403), ("hub.caseworker", 403),
])
def test_only_police_probation_and_the_unit_write(submit, as_user, username, status, work):
    case = submit()
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "medium"})
    if username == "cps.caseworker":
        as_user("police.caseworker").post(_url(case, "hearings/"), {
            "kind": "bail", "date": (timezone.localdate() + timezone.timedelta(days=20)).isoformat()
        }, format="json")
    client = as_user(username)
    assert client.get(_url(case, "interventions/")).status_code == 200
    assert _post(client, case, intervention()).status_code == status
    assert _post(client, case, PERPETRATOR_ASSESSMENT,
                 rest="perpetrator-assessments/").status_code == status
    assert _post(as_user("probation.caseworker"), case, intervention()).status_code == 201


def test_a_case_the_agency_may_not_see_is_404(submit, as_user):
    case = submit()
    probation = as_user("probation.caseworker")
    assert probation.get(_url(case, "interventions/")).status_code == 404
    assert probation.get(_url(case, "assessments/")).status_code == 404
    assert _post(probation, case, intervention()).status_code == 404
    assert not Intervention.objects.filter(referral_id=case["id"]).exists()


def test_sentence_with_mental_health_treatment_is_treatment_in_detail_and_page(
    submit, as_user, demo, signed_in
):
    case = submit()
    offence = _sentenced(case, demo)
    intervention_from_sentence(
        offence=offence, requirement_kind="mental_health_treatment",
        actor=demo["police.caseworker"].user,
    )
    detail = as_user("police.caseworker").get(_url(case)).json()
    treatment = detail["interventions"]["treatment"]
    assert len(treatment) == 1
    assert treatment[0]["kind"] == "mental_health_treatment"
    assert treatment[0]["source"] == "sentence" and treatment[0]["status"] == "offered"
    assert treatment[0]["vehicle"] == "community_order_requirement"
    assert detail["interventions"]["interventions"][0]["offence"] == offence.pk
    page = signed_in("police.caseworker").get(f"/workspace/referrals/{case['id']}/")
    html = page.content.decode()
    assert 'data-testid="treatment-row"' in html
    assert "Mental health treatment" in html and "ordered at sentence" in html


@pytest.mark.parametrize("requirement,domestic,kind", [
    ("drug_rehabilitation", None, "substance_misuse_treatment"),
    ("alcohol_treatment", None, "substance_misuse_treatment"),
    ("accredited_programme", False, "stalking_programme"),
    ("accredited_programme", True, "domestic_abuse_programme"),
])
def test_sentence_requirements_become_their_treatment(submit, demo, requirement, domestic, kind):
    case = submit()
    offence = _sentenced(case, demo, disposal="suspended_sentence", domestic_abuse=domestic)
    intervention_from_sentence(offence=offence, requirement_kind=requirement,
                               actor=demo["probation.caseworker"].user)
    row = Intervention.objects.get(referral_id=case["id"])
    assert (row.kind, row.vehicle, row.source) == (
        kind, "suspended_sentence_requirement", "sentence"
    )
    assert row.agency.slug == "probation"


def test_a_requirement_that_is_not_treatment_is_no_intervention(submit, demo):
    case = submit()
    offence = _sentenced(case, demo)
    intervention_from_sentence(offence=offence, requirement_kind="unpaid_work",
                               actor=demo["police.caseworker"].user)
    assert not InterventionPlan.objects.filter(referral_id=case["id"]).exists()


def _assessment_tasks(case) -> list[str]:
    return list(AgencyTask.objects.filter(
        referral_id=case["id"], task_type="perpetrator_assessment"
    ).values_list("agency__kind", flat=True))


def test_the_plan_asks_the_unit_once_to_assess_the_perpetrator(submit, as_user, work):
    case = submit()
    police = as_user("police.caseworker")
    assert _post(police, case, intervention()).status_code == 201
    assert _assessment_tasks(case) == ["psychiatric"]
    assert _post(police, case, intervention(kind="psychological_treatment")).status_code == 201
    assert _assessment_tasks(case) == ["psychiatric"]
    work("ftac.caseworker", "perpetrator_assessment", case["id"], PERPETRATOR_ASSESSMENT)
    body = police.get(_url(case, "interventions/")).json()
    assert [a["instrument"] for a in body["assessments"]] == ["srp"]


def test_a_case_assessed_already_is_not_asked_again(submit, as_user):
    case = submit()
    police = as_user("police.caseworker")
    assert _post(police, case, PERPETRATOR_ASSESSMENT,
                 rest="perpetrator-assessments/").status_code == 201
    assert _post(police, case, intervention()).status_code == 201
    assert _assessment_tasks(case) == []
