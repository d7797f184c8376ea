"""The detail's keys of this app, filled, fit the OpenAPI document; a perpetrator assessment
task records its assessment on the plan."""

import pytest

from audit.models import Event
from interventions.models import PerpetratorAssessment
from referral.models import Referral
from tests.test_openapi_responses import Contract
from workflows import allocation
from workflows.services import case_task_start

from .factories import PERPETRATOR_ASSESSMENT, THREAT, intervention

pytestmark = pytest.mark.django_db


def test_a_filled_detail_fits_the_document(document, refer, work, hearing, as_user):
    case = refer(yes=7)
    rid = case["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    hearing(case, "sentencing")
    work("police.caseworker", "pre_hearing_risk_assessment", rid,
         {"risk_level": "high", "summary": "s", "bail_conditions_sought": "No contact"})
    work("cps.caseworker", "psychiatric_assessment_request", rid, {"request": True, "reason": "r"})
    work("ftac.caseworker", "threat_assessment", rid,
         {**THREAT, "share_recommendations": True, "sharing_basis": "Bail conditions."})
    police = as_user("police.caseworker")
    police.post(f"/api/v1/referrals/{rid}/interventions/", intervention(), format="json")
    contract = Contract(document)
    for username in ("police.caseworker", "probation.caseworker", "hub.chair"):
        detail = contract.call(as_user(username), "get", "/api/v1/referrals/{referral_id}/", 200,
                               referral_id=rid)
        assert detail["assessments"]["hearing_assessments"], username
        assert detail["assessments"]["psychiatric"], username
        assert detail["threat_recommendations"], username
        assert detail["interventions"]["treatment"], username


def test_the_perpetrator_assessment_task_records_on_the_plan(submit, demo, work):
    case = submit()
    case_task_start(
        referral=Referral.objects.get(pk=case["id"]), task_type="perpetrator_assessment",
        agency=demo["ftac.caseworker"].agency,
        due=allocation.due_for("perpetrator_assessment", risk_level="medium"),
    )
    work("ftac.caseworker", "perpetrator_assessment", case["id"],
         {**PERPETRATOR_ASSESSMENT, "assessor": "Dr Rowe"})
    row = PerpetratorAssessment.objects.get(referral_id=case["id"])
    assert row.plan.lead_agency.slug == "ftac" and row.assessor == "Dr Rowe"
    verbs = list(Event.objects.filter(referral_id=case["id"],
                                      verb="perpetrator_assessment.completed"))
    assert len(verbs) == 1  # the task's own completion, not a second one
