"""Inbox and queue use the same number of queries for 1 task and for 60."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Process

from config.rest import CountingPaginator
from referral.access import involvement_grant
from referral.models import InvolvementBasis, Person, Referral
from workflows.api import inbox_counted
from workflows.flows import ReferralFlow
from workflows.models import AgencyTask, CaseProcess

pytestmark = pytest.mark.django_db


def _bulk_tasks(demo, n, start, *, owner=None):
    hub = demo["hub.caseworker"].agency
    police = demo["police.caseworker"]
    for i in range(start, start + n):
        referral = Referral.objects.create(
            reference=f"STK-2097-{i:06d}",
            referrer_agency=police.agency,
            referred_by=police.user,
            victim=Person.objects.create(name="V"),
            suspect=Person.objects.create(name="S"),
        )
        process = CaseProcess.objects.create(flow_class=ReferralFlow, referral=referral)
        task = AgencyTask.objects.create(
            process=process,
            flow_task=ReferralFlow.triage,
            flow_task_type="HUMAN",
            status="ASSIGNED" if owner else "NEW",
            owner=owner,
            agency=hub,
            referral=referral,
            task_type="triage",
            is_open=True,
            in_queue=owner is None,
            due=referral.created_at,
        )
        # What the node does for every task it creates: its agency may see the case.
        involvement_grant(referral=referral, agency=hub, basis=InvolvementBasis.TASK,
                          source=str(task.pk))
    assert Process.objects.count() >= n


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response.json()


@pytest.mark.parametrize("scope,owned", [("queue", False), ("mine", True), ("overdue", False)])
def test_inbox_scopes_are_constant(demo, as_user, scope, owned):
    """Empty, one task or 60: the same queries (an empty first page counts nothing)."""
    owner = demo["hub.caseworker"].user if owned else None
    client = as_user("hub.caseworker")
    none, body = _queries(client, f"/api/v1/tasks/?scope={scope}&page_size=500")
    assert (body["count"], body["results"], body["next"]) == (0, [], None)
    _bulk_tasks(demo, 1, 0, owner=owner)
    one, body = _queries(client, f"/api/v1/tasks/?scope={scope}&page_size=500")
    assert body["count"] == 1
    _bulk_tasks(demo, 59, 1, owner=owner)
    many, body = _queries(client, f"/api/v1/tasks/?scope={scope}&page_size=500")
    assert body["count"] == 60 and len(body["results"]) == 60
    assert none == one == many


def test_inbox_reads_its_page_and_count_in_one_query(demo, as_user):
    """The count comes with the page (a subquery of it); a page past the end is still a 404."""
    client = as_user("hub.caseworker")
    _bulk_tasks(demo, 7, 0)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/tasks/?scope=queue&page_size=3&page=2").json()
    assert (body["count"], len(body["results"])) == (7, 3)
    assert "page=3" in body["next"]
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    last = client.get("/api/v1/tasks/?scope=queue&page_size=3&page=3").json()
    assert (last["count"], len(last["results"]), last["next"]) == (7, 1, None)
    assert client.get("/api/v1/tasks/?scope=queue&page_size=3&page=4").status_code == 404
    assert client.get("/api/v1/tasks/?scope=queue&page=0").status_code == 404
    assert client.get("/api/v1/tasks/?scope=mine&page=2").status_code == 404  # none at all


@pytest.mark.parametrize("scope", ["mine", "queue", "overdue"])
def test_inbox_pages_are_the_scopes_tasks_in_order(demo, as_user, scope):
    """The API's pages hold what `task_list` holds, overdue first then by due date, whoever
    owns, is excluded from or cannot claim the other tasks."""
    from datetime import timedelta

    from django.utils import timezone

    from workflows.selectors import task_list

    member = demo["hub.caseworker"]
    _bulk_tasks(demo, 6, 0)
    _bulk_tasks(demo, 4, 6, owner=member.user)
    tasks = list(AgencyTask.objects.filter(referral__reference__startswith="STK-2097-"))
    now = timezone.now()
    for n, task in enumerate(tasks):
        task.due = now + timedelta(days=(n % 3) - 1, hours=n)  # past, soon and later
        task.role = "supervisor" if n == 1 else task.role
        task.excluded_user = member.user if n == 2 else None
        task.save(update_fields=["due", "role", "excluded_user"])
    client = as_user("hub.caseworker")
    expected = list(task_list(user=member.user, scope=scope).values_list("id", flat=True))
    assert expected, "each scope holds some of these tasks"
    seen, page = [], 1
    while True:
        response = client.get(f"/api/v1/tasks/?scope={scope}&page_size=4&page={page}")
        if response.status_code != 200:
            break
        assert response.json()["count"] == len(expected)
        seen += [row["id"] for row in response.json()["results"]]
        page += 1
    assert response.status_code == 404
    assert seen == expected


def test_mine_walks_the_open_tasks_of_its_owner_not_all_they_ever_had(demo):
    """`scope=mine` reads the open tasks' owner index (migration 0004), not every task the member
    ever owned nor every open task of the agency: either grows with the caseload's history."""
    from workflows import selectors

    hub = demo["hub.caseworker"]
    _bulk_tasks(demo, 300, 0, owner=hub.user)
    _bulk_tasks(demo, 300, 300)  # the agency's queue, nobody's yet
    owned = AgencyTask.objects.filter(owner=hub.user).order_by("pk")
    AgencyTask.objects.filter(pk__in=list(owned.values_list("pk", flat=True)[1:])).update(
        status="DONE", is_open=False
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE viewflow_task, workflows_agencytask")
    mine = selectors.task_list(user=hub.user, scope="mine")
    plan = inbox_counted(mine).explain()
    assert "task_open_owner_idx" in plan, plan
    assert len(inbox_counted(mine)[0:50]) == 1


def _scanned(plan: dict, table: str) -> int:
    """How many rows the plan's scans of `table` returned, all loops counted, leaving out its
    subqueries (the count's)."""
    found = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == table else 0
    return found + sum(
        _scanned(child, table) for child in plan.get("Plans", [])
        if child.get("Parent Relationship") not in ("InitPlan", "SubPlan")
    )


def _plan(rows) -> dict:
    """EXPLAIN ANALYZE of a page, sorting and sequential scans switched off so that the planner
    shows whether the statement can stream at all, as it does at scale."""
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (document,) = cursor.fetchone()
    return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def test_the_overdue_page_stops_after_its_rows(demo):
    """A page of 5 from 60 overdue tasks reads a handful of them, not the 60: its order is
    one the task index gives and its count a subquery of its own (`COUNT(*) OVER ()` had to
    join and sort the whole scope first)."""
    from workflows import selectors

    hub = demo["hub.caseworker"]
    _bulk_tasks(demo, 60, 0)
    page = inbox_counted(selectors.task_list(user=hub.user, scope="overdue"))[:5]
    plan = _plan(page)
    assert _scanned(plan, "workflows_agencytask") <= 10, plan
    assert len(page) == 5 and {getattr(t, CountingPaginator.TOTAL) for t in page} == {60}


def test_the_queue_page_joins_viewflow_for_its_rows_only(demo):
    """The queue is counted and ordered from our task table (`in_queue`, migration 0005): a page
    of 5 from 60 queued tasks, beside 60 claimed ones, reads viewflow's task rows for its 5,
    where filtering on viewflow's owner and status read them for every open task."""
    from workflows import selectors

    hub = demo["hub.caseworker"]
    _bulk_tasks(demo, 60, 0)
    _bulk_tasks(demo, 60, 60, owner=demo["hub.supervisor"].user)
    page = inbox_counted(selectors.task_list(user=hub.user, scope="queue"))[:5]
    plan = _plan(page)
    assert _scanned(plan, "viewflow_task") <= 10, plan
    assert len(page) == 5 and {getattr(t, CountingPaginator.TOTAL) for t in page} == {60}


def test_notifications_list_is_constant(demo, as_user):
    """The notifications page (page, count, unread) asks the same for 1 notice and for 60:
    the benchmark's 10-referral caseload has none, so its figure cannot compare them."""
    from workflows.models import Notification

    member = demo["hub.caseworker"]
    client = as_user("hub.caseworker")
    _bulk_tasks(demo, 60, 0)
    tasks = list(AgencyTask.objects.filter(referral__reference__startswith="STK-2097-"))

    def notify(chosen):
        Notification.objects.bulk_create(
            Notification(user=member.user, kind="queued", task=t, text="Triage is queued.")
            for t in chosen
        )

    notify(tasks[:1])
    one, body = _queries(client, "/api/v1/notifications/?page_size=100")
    assert (body["count"], body["unread"]) == (1, 1)
    notify(tasks[1:])
    many, body = _queries(client, "/api/v1/notifications/?page_size=100")
    assert (body["count"], len(body["results"]), body["unread"]) == (60, 60, 60)
    assert one == many


def test_task_detail_is_constant(demo, as_user):
    """One task's detail asks the same whatever else its agency holds (the benchmark's
    10-referral caseload has no open task for its figure to compare)."""
    client = as_user("hub.caseworker")
    _bulk_tasks(demo, 1, 0)
    task = AgencyTask.objects.get(referral__reference="STK-2097-000000")
    one, body = _queries(client, f"/api/v1/tasks/{task.pk}/")
    assert body["id"] == task.pk and body["form"]
    _bulk_tasks(demo, 40, 1)
    _bulk_tasks(demo, 20, 41, owner=demo["hub.caseworker"].user)
    many, _ = _queries(client, f"/api/v1/tasks/{task.pk}/")
    assert one == many
