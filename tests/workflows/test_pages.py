"""The task pages: inbox tabs, claiming, a task's generated form, notifications, the bell."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from agencies.selectors import membership_of
from referral.models import Referral
from tests.workflows.test_queries import _bulk_tasks
from workflows import services, task_schemas
from workflows.context_processors import notifications
from workflows.forms import TaskForm
from workflows.models import AgencyTask, Notification

pytestmark = pytest.mark.django_db

INBOX = "/workspace/tasks/"
NOTIFICATIONS = "/workspace/tasks/notifications/"


def task_url(task_id) -> str:
    return f"/workspace/tasks/{task_id}/"


def _task(referral_id, task_type, **filters):
    return AgencyTask.objects.get(
        referral_id=referral_id, task_type=task_type, is_open=True, **filters
    )


def field_error(response, field: str, message: str) -> bool:
    return f'data-testid="error-{field}">{escape(message)}</p>' in response.content.decode()


def row_ids(response) -> list[int]:
    return [
        int(i)
        for i in re.findall(r'data-testid="task-row" data-task="(\d+)"', response.content.decode())
    ]


@pytest.fixture
def signed_in(demo):
    """signed_in("hub.caseworker") -> a page client signed in as that demo account."""

    def make(username):
        client = Client()
        client.force_login(demo[username].user)
        return client

    return make


@pytest.fixture
def hub(signed_in):
    return signed_in("hub.caseworker")


# --- The inbox -------------------------------------------------------------------------------


def test_pages_need_sign_in(client):
    for url in (INBOX, task_url(1), NOTIFICATIONS):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_tabs_list_the_right_tasks(refer, hub, signed_in):
    case = refer()
    task = _task(case["id"], "triage")

    queue = hub.get(INBOX + "?scope=queue")
    assert queue.status_code == 200
    assert row_ids(queue) == [task.pk]
    html = queue.content.decode()
    assert case["reference"] in html and "Triage" in html
    assert f'href="/workspace/referrals/{case["id"]}/"' in html  # the case page
    assert 'data-testid="claim"' in html
    assert hub.get(INBOX).context["rows"] == []  # mine: nothing claimed yet

    police = signed_in("police.caseworker")
    for scope in ("mine", "queue", "overdue"):
        response = police.get(f"{INBOX}?scope={scope}")
        assert response.status_code == 200 and task.pk not in row_ids(response)
        assert case["reference"] not in response.content.decode()


def test_overdue_first_with_badge_and_escalated_flag(refer, hub):
    later = refer()
    sooner = refer(suspect={"name": "Carl Other", "date_of_birth": "1980-01-01", "aliases": []})
    on_time = _task(later["id"], "triage")
    late = _task(sooner["id"], "triage")
    AgencyTask.objects.filter(pk=on_time.pk).update(due=timezone.now() + timedelta(days=2))
    AgencyTask.objects.filter(pk=late.pk).update(
        due=timezone.now() - timedelta(hours=1), escalated_at=timezone.now()
    )

    response = hub.get(INBOX + "?scope=queue")
    assert row_ids(response) == [late.pk, on_time.pk]
    rows = response.context["rows"]
    assert rows[0]["overdue"] and rows[0]["escalated"]
    assert not rows[1]["overdue"] and not rows[1]["escalated"]
    html = response.content.decode()
    assert html.count('data-testid="overdue-badge"') == 1
    assert html.count('data-testid="escalated-flag"') == 1
    assert row_ids(hub.get(INBOX + "?scope=overdue")) == [late.pk]


def test_queue_page_queries_are_constant(demo, hub):
    url = INBOX + "?scope=queue"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = hub.get(url)
        assert response.status_code == 200
        return len(ctx), response

    hub.get(url)  # the session's first request also saves it
    _bulk_tasks(demo, 1, 0)
    one, response = count()
    assert len(response.context["rows"]) == 1
    _bulk_tasks(demo, 34, 1)
    many, response = count()
    assert len(response.context["rows"]) == 25
    assert response.context["paginator"].count == 35
    assert one == many
    assert len(hub.get(url + "&page=2").context["rows"]) == 10


# --- Claiming --------------------------------------------------------------------------------


def test_claim_from_the_queue(refer, demo, hub, signed_in):
    case = refer()
    task = _task(case["id"], "triage")
    response = hub.post(f"{task_url(task.pk)}claim/", {"next": INBOX + "?scope=queue"})
    assert response.status_code == 302 and response["Location"] == task_url(task.pk)
    task.refresh_from_db()
    assert task.owner == demo["hub.caseworker"].user
    assert row_ids(hub.get(INBOX)) == [task.pk]
    assert row_ids(hub.get(INBOX + "?scope=queue")) == []

    # Someone who was a moment too late is told so, on the queue, not shown an error page.
    late = signed_in("hub.supervisor")
    response = late.post(
        f"{task_url(task.pk)}claim/", {"next": INBOX + "?scope=queue"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == INBOX + "?scope=queue"
    assert "Someone else took this task" in response.content.decode()
    task.refresh_from_db()
    assert task.owner == demo["hub.caseworker"].user


def test_claim_ignores_a_next_on_another_site(refer, demo, hub):
    task = _task(refer()["id"], "triage")
    services.task_claim(actor=demo["hub.chair"].user, task_id=task.pk)
    response = hub.post(f"{task_url(task.pk)}claim/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == INBOX + "?scope=queue"


def test_claim_release_and_buttons_on_the_task_page(refer, demo, hub):
    task = _task(refer()["id"], "triage")
    page = hub.get(task_url(task.pk)).content.decode()
    assert 'data-testid="claim"' in page and 'data-testid="task-form"' not in page
    assert 'data-testid="reassign-form"' not in page  # a caseworker may not reassign

    hub.post(f"{task_url(task.pk)}claim/")
    page = hub.get(task_url(task.pk)).content.decode()
    assert 'data-testid="claim"' not in page
    assert 'data-testid="release"' in page and 'data-testid="task-form"' in page

    response = hub.post(f"{task_url(task.pk)}release/")
    assert response.status_code == 302 and response["Location"] == INBOX
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"


def test_supervisor_reassigns_by_choosing_a_member(refer, demo, signed_in):
    """The list offers the members of the agency who may take the task, by name; anyone else
    posted is refused beside the field."""
    task = _task(refer()["id"], "triage")
    supervisor = signed_in("hub.supervisor")
    html = supervisor.get(task_url(task.pk)).content.decode()
    assert 'data-testid="reassign-form"' in html
    offered = re.findall(r'<option value="([^"]+)"', html.split('data-testid="reassign-form"')[1])
    assert set(offered) == {"hub.caseworker", "hub.supervisor", "hub.chair"}

    response = supervisor.post(
        task_url(task.pk), {"action": "reassign", "username": "cps.caseworker"}
    )
    assert response.status_code == 200
    assert field_error(response, "username", "Choose a member from the list.")
    assert "<title>Error: " in response.content.decode()

    response = supervisor.post(task_url(task.pk), {"action": "reassign", "username": "hub.chair"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == demo["hub.chair"].user


# --- Completing through the form -------------------------------------------------------------


def test_the_form_follows_the_schema(refer, hub):
    task = _task(refer()["id"], "triage")
    hub.post(f"{task_url(task.pk)}claim/")
    response = hub.get(task_url(task.pk))
    html = response.content.decode()
    schema = task_schemas.schema_for("triage")
    assert escape(schema["title"]) in html
    for value in schema["properties"]["decision"]["enum"]:
        assert f'name="decision" value="{value}"' in html
    # The labels and hints the task declares, not ones made from its keys.
    assert "Ask the referring agency for more information" in html
    assert "Why is this not stalking?" in html and "Not stalking reason" not in html
    assert "the four warning signs" in html
    assert '<textarea name="reason"' in html
    # The risk starts from the case's.
    assert re.search(r'name="risk_level" value="standard"[^>]*checked', html)


def test_completing_triage_moves_the_flow_on(refer, hub, signed_in):
    case = refer()
    task = _task(case["id"], "triage")
    hub.post(f"{task_url(task.pk)}claim/")
    response = hub.post(
        task_url(task.pk),
        {"decision": "accept", "risk_level": "high", "reason": "", "classification": ""},
    )
    assert response.status_code == 302 and response["Location"] == INBOX
    task.refresh_from_db()
    assert not task.is_open and task.status == "DONE"
    assert task.data["result"] == {"decision": "accept", "risk_level": "high"}
    assert "Triage on " + case["reference"] + " is done." in hub.get(INBOX).content.decode()

    research = _task(case["id"], "research", agency__slug="police")
    queue = signed_in("police.caseworker").get(INBOX + "?scope=queue")
    assert research.pk in row_ids(queue)
    assert "Research own records" in queue.content.decode()
    # The finished task shows its outcome and no form.
    page = hub.get(task_url(task.pk)).content.decode()
    assert 'data-testid="task-result"' in page and 'data-testid="task-form"' not in page


def test_a_bad_form_shows_the_error_by_the_field_and_keeps_the_input(refer, hub):
    task = _task(refer()["id"], "triage")
    hub.post(f"{task_url(task.pk)}claim/")
    response = hub.post(task_url(task.pk), {"decision": "decline", "risk_level": "medium"})
    assert response.status_code == 200
    assert field_error(response, "reason", "A decline needs a written reason.")
    html = response.content.decode()
    assert re.search(r'name="decision" value="decline"[^>]*checked', html)
    assert re.search(r'name="risk_level" value="medium"[^>]*checked', html)
    task.refresh_from_db()
    assert task.is_open and task.status == "ASSIGNED"

    response = hub.post(task_url(task.pk), {"risk_level": "medium"})
    assert field_error(response, "decision", "Answer \u201cWhat do you decide?\u201d")


def test_only_the_owner_may_complete(refer, hub, signed_in):
    task = _task(refer()["id"], "triage")
    response = hub.post(
        task_url(task.pk), {"decision": "accept", "risk_level": "high"}, follow=True
    )
    assert "Claim this task before completing it." in response.content.decode()
    hub.post(f"{task_url(task.pk)}claim/")
    other = signed_in("hub.chair")
    assert 'data-testid="task-form"' not in other.get(task_url(task.pk)).content.decode()
    other.post(task_url(task.pk), {"decision": "accept", "risk_level": "high"})
    task.refresh_from_db()
    assert task.is_open


def test_form_values_become_the_schemas_json_types():
    schema = task_schemas.schema_for("closure")
    form = TaskForm(
        {
            "charged": "no",
            "not_charged_reason": "Withdrawn",
            "convicted": "unknown",
            "sentence": "",
            "protective_order": "yes",
            "victim_informed": "yes",
            "summary": "Closed.",
        },
        schema=schema,
    )
    assert form.is_valid(), form.errors
    assert form.payload() == {
        "charged": False,
        "not_charged_reason": "Withdrawn",
        "convicted": None,
        "protective_order": True,
        "victim_informed": True,
        "summary": "Closed.",
    }
    form = TaskForm({"conference": "7"}, schema=task_schemas.schema_for("schedule_conference"))
    assert form.is_valid() and form.payload() == {"conference": 7}


def test_another_agencys_task_is_404(refer, signed_in):
    task = _task(refer()["id"], "triage")
    police = signed_in("police.caseworker")
    assert police.get(task_url(task.pk)).status_code == 404
    assert police.post(f"{task_url(task.pk)}claim/").status_code == 404
    assert police.post(f"{task_url(task.pk)}release/").status_code == 404
    assert police.post(task_url(task.pk), {"decision": "accept"}).status_code == 404
    assert police.get(task_url(999999)).status_code == 404
    task.refresh_from_db()
    assert task.owner_id is None


def test_context_is_shown_escaped(refer, demo, hub):
    case = refer()
    hub_agency = demo["hub.caseworker"].agency
    task = services.case_task_start(
        referral=Referral.objects.get(pk=case["id"]),
        task_type="victim_update",
        agency=hub_agency,
        due=timezone.now() + timedelta(days=1),
        context={"reason": "<script>alert(1)</script>"},
    )
    html = hub.get(task_url(task.pk)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert escape("<script>alert(1)</script>") in html


# --- Notifications ---------------------------------------------------------------------------


def test_notifications_page_bell_and_mark_all_read(refer, hub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = refer()
    notice = Notification.objects.get(user__username="hub.caseworker")
    assert notice.read_at is None

    inbox = hub.get(INBOX)
    assert inbox.context["unread_notifications"] == 1
    assert re.search(r'data-testid="unread-count"[^>]*>1</span>', inbox.content.decode())

    page = hub.get(NOTIFICATIONS)
    html = page.content.decode()
    assert page.status_code == 200 and escape(notice.text) in html
    assert case["reference"] in html and f'href="{task_url(notice.task_id)}"' in html
    assert 'data-testid="mark-all-read"' in html

    response = hub.post(NOTIFICATIONS + "read/")
    assert response.status_code == 302 and response["Location"] == NOTIFICATIONS
    notice.refresh_from_db()
    assert notice.read_at is not None
    page = hub.get(NOTIFICATIONS)
    assert page.context["unread_notifications"] == 0
    assert 'data-testid="unread-count"' not in page.content.decode()
    assert "1 notification marked as read." in page.content.decode()


def test_the_unread_count_costs_one_query(demo):

    request = type("Request", (), {"user": demo["hub.caseworker"].user})()
    membership_of(request.user)
    with CaptureQueriesContext(connection) as ctx:
        assert notifications(request) == {"unread_notifications": 0}
    assert len(ctx) == 1
