"""Psychiatric assessments for the court: sought by CPS, requested, done, before the court, in
that order (or not ordered with a reason), by CPS and the psychiatric unit only."""

import pytest

from audit.models import Event
from interventions.models import PsychiatricAssessment
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def sought(refer, hearing, work):
    """A bail hearing's case where CPS asked for a psychiatric assessment: (case, assessment)."""
    case = refer()
    recorded = hearing(case, "bail")
    work("cps.caseworker", "psychiatric_assessment_request", case["id"],
         {"request": True, "reason": "Possible delusional disorder."})
    assessment = PsychiatricAssessment.objects.get(referral_id=case["id"])
    assert assessment.hearing_id == recorded["id"]
    return case, assessment


def _step(client, case, assessment, **body):
    return client.post(
        f"/api/v1/referrals/{case['id']}/psychiatric-assessments/{assessment.pk}/",
        body, format="json",
    )


def test_cps_yes_seeks_one_and_gives_the_unit_its_report(sought):
    case, assessment = sought
    assert assessment.status == "sought" and assessment.agency.slug == "cps"
    assert Event.objects.filter(verb="psychiatric_assessment.sought",
                                referral_id=case["id"]).exists()
    assert AgencyTask.objects.get(
        referral_id=case["id"], task_type="psychiatric_report", is_open=True
    ).agency.slug == "ftac"


def test_cps_no_seeks_nothing(refer, hearing, work):
    case = refer()
    hearing(case, "bail")
    work("cps.caseworker", "psychiatric_assessment_request", case["id"],
         {"request": False, "reason": "No indication."})
    assert not PsychiatricAssessment.objects.filter(referral_id=case["id"]).exists()
    assert not AgencyTask.objects.filter(referral_id=case["id"],
                                         task_type="psychiatric_report").exists()


def test_requested_done_before_court_in_order(sought, as_user):
    case, assessment = sought
    unit = as_user("ftac.caseworker")
    assert _step(unit, case, assessment, status="done").status_code == 400
    out_of_order = _step(unit, case, assessment, status="before_court")
    assert out_of_order.status_code == 400
    assert "status" in out_of_order.json()["error"]["fields"]
    requested = _step(unit, case, assessment, status="requested", provider="Dr Rowe")
    assert requested.status_code == 200, requested.content
    assert requested.json()["psychiatric"][0]["status"] == "requested"
    assert _step(unit, case, assessment, status="before_court").status_code == 400
    assert _step(unit, case, assessment, status="done").status_code == 200
    final = _step(unit, case, assessment, status="before_court")
    assert final.status_code == 200
    row = final.json()["psychiatric"][0]
    assert row["status"] == "before_court"
    assert row["requested_on"] and row["done_on"] and row["before_court_on"]
    verbs = list(
        Event.objects.filter(referral_id=case["id"], verb__startswith="psychiatric_assessment.")
        .order_by("id").values_list("verb", flat=True)
    )
    assert verbs == [f"psychiatric_assessment.{s}"
                     for s in ("sought", "requested", "done", "before_court")]
    assert _step(unit, case, assessment, status="not_ordered", reason="x").status_code == 400


def test_not_ordered_needs_a_reason(sought, as_user):
    case, assessment = sought
    unit = as_user("ftac.caseworker")
    refused = _step(unit, case, assessment, status="not_ordered")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    assert _step(unit, case, assessment, status="not_ordered",
                 reason="The court declined to adjourn.").status_code == 200
    assessment.refresh_from_db()
    assert assessment.status == "not_ordered"
    assert _step(unit, case, assessment, status="requested").status_code == 400


def test_only_cps_and_the_unit_record_steps(sought, as_user):
    case, assessment = sought
    assert _step(as_user("police.caseworker"), case, assessment,
                 status="requested").status_code == 403
    # Probation is not involved in this case: it is not told the case exists.
    assert _step(as_user("probation.caseworker"), case, assessment,
                 status="requested").status_code == 404
    assessment.refresh_from_db()
    assert assessment.status == "sought"


def test_an_assessment_of_another_case_is_404(sought, refer, hearing, as_user):
    case, assessment = sought
    other = refer(victim={"name": "Ann Other", "date_of_birth": "1988-03-03"},
                  suspect={"name": "Bo Other", "date_of_birth": "1970-05-05"})
    hearing(other, "bail")  # the unit is not involved in it; CPS is
    response = _step(as_user("cps.caseworker"), other, assessment, status="requested")
    assert response.status_code == 404


def test_completing_the_report_marks_it_done(sought, work):
    case, assessment = sought
    work("ftac.caseworker", "psychiatric_report", case["id"],
         {"done": True, "provider": "Dr Rowe"})
    assessment.refresh_from_db()
    assert assessment.status == "done" and assessment.done_on and assessment.requested_on
    assert assessment.provider == "Dr Rowe"
    assert Event.objects.filter(referral_id=case["id"],
                                verb="psychiatric_report.completed").exists()


def test_a_report_not_done_says_why(sought, as_user, work):
    case, assessment = sought
    client = as_user("ftac.caseworker")
    task = work.task_of(client, "psychiatric_report", case["id"])
    client.post(f"/api/v1/tasks/{task['id']}/claim/")
    refused = client.post(f"/api/v1/tasks/{task['id']}/complete/", {"done": False}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete/",
                       {"done": False, "reason": "Declined to engage."}, format="json")
    assert done.status_code == 200
    assessment.refresh_from_db()
    assert assessment.status == "not_ordered" and assessment.reason == "Declined to engage."
