"""Conference criteria as data (`conferences.criteria`): each route, the tuned escalation rule,
repeats counted per pair since the pair's last conference, and referrals on professional
judgement."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import Event
from conferences import criteria
from conferences.models import AgendaItem, JudgementReferral
from conferences.services import conference_create
from referral.local_policy import local_policy
from referral.models import Referral
from tests.referral.factories import answers, payload
from workflows.models import AgencyTask, Notification
from workflows.services import agenda_item_hear

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
V2 = {"risk_level": "high", "repeat_within_months": 12, "min_signs": 2,
      "incidents_in_12_months": 3, "recent_incidents": 1}
V1 = {"risk_level": "high", "incidents_in_12_months": 3, "repeat_within_months": 12,
      "escalating_alone": True}
RESEARCH = {"summary": "Nothing further known.", "withheld": False}


@pytest.fixture
def refer(as_user):
    """refer(yes=2, **overrides) -> the body of a police referral (its flow has started)."""

    def do(yes=2, **overrides):
        body = payload(
            screening={"instrument": "stalking-screen-v1", "answers": answers(yes)}, **overrides
        )
        response = as_user("police.caseworker").post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return do


@pytest.fixture
def work(as_user):
    """work(username, task_type, referral_id, data): claim and complete that task."""

    def do(username, task_type, referral_id, data):
        client = as_user(username)
        tasks = client.get("/api/v1/tasks/?scope=queue&page_size=500").json()["results"]
        [task] = [t for t in tasks if t["task_type"] == task_type and t["referral"] == referral_id]
        assert client.post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
        done = client.post(f"/api/v1/tasks/{task['id']}/complete/", data, format="json")
        assert done.status_code == 200, done.content

    return do


def facts(**values):
    return criteria.CaseFacts(now=NOW, **{"risk_level": "standard", **values})


# --- The rule, over plain facts ---------------------------------------------------------------


def test_a_quiet_standard_case_meets_no_route():
    assert criteria.conference_routes(facts=facts(), criteria=V2) == []


def test_high_risk():
    assert criteria.conference_routes(facts=facts(risk_level="high"), criteria=V2) == [
        "high_risk"
    ]
    assert criteria.conference_routes(facts=facts(risk_level="medium"), criteria=V2) == []


def test_professional_judgement_is_a_route_of_its_own():
    assert criteria.conference_routes(facts=facts(judgement_referrals=1), criteria=V2) == [
        "professional_judgement"
    ]


@pytest.mark.parametrize(
    ("heard_days_ago", "news", "repeat"),
    [
        (None, True, False),  # never heard at a conference: an earlier referral is no repeat
        (30, False, False),  # heard, and nothing since
        (30, True, True),
        (360, True, True),
        (400, True, False),  # heard more than 12 months ago
    ],
)
def test_repeat_only_after_a_heard_conference_of_the_pair(heard_days_ago, news, repeat):
    heard = NOW - timedelta(days=heard_days_ago) if heard_days_ago is not None else None
    routes = criteria.conference_routes(
        facts=facts(last_heard=heard, news_since_heard=news), criteria=V2
    )
    assert ("repeat" in routes) is repeat


@pytest.mark.parametrize(
    ("values", "escalation"),
    [
        ({"escalation_signs": 1}, False),  # one sign alone no longer floods agendas
        ({"escalation_signs": 2}, True),
        ({"escalation_signs": 3}, True),
        ({"incidents_12_months": 3, "incidents_30_days": 0}, False),  # old incidents
        ({"incidents_12_months": 3, "incidents_30_days": 1}, True),
        ({"incidents_12_months": 2, "incidents_30_days": 2}, False),
        ({"signal_level": "high"}, False),  # the case's own level says high risk
    ],
)
def test_escalation_v2(values, escalation):
    routes = criteria.conference_routes(facts=facts(**values), criteria=V2)
    assert ("escalation" in routes) is escalation


@pytest.mark.parametrize(
    ("values", "escalation"),
    [
        ({"escalation_signs": 1}, True),
        ({"incidents_12_months": 3, "incidents_30_days": 0}, True),
        ({"signal_level": "high"}, True),
        ({}, False),
    ],
)
def test_version_1_criteria_keep_the_old_escalation_rule(values, escalation):
    routes = criteria.conference_routes(facts=facts(**values), criteria=V1)
    assert ("escalation" in routes) is escalation


def test_escalation_signs_are_counted_from_the_signals_figures():
    quiet = {"incidents_last_30_days": 1, "usual_per_30_days": 0.0, "new_behaviours": [],
             "worst_severity_last_30_days": 1, "worst_severity_before": 1}
    assert criteria.escalation_signs(quiet) == 0
    assert criteria.escalation_signs({**quiet, "incidents_last_30_days": 3}) == 1
    assert criteria.escalation_signs({**quiet, "new_behaviours": ["following"]}) == 1
    assert criteria.escalation_signs({**quiet, "worst_severity_last_30_days": 4}) == 1
    # A first incident is no step up: there was nothing before it.
    assert criteria.escalation_signs({**quiet, "worst_severity_before": 0,
                                      "worst_severity_last_30_days": 4}) == 0
    assert criteria.escalation_signs({**quiet, "incidents_last_30_days": 3,
                                      "new_behaviours": ["following"],
                                      "worst_severity_last_30_days": 4}) == 3


def test_every_route_at_once_and_the_primary_route():
    routes = criteria.conference_routes(
        facts=facts(risk_level="high", judgement_referrals=2, last_heard=NOW - timedelta(days=9),
                    news_since_heard=True, escalation_signs=2),
        criteria=V2,
    )
    assert routes == ["high_risk", "professional_judgement", "repeat", "escalation"]
    assert criteria.primary_route(routes) == "high_risk"
    assert criteria.primary_route(["escalation", "repeat"]) == "repeat"
    assert criteria.primary_route([]) == ""


# --- The criteria in effect, and a case's facts -----------------------------------------------


def test_version_2_is_the_default_in_effect(db):
    row = local_policy("conference.criteria", region="")
    assert row.version == 2 and row.value == V2
    assert "does not flood agendas" in row.reason


@pytest.fixture
def conference(demo):
    return conference_create(
        actor=demo["hub.chair"].user, title="Weekly MASC",
        starts_at=timezone.now() + timedelta(days=3),
        invited=[m.agency for m in demo.values() if m.agency.kind != "oversight"],
    )


def _research_done(work, rid):
    for username in ("police.caseworker", "probation.caseworker", "advocacy.caseworker"):
        work(username, "research", rid, RESEARCH)


def test_a_high_risk_case_goes_on_the_agenda_with_its_routes(refer, work, conference):
    rid = refer(yes=7)["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    _research_done(work, rid)
    work("ftac.caseworker", "threat_assessment", rid,
         {"summary": "s", "risk_formulation": "f", "recommendations": "r"})
    item = AgendaItem.objects.get(referral_id=rid)
    assert (item.routes, item.primary_route) == (["high_risk"], "high_risk")
    added = Event.objects.get(verb="agenda.added", referral_id=rid)
    assert added.changes["routes"] == ["high_risk"]


def test_a_standard_case_meeting_no_route_goes_to_a_plan_not_a_conference(
    refer, work, conference
):
    rid = refer(yes=2)["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "standard"})
    _research_done(work, rid)
    assert not AgendaItem.objects.filter(referral_id=rid).exists()
    assert Referral.objects.get(pk=rid).status == "plan"


def test_repeat_counts_per_pair_from_its_last_heard_conference(refer, work, conference, demo):
    first = refer(yes=7)["id"]
    second = refer(yes=2, confirm_new=True, confirm_reason="A new matter.")["id"]
    # Two referrals of the pair, neither heard at a conference: no repeat.
    assert "repeat" not in criteria.case_routes(Referral.objects.get(pk=second))[0]
    work("hub.caseworker", "triage", first, {"decision": "accept", "risk_level": "high"})
    _research_done(work, first)
    work("ftac.caseworker", "threat_assessment", first,
         {"summary": "s", "risk_formulation": "f", "recommendations": "r"})
    item = AgendaItem.objects.get(referral_id=first)
    # On the agenda but not yet heard: still no repeat.
    assert "repeat" not in criteria.case_routes(Referral.objects.get(pk=second))[0]
    conference.started_at = timezone.now() - timedelta(minutes=5)
    conference.save(update_fields=["started_at"])
    agenda_item_hear(item=item, actor=demo["hub.chair"].user)
    # Heard, then a new referral of the pair: a repeat.
    third = refer(yes=2, confirm_new=True, confirm_reason="Another matter.")["id"]
    assert "repeat" in criteria.case_routes(Referral.objects.get(pk=third))[0]
    heard_at = criteria.last_heard(Referral.objects.get(pk=third))
    assert heard_at == conference.started_at


# --- A referral on professional judgement ------------------------------------------------------


def _refer_to_conference(as_user, rid, username="police.caseworker", reason="Fixated; "
                         "the victim's fear is rising though the screen is low."):
    return as_user(username).post(
        f"/api/v1/referrals/{rid}/conference-referral/", {"reason": reason}, format="json"
    )


def test_judgement_referral_puts_a_standard_case_on_the_next_agenda(refer, conference, as_user):
    rid = refer(yes=2)["id"]
    assert Referral.objects.get(pk=rid).risk_level == "standard"
    response = _refer_to_conference(as_user, rid)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["agenda"]["conference"] == conference.pk
    assert body["agenda"]["routes"] == ["professional_judgement"]
    item = AgendaItem.objects.get(referral_id=rid, conference=conference)
    assert item.routes == ["professional_judgement"]
    assert item.primary_route == "professional_judgement"
    judgement = JudgementReferral.objects.get(referral_id=rid)
    assert judgement.agency.slug == "police"
    event = Event.objects.get(verb="conference_referral.made", referral_id=rid)
    assert event.reason == judgement.reason and event.changes["agenda_item"] == item.pk


def test_judgement_route_is_added_to_the_item_a_case_already_waits_on(
    refer, work, conference, as_user
):
    rid = refer(yes=7)["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "high"})
    _research_done(work, rid)
    work("ftac.caseworker", "threat_assessment", rid,
         {"summary": "s", "risk_formulation": "f", "recommendations": "r"})
    assert _refer_to_conference(as_user, rid).status_code == 201
    item = AgendaItem.objects.get(referral_id=rid)
    assert item.routes == ["high_risk", "professional_judgement"]
    assert item.primary_route == "high_risk"


def test_a_judgement_referral_during_research_carries_the_case_to_the_conference(
    refer, work, conference, as_user, demo
):
    rid = refer(yes=2)["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "standard"})
    assert _refer_to_conference(as_user, rid).status_code == 201
    _research_done(work, rid)
    # The flow weighed the case: professional judgement sends it to the conference it is on.
    item = AgendaItem.objects.get(referral_id=rid)
    assert Referral.objects.get(pk=rid).status == "conference"
    assert not AgencyTask.objects.filter(referral_id=rid, task_type="plan").exists()
    agenda_item_hear(item=item, actor=demo["hub.chair"].user)
    assert Referral.objects.get(pk=rid).status == "review"


def test_no_conference_scheduled_records_the_referral_without_an_agenda(refer, as_user):
    rid = refer(yes=2)["id"]
    response = _refer_to_conference(as_user, rid)
    assert response.status_code == 201 and response.json()["agenda"] is None
    assert JudgementReferral.objects.filter(referral_id=rid).count() == 1


def test_past_research_with_no_conference_scheduled_the_chairs_are_told(
    refer, work, as_user, demo, django_capture_on_commit_callbacks
):
    rid = refer(yes=2)["id"]
    work("hub.caseworker", "triage", rid, {"decision": "accept", "risk_level": "standard"})
    _research_done(work, rid)
    assert Referral.objects.get(pk=rid).status == "plan"
    with django_capture_on_commit_callbacks(execute=True):
        response = _refer_to_conference(as_user, rid)
    assert response.status_code == 201 and response.json()["agenda"] is None
    event = Event.objects.get(verb="conference_referral.made", referral_id=rid)
    assert event.changes["awaits_the_chairs"] is True
    [notice] = Notification.objects.filter(kind="conference_awaited", referral_id=rid)
    assert notice.user == demo["hub.chair"].user and notice.task is None
    reference = Referral.objects.get(pk=rid).reference
    assert reference in notice.text and "awaits" in notice.text
    assert event.reason not in notice.text  # the referrer's reason stays on the case
    # The chair reads it among their notifications.
    listed = as_user("hub.chair").get("/api/v1/notifications/").json()["results"]
    assert [n["kind"] for n in listed if n["referral"] == rid] == ["conference_awaited"]


def test_before_the_end_of_research_the_chairs_are_not_told(
    refer, as_user, django_capture_on_commit_callbacks
):
    rid = refer(yes=2)["id"]  # in triage: research's end will weigh the judgement route
    with django_capture_on_commit_callbacks(execute=True):
        assert _refer_to_conference(as_user, rid).status_code == 201
    event = Event.objects.get(verb="conference_referral.made", referral_id=rid)
    assert event.changes["awaits_the_chairs"] is False
    assert not Notification.objects.filter(kind="conference_awaited").exists()


def test_a_reason_is_required(refer, as_user, conference):
    rid = refer(yes=2)["id"]
    response = _refer_to_conference(as_user, rid, reason="   ")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert not JudgementReferral.objects.exists()


def test_an_agency_that_cannot_see_the_case_gets_404(refer, as_user, conference):
    rid = refer(yes=2)["id"]
    assert _refer_to_conference(as_user, rid, username="cps.caseworker").status_code == 404
    assert _refer_to_conference(as_user, rid, username="oversight.auditor").status_code == 404
    assert not JudgementReferral.objects.exists()


def test_the_case_page_offers_the_form_and_it_refers_the_case(refer, conference, demo):
    rid = refer(yes=2)["id"]
    client = Client()
    client.force_login(demo["police.caseworker"].user)
    page = client.get(f"/workspace/referrals/{rid}/").content.decode()
    url = f"/workspace/referrals/{rid}/conference-referral/new/"
    assert url in page and "Refer to a conference on professional judgement" in page
    # An agency not involved in the case (CPS, before the conference invites it): 404.
    other = Client()
    other.force_login(demo["cps.caseworker"].user)
    assert other.get(url).status_code == 404
    assert other.post(url, {"reason": "Because."}).status_code == 404
    form = client.get(url)
    assert form.status_code == 200
    assert "Why does this case need a conference?" in form.content.decode()
    empty = client.post(url, {"reason": ""}).content.decode()
    assert "Say why the case needs a conference." in empty
    done = client.post(url, {"reason": "The victim's fear is rising."})
    assert done.status_code == 302 and done["Location"] == f"/workspace/referrals/{rid}/"
    assert AgendaItem.objects.get(referral_id=rid).primary_route == "professional_judgement"
