"""Assessments before hearings: who is asked for which, the rows that keep them, and whether
each was done before the hearing."""

import pytest
from django.utils import timezone

from interventions.models import HearingAssessment
from workflows import calendar
from workflows.models import AgencyTask
from workflows.services import hearing_tasks_due
from workflows.task_schemas import schema_for

from .factories import PSR, RISK_ASSESSMENT

pytestmark = pytest.mark.django_db


def _open_work(referral_id):
    return sorted(
        AgencyTask.objects.filter(referral_id=referral_id, is_open=True)
        .exclude(task_type="triage").values_list("task_type", "agency__slug")
    )


def _rows(referral_id):
    return sorted(
        HearingAssessment.objects.filter(referral_id=referral_id)
        .values_list("kind", "agency__slug", "task__task_type")
    )


@pytest.mark.parametrize("kind", ["bail", "charge"])
def test_bail_and_charge_hearings_ask_police_advocacy_and_cps(refer, hearing, kind):
    case = refer()
    recorded = hearing(case, kind)
    assert _open_work(case["id"]) == [
        ("pre_hearing_risk_assessment", "advocacy"),
        ("pre_hearing_risk_assessment", "police"),
        ("psychiatric_assessment_request", "cps"),
    ]
    assert _rows(case["id"]) == [
        ("risk_assessment", "advocacy", "pre_hearing_risk_assessment"),
        ("risk_assessment", "police", "pre_hearing_risk_assessment"),
    ]
    row = HearingAssessment.objects.filter(referral_id=case["id"]).first()
    assert row.hearing_id == recorded["id"]
    assert row.due == row.task.due
    assert timezone.localdate(row.due) == calendar.add_working_days(
        timezone.localdate().fromisoformat(recorded["date"]), -2
    )


def test_sentencing_adds_probations_pre_sentence_report(refer, hearing):
    case = refer()
    hearing(case, "sentencing")
    assert _open_work(case["id"]) == [
        ("pre_hearing_risk_assessment", "advocacy"),
        ("pre_hearing_risk_assessment", "police"),
        ("pre_sentence_report", "probation"),
        ("psychiatric_assessment_request", "cps"),
    ]
    assert ("pre_sentence_report", "probation", "pre_sentence_report") in _rows(case["id"])


@pytest.mark.parametrize("kind,expected", [
    ("trial", [("pre_hearing_risk_assessment", "advocacy")]),
    ("order", [("pre_hearing_risk_assessment", "advocacy"),
               ("pre_hearing_risk_assessment", "police")]),
])
def test_trial_and_order_hearings(refer, hearing, kind, expected):
    case = refer()
    hearing(case, kind)
    assert _open_work(case["id"]) == expected


def test_police_assessment_keeps_the_victims_views_on_bail_done_before_the_hearing(
    refer, hearing, work
):
    case = refer()
    hearing(case, "bail")
    work("police.caseworker", "pre_hearing_risk_assessment", case["id"], RISK_ASSESSMENT)
    row = HearingAssessment.objects.get(referral_id=case["id"], agency__slug="police")
    assert row.completed_at is not None
    assert row.before_hearing is True
    assert row.victim_views == RISK_ASSESSMENT["victim_views"]
    assert row.bail_conditions_sought == RISK_ASSESSMENT["bail_conditions_sought"]
    assert row.risk_level == "high" and row.recommendation == "Bail with conditions"
    other = HearingAssessment.objects.get(referral_id=case["id"], agency__slug="advocacy")
    assert other.completed_at is None and other.before_hearing is None


def test_an_assessment_done_on_the_hearings_day_is_not_before_it(refer, hearing, work):
    case = refer()
    hearing(case, "bail", on=timezone.localdate())
    work("advocacy.caseworker", "pre_hearing_risk_assessment", case["id"],
         {"risk_level": "medium", "summary": "Late."})
    row = HearingAssessment.objects.get(referral_id=case["id"], agency__slug="advocacy")
    assert row.completed_at is not None and row.before_hearing is False


def test_old_clients_risk_form_still_fits(refer, hearing, work):
    case = refer()
    hearing(case, "bail")
    work("police.caseworker", "pre_hearing_risk_assessment", case["id"],
         {"risk_level": "standard", "summary": "Stable."})
    row = HearingAssessment.objects.get(referral_id=case["id"], agency__slug="police")
    assert row.before_hearing is True and row.bail_conditions_sought == ""


def test_pre_sentence_report_keeps_harm_proposal_and_treatment(refer, hearing, work, as_user):
    case = refer()
    hearing(case, "sentencing")
    work("probation.caseworker", "pre_sentence_report", case["id"], PSR)
    row = HearingAssessment.objects.get(referral_id=case["id"], kind="pre_sentence_report")
    assert row.risk_level == "high" and row.before_hearing is True
    assert row.recommendation == PSR["proposal"]
    assert row.treatment_suitability == PSR["treatment_suitability"]
    listed = as_user("police.caseworker").get(f"/api/v1/referrals/{case['id']}/assessments/")
    assert listed.status_code == 200
    psr = [a for a in listed.json()["hearing_assessments"] if a["kind"] == "pre_sentence_report"]
    assert psr[0]["before_hearing"] is True and psr[0]["agency"] == "probation"
    assert psr[0]["hearing"]["kind"] == "sentencing"


def test_pre_sentence_report_needs_its_harm_and_proposal(refer, hearing, as_user, work):
    case = refer()
    hearing(case, "sentencing")
    client = as_user("probation.caseworker")
    task = work.task_of(client, "pre_sentence_report", case["id"])
    client.post(f"/api/v1/tasks/{task['id']}/claim/")
    done = client.post(f"/api/v1/tasks/{task['id']}/complete/", {}, format="json")
    assert done.status_code == 400
    assert set(done.json()["error"]["fields"]) == {"risk_of_serious_harm", "proposal"}


def test_psychiatric_report_due_before_the_hearing(refer, hearing, work):
    case = refer()
    recorded = hearing(case, "bail")
    work("cps.caseworker", "psychiatric_assessment_request", case["id"],
         {"request": True, "reason": "Possible delusional disorder."})
    task = AgencyTask.objects.get(referral_id=case["id"], task_type="psychiatric_report")
    assert task.agency.slug == "ftac"
    on = timezone.localdate().fromisoformat(recorded["date"])
    assert abs((task.due - hearing_tasks_due(on)).total_seconds()) < 60


def test_only_police_are_asked_the_bail_conditions_the_victim_wants():
    def fields(kind):
        return schema_for("pre_hearing_risk_assessment", agency_kind=kind)["properties"]

    assert "bail_conditions_sought" in fields("police")
    assert "bail_conditions_sought" not in fields("advocacy")
    assert "victim_views" in fields("advocacy")
