"""The task pages as their users meet them: forms labelled and explained by the task, answered in
one round, pre-set from the case; the case shown; reassignment by name; the inbox's filters and
sorts, at a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conferences.models import Conference
from referral.models import Referral
from tests.referral.factories import answers, payload
from workflows import labels, services, task_schemas
from workflows.forms import TaskForm
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

INBOX = "/workspace/tasks/"


def task_url(task_id) -> str:
    return f"/workspace/tasks/{task_id}/"


def _task(referral_id, task_type, **filters):
    return AgencyTask.objects.get(
        referral_id=referral_id, task_type=task_type, is_open=True, **filters
    )


@pytest.fixture
def signed_in(demo):
    def make(username):
        client = Client()
        client.force_login(demo[username].user)
        return client

    return make


@pytest.fixture
def claimed_triage(refer, signed_in):
    """(case, task, the hub caseworker's client) with the triage claimed."""
    case = refer()
    task = _task(case["id"], "triage")
    hub = signed_in("hub.caseworker")
    hub.post(f"{task_url(task.pk)}claim/")
    return case, task, hub


def summary_links(html: str) -> list[tuple[str, str]]:
    summary = html.split('class="concord-error-summary"')[1].split("</div>")[0]
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary)


# --- Labels and hints declared by the task ----------------------------------------------------


@pytest.mark.parametrize("task_type", sorted(task_schemas.SCHEMAS))
def test_every_field_of_every_task_has_a_written_label(task_type):
    schema = task_schemas.schema_for(task_type, agency_kind="police")
    assert schema["title"]
    for name, spec in schema["properties"].items():
        assert spec.get("title"), (task_type, name)
        if "enum" in spec or spec.get("type") == "boolean":
            labels_ = spec[task_schemas.LABELS]
            assert set(labels_) == ({"true", "false"} if spec.get("type") == "boolean"
                                    else set(spec["enum"]))
            assert all(label != value for value, label in labels_.items())


def test_the_api_form_carries_the_labels_and_hints(refer, as_user):
    case = refer()
    task = _task(case["id"], "triage")
    form = as_user("hub.caseworker").get(f"/api/v1/tasks/{task.pk}/").json()["form"]
    reason = form["properties"]["not_stalking_reason"]
    assert reason["title"] == "Why is this not stalking?"
    assert "Required if you answer" in reason["description"]
    assert form["properties"]["decision"]["enum"] == ["accept", "request_info", "decline"]
    assert form["properties"]["decision"][task_schemas.LABELS]["decline"].startswith("Decline")


def test_the_charging_form_shows_labels_not_codes():
    form = TaskForm(schema=task_schemas.schema_for("charging_review"))
    form_html = "".join(str(field) for field in form)
    assert "More evidence needed" in form_html and "No further action" in form_html
    assert " more_evidence<" not in form_html and "More evidence<" not in form_html
    assert labels.verb_label("charging_review.more_evidence") == (
        "Charging review: More evidence needed"
    )
    assert labels.verb_label("approve_decline.refused") == "Decline refused"


# --- Choices pre-set from the case ------------------------------------------------------------


def test_triage_starts_from_the_cases_risk_and_classification(refer, signed_in):
    case = refer(yes=9)  # the screening gives high
    assert Referral.objects.get(pk=case["id"]).risk_level == "high"
    task = _task(case["id"], "triage")
    hub = signed_in("hub.caseworker")
    hub.post(f"{task_url(task.pk)}claim/")
    html = hub.get(task_url(task.pk)).content.decode()
    assert re.search(r'name="risk_level" value="high"[^>]*checked', html)
    assert not re.search(r'name="risk_level" value="standard"[^>]*checked', html)
    assert re.search(r'name="classification" value="stalking"[^>]*checked', html)


# --- One round --------------------------------------------------------------------------------


def test_every_error_is_answered_in_one_round_in_the_summary(claimed_triage):
    """No risk level (the form's check), a decline without a reason and 'not stalking' without
    saying why (the task's rules): all three at once, each a link to its field."""
    case, task, hub = claimed_triage
    response = hub.post(task_url(task.pk), {"decision": "decline", "classification": "other"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Triage" in html
    links = summary_links(html)
    assert ("id_risk_level_0", "Risk level: Choose the risk level.") in links
    assert ("id_reason", "Reason: A decline needs a written reason.") in links
    assert ("id_not_stalking_reason",
            "Why is this not stalking?: Say why this is not stalking.") in links
    assert len(links) == 3
    for anchor, _ in links:
        assert f'id="{anchor}"' in html
    task.refresh_from_db()
    assert task.is_open

    # Corrected at once, it goes through.
    done = hub.post(task_url(task.pk), {
        "decision": "decline", "classification": "other", "risk_level": "standard",
        "reason": "Neighbour dispute over parking, no fixation.",
        "not_stalking_reason": "Two contacts, both about parking.",
    })
    assert done.status_code == 302


def test_the_services_error_joins_the_same_summary(as_user, signed_in, refer):
    """Police refer A; advocacy and then probation refer the same people, each not involved in
    the others: the hub must say which of two referrals the third merges into, which only the
    service can tell; its answer is in the page's error summary."""
    refer()
    body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(2)})
    assert as_user("advocacy.caseworker").post("/api/v1/referrals/", body,
                                               format="json").status_code == 201
    body.pop("victim_contact")  # probation may not record it
    third = as_user("probation.caseworker").post("/api/v1/referrals/", body, format="json")
    assert third.status_code == 201, third.content
    task = _task(third.json()["id"], "link_referrals")
    hub = signed_in("hub.caseworker")
    hub.post(f"{task_url(task.pk)}claim/")
    html = hub.get(task_url(task.pk)).content.decode()
    offered = re.findall(r'name="into" value="\d+"[^>]*>\s*<span>([^<]+)<', html)
    assert len(offered) == 2 and all(o.startswith("STK-") for o in offered)
    response = hub.post(task_url(task.pk), {"decision": "merge", "reason": "Same people."})
    html = response.content.decode()
    assert response.status_code == 200
    assert [m for _, m in summary_links(html)] and "One of:" in html
    assert "<title>Error: " in html
    assert Referral.objects.get(pk=third.json()["id"]).is_open


# --- The case on the task page ----------------------------------------------------------------


def test_the_task_page_shows_its_case(refer, work, signed_in):
    case = refer(summary="Calls at night; waits outside the victim's work.")
    work("hub.caseworker", "triage", case["id"], {"decision": "accept", "risk_level": "high"})
    task = _task(case["id"], "research", agency__slug="police")
    html = signed_in("police.caseworker").get(task_url(task.pk)).content.decode()
    card = html.split('data-testid="task-case"')[1].split("</section>")[0]
    assert case["reference"] in card and "High" in card
    assert "Calls at night; waits outside the victim&#x27;s work." in card
    assert "Alice Example" in card and "Bob Sample" in card
    assert "07700" not in card  # never the contact details


# --- Reassigning ------------------------------------------------------------------------------


def test_reassigning_lists_members_by_name_and_role(refer, demo, signed_in):
    user = demo["hub.chair"].user
    user.first_name, user.last_name = "Charlotte", "Chair"
    user.save(update_fields=["first_name", "last_name"])
    task = _task(refer()["id"], "triage")
    supervisor = signed_in("hub.supervisor")
    html = supervisor.get(task_url(task.pk)).content.decode()
    assert '<option value="hub.chair">Charlotte Chair \u2014 Conference chair</option>' in html
    response = supervisor.post(task_url(task.pk), {"action": "reassign", "username": "hub.chair"},
                               follow=True)
    assert "The task is now with Charlotte Chair." in response.content.decode()
    task.refresh_from_db()
    assert task.owner == user


# --- The inbox: tasks told apart, filters, sorts, queries -------------------------------------


def _minutes_task(demo, title, days):
    hub = demo["hub.chair"]
    conference = Conference.objects.create(
        title=title, starts_at=timezone.now() - timedelta(days=days), chair=hub.user,
        coordinator=hub.agency, status=Conference.Status.CLOSED,
    )
    return services.case_task_start(
        referral=None, task_type="minutes_distribution", agency=hub.agency,
        due=timezone.now() + timedelta(days=3), context={"conference": conference.pk},
    )


def test_two_minutes_tasks_are_told_apart_by_their_meeting(demo, signed_in):
    _minutes_task(demo, "North hub MARAC", 1)
    _minutes_task(demo, "South hub MARAC", 2)
    html = signed_in("hub.chair").get(INBOX, {"scope": "queue"}).content.decode()
    subjects = re.findall(r'data-testid="task-subject">([^<]+)<', html)
    assert len(subjects) == 2 and len(set(subjects)) == 2
    assert any(s.startswith("North hub MARAC, ") for s in subjects)


def row_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="task-row" data-task="(\d+)"',
                                       response.content.decode())]


def test_inbox_filters_and_sorts(refer, demo, signed_in):
    low = refer(yes=0)
    high = refer(yes=9, victim={"name": "Hana High", "date_of_birth": "1992-02-02"})
    _minutes_task(demo, "Hub MARAC", 1)
    low_task, high_task = _task(low["id"], "triage"), _task(high["id"], "triage")
    AgencyTask.objects.filter(pk=low_task.pk).update(due=timezone.now() - timedelta(hours=1))
    hub = signed_in("hub.chair")  # a chair may take caseworkers' tasks and the minutes

    def queue(**params):
        return row_ids(hub.get(INBOX, {"scope": "queue", **params}))

    assert set(queue(task_type="triage")) == {low_task.pk, high_task.pk}
    assert len(queue()) == 3
    assert queue(reference=high["reference"][-6:]) == [high_task.pk]
    assert queue(risk_level="high") == [high_task.pk]
    assert queue(due="overdue") == [low_task.pk]
    assert queue(task_type="triage", sort="risk") == [high_task.pk, low_task.pk]
    assert queue(task_type="triage")[0] == low_task.pk  # overdue first by default
    html = hub.get(INBOX, {"scope": "queue", "risk_level": "high"}).content.decode()
    assert "1 task fits" in html
    assert '<option value="minutes_distribution">Distribute the minutes</option>' in html
    bad = hub.get(INBOX, {"scope": "queue", "due": "someday"}).content.decode()
    assert "<title>Error: " in bad and 'href="#id_due"' in bad


@pytest.mark.parametrize("params", [
    {"scope": "queue"},
    {"scope": "queue", "task_type": "triage", "sort": "risk"},
    {"scope": "overdue", "due": "overdue", "risk_level": "standard"},
    {"scope": "mine", "reference": "STK", "sort": "reference"},
])
def test_inbox_queries_do_not_grow_with_the_tasks(refer, demo, signed_in, params):
    hub = signed_in("hub.chair")

    def inbox():
        response = hub.get(INBOX, params)
        assert response.status_code == 200

    def more(n, start):
        for i in range(start, start + n):
            refer(victim={"name": f"Victim {'abcdefgh'[i]}", "date_of_birth": "1990-01-01"})
            _minutes_task(demo, f"Meeting {i}", i + 1)
        AgencyTask.objects.filter(task_type="triage").update(
            due=timezone.now() - timedelta(hours=1)
        )
        for task in AgencyTask.objects.filter(task_type="triage", in_queue=True)[:n]:
            hub.post(f"{task_url(task.pk)}claim/")
        refer(victim={"name": f"Victim {'ijklmnop'[start]}", "date_of_birth": "1990-01-01"})

    more(1, 0)  # one of each kind of row on the page: the same statements as a full page
    inbox()
    with CaptureQueriesContext(connection) as few:
        inbox()
    more(4, 1)
    with CaptureQueriesContext(connection) as many:
        inbox()
    assert len(many) == len(few), (
        [q["sql"][:90] for q in few.captured_queries],
        [q["sql"][:90] for q in many.captured_queries],
    )


# --- Phone numbers and emails -----------------------------------------------------------------


def test_a_phone_number_that_is_not_one_is_refused(as_user):
    client = as_user("police.caseworker")
    contact = {"phone": "abc", "email": "not-an-email", "address": "", "safe_contact_method": ""}
    response = client.post("/api/v1/referrals/", payload(victim_contact=contact), format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "Enter a phone number" in str(fields) and "Enter an email address" in str(fields)
    for name, phone in (("Ann", "07700 900123"), ("Bea", "+33 1 23 45 67 89"),
                        ("Cat", "020 7946 0000")):
        body = payload(victim_contact={**contact, "phone": phone, "email": "v@example.org"},
                       victim={"name": name, "date_of_birth": "1990-04-01"})
        assert client.post("/api/v1/referrals/", body, format="json").status_code == 201
