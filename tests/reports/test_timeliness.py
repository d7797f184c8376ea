"""Days from referral to triage done, to research complete and to the first conference: the
median and 90th percentile over the cases that reached each step."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency
from conferences import services as conference_services
from conferences.models import AgendaItem, Conference
from referral.models import Referral
from reports.cohort import Cohort
from reports.sections import timeliness
from tests.reports.flow_cases import RESEARCH, accept, refer, research_all, user, work
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

THREAT = {"summary": "Fixated.", "risk_formulation": "Persistent.", "recommendations": "SPO."}


def _at(created: datetime, days: float) -> datetime:
    return created + timedelta(days=days)


def _place(referral_id: int, created: datetime, **steps) -> None:
    """Move the case's receipt and its steps' finish to hand-set times (days after receipt),
    viewflow's `finished` and the task's mirror of it alike."""
    Referral.objects.filter(pk=referral_id).update(created_at=created)
    if "triage" in steps:
        at = _at(created, steps["triage"])
        AgencyTask.objects.filter(referral_id=referral_id, task_type="triage").update(
            finished=at, completed_at=at
        )
    done = AgencyTask.objects.filter(
        referral_id=referral_id, task_type__in=timeliness.RESEARCH_TYPES, status="DONE"
    ).order_by("pk")
    for task, days in zip(done, steps.get("research", ()), strict=True):
        at = _at(created, days)
        AgencyTask.objects.filter(pk=task.pk).update(finished=at, completed_at=at)


JAN_5, JAN_20 = datetime(2026, 1, 5, 10, tzinfo=UTC), datetime(2026, 1, 20, 10, tzinfo=UTC)
FEB_3, FEB_10 = datetime(2026, 2, 3, 10, tzinfo=UTC), datetime(2026, 2, 10, 10, tzinfo=UTC)


@pytest.fixture
def caseload(demo):
    """Four cases: researched (Jan), heard at a conference (Jan, high risk), in research
    (Feb), untriaged (Feb)."""
    chair = user("hub.chair")
    meeting = conference_services.conference_create(
        actor=chair,
        title="January conference",
        starts_at=timezone.now() + timedelta(days=1),
        invited=list(Agency.objects.exclude(kind="oversight")),
    )
    researched, heard, researching, waiting = refer(), refer(yes=7), refer(), refer()
    accept(researched)
    research_all(researched)
    accept(heard, "high")
    research_all(heard)
    work("ftac.caseworker", "threat_assessment", heard, THREAT)
    assert AgendaItem.objects.filter(conference=meeting, referral_id=heard).exists()
    conference_services.conference_start(actor=chair, conference=meeting)
    accept(researching)
    work("police.caseworker", "research", researching, RESEARCH)

    _place(researched, JAN_5, triage=1, research=(3, 4, 5))
    _place(heard, JAN_20, triage=2, research=(6, 7, 8, 9))
    _place(researching, FEB_3, triage=0.5, research=(2,))
    _place(waiting, FEB_10)
    Conference.objects.filter(pk=meeting.pk).update(starts_at=_at(JAN_20, 12))
    return researched, heard, researching, waiting


def _rows(table):
    return {r.key: r.values for r in table.rows}


def test_median_and_90th_percentile_to_each_step(caseload):
    steps, months = timeliness.build(Cohort())
    assert steps.key == "time_to_step"
    assert _rows(steps) == {
        "triage": {"cases": 3, "median_days": 1.0, "p90_days": 1.8},
        "research": {"cases": 2, "median_days": 7.0, "p90_days": 8.6},
        "conference": {"cases": 1, "median_days": 12.0, "p90_days": 12.0},
    }
    assert months.key == "time_to_step_by_month"
    assert _rows(months) == {
        "2026-01": {
            "triage_cases": 2,
            "triage_median_days": 1.5,
            "research_cases": 2,
            "research_median_days": 7.0,
            "conference_cases": 1,
            "conference_median_days": 12.0,
        },
        "2026-02": {
            "triage_cases": 1,
            "triage_median_days": 0.5,
            "research_cases": 0,
            "research_median_days": None,
            "conference_cases": 0,
            "conference_median_days": None,
        },
    }


def test_the_cohort_cuts_by_period_and_agency(caseload, demo):
    steps, _ = timeliness.build(Cohort(since=date(2026, 2, 1)))
    assert _rows(steps)["triage"] == {"cases": 1, "median_days": 0.5, "p90_days": 0.5}
    assert _rows(steps)["research"]["cases"] == 0

    # The threat assessors see the one case they assessed.
    ftac = demo["ftac.caseworker"].agency.group_id
    steps, months = timeliness.build(Cohort(scope_group=ftac))
    assert _rows(steps) == {
        "triage": {"cases": 1, "median_days": 2.0, "p90_days": 2.0},
        "research": {"cases": 1, "median_days": 9.0, "p90_days": 9.0},
        "conference": {"cases": 1, "median_days": 12.0, "p90_days": 12.0},
    }
    assert list(_rows(months)) == ["2026-01"]


def test_one_query_whatever_the_cases(caseload, demo, django_assert_num_queries):
    for cohort in (
        Cohort(),
        Cohort(scope_group=demo["ftac.caseworker"].agency.group_id),
        Cohort(region="Nowhere"),
    ):
        with django_assert_num_queries(1):
            timeliness.build(cohort)


def test_the_portable_fallback_gives_postgresqls_figures(caseload):
    """Where there is no `percentile_cont` (SQLite), the cases' times are read and the same
    interpolation is done in Python."""
    assert timeliness._in_python(timeliness._delays(Cohort())) == timeliness._in_postgresql(
        Cohort()
    )
