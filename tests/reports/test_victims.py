"""The Victims' Code: updates by duty holder and by trigger, and the support victims had,
counted on a hand-built caseload; the cohort cut; a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.cohort import Cohort
from reports.sections import victims
from victims import services as victims_services
from victims.models import RightToReview
from workflows.models import AgencyTask
from workflows.services.victims import safety_plan_make, victims_code_event

from .care import figures, people, reader_cohort, recent, referred_long_ago, tables

pytestmark = pytest.mark.django_db

ZERO = {
    "due": 0,
    "made": 0,
    "on_time": 0,
    "late": 0,
    "overdue": 0,
    "pending": 0,
    "on_time_share": None,
}
SPOKE = {"contacted": True, "method": "phone", "note": "Told her what happened."}


def _owed(referral, trigger, **context):
    return victims_code_event(referral=referral, trigger=trigger, context=context)


def _past_due(task):
    AgencyTask.objects.filter(pk=task.pk).update(due=timezone.now() - timedelta(hours=2))


@pytest.fixture
def caseload(case, work, demo):
    """A (enhanced rights): police told her of the arrest on time, witness care of the hearing
    late; a named advocate; a safety plan. B: police owe an update on the charge (overdue) and
    on no further action (not yet due), which offered a review she asked for; CPS wrote of the
    discontinuance on time. C: an advocate named then ended; a safety plan reviewed. D: an
    update on time, but referred long ago."""
    a, b, c, d = (case(**people(n, enhanced=n == 0)) for n in range(4))
    advocacy = demo["advocacy.caseworker"]
    today = timezone.localdate()

    _owed(a, "arrest")
    work("police.caseworker", "victim_update", a.pk, SPOKE)
    _past_due(_owed(a, "hearing"))
    work("police.caseworker", "victim_update", a.pk, SPOKE)
    victims_services.advocate_name(
        referral=a, actor=advocacy.user, membership=advocacy, advocate=advocacy, role="isac"
    )
    safety_plan_make(
        referral=a,
        actor=advocacy.user,
        membership=advocacy,
        agreed_on=today,
        review_on=today + timedelta(days=28),
    )

    _past_due(_owed(b, "charge"))
    _owed(b, "discontinued")
    work("cps.caseworker", "victim_letter", b.pk, {"sent": True})
    _owed(b, "no_further_action")
    victims_services.right_to_review_request(
        review=RightToReview.objects.get(referral=b),
        actor=advocacy.user,
        membership=advocacy,
    )

    victims_services.advocate_name(
        referral=c, actor=advocacy.user, membership=advocacy, advocate=advocacy, role="isac"
    )
    victims_services.advocate_end(
        referral=c, actor=advocacy.user, membership=advocacy, reason="She moved away."
    )
    plan = safety_plan_make(
        referral=c, actor=advocacy.user, membership=advocacy, agreed_on=today, review_on=today
    )
    victims_services.safety_plan_review_record(
        plan=plan,
        actor=advocacy.user,
        membership=advocacy,
        reviewed_on=today,
        next_review_on=None,
    )

    _owed(d, "arrest")
    work("police.caseworker", "victim_update", d.pk, SPOKE)
    referred_long_ago(d)
    return a, b, c, d


def test_updates_by_duty_holder(caseload):
    holders = figures(tables(victims.build(recent()))["updates_by_duty_holder"])
    assert holders == {
        "police": {
            **ZERO,
            "due": 2,
            "made": 1,
            "on_time": 1,
            "overdue": 1,
            "pending": 1,
            "on_time_share": 0.5,
        },
        "witness_care": {**ZERO, "due": 1, "made": 1, "late": 1, "on_time_share": 0.0},
        "cps": {**ZERO, "due": 1, "made": 1, "on_time": 1, "on_time_share": 1.0},
        "total": {
            "due": 4,
            "made": 3,
            "on_time": 2,
            "late": 1,
            "overdue": 1,
            "pending": 1,
            "on_time_share": 0.5,
        },
    }


def test_updates_by_trigger(caseload):
    triggers = figures(tables(victims.build(recent()))["updates_by_trigger"])
    assert triggers["arrest"] == {**ZERO, "due": 1, "made": 1, "on_time": 1, "on_time_share": 1.0}
    assert triggers["hearing"] == {**ZERO, "due": 1, "made": 1, "late": 1, "on_time_share": 0.0}
    assert triggers["charge"] == {**ZERO, "due": 1, "overdue": 1, "on_time_share": 0.0}
    assert triggers["discontinued"]["on_time"] == 1
    assert triggers["no_further_action"] == {**ZERO, "pending": 1}
    assert triggers["sentence"] == ZERO
    assert triggers["total"]["due"] == 4


def test_support_for_victims(caseload):
    support = figures(tables(victims.build(recent()))["support"])
    assert {k: v["cases"] for k, v in support.items()} == {
        "total": 3,
        "enhanced": 1,
        "advocate_ever": 2,
        "advocate_now": 1,
        "safety_plan": 2,
        "safety_plan_reviewed": 1,
        "review_offered": 1,
        "review_requested": 1,
    }
    assert support["advocate_ever"]["share"] == round(2 / 3, 4)


def test_the_case_referred_long_ago_counts_without_a_period(caseload):
    built = tables(victims.build(Cohort()))
    assert figures(built["updates_by_duty_holder"])["police"]["on_time"] == 2
    assert figures(built["support"])["total"]["cases"] == 4


def test_an_agencys_reader_counts_only_the_cases_it_sees(caseload):
    a, _, c, _ = caseload
    built = tables(victims.build(reader_cohort(a, c)))
    holders = figures(built["updates_by_duty_holder"])
    assert holders["total"] == {
        "due": 2,
        "made": 2,
        "on_time": 1,
        "late": 1,
        "overdue": 0,
        "pending": 0,
        "on_time_share": 0.5,
    }
    assert holders["cps"] == ZERO
    support = figures(built["support"])
    assert (support["total"]["cases"], support["review_offered"]["cases"]) == (2, 0)


def test_queries_are_fixed_whatever_the_caseload(django_assert_num_queries, case):
    with django_assert_num_queries(3):
        victims.build(Cohort())
    for n in range(3):
        _owed(case(**people(n)), "arrest")
    with django_assert_num_queries(3):
        built = victims.build(Cohort())
    assert figures(tables(built)["updates_by_duty_holder"])["police"]["pending"] == 3
