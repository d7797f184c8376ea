"""Open and overdue tasks and conference actions, by agency; a case agency's reader sees its own
agency's row alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Agency
from conferences import services as conference_services
from conferences.models import ConferenceAction
from referral.models import Referral
from reports.cohort import Cohort
from reports.sections import workload
from tests.reports.flow_cases import accept, refer, user, work
from workflows import services
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(demo):
    """An accepted case in research with two conference actions (police's overdue, probation's
    done) and an untriaged case whose triage is overdue."""
    chair = user("hub.chair")
    researching, untriaged = refer(), refer()
    accept(researching)
    meeting = conference_services.conference_create(
        actor=chair,
        title="Conference",
        starts_at=timezone.now() + timedelta(hours=1),
        invited=list(Agency.objects.exclude(kind="oversight")),
    )
    item = conference_services.agenda_add(
        referral=Referral.objects.get(pk=researching), conference_id=meeting.pk, actor=chair
    )
    conference_services.conference_start(actor=chair, conference=meeting)
    week = timezone.localdate() + timedelta(days=7)
    for slug in ("police", "probation"):
        services.action_assign(
            actor=chair,
            conference=meeting,
            item_id=item.pk,
            agency=Agency.objects.get(slug=slug),
            description=f"{slug} to act",
            due=week,
        )
    work("probation.caseworker", "action", researching, {"outcome": "done"})

    past = timezone.now() - timedelta(days=2)
    police_action = ConferenceAction.objects.get(agency__slug="police")
    ConferenceAction.objects.filter(pk=police_action.pk).update(
        due=timezone.localdate() - timedelta(days=2)
    )
    AgencyTask.objects.filter(pk=police_action.task_id).update(due=past, escalated_at=past)
    AgencyTask.objects.filter(referral_id=untriaged, task_type="triage").update(due=past)
    AgencyTask.objects.filter(
        referral_id=researching, task_type="research", agency__slug="advocacy"
    ).update(due=past)
    return researching, untriaged


def _rows(table):
    return {r.key: r.values for r in (*table.rows, table.total)}


def test_open_and_overdue_work_by_agency(caseload):
    (table,) = workload.build(Cohort())
    assert table.key == "overdue_by_agency"
    # Police: its research (due later) and its overdue action's task; the hub: the overdue
    # triage; probation's action is done; advocacy's research is overdue.
    assert _rows(table) == {
        "police": {
            "open": 2,
            "overdue": 1,
            "overdue_share": 0.5,
            "escalated": 1,
            "actions_open": 1,
            "actions_overdue": 1,
            "actions_overdue_share": 1.0,
        },
        "probation": {
            "open": 1,
            "overdue": 0,
            "overdue_share": 0.0,
            "escalated": 0,
            "actions_open": 0,
            "actions_overdue": 0,
            "actions_overdue_share": None,
        },
        "advocacy": {
            "open": 1,
            "overdue": 1,
            "overdue_share": 1.0,
            "escalated": 0,
            "actions_open": 0,
            "actions_overdue": 0,
            "actions_overdue_share": None,
        },
        "hub": {
            "open": 1,
            "overdue": 1,
            "overdue_share": 1.0,
            "escalated": 0,
            "actions_open": 0,
            "actions_overdue": 0,
            "actions_overdue_share": None,
        },
        "total": {
            "open": 5,
            "overdue": 3,
            "overdue_share": 0.6,
            "escalated": 1,
            "actions_open": 1,
            "actions_overdue": 1,
            "actions_overdue_share": 1.0,
        },
    }
    assert [r.label for r in table.rows] == sorted(r.label for r in table.rows)


def test_a_case_agencys_reader_sees_its_own_row_of_its_own_cases(caseload, demo):
    probation = demo["probation.caseworker"].agency.group_id
    (table,) = workload.build(Cohort(scope_group=probation))
    assert list(_rows(table)) == ["probation", "total"]
    assert _rows(table)["total"]["open"] == 1

    police = demo["police.caseworker"].agency.group_id
    (table,) = workload.build(Cohort(scope_group=police))
    assert list(_rows(table)) == ["police", "total"]


def test_only_work_on_the_periods_cases_counts(caseload):
    researching, untriaged = caseload
    Referral.objects.filter(pk=untriaged).update(created_at=timezone.now() - timedelta(days=40))
    (table,) = workload.build(Cohort(since=timezone.localdate() - timedelta(days=10)))
    assert "hub" not in _rows(table)
    assert _rows(table)["total"]["open"] == 4


def test_two_queries_whatever_the_cases(caseload, demo, django_assert_num_queries):
    for cohort in (
        Cohort(),
        Cohort(scope_group=demo["police.caseworker"].agency.group_id),
        Cohort(region="Nowhere"),
    ):
        with django_assert_num_queries(2):
            workload.build(cohort)
