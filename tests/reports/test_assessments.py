"""Assessments for court: risk assessments before hearings and psychiatric assessments, counted
on a hand-built caseload; the cohort cut; a fixed number of queries."""

import pytest
from django.utils import timezone

from interventions import services as intervention_services
from interventions.models import PsychiatricAssessment
from referral.models import CourtHearing
from reports.cohort import Cohort
from reports.sections import assessments
from tests.interventions.factories import RISK_ASSESSMENT

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


def _ask_psychiatric(work, referral):
    work(
        "cps.caseworker",
        "psychiatric_assessment_request",
        referral.pk,
        {"request": True, "reason": "Fixated; possible delusional disorder."},
    )
    return PsychiatricAssessment.objects.get(referral=referral)


def _step(demo, referral, assessment, username, status):
    member = demo[username]
    intervention_services.psychiatric_assessment_record(
        referral=referral,
        assessment_id=assessment.pk,
        actor=member.user,
        membership=member,
        status=status,
    )


@pytest.fixture
def caseload(case, work, demo):
    """A: a bail hearing assessed by police before it (then held) and a sentencing hearing to
    come; a psychiatric assessment sought, requested, done and put before the court.
    B: a bail hearing assessed by the advocate only on its day, a sentencing hearing held with
    no assessment; convicted and fined; a psychiatric assessment sought, then not ordered.
    C: a charge hearing held with no assessment; convicted, no psychiatric assessment sought.
    D: like C, but referred long ago."""
    a, b, c, d = (case(**people(n)) for n in range(4))

    bail_a = heard(a, demo, "bail", days=10)
    heard(a, demo, "sentencing", days=10)
    work("police.caseworker", "pre_hearing_risk_assessment", a.pk, RISK_ASSESSMENT)
    CourtHearing.objects.filter(pk=bail_a.pk).update(date=timezone.localdate())  # time passes
    sought = _ask_psychiatric(work, a)
    _step(demo, a, sought, "ftac.caseworker", "requested")
    _step(demo, a, sought, "ftac.caseworker", "done")
    _step(demo, a, sought, "cps.caseworker", "before_court")

    bail_b = heard(b, demo, "bail")
    heard(b, demo, "sentencing")
    work(
        "advocacy.caseworker",
        "pre_hearing_risk_assessment",
        b.pk,
        {"risk_level": "medium", "summary": "Done on the day."},
    )
    sentenced(convicted(b, demo, bail_b), demo, "fine", fine_pence=20000)
    sought = _ask_psychiatric(work, b)
    intervention_services.psychiatric_report_done(
        referral=b,
        assessment_id=sought.pk,
        actor=demo["ftac.caseworker"].user,
        done=False,
        reason="The suspect would not take part.",
    )

    for referral in (c, d):
        convicted(referral, demo, heard(referral, demo, "charge"))
    referred_long_ago(d)
    return a, b, c, d


def test_risk_assessments_before_each_kind_of_hearing(caseload):
    hearings = figures(tables(assessments.build(recent()))["hearing_assessments"])
    assert hearings["bail"] == {
        "hearings": 2,
        "to_come": 0,
        "held": 2,
        "before": 1,
        "late": 1,
        "not_done": 0,
        "before_share": 0.5,
    }
    assert hearings["sentencing"] == {
        "hearings": 2,
        "to_come": 1,
        "held": 1,
        "before": 0,
        "late": 0,
        "not_done": 1,
        "before_share": 0.0,
    }
    assert hearings["charge"] == {
        "hearings": 1,
        "to_come": 0,
        "held": 1,
        "before": 0,
        "late": 0,
        "not_done": 1,
        "before_share": 0.0,
    }
    assert (
        hearings["trial"]
        == hearings["order"]
        == {
            "hearings": 0,
            "to_come": 0,
            "held": 0,
            "before": 0,
            "late": 0,
            "not_done": 0,
            "before_share": None,
        }
    )
    assert hearings["total"] == {
        "hearings": 5,
        "to_come": 1,
        "held": 4,
        "before": 1,
        "late": 1,
        "not_done": 2,
        "before_share": 0.25,
    }


def test_psychiatric_funnel_and_convicted_cases_without_one(caseload):
    built = tables(assessments.build(recent()))
    assert {k: v["cases"] for k, v in figures(built["psychiatric"]).items()} == {
        "sought": 2,
        "requested": 1,
        "done": 1,
        "before_court": 1,
        "total": 2,
    }
    assert figures(built["psychiatric"])["done"]["share"] == 0.5
    assert figures(built["psychiatric_convicted"]) == {
        "convicted": {"cases": 2, "asked": 1, "not_asked": 1, "not_asked_share": 0.5},
        "sentenced": {"cases": 1, "asked": 1, "not_asked": 0, "not_asked_share": 0.0},
    }


def test_everything_counts_the_case_referred_long_ago(caseload):
    built = tables(assessments.build(Cohort()))
    assert figures(built["hearing_assessments"])["charge"]["not_done"] == 2
    assert figures(built["psychiatric_convicted"])["convicted"]["not_asked"] == 2


def test_an_agencys_reader_counts_only_the_cases_it_sees(caseload):
    a, _, c, _ = caseload
    built = tables(assessments.build(reader_cohort(a, c)))
    hearings = figures(built["hearing_assessments"])
    assert hearings["bail"]["before"] == 1 and hearings["bail"]["late"] == 0
    assert hearings["total"]["hearings"] == 3
    assert figures(built["psychiatric"])["total"]["cases"] == 1
    assert figures(built["psychiatric_convicted"])["convicted"] == {
        "cases": 1,
        "asked": 0,
        "not_asked": 1,
        "not_asked_share": 1.0,
    }


def test_queries_are_fixed_whatever_the_caseload(django_assert_num_queries, case, demo):
    with django_assert_num_queries(3):
        assessments.build(Cohort())
    for n in range(3):
        referral = case(**people(n))
        convicted(referral, demo, heard(referral, demo, "bail"))
    with django_assert_num_queries(3):
        built = assessments.build(Cohort())
    assert figures(tables(built)["hearing_assessments"])["bail"]["not_done"] == 3
