"""Home is the member's work, per role, in a fixed number of queries; the permissions moved to
My access."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conferences.services import (
    action_record,
    agenda_add,
    conference_acknowledge,
    conference_create,
    conference_start,
)
from referral.models import Referral
from tests.referral.factories import answers, payload
from workflows import services as flow
from workflows.models import AgencyTask

pytestmark = pytest.mark.django_db

# The queries of Home for each role, whatever the number of tasks, meetings or events: the
# membership and the unread count, then one (or two) per list.
QUERIES = {
    "hub.caseworker": 5,
    "hub.supervisor": 7,
    "hub.chair": 8,
    "oversight.auditor": 7,
}


def _home(client) -> tuple[int, str]:
    """Home's queries once the caches it reads through (Redis) are warm, and its HTML."""
    client.get("/workspace/home/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/workspace/home/")
    assert response.status_code == 200
    return len(ctx), response.content.decode()


def _section(html: str, testid: str) -> str:
    """The HTML of one of Home's sections."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


_referred = iter(range(1, 10_000))


def _letters(n: int) -> str:
    return "".join(chr(97 + int(d)) for d in str(n))


def _refer(as_user, n: int = 1, yes: int = 7) -> list[int]:
    """n referrals by the police, each of other people (no duplicate to confirm)."""
    ids = []
    for _ in range(n):
        body = payload(screening={"instrument": "stalking-screen-v1", "answers": answers(yes)})
        who = _letters(next(_referred))
        body["victim"]["name"], body["suspect"]["name"] = f"Victim {who}", f"Suspect {who}"
        body["suspect"]["aliases"] = []
        response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    return ids


def _triage(referral_id: int) -> AgencyTask:
    return AgencyTask.objects.get(referral_id=referral_id, task_type="triage")


def _reference(referral_id: int) -> str:
    return Referral.objects.get(pk=referral_id).reference


def test_a_caseworker_sees_their_tasks_and_the_queue_overdue_first(demo, as_user, client):
    caseworker = demo["hub.caseworker"].user
    claimed, later, overdue = _refer(as_user, 3)
    flow.task_claim(actor=caseworker, task_id=_triage(claimed).pk)
    AgencyTask.objects.filter(pk=_triage(overdue).pk).update(
        due=timezone.now() - timedelta(days=1)
    )
    client.force_login(caseworker)
    queries, html = _home(client)

    assert "<h1" in html and html.count("<h1") == 1 and "<title>My work · Concord</title>" in html
    mine = _section(html, "home-mine")
    assert _reference(claimed) in mine and _reference(later) not in mine
    assert f'href="/workspace/tasks/{_triage(claimed).pk}/"' in mine
    queue = _section(html, "home-queue")
    assert queue.index(_reference(overdue)) < queue.index(_reference(later))  # overdue first
    assert 'data-overdue="true"' in queue and "High" in queue
    assert "home-escalated" not in html and "home-meetings" not in html
    assert "What your agency may see" not in html  # moved to My access
    assert queries == QUERIES["hub.caseworker"]

    _refer(as_user, 12)
    more, html = _home(client)
    assert html.count('data-testid="home-task"') == 1 + 10  # a page of the queue
    assert more == queries


def test_a_supervisor_also_sees_the_escalated_and_what_awaits_approval(demo, as_user, client):
    escalated, declined = _refer(as_user, 2, yes=2)
    AgencyTask.objects.filter(pk=_triage(escalated).pk).update(
        due=timezone.now() - timedelta(days=2), escalated_at=timezone.now()
    )
    caseworker = demo["hub.caseworker"].user
    flow.task_claim(actor=caseworker, task_id=_triage(declined).pk)
    flow.task_complete(
        actor=caseworker, task_id=_triage(declined).pk,
        data={"decision": "decline", "risk_level": "standard", "reason": "Not stalking."},
    )
    client.force_login(demo["hub.supervisor"].user)
    queries, html = _home(client)

    escalations = _section(html, "home-escalated")
    assert _reference(escalated) in escalations and "Overdue" in escalations
    approvals = _section(html, "home-approvals")
    assert _reference(declined) in approvals and "Approve a decline" in approvals
    assert queries == QUERIES["hub.supervisor"]

    more_escalated = _refer(as_user, 3, yes=2)
    AgencyTask.objects.filter(referral_id__in=more_escalated, task_type="triage").update(
        escalated_at=timezone.now()
    )
    assert _home(client)[0] == queries


def _meeting(demo, referrals, *, title="Leeds MASC", days=1):
    chair = demo["hub.chair"].user
    conference = conference_create(
        actor=chair, title=title, starts_at=timezone.now() + timedelta(days=days),
        invited=[demo["police.caseworker"].agency],
    )
    for referral_id in referrals:
        agenda_add(
            referral=Referral.objects.get(pk=referral_id), conference_id=conference.pk,
            actor=chair,
        )
    return conference


def test_a_chair_sees_the_next_meetings_with_their_agendas_and_outstanding_actions(
    demo, as_user, client
):
    chair = demo["hub.chair"].user
    first, second = _refer(as_user, 2)
    soon = _meeting(demo, [first, second], title="Leeds MASC", days=1)
    _meeting(demo, [first], title="Bradford MASC", days=3)
    conference_acknowledge(actor=chair, conference=soon)
    conference_start(actor=chair, conference=soon)
    item = soon.agenda.get(referral_id=first)
    action_record(
        actor=chair, conference=soon, item_id=item.pk, agency=demo["police.caseworker"].agency,
        description="Serve the order on the suspect", due=timezone.localdate() + timedelta(days=2),
    )
    client.force_login(chair)
    queries, html = _home(client)

    meetings = _section(html, "home-meetings")
    assert meetings.index("Leeds MASC") < meetings.index("Bradford MASC")  # soonest first
    assert f'href="/workspace/conferences/{soon.pk}/"' in meetings
    assert _reference(first) in meetings and _reference(second) in meetings
    actions = _section(html, "home-actions")
    assert "Serve the order on the suspect" in actions
    assert "Police Public Protection Unit" in actions and _reference(first) in actions
    assert queries == QUERIES["hub.chair"]

    third = _refer(as_user, 3)
    _meeting(demo, third, title="Wakefield MASC", days=2)
    assert _home(client)[0] == queries


def test_an_auditor_sees_the_latest_decisions_and_the_chains_state(demo, as_user, client):
    declined = _refer(as_user, 1, yes=2)[0]
    caseworker = demo["hub.caseworker"].user
    flow.task_claim(actor=caseworker, task_id=_triage(declined).pk)
    flow.task_complete(
        actor=caseworker, task_id=_triage(declined).pk,
        data={"decision": "decline", "risk_level": "standard", "reason": "Not stalking."},
    )
    client.force_login(demo["oversight.auditor"].user)
    queries, html = _home(client)

    chain = _section(html, "home-chain")
    sealed = int(re.search(r'data-testid="home-chain-sealed">(\d+)<', chain).group(1))
    assert sealed > 0
    decisions = _section(html, "home-decisions")
    assert "Referral submitted" in decisions and "Police Public Protection Unit" in decisions
    assert f'href="/workspace/audit/referrals/{declined}/"' in decisions
    # Reasons and references are read on the trail's own pages, not on Home.
    assert "Not stalking." not in decisions and _reference(declined) not in decisions
    assert "home-mine" not in html
    assert queries == QUERIES["oversight.auditor"]

    _refer(as_user, 3)
    assert _home(client)[0] == queries


def test_my_access_lists_what_the_agency_may_see_and_the_member_may_do(demo, client):
    client.force_login(demo["police.caseworker"].user)
    response = client.get("/workspace/access/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>My access · Concord</title>" in html and html.count("<h1") == 1
    assert "Victim&#x27;s contact details (read and write)" in html
    assert "Refer a case" in html
    assert 'href="/workspace/access/"' in client.get("/workspace/home/").content.decode()
