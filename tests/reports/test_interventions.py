"""Perpetrator interventions: by kind, vehicle and status, and the treatment of convicted
perpetrators, counted on a hand-built caseload; the cohort cut; a fixed number of queries."""

import pytest

from interventions.models import Intervention
from interventions.services import (
    InterventionDraft,
    PerpetratorAssessmentDraft,
    intervention_status_set,
    perpetrator_assessment_record,
)
from reports.cohort import Cohort
from reports.sections import interventions
from workflows.services.assessments import intervention_log

from .care import (
    convicted,
    figures,
    heard,
    people,
    reader_cohort,
    recent,
    referred_long_ago,
    sentenced,
    tables,
)

pytestmark = pytest.mark.django_db

ZERO = {
    "interventions": 0,
    "offered": 0,
    "declined": 0,
    "in_progress": 0,
    "completed": 0,
    "stopped": 0,
    "started": 0,
    "completed_share": None,
}


def _offer(demo, referral, kind):
    probation = demo["probation.caseworker"]
    return intervention_log(
        referral=referral,
        actor=probation.user,
        membership=probation,
        draft=InterventionDraft(kind=kind, vehicle="voluntary"),
    )


def _move(demo, intervention, *statuses):
    probation = demo["probation.caseworker"]
    for status in statuses:
        intervention_status_set(
            referral=intervention.plan.referral,
            intervention_id=intervention.pk,
            actor=probation.user,
            membership=probation,
            status=status,
            reason="Missed three sessions." if status in ("declined", "stopped") else "",
        )


def _convict(referral, demo):
    return convicted(referral, demo, heard(referral, demo, "charge"))


@pytest.fixture
def caseload(case, demo):
    """A: convicted, a community order with a mental health treatment requirement, the
    treatment started then ended early. B: convicted and fined; an 'other' intervention offered.
    C: not convicted; a stalking programme declined. D: convicted, discharged; psychological
    treatment completed and the perpetrator assessed. E: like A's sentence with an accredited
    programme, referred long ago."""
    a, b, c, d, e = (case(**people(n)) for n in range(5))
    sentenced(_convict(a, demo), demo, "community_order", "unpaid_work", "mental_health_treatment")
    _move(demo, Intervention.objects.get(referral_id=a.pk), "started", "stopped")
    sentenced(_convict(b, demo), demo, "fine", fine_pence=10000)
    _offer(demo, b, "other")
    _move(demo, _offer(demo, c, "stalking_programme"), "declined")
    sentenced(_convict(d, demo), demo, "conditional_discharge")
    _move(demo, _offer(demo, d, "psychological_treatment"), "started", "completed")
    probation = demo["probation.caseworker"]
    perpetrator_assessment_record(
        referral=d,
        actor=probation.user,
        membership=probation,
        draft=PerpetratorAssessmentDraft(
            instrument="srp",
            assessor_trained=True,
            persistence="high",
            recurrence="moderate",
            violence="low",
        ),
    )
    sentenced(_convict(e, demo), demo, "community_order", "accredited_programme")
    referred_long_ago(e)
    return a, b, c, d, e


def test_interventions_by_kind_and_status(caseload):
    by_kind = figures(tables(interventions.build(recent()))["interventions"])
    assert by_kind["mental_health_treatment"] == {
        **ZERO,
        "interventions": 1,
        "stopped": 1,
        "started": 1,
        "completed_share": 0.0,
    }
    assert by_kind["psychological_treatment"] == {
        **ZERO,
        "interventions": 1,
        "completed": 1,
        "started": 1,
        "completed_share": 1.0,
    }
    assert by_kind["stalking_programme"] == {**ZERO, "interventions": 1, "declined": 1}
    assert by_kind["other"] == {**ZERO, "interventions": 1, "offered": 1}
    assert by_kind["substance_misuse_treatment"] == by_kind["domestic_abuse_programme"] == ZERO
    assert by_kind["total"] == {
        "interventions": 4,
        "offered": 1,
        "declined": 1,
        "in_progress": 0,
        "completed": 1,
        "stopped": 1,
        "started": 2,
        "completed_share": 0.5,
    }


def test_interventions_by_vehicle(caseload):
    by_vehicle = figures(tables(interventions.build(recent()))["interventions_by_vehicle"])
    assert by_vehicle["community_order_requirement"] == {
        **ZERO,
        "interventions": 1,
        "stopped": 1,
        "started": 1,
        "completed_share": 0.0,
    }
    assert by_vehicle["voluntary"] == {
        **ZERO,
        "interventions": 3,
        "offered": 1,
        "declined": 1,
        "completed": 1,
        "started": 1,
        "completed_share": 1.0,
    }
    assert by_vehicle["spo_requirement"] == ZERO


def test_treatment_of_convicted_perpetrators(caseload):
    treatment = figures(tables(interventions.build(recent()))["treatment"])
    assert {k: v["cases"] for k, v in treatment.items()} == {
        "total": 3,
        "treated": 2,
        "requirement": 1,
        "intervention": 2,
        "intervention_started": 2,
        "intervention_completed": 1,
        "planned": 3,
        "assessed": 1,
    }
    assert treatment["treated"]["share"] == round(2 / 3, 4)
    assert treatment["total"]["share"] == 1.0


def test_the_case_referred_long_ago_counts_without_a_period(caseload):
    built = tables(interventions.build(Cohort()))
    assert figures(built["interventions"])["stalking_programme"]["offered"] == 1
    treatment = figures(built["treatment"])
    assert (treatment["total"]["cases"], treatment["treated"]["cases"]) == (4, 3)


def test_an_agencys_reader_counts_only_the_cases_it_sees(caseload):
    a, _, c, _, _ = caseload
    built = tables(interventions.build(reader_cohort(a, c)))
    total = figures(built["interventions"])["total"]
    assert (total["interventions"], total["stopped"], total["declined"]) == (2, 1, 1)
    treatment = figures(built["treatment"])
    assert (treatment["total"]["cases"], treatment["treated"]["cases"]) == (1, 1)


def test_queries_are_fixed_whatever_the_caseload(django_assert_num_queries, case, demo):
    with django_assert_num_queries(2):
        interventions.build(Cohort())
    for n in range(3):
        _move(demo, _offer(demo, case(**people(n)), "stalking_programme"), "started")
    with django_assert_num_queries(2):
        built = interventions.build(Cohort())
    assert figures(tables(built)["interventions"])["stalking_programme"]["in_progress"] == 3
