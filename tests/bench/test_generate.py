"""The load generator: reproducible from its seed, shaped like the studies, trail intact."""

import io
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from viewflow.workflow.models import Task

from agencies import policy
from agencies.models import Agency, Membership
from audit import chain
from audit.models import Event
from bench import generate
from bench.generate import notices, study
from bench.measure import reading
from interventions.models import (
    HearingAssessment,
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
    PsychiatricAssessment,
)
from interventions.services import REQUIREMENT_KINDS, SENTENCE_VEHICLES
from justice import services as justice_services
from justice.models import (
    BREACH_OFFENCE,
    TREATMENT_REQUIREMENTS,
    ChargingDecision,
    HearingOutcome,
    Offence,
    PoliceDecision,
    Sentence,
    SentenceRequirement,
)
from orders.models import Enforcement, NotificationDuty, OrderApplication, OrderChange
from referral import access
from referral.models import (
    CourtHearing,
    Disclosure,
    Incident,
    Involvement,
    ProtectiveOrder,
    Referral,
    ReferralAgencyPermission,
)
from reports.sections import REPORTS
from reports.selectors import cohort_for, report_build
from tests.seed import unseed
from victims.models import (
    AdvocateAssignment,
    ContactEntry,
    Entitlement,
    PersonAtRisk,
    RightToReview,
    SafetyPlan,
    SafetyPlanReview,
    StatementOffer,
    VictimWishes,
)
from workflows import allocation, calendar, task_schemas
from workflows.flows import CaseTaskFlow, ReferralFlow
from workflows.models import AgencyTask, CaseProcess, Notification, task_outcome
from workflows.notifications import notice_text
from workflows.services.justice import COURT_TRIGGERS, POLICE_TRIGGERS
from workflows.services.victims import DUTY_HOLDERS, TRIGGER_REASONS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="unseed() needs PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _without_the_demo(request, db):
    """The generator makes its own agencies and members: the suite's demo seed set aside (for
    the class below, once, before its caseload)."""
    if request.cls is None:
        unseed()


# A CPS decision's move of the offences it applies to (`justice.services._CHARGING_MOVES`).
MOVED = {"charge": "charged", "no_further_action": "no_further_action"}


def _generate() -> dict:
    """Generate 50 referrals, describe what was written, then roll it all back."""
    with transaction.atomic():
        call_command("generate_load", referrals=50, seed=1, verbosity=0, stdout=None)
        relationships = Counter(r for rel in Referral.objects.values_list("relationship", flat=True)
                                for r in rel)
        described = {
            "agencies": Agency.objects.count(),
            "members": Membership.objects.count(),
            "references": list(Referral.objects.order_by("pk").values_list("reference", flat=True)),
            "statuses": Counter(Referral.objects.values_list("status", flat=True)),
            "tasks": AgencyTask.objects.count(),
            "open_tasks": AgencyTask.objects.filter(is_open=True).count(),
            "incidents": Incident.objects.count(),
            "permissions": ReferralAgencyPermission.objects.count(),
            "events": Event.objects.count(),
            "notifications": list(Notification.objects.order_by("pk").values_list(
                "user_id", "kind", "task_id", "text", "created_at", "read_at")),
            "hearings": list(CourtHearing.objects.order_by("pk").values_list(
                "referral_id", "kind", "date", "court", "recorded_by_id", "created_at")),
            "relationships": relationships,
            "verified": chain.verify().ok,
            "unsealed": Event.objects.filter(seal__isnull=True).count(),
        }
        transaction.set_rollback(True)
    return described


def test_generate_load_is_reproducible_study_shaped_and_verifiable(capsys):
    first = _generate()
    second = _generate()
    assert first == second

    assert first["agencies"] >= 60
    assert first["members"] >= 2000
    assert len(first["references"]) == 50
    assert all(ref.startswith("STK-") for ref in first["references"])
    # Former partners are the most common relationship (57% in the victims' survey).
    assert first["relationships"].most_common(1)[0][0] == "former_partner"
    # Every case is visible to at least its referrer; there is history and open work.
    assert first["permissions"] >= 50
    assert first["tasks"] > 50 and first["open_tasks"] > 0
    assert len(first["notifications"]) > 100
    assert first["incidents"] >= 50
    assert len(first["statuses"]) >= 2
    # The trail is sealed and its hash chain verifies.
    assert first["events"] > 1000
    assert first["unsealed"] == 0
    assert first["verified"] is True


def test_the_caseload_is_written_up_to_its_day():
    """`--today` sets the caseload's day: its whole history ends before that day begins."""
    midnight = datetime(2025, 6, 2, tzinfo=UTC)
    call_command("generate_load", referrals=20, seed=1, today=midnight.date(), verbosity=0,
                 stdout=io.StringIO())
    latest = Event.objects.order_by("-at").values_list("at", flat=True).first()
    newest = Referral.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    assert midnight - generate.WINDOW < newest < midnight
    assert latest < midnight


def test_generate_load_refuses_a_database_with_a_caseload():
    call_command("generate_load", referrals=5, seed=2, verbosity=0)
    with pytest.raises(Exception, match="already holds referrals"):
        call_command("generate_load", referrals=5, seed=2, verbosity=0)


# --- A larger caseload, generated once, checked against what the application would write ---


class TestGeneratedCaseload:
    """600 referrals (about 70 charged cases), written once for the class inside a transaction
    that each test's own transaction nests in, and rolled back after the last.

    Their day is fixed with the seed: on some days, the few coming hearings of so small a
    caseload all had their tasks done (on 2026-12-04, a Friday, none was open), and a test of
    open ones failed for the day, not for the code."""

    TODAY = date(2026, 12, 3)

    @pytest.fixture(scope="class", autouse=True)
    def caseload(self, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            unseed()
            call_command("generate_load", referrals=600, seed=3, today=self.TODAY,
                         stdout=io.StringIO())
            # The foreign keys are checked once here: each test's teardown checks those its
            # own savepoint deferred, not every generated row again.
            connection.check_constraints()
            yield
            transaction.set_rollback(True)

    @pytest.fixture
    def anchor(self) -> datetime:
        """The generator's "now": its today's midnight, UTC."""
        return datetime.combine(self.TODAY, datetime.min.time(), tzinfo=UTC)

    @staticmethod
    def _told(kind: str) -> dict[int, dict[int, datetime]]:
        """task -> {user: when told}, for one kind of notice."""
        told: dict[int, dict[int, datetime]] = defaultdict(dict)
        for task, user, at in Notification.objects.filter(kind=kind).values_list(
                "task_id", "user_id", "created_at"):
            told[task][user] = at
        return told

    @staticmethod
    def _in_window(at: datetime | None, anchor: datetime) -> bool | None:
        """Whether the app's notice of something at `at` is in the generated window; None on
        the edges, where the worker's lag decides."""
        if at is None or at < anchor - notices.WINDOW or at > anchor:
            return False
        lag = timedelta(seconds=notices.LAG_SECONDS[1])
        return None if at > anchor - lag else True

    def test_every_member_who_may_take_a_queued_task_is_told_and_no_one_else(self, anchor):
        memberships = defaultdict(list)
        for membership in Membership.objects.select_related("agency"):
            memberships[membership.agency_id].append(membership)
        told = self._told(Notification.Kind.QUEUED)
        assert told, "no QUEUED notices"
        assert set(told) <= set(AgencyTask.objects.filter(flow_task_type="HUMAN")
                                .values_list("pk", flat=True))
        checked = 0
        for task in AgencyTask.objects.filter(flow_task_type="HUMAN"):
            in_window = self._in_window(task.created, anchor)
            if in_window is None:
                continue
            takers = {m.user_id for m in memberships[task.agency_id]
                      if policy.may_take_task(m, task)}
            assert takers, task.task_type
            assert set(told.get(task.pk, {})) == (takers if in_window else set()), task.pk
            for at in told.get(task.pk, {}).values():
                # Written by the worker just after the task was queued, while it still was.
                assert task.created < at <= task.created + timedelta(seconds=3)
                assert task.assigned is None or at < task.assigned
            checked += bool(in_window)
        assert checked > 500

    def test_a_task_given_to_a_named_member_tells_its_owner(self, anchor):
        members = {m.user_id: m for m in Membership.objects.select_related("agency", "user")}
        given = {int(e.object_id): e for e in Event.objects.filter(verb="task.reassigned")}
        claimed = set(Event.objects.filter(verb="task.claimed").values_list("object_id", flat=True))
        told = self._told(Notification.Kind.ASSIGNED)
        assert given and told
        for task in AgencyTask.objects.filter(pk__in=given):
            event = given[task.pk]
            # `task_reassign`: a supervisor of the agency, to someone who may take the task.
            assert policy.may(members[event.actor_id], "reassign_task")
            assert members[event.actor_id].agency_id == task.agency_id
            assert event.changes == {"task_type": task.task_type,
                                     "to": members[task.owner_id].user.username}
            assert policy.may_take_task(members[task.owner_id], task)
            assert event.at == task.assigned and str(task.pk) not in claimed
            in_window = self._in_window(task.assigned, anchor)
            if in_window is not None:
                assert set(told.get(task.pk, {})) == ({task.owner_id} if in_window else set())
        assert set(told) <= set(given)
        for task_id, users in told.items():
            assert min(users.values()) >= given[task_id].at

    def test_an_overdue_task_tells_its_agency_supervisors(self, anchor):
        supervisors = defaultdict(set)
        for m in Membership.objects.all():
            if "supervisor" in m.roles:
                supervisors[m.agency_id].add(m.user_id)
        escalated = {int(i) for i in Event.objects.filter(verb="task.escalated")
                     .values_list("object_id", flat=True)}
        told = self._told(Notification.Kind.OVERDUE)
        assert told and set(told) <= escalated
        tasks = AgencyTask.objects.filter(escalated_at__isnull=False)
        assert set(tasks.values_list("pk", flat=True)) == escalated
        for task in tasks:
            assert task.due < task.escalated_at
            in_window = self._in_window(task.escalated_at, anchor)
            if in_window is not None:
                expected = supervisors[task.agency_id] if in_window else set()
                assert set(told.get(task.pk, {})) == expected, task.pk
            assert all(at >= task.escalated_at for at in told.get(task.pk, {}).values())

    def test_notices_read_the_app_s_text_and_are_read_as_members_look(self, anchor):
        found = list(Notification.objects.select_related("task__referral"))
        # The load generator writes the notices of tasks (news of a case is rare beside them).
        assert {n.kind for n in found} == set(Notification.TASK_KINDS)
        by_user = defaultdict(list)
        for notice in found:
            assert notice.text == notice_text(notice.task, notice.kind)
            assert anchor - notices.WINDOW < notice.created_at <= anchor
            assert notice.read_at is None or notice.created_at <= notice.read_at <= anchor
            by_user[notice.user_id].append(notice)
        for mine in by_user.values():
            # "Mark all read": what is still unread came after the member last looked.
            read = [n.read_at for n in mine if n.read_at]
            unread = [n.created_at for n in mine if n.read_at is None]
            if read and unread:
                assert max(read) < min(unread)

        def read_share(older: float, newer: float) -> float:
            since, until = anchor - timedelta(days=older), anchor - timedelta(days=newer)
            aged = [n for n in found if since <= n.created_at < until]
            return sum(n.read_at is not None for n in aged) / len(aged)

        assert read_share(90, 21) > 0.85  # most notices older than a few weeks have been read
        assert read_share(2, 0) < 0.6  # recent ones often not

    def test_the_notifications_endpoint_gives_a_member_their_notices(self, api):
        busiest = (Notification.objects.values("user")
                   .annotate(n=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
                   .filter(unread__gt=0).order_by("-n", "user").first())
        member = Membership.objects.select_related("user").get(user_id=busiest["user"])
        # Its notices, but none about a case its agency may no longer see.
        visible = Referral.objects.filter(access.case_visibility(member))
        mine = (Notification.objects.filter(user=member.user)
                .filter(Q(task__referral__isnull=True) | Q(task__referral__in=visible))
                .order_by("-created_at", "-id"))

        # A page shorter than their notices, so that it must hold the newest ones. The busiest
        # member has about 100 in the generator's 90-day window (97 to 110 as the draws fall).
        body = api(member.user).get("/api/v1/notifications/?page_size=50")
        assert body.status_code == 200
        body = body.json()
        assert body["count"] == mine.count() > 50
        assert body["unread"] == mine.filter(read_at__isnull=True).count() > 0
        assert [(r["id"], r["kind"], r["text"], r["task"], r["read"])
                for r in body["results"]] == [
            (n.pk, n.kind, n.text, n.task_id, n.read_at is not None) for n in mine[:50]]

    def test_the_benchmark_reads_the_notices_of_a_member_who_has_some(self):
        """More than most members have: how many fall in the generator's window of 90 days
        depends on the day it runs (50 on 2026-12-02, when this asked for more than 50)."""
        coordinator = reading.busiest_accounts().coordinator
        counts = sorted(Notification.objects.values("user").annotate(n=Count("id"))
                        .values_list("n", flat=True))
        theirs = Notification.objects.filter(user_id=coordinator.user_id).count()
        assert theirs > 0 and theirs >= counts[len(counts) // 2], (theirs, counts)

    def test_completed_tasks_keep_their_finish_and_answer_as_the_app_s(self):
        """`AgencyTask.completed_at` and `outcome`, which the reports count, as the node's
        activation keeps them: a completed task's finish and its result's answer, else empty."""
        human = AgencyTask.objects.filter(flow_task_type="HUMAN")
        done = human.filter(status="DONE")
        assert done.filter(completed_at=F("finished")).count() == done.count() > 0
        assert not human.exclude(status="DONE").filter(
            Q(completed_at__isnull=False) | ~Q(outcome="")).exists()
        answers = Counter()
        for data, outcome in done.values_list("data", "outcome").iterator():
            assert outcome == task_outcome(data.get("result") or {})
            answers[outcome] += 1
        assert answers["accept"] and answers["approved"] and answers["decline"]

    def test_hearings_come_only_after_a_charge_and_before_the_case_closes(self):
        processes = {p.referral_id: p for p in CaseProcess.objects.filter(flow_class=ReferralFlow)}
        by_cps = {pk for pk, p in processes.items()
                  if p.data["results"].get("charging_review", {}).get("decision") == "charge"}
        # Or a breach police charged (`police_decision_log`), heard within days.
        by_police = set(PoliceDecision.objects.filter(kind="charged")
                        .values_list("offence__referral_id", flat=True))
        assert by_police
        charged = {pk: processes[pk] for pk in by_cps | by_police}
        hearings = list(CourtHearing.objects.select_related("referral"))
        # Every kind; an order application's hearing is police's, charged or not (below).
        assert {h.kind for h in hearings} == set(CourtHearing.Kind.values)
        hearings = [h for h in hearings if h.kind != "order"]
        assert {h.referral_id for h in hearings} <= set(charged)
        members = {m.user_id: m for m in Membership.objects.select_related("agency")}
        by_case = defaultdict(list)
        for hearing in hearings:
            by_case[hearing.referral_id].append(hearing)
            recorder = members[hearing.recorded_by_id]
            assert policy.can_record_hearing(recorder)
            assert hearing.date >= timezone.localdate(hearing.created_at)  # never in the past
        for referral_id, process in charged.items():
            if process.status != "DONE":
                continue
            ones = by_case[referral_id]
            # Closed only once the court is done with it, with the court's verdict.
            assert ones and all(process.finished.date() > h.date for h in ones)
            if referral_id not in by_cps:
                assert {h.kind for h in ones} == {"charge"}
                continue
            outcome = process.data["results"]["closure"]
            assert outcome["charged"] is True
            assert outcome["convicted"] == any(h.kind == "sentencing" for h in ones)

    def test_charging_reviews_are_cps_decisions_and_charge_about_one_case_in_nine(self):
        """`charging_review_record` for each charging review done: CPS's decision with its event,
        moving the case's offences open then (its breaches), or a charge's new offence. About 1
        case in 9 is charged (`study.CHARGED_SHARE`, the victims' survey), of the cases whose
        research is done (where police may ask for charging advice)."""
        reviews = {t.pk: t for t in AgencyTask.objects.filter(task_type="charging_review",
                                                              status="DONE")}
        decisions = {d.task_id: d for d in ChargingDecision.objects.select_related("offence")}
        assert reviews and set(decisions) == set(reviews)
        events = {int(e.object_id): e for e in Event.objects.filter(
            verb__startswith="charging_decision.")}
        assert set(events) == {d.pk for d in decisions.values()}
        offences = {o.pk: o for o in Offence.objects.all()}
        # When police moved an offence out of investigation themselves (before CPS could).
        moved = {d.offence_id: d.created_at for d in PoliceDecision.objects.filter(
            kind__in=("charged", "cautioned", "community_resolution", "no_further_action"))}
        for pk, task in reviews.items():
            decision, result = decisions[pk], task.data["result"]
            assert (decision.referral_id, decision.agency_id, decision.recorded_by_id,
                    decision.decision, decision.decided_on, decision.reason) == (
                task.referral_id, task.agency_id, task.owner_id, result["decision"],
                timezone.localdate(task.finished), result["reason"])
            event = events[decision.pk]
            assert (event.verb, event.at, event.actor_id) == (
                f"charging_decision.{decision.decision}", task.finished, task.owner_id)
            # The offences open when it was made: the case's breach offences logged before
            # it; a charge on a case with none charges a new offence.
            before = sorted(pk for pk, o in offences.items()
                            if o.referral_id == task.referral_id and o.created_at < task.finished
                            and not moved.get(pk, task.finished) < task.finished)
            if decision.decision == "charge" and not before:
                offence = decision.offence
                assert (offence.referral_id, offence.kind, offence.created_at) == (
                    task.referral_id, "other", task.finished)
                before = [offence.pk]
            else:
                assert decision.offence is None
            assert sorted(event.changes["offences"]) == before
            for pk in before:
                offence = offences[pk]
                assert offence.cps_decision == decision.decision
                if decision.decision == "charge":
                    # Charged, then wherever the court took it.
                    assert offence.charged_on == decision.decided_on
                    assert offence.status in ("charged", "convicted", "acquitted")
                else:
                    assert offence.status == MOVED.get(decision.decision, "open")
        # A charge makes an offence only on a case without one; the others are breaches
        # (`breach_enforce`) and the offence police record with the case.
        assert sum(o.kind == "other" for o in offences.values()) == sum(
            d.offence_id is not None for d in decisions.values())
        charged = {d.referral_id for d in decisions.values() if d.decision == "charge"}
        assert charged == {o.referral_id for o in offences.values()
                           if o.cps_decision == "charge"}
        researched = {t.referral_id for t in AgencyTask.objects.filter(
            task_type="research", status="DONE", agency__kind="police")}
        assert charged <= researched
        share = len(charged) / len(researched)
        assert abs(share - study.CHARGED_SHARE) < 0.045, (len(charged), len(researched))

    def test_a_breach_logged_is_an_offence_and_an_enforcement_as_the_app_s(self):
        """`incident_log` -> `breach_enforce`: a breach of an RO, NMO or (interim) SPO logged
        after the referral is an offence (`BREACH_OFFENCE`) linked to its order and incident;
        every such breach is an `Enforcement` row beside its police task, due by the local
        policy (24 hours, seeded), with its outcome when the task is done; an arrest on an open
        offence is the police's decision on it."""
        rows = {e.task_id: e for e in Enforcement.objects.select_related("policy", "incident")
                .filter(incident__isnull=False)}
        # A failure to notify under a stalking protection order has its own (below).
        tasks = list(AgencyTask.objects.filter(task_type="enforcement").exclude(
            pk__in=Enforcement.objects.filter(notification__isnull=False).values("task_id"))
            .select_related("process"))
        assert tasks and set(rows) == {t.pk for t in tasks}
        orders = {o.pk: o for o in ProtectiveOrder.objects.all()}
        offences = {o.incident_id: o for o in Offence.objects.filter(incident__isnull=False)}
        arrests = {d.offence_id: d for d in PoliceDecision.objects.filter(kind="arrested")}
        for task in tasks:
            row, context = rows[task.pk], task.process.data["context"]
            order = orders[row.order_id]
            offence = offences.get(row.incident_id)
            assert row.incident.breach_of_order_id == order.pk
            assert (offence is not None) == (order.kind in BREACH_OFFENCE)
            if offence is not None:
                assert (offence.kind, offence.breach_of_order_id, offence.created_at,
                        offence.committed_from) == (
                    BREACH_OFFENCE[order.kind], order.pk, row.incident.created_at,
                    timezone.localdate(row.incident.occurred_at))
            assert row.offence_id == (offence.pk if offence else None)
            assert (row.referral_id, row.agency_id, row.due, row.policy.version) == (
                task.referral_id, task.agency_id, task.due, 1)
            assert context == {"incident": row.incident_id, "order": order.pk,
                               "offence": row.offence_id, "policy_version": 1,
                               "deadline": "within 24 hours (local policy)"}
            assert row.acted_at == task.finished
            assert row.on_time == (None if task.finished is None else task.finished <= row.due)
            arrested = task.finished is not None and task.data["result"]["arrested"]
            assert row.outcome == ("arrested" if arrested else "pending")
            if offence is not None and offence.pk in arrests:
                assert arrested and arrests[offence.pk].created_at == task.finished
        assert len(offences) > 20 and arrests

    def test_each_hearing_has_its_event_and_its_tasks_a_psr_before_sentencing(self):
        hearings = {h.pk: h for h in
                    CourtHearing.objects.select_related("referral__referrer_agency")}
        recorded = {int(e.object_id): e for e in Event.objects.filter(verb="hearing.recorded")}
        assert set(recorded) == set(hearings)
        granted = {(e.changes["agency"], e.changes["source"]): e.at
                   for e in Event.objects.filter(verb="access.granted")}
        revoked = {(e.changes["agency"], e.changes["source"]): e.at
                   for e in Event.objects.filter(verb="access.revoked")}
        processes = defaultdict(list)
        for process in CaseProcess.objects.filter(
            flow_class=CaseTaskFlow, data__context__has_key="hearing"
        ).exclude(data__task_type="psychiatric_report"):
            processes[process.data["context"]["hearing"]].append(process)
        tasks = defaultdict(list)
        for task in AgencyTask.objects.filter(process__in=[p for ps in processes.values()
                                                           for p in ps]).order_by("pk"):
            tasks[task.process_id].append(task)
        previous = defaultdict(set)
        for link in Task.previous.through.objects.filter(from_task__in=[
                t for ts in tasks.values() for t in ts]):
            previous[link.from_task_id].add(link.to_task_id)
        agencies = {a.pk: a for a in Agency.objects.all()}
        # `HEARING_TASKS`: bail and charge, the advocate's and police's risk assessments and
        # CPS's psychiatric question; sentencing, probation's pre-sentence report too; a
        # trial, the advocate's risk assessment.
        before_bail = [("pre_hearing_risk_assessment", "advocacy"),
                       ("pre_hearing_risk_assessment", "police"),
                       ("psychiatric_assessment_request", "cps")]
        expected = {"bail": before_bail, "charge": before_bail,
                    "sentencing": sorted([*before_bail, ("pre_sentence_report", "probation")]),
                    "trial": [("pre_hearing_risk_assessment", "advocacy")],
                    "order": [("pre_hearing_risk_assessment", "advocacy"),
                              ("pre_hearing_risk_assessment", "police")]}

        for pk, hearing in hearings.items():
            event = recorded[pk]
            assert (event.actor_id, event.at, event.referral_id) == (
                hearing.recorded_by_id, hearing.created_at, hearing.referral_id)
            assert event.changes == {"kind": hearing.kind, "date": hearing.date.isoformat()}
            due = max(calendar.end_of_day(calendar.add_working_days(hearing.date, -2)),
                      hearing.created_at + timedelta(hours=4))
            opened = []
            for process in processes[pk]:
                assert process.referral_id == hearing.referral_id
                assert process.created == hearing.created_at
                assert process.data["context"] == {"hearing": pk, "kind": hearing.kind,
                                                   "date": hearing.date.isoformat()}
                assert parse_datetime(process.data["due"]) == due
                start, route, task, *end = tasks[process.pk]
                assert [start.flow_task, route.flow_task] == [CaseTaskFlow.start,
                                                             CaseTaskFlow.route]
                assert task.flow_task == getattr(CaseTaskFlow, task.task_type)
                assert (task.referral_id, task.due, task.created) == (
                    hearing.referral_id, due, hearing.created_at)
                assert previous[route.pk] == {start.pk} and previous[task.pk] == {route.pk}
                agency = agencies[task.agency_id]
                # Routed within the referrer's region, as `hearing_record` routes them.
                assert agency.region == hearing.referral.referrer_agency.region
                source = (agency.slug, f"process:{process.pk}")
                assert granted[source] == hearing.created_at
                if task.status == "DONE":
                    assert [t.flow_task for t in end] == [CaseTaskFlow.end]
                    assert process.status == "DONE" and previous[end[0].pk] == {task.pk}
                    assert revoked[source] == process.finished == task.finished
                else:
                    assert not end and process.status == "NEW" and source not in revoked
                opened.append((task.task_type, agency.kind))
            assert sorted(opened) == expected[hearing.kind], hearing.kind
        # Each assessment task has its row, done before the hearing or not as its task was.
        rows = {row.task_id: row for row in HearingAssessment.objects.select_related("hearing")}
        assessed = AgencyTask.objects.filter(
            task_type__in=["pre_hearing_risk_assessment", "pre_sentence_report"]
        )
        assert rows and set(rows) == set(assessed.values_list("pk", flat=True))
        for task in assessed:
            row = rows[task.pk]
            assert (row.referral_id, row.agency_id, row.due) == (
                task.referral_id, task.agency_id, task.due)
            assert row.completed_at == task.finished
            if task.finished is not None:
                starts = timezone.make_aware(datetime.combine(row.hearing.date, time.min))
                assert row.before_hearing == (task.finished < starts)
                assert row.risk_level
            else:
                assert row.before_hearing is None and not row.risk_level

    def test_a_psychiatric_assessment_sought_gives_the_unit_its_report(self):
        sought = list(PsychiatricAssessment.objects.all())
        assert sought
        reports = {p.data["context"]["assessment"]: p for p in CaseProcess.objects.filter(
            flow_class=CaseTaskFlow, data__task_type="psychiatric_report")}
        assert set(reports) == {a.pk for a in sought}
        yes = AgencyTask.objects.filter(task_type="psychiatric_assessment_request",
                                        data__result__request=True)
        assert yes.count() == len(sought)
        for assessment in sought:
            assert assessment.status in ("sought", "done", "not_ordered")
            assert (assessment.status == "done") == bool(assessment.done_on)

    def test_open_tasks_of_coming_hearings_are_in_their_agencies_queues(self, api):
        """Open tasks before coming hearings are in their agency's queue exactly when unclaimed.
        A hearing's tasks are made when it is listed, often weeks ahead (a trial months), and
        are claimed within days: on the caseload's day the open ones may all be claimed (so
        with seed 3 on 2026-12-03), and then the queue must not show them."""
        open_ones = AgencyTask.objects.filter(
            is_open=True, task_type__in=["pre_hearing_risk_assessment",
                                         "psychiatric_assessment_request",
                                         "pre_sentence_report", "psychiatric_report"])
        assert open_ones.exists()
        assert CourtHearing.objects.filter(date__gte=self.TODAY).exists()
        # The queued ones first, if any.
        for task in open_ones.select_related("agency").order_by("-in_queue", "pk")[:5]:
            assert (task.pk in self._queue_seen_by_a_taker(api, task)) == task.in_queue

    @staticmethod
    def _queue_seen_by_a_taker(api, task: AgencyTask) -> list[int]:
        """The task ids of its agency's queue, every page, as a member who may take it reads it
        through the API."""
        member = next(m for m in Membership.objects.filter(agency=task.agency)
                      .select_related("agency", "user") if policy.may_take_task(m, task))
        client, found, url = api(member.user), [], "/api/v1/tasks/?scope=queue&page_size=500"
        while url:
            body = client.get(url).json()
            found += [row["id"] for row in body["results"]]
            url = body["next"]
        return found

    @staticmethod
    def _victim_updates() -> dict[int, tuple[CaseProcess, list[AgencyTask]]]:
        """process id -> (the victim update's or CPS letter's process, its task rows in
        order)."""
        processes = {p.pk: p for p in CaseProcess.objects.filter(
            flow_class=CaseTaskFlow, data__task_type__in=("victim_update", "victim_letter"))}
        tasks = defaultdict(list)
        for task in AgencyTask.objects.filter(process__in=processes).order_by("pk"):
            tasks[task.process_id].append(task)
        return {pk: (process, tasks[pk]) for pk, process in processes.items()}

    def test_every_trigger_gives_the_duty_holder_its_victim_update_due_as_the_app_s(
            self, anchor):
        """`services.COMPLETION`: a charging decision, whatever it is, and an enforcement with an
        arrest; `victims_code_event`: the Victims' Code duty holder in the referrer's region,
        police, or CPS by letter for its decision not to charge (which offers the victim a
        review), due in 5 working days or 1 for a victim with enhanced rights; a done update is
        a contact entry with its trigger, on time by the due."""
        triggers = Counter()
        for task in AgencyTask.objects.filter(task_type="charging_review", status="DONE"):
            triggers[(task.referral_id, task.finished, "charging decision made")] += 1
        for task in AgencyTask.objects.filter(task_type="enforcement", status="DONE",
                                              data__result__arrested=True):
            triggers[(task.referral_id, task.finished, "suspect arrested")] += 1
        # Bail conditions are recorded with the referral here (`referral_refer`), or by the
        # court's bail decision (told of as that decision).
        referrals = {r.pk: r for r in Referral.objects.select_related("referrer_agency")}
        for order in ProtectiveOrder.objects.filter(kind="bail_conditions").exclude(
                made_by="court_bail"):
            assert order.created_at == referrals[order.referral_id].created_at
            triggers[(order.referral_id, order.created_at, "bail conditions recorded")] += 1
        # Police's decisions but arrests (counted above, with those on bail breaches), the
        # court's bail decisions and verdicts, and sentences (`workflows.services.justice`).
        police = {}
        for decision in PoliceDecision.objects.exclude(kind="arrested").select_related("offence"):
            if decision.kind in POLICE_TRIGGERS:
                reason = TRIGGER_REASONS[POLICE_TRIGGERS[decision.kind]]
                key = (decision.offence.referral_id, decision.created_at, reason)
                triggers[key] += 1
                police[key] = decision
        for outcome in HearingOutcome.objects.select_related("hearing"):
            if outcome.result in COURT_TRIGGERS:
                triggers[(outcome.hearing.referral_id, outcome.created_at,
                          TRIGGER_REASONS[COURT_TRIGGERS[outcome.result]])] += 1
        for sentence in Sentence.objects.select_related("offence"):
            triggers[(sentence.offence.referral_id, sentence.created_at, "sentence passed")] += 1
        updates = self._victim_updates()
        assert Counter((p.referral_id, p.created, p.data["context"]["reason"])
                       for p, _ in updates.values()) == triggers
        reasons = Counter(reason for _, _, reason in triggers.elements())
        # Arrests follow about 3 in 10 of some 100 breaches, most of them by the few heavy
        # breachers the 600 cases draw: how many swings with the draws (36 in one run), so a
        # floor well under it.
        assert reasons["charging decision made"] > 50 and reasons["suspect arrested"] > 20
        assert reasons["bail conditions recorded"] > 20
        for reason in ("no further action decided", "suspect released under investigation",
                       "suspect charged", "bail decided by the court", "verdict given",
                       "sentence passed"):
            assert reasons[reason] > 0, reason

        granted = {(e.changes["agency"], e.changes["source"]): e.at
                   for e in Event.objects.filter(verb="access.granted")}
        revoked = {(e.changes["agency"], e.changes["source"]): e.at
                   for e in Event.objects.filter(verb="access.revoked")}
        decided = {int(e.object_id): e for e in Event.objects.filter(
            verb__in=("victim_update.completed", "victim_letter.completed"))}
        contacts = {c.task_id: c for c in ContactEntry.objects.filter(task__isnull=False)}
        # CPS's decisions by their review task's finish: the update names the decision.
        charging = {(d.referral_id, d.task.finished): d for d in
                    ChargingDecision.objects.select_related("task")}
        reviews = {(r.referral_id, r.decided_by_kind, r.decision_on, r.offence_id): r
                   for r in RightToReview.objects.all()}
        arrests = {(d.offence.referral_id, d.created_at): d for d in
                   PoliceDecision.objects.filter(kind="arrested").select_related("offence")}
        assert len(reviews) == RightToReview.objects.count()
        states, letters = Counter(), 0
        for process, (start, route, task, *end) in updates.values():
            referral = referrals[process.referral_id]
            context = process.data["context"]
            expected = {"reason": context["reason"], "trigger": context["trigger"],
                        "duty_holder": DUTY_HOLDERS[context["trigger"]][2]}
            kind, task_type, answer = "police", "victim_update", "contacted"
            by_police = police.get((process.referral_id, process.created, context["reason"]))
            if by_police is not None:
                expected["offence"] = by_police.offence_id
                if by_police.kind == "no_further_action":
                    review = reviews.pop((process.referral_id, "police", by_police.decided_on,
                                          by_police.offence_id))
                    assert (review.decider_id, review.offered_on, review.offence_id) == (
                        by_police.recorded_by_id, by_police.decided_on, by_police.offence_id)
            if context["reason"] == "suspect arrested":
                arrest = arrests.get((process.referral_id, process.created))
                if arrest is not None:  # on the breach's open offence
                    expected["offence"] = arrest.offence_id
            if context["reason"] == "charging decision made":
                decision = charging[(process.referral_id, process.created)]
                expected["decision"] = decision.decision
                if decision.offence_id is not None:
                    expected["offence"] = decision.offence_id
                if decision.decision == "no_further_action":
                    # CPS's to explain, by letter; the victim is offered a review of it.
                    kind, task_type, answer = "cps", "victim_letter", "sent"
                    expected["duty_holder"] = "cps"
                    review = reviews.pop((process.referral_id, "cps", decision.decided_on,
                                          decision.offence_id))
                    assert (review.decided_by_kind, review.decider_id, review.offered_on,
                            review.outcome) == ("cps", decision.recorded_by_id,
                                                decision.decided_on, "pending")
                    letters += 1
            assert context == expected
            holder = allocation.agency_of_kind(kind, region=referral.referrer_agency.region)
            due = calendar.due_in_working_days(1 if referral.victim_enhanced_rights else 5,
                                               now=process.created)
            assert TRIGGER_REASONS[context["trigger"]] == context["reason"]
            assert [start.flow_task, route.flow_task, task.flow_task] == [
                CaseTaskFlow.start, CaseTaskFlow.route, getattr(CaseTaskFlow, task_type)]
            assert (task.agency_id, task.task_type, task.role, task.due, task.created) == (
                holder.pk, task_type, "caseworker", due, process.created)
            assert parse_datetime(process.data["due"]) == due
            assert process.data["agency"] == holder.pk
            source = (holder.slug, f"process:{process.pk}")
            assert granted[source] == process.created
            if task.status == "DONE":
                result = task.data["result"]
                assert task_schemas.check(task_type, result) == {}
                assert process.data["results"] == {task_type: result}
                event = decided[task.pk]
                assert (event.actor_id, event.at) == (task.owner_id, task.finished)
                assert event.changes[answer] == result[answer]
                assert [t.flow_task for t in end] == [CaseTaskFlow.end]
                assert revoked[source] == process.finished == task.finished
                states["late" if task.finished > due else "on time"] += 1
                contact = contacts.pop(task.pk)
                assert (contact.referral_id, contact.agency_id, contact.recorded_by_id,
                        contact.at, contact.trigger, contact.due, contact.on_time,
                        contact.reached) == (
                    task.referral_id, holder.pk, task.owner_id, task.finished,
                    context["trigger"], due, task.finished <= due, result[answer])
                if task_type == "victim_letter":
                    assert contact.method == "letter"
            else:
                assert not end and process.status == "NEW" and source not in revoked
                assert task.pk not in decided
                states["claimed" if task.status == "ASSIGNED" else "queued"] += 1
            assert (task.escalated_at is not None) == (due < (task.finished or anchor))
        assert not contacts  # a contact entry for each done update, no other
        assert letters and not reviews  # a review offered with each letter, no other
        # Most on time, a good share late, as the generator's other tasks (`study.task_days`).
        assert states["on time"] > 1.5 * states["late"] > 0, states

    def test_open_victim_updates_are_in_the_duty_holder_s_queue(self, api, anchor):
        """Open victim updates (and, as the 600 cases laid out back from today may leave none
        open on some day, the other tasks outside the main line) are in their agency's queue
        exactly when unclaimed."""
        open_ones = AgencyTask.objects.filter(
            task_type__in=("victim_update", "enforcement", "action"), is_open=True)
        assert open_ones.exists()
        for task in open_ones.select_related("agency"):
            if task.task_type == "victim_update":  # due in days: only recent ones are open
                assert task.created > anchor - timedelta(days=40)
            assert (task.pk in self._queue_seen_by_a_taker(api, task)) == task.in_queue

    def test_a_victim_update_is_written_as_the_app_s_own_service_writes_one(
            self, anchor, django_capture_on_commit_callbacks):
        """`victims_code_event` on a generated case, beside the generator's latest one of it."""
        from workflows.services import victims_code_event

        generated = AgencyTask.objects.filter(
            task_type="victim_update", created__gt=anchor - notices.WINDOW + timedelta(days=1),
        ).select_related("process", "referral__referrer_agency").latest("created")
        referral = generated.referral
        with django_capture_on_commit_callbacks(execute=True):
            context = generated.process.data["context"]
            made = victims_code_event(referral=referral, trigger=context["trigger"],
                                      context={key: context.get(key)
                                               for key in ("decision", "offence")})
        ours, theirs = generated.process.coerced, made.process.coerced

        def rows(process: CaseProcess) -> list[tuple]:
            found = AgencyTask.objects.filter(process=process).order_by("pk")[:3]
            return [(t.flow_task, t.flow_task_type, str(t.token), t.task_type, t.agency_id,
                     t.role, t.referral_id, t.excluded_user_id) for t in found]

        def links(process: CaseProcess) -> list[int]:
            found = list(AgencyTask.objects.filter(process=process).order_by("pk")[:3])
            index = {t.pk: n for n, t in enumerate(found)}
            return sorted((index[link.from_task_id], index.get(link.to_task_id))
                          for link in Task.previous.through.objects.filter(from_task__in=found))

        assert rows(ours) == rows(theirs)
        assert links(ours) == links(theirs)
        assert ours.flow_class == theirs.flow_class and ours.referral_id == theirs.referral_id
        assert set(ours.data) == set(theirs.data)
        for key in ("task_type", "agency", "context"):
            assert ours.data[key] == theirs.data[key]
        days = 1 if referral.victim_enhanced_rights else 5
        assert theirs.data["due"] == calendar.due_in_working_days(days).isoformat()
        assert ours.data["due"] == calendar.due_in_working_days(days, now=ours.created).isoformat()

        def granted(process: CaseProcess) -> dict:
            event = Event.objects.get(verb="access.granted",
                                      changes__source=f"process:{process.pk}")
            return {**event.changes, "source": "", "disclosure": None,
                    "referral": event.referral_id}

        assert granted(ours) == granted(theirs)
        assert Involvement.objects.filter(referral=referral, basis="task",
                                          source=f"process:{theirs.pk}").exists()
        assert Involvement.objects.filter(referral=referral, basis="task",
                                          source=f"process:{ours.pk}").exists() == (
            generated.is_open)

        def disclosed(process: CaseProcess) -> tuple:
            found = Disclosure.objects.get(referral=referral, basis="task",
                                           source=f"process:{process.pk}")
            return (found.agency_id, found.agreement_id, found.lawful_basis, found.sections,
                    found.outside_agreement, found.authorised_by_id)

        if generated.agency_id != referral.referrer_agency_id:
            assert disclosed(ours) == disclosed(theirs)

        def told(task: AgencyTask) -> tuple[set[int], set[str]]:
            found = Notification.objects.filter(task=task, kind=Notification.Kind.QUEUED)
            return set(found.values_list("user_id", flat=True)), set(
                found.values_list("text", flat=True))

        assert told(generated) == told(made) != (set(), set())

    def test_each_disclosure_is_a_row_that_outlives_its_involvement(self):
        """Every grant beyond the referrer is a `Disclosure` its `access.granted` event names,
        ended when its involvement ended, as `referral.access` leaves them."""
        rows = {d.pk: d for d in Disclosure.objects.select_related("agency")}
        named = {e.changes["disclosure"]: e
                 for e in Event.objects.filter(verb="access.granted")
                 if e.changes["disclosure"] is not None}
        assert rows and set(named) == set(rows)
        revoked = {(e.referral_id, e.changes["agency"], e.changes["basis"], e.changes["source"]):
                   e.at for e in Event.objects.filter(verb="access.revoked")}
        held = set(Involvement.objects.values_list("referral_id", "agency_id", "basis", "source"))
        referrers = dict(Referral.objects.values_list("pk", "referrer_agency_id"))
        for pk, row in rows.items():
            granted = named[pk]
            key = (row.referral_id, row.agency.slug, row.basis, row.source)
            assert (granted.referral_id, granted.changes["agency"], granted.changes["basis"],
                    granted.changes["source"], granted.at) == (*key, row.disclosed_at)
            assert row.agency_id != referrers[row.referral_id]
            assert row.ended_at == revoked.get(key)
            assert ((row.referral_id, row.agency_id, row.basis, row.source) in held) == (
                row.ended_at is None)

    def test_police_decide_on_each_researched_case_s_offence(self):
        """Police record the case's offence (with the referral when they refer, else when their
        research is done) and decide on it then: referred to CPS when they ask for charging
        advice, else mostly no further action with its outcome reason, some released under
        investigation, cautions and community resolutions (`police_decision_log`)."""
        research = {t.referral_id: t for t in AgencyTask.objects.filter(
            task_type="research", status="DONE", agency__kind="police")}
        mains = {o.referral_id: o for o in Offence.objects.filter(
            breach_of_order__isnull=True, incident__isnull=True).exclude(kind="other")}
        assert research and set(research) <= set(mains)
        referrals = {r.pk: r for r in Referral.objects.select_related("referrer_agency")}
        decisions = defaultdict(list)
        for decision in PoliceDecision.objects.filter(offence__in=mains.values()):
            decisions[decision.offence_id].append(decision)
        kinds, states = Counter(), {"no_further_action": "no_further_action",
                                    "cautioned": "out_of_court",
                                    "community_resolution": "out_of_court"}
        for referral_id, offence in mains.items():
            referral = referrals[referral_id]
            assert offence.kind in ("pha_s2", "pha_s2a", "pha_s4", "pha_s4a",
                                    "malicious_communications")
            assert offence.domestic_abuse == bool(
                {"former_partner", "family"} & set(referral.relationship))
            if referral.referrer_agency.kind == "police":
                assert (offence.created_at, offence.recorded_by_id) == (
                    referral.created_at, referral.referred_by_id)
            task = research.get(referral_id)
            if task is None:
                assert not decisions[offence.pk]
                continue
            if referral.referrer_agency.kind != "police":
                assert (offence.created_at, offence.recorded_by_id) == (task.finished,
                                                                        task.owner_id)
            decision, *rest = decisions[offence.pk]
            assert not rest
            assert (decision.created_at, decision.recorded_by_id, decision.agency_id,
                    decision.decided_on) == (task.finished, task.owner_id, task.agency_id,
                                             timezone.localdate(task.finished))
            asked = task.data["result"]["request_charging_advice"]
            assert (decision.kind == "referred_to_cps") == asked
            assert (decision.kind == "no_further_action") == bool(decision.nfa_reason)
            assert offence.police_outcome == decision.kind
            if decision.kind in states:
                assert offence.status == states[decision.kind]
                assert offence.closed_on == decision.decided_on
            kinds[decision.kind] += 1
        own = sum(kinds.values()) - kinds["referred_to_cps"]
        assert kinds["no_further_action"] > 0.6 * own, kinds
        assert all(kinds[k] > 0 for k in ("released_under_investigation", "cautioned",
                                          "community_resolution")), kinds
        reasons = set(PoliceDecision.objects.filter(kind="no_further_action")
                      .values_list("nfa_reason", flat=True))
        assert len(reasons) >= 4

    def test_held_hearings_have_their_outcomes_and_sentences(self, anchor):
        """`hearing_outcome_log` after each hearing held: at the first hearing the plea on
        each charged offence (and for a CPS charge the court's bail), bail with conditions at
        a bail hearing (the conditions the case's order, made by the court), the verdict at a
        trial; `sentence_log` at sentencing (or on the day of a breach's guilty plea), the
        offence taking its disposal and amounts."""
        outcomes = defaultdict(list)
        for outcome in HearingOutcome.objects.select_related("offence", "bail_conditions"):
            outcomes[outcome.hearing_id].append(outcome)
        sentences = defaultdict(list)
        for sentence in Sentence.objects.select_related("offence").prefetch_related(
                "requirements", "orders"):
            sentences[sentence.hearing_id].append(sentence)
        events = {(e.verb, int(e.object_id)): e for e in Event.objects.filter(
            Q(verb__startswith="hearing_outcome.") | Q(verb="sentence.recorded"))}
        assert len(events) == HearingOutcome.objects.count() + Sentence.objects.count()
        held = 0
        for hearing in CourtHearing.objects.all():
            ones, passed = outcomes[hearing.pk], sentences[hearing.pk]
            if hearing.date >= self.TODAY:
                assert not ones and not passed
                continue
            held += 1
            offences = [o for o in ones if o.offence_id is not None]
            results = Counter(o.result for o in ones if o.offence_id is None)
            if hearing.kind == "charge":
                assert offences
                bail = sum(results.values())
                assert bail <= 1 and set(results) <= set(study.COURT_BAIL)
            elif hearing.kind == "bail":
                assert results == {"bail_with_conditions": 1} and not offences
            elif hearing.kind == "trial":
                assert offences and not results
                assert {o.result for o in offences} <= {"convicted", "acquitted"}
            elif hearing.kind == "order":
                # The court's decision is the application's (`order_application_decide`).
                assert not ones and not passed
            else:
                assert not ones and passed
            for outcome in ones:
                event = events[(f"hearing_outcome.{outcome.result}", outcome.pk)]
                assert (event.actor_id, event.at, event.referral_id) == (
                    outcome.recorded_by_id, outcome.created_at, hearing.referral_id)
                assert event.changes == {"hearing": hearing.pk, "offence": outcome.offence_id,
                                         "bail_conditions": outcome.bail_conditions_id,
                                         "note": ""}
                assert timezone.localdate(outcome.created_at) == hearing.date
                order = outcome.bail_conditions
                assert (order is not None) == (outcome.result == "bail_with_conditions")
                if order is not None:
                    assert (order.kind, order.made_by, order.court, order.starts) == (
                        "bail_conditions", "court_bail", hearing.court, hearing.date)
                offence = outcome.offence
                if outcome.result in ("plea_guilty", "convicted"):
                    assert (offence.status, offence.convicted_on) == ("convicted", hearing.date)
                elif outcome.result in ("acquitted", "discontinued"):
                    assert offence.closed_on == hearing.date
                    assert offence.status == {"acquitted": "acquitted"}.get(
                        outcome.result, "discontinued")
            for sentence in passed:
                offence = sentence.offence
                assert offence.status == "convicted" and sentence.sentenced_on == hearing.date
                assert (offence.disposal, offence.fine_pence, offence.custody_days,
                        offence.sentenced_on) == (sentence.disposal, sentence.fine_pence,
                                                  sentence.custody_days, hearing.date)
                kinds = [r.kind for r in sentence.requirements.all()]
                assert offence.treatment_required == bool(set(kinds) & TREATMENT_REQUIREMENTS)
                for order in sentence.orders.all():
                    assert (order.kind, order.made_by, order.starts) == (
                        "restraining_order", "court_on_conviction", hearing.date)
                event = events[("sentence.recorded", sentence.pk)]
                assert event.changes == {
                    "offence": offence.pk, "hearing": hearing.pk,
                    "sentenced_on": hearing.date.isoformat(), "disposal": sentence.disposal,
                    "custody_days": sentence.custody_days,
                    "suspended_for_days": sentence.suspended_for_days,
                    "fine_pence": sentence.fine_pence, "compensation_pence": None,
                    "requirements": kinds,
                    "orders": [o.pk for o in sentence.orders.all()]}
        assert held > 20
        # A conviction is sentenced at its sentencing hearing once that is held.
        convicted = Offence.objects.filter(status="convicted")
        assert convicted.filter(disposal="").count() < convicted.count()

    def test_outcomes_are_shaped_by_the_studies(self):
        """Of the cases police researched (the share charged is of them): custody about 2%,
        a community sentence or fine about 10% (the probation study; the court process of the
        newest cases is still going on); treatment for fewer than 10% of those convicted;
        breaches fined a median of about £80, the heavy breachers' cases many times."""
        researched = set(AgencyTask.objects.filter(
            task_type="research", status="DONE", agency__kind="police"
        ).values_list("referral_id", flat=True))
        disposals = defaultdict(set)
        treated, convicted = set(), set()
        for referral_id, disposal, treatment in Offence.objects.filter(
                status="convicted").values_list("referral_id", "disposal", "treatment_required"):
            convicted.add(referral_id)
            disposals[referral_id].add(disposal)
            if treatment:
                treated.add(referral_id)
        custody = {r for r, d in disposals.items() if "immediate_custody" in d}
        community_or_fine = {r for r, d in disposals.items()
                             if d & {"community_order", "fine"}} - custody
        shares = (len(custody) / len(researched), len(community_or_fine) / len(researched))
        print(f"custody {shares[0]:.3f}, community or fine {shares[1]:.3f} of "
              f"{len(researched)}; treated {len(treated)} of {len(convicted)} convicted")
        assert 0.005 < shares[0] < 0.04, shares
        assert 0.05 < shares[1] < 0.15, shares
        assert len(treated) < 0.1 * len(convicted)
        fines = sorted(Offence.objects.filter(breach_of_order__isnull=False, disposal="fine")
                       .values_list("fine_pence", flat=True))
        median = fines[len(fines) // 2] / 100
        breaches = Counter(Offence.objects.filter(breach_of_order__isnull=False)
                           .values_list("referral_id", flat=True))
        fined = Counter(Offence.objects.filter(breach_of_order__isnull=False, disposal="fine")
                        .values_list("referral_id", flat=True))
        print(f"{len(fines)} breach fines, median £{median:.0f}; fined cases' breaches "
              f"{sorted(breaches[r] for r in fined)}")
        # A handful to a few dozen fines at 600 cases, as the heavy breachers fall: loose.
        assert len(fines) >= 5 and 50 <= median <= 150, (len(fines), median)
        assert max(breaches[r] for r in fined) >= 10

    def test_treatment_required_is_the_perpetrator_s_intervention_on_the_plan(self):
        """`sentence_log`: each treatment requirement is an intervention offered from the
        sentence on the case's plan (opened with the first), a domestic abuse programme only
        for an offence of domestic abuse; the plan asks the psychiatric unit once for an
        assessment of the perpetrator; probation moves it on, a decline or stop with its
        reason, each move an event in order."""
        required = list(SentenceRequirement.objects.filter(
            kind__in=TREATMENT_REQUIREMENTS).select_related("sentence__offence"))
        found = {(i.offence_id, i.kind): i for i in Intervention.objects.all()}
        assert required and len(found) == len(required) == Intervention.objects.count()
        events = defaultdict(list)
        for event in Event.objects.filter(verb__startswith="intervention.").order_by("at", "pk"):
            events[int(event.object_id)].append(event)
        for requirement in required:
            offence = requirement.sentence.offence
            kind = REQUIREMENT_KINDS[requirement.kind]
            if requirement.kind == "accredited_programme" and offence.domestic_abuse:
                kind = "domestic_abuse_programme"
            row = found[(offence.pk, kind)]
            assert (row.referral_id, row.source, row.vehicle, row.offered_on, row.created_at,
                    row.recorded_by_id) == (
                offence.referral_id, "sentence", SENTENCE_VEHICLES[offence.disposal],
                offence.sentenced_on, requirement.sentence.created_at,
                requirement.sentence.recorded_by_id)
            assert bool(row.stop_reason) == (row.status in ("declined", "stopped"))
            verbs = [e.verb for e in events[row.pk]]
            path = {"offered": ["offered"], "declined": ["offered", "declined"],
                    "started": ["offered", "started"],
                    "completed": ["offered", "started", "completed"],
                    "stopped": ["offered", "started", "stopped"]}[row.status]
            assert verbs == [f"intervention.{s}" for s in path]
            assert events[row.pk][-1].changes["status"] == row.status
        plans = {p.referral_id: p for p in InterventionPlan.objects.all()}
        assert set(plans) == {i.referral_id for i in found.values()}
        opened = {int(e.object_id) for e in Event.objects.filter(verb="intervention_plan.opened")}
        assert opened == {p.pk for p in plans.values()}
        asked = Counter(AgencyTask.objects.filter(task_type="perpetrator_assessment")
                        .values_list("referral_id", flat=True))
        assert asked == Counter(list(plans))
        done = set(AgencyTask.objects.filter(task_type="perpetrator_assessment", status="DONE")
                   .values_list("referral_id", flat=True))
        assert set(PerpetratorAssessment.objects.values_list("referral_id", flat=True)) == done

    def test_the_victim_s_voice_is_recorded_as_the_victims_services_record_it(self):
        """Enhanced rights by default for stalking, a few opt-outs with their reason, recorded
        at intake (`entitlement_at_referral`);
        once advocacy's research is done, for a victim who consented, her wishes (whether she
        supports a prosecution: yes, no or not known), consent, a contact, a named advocate for
        a share, a safety plan with its review date (reviewed on it, before the case closes),
        others at risk for some; a personal statement offered when CPS charges."""
        referrals = {r.pk: r for r in Referral.objects.all()}
        entitled = {e.referral_id: e for e in Entitlement.objects.all()}
        stalking = {pk for pk, r in referrals.items() if r.classification == "stalking"}
        assert set(entitled) == stalking
        opted = {pk: e for pk, e in entitled.items() if not e.enhanced}
        assert opted and all(e.opt_out_reason and not e.basis for e in opted.values())
        assert all(e.basis == "persistently_targeted" for pk, e in entitled.items()
                   if pk not in opted)
        assert {pk for pk, r in referrals.items() if not r.victim_enhanced_rights} == (
            set(opted) | set(referrals) - stalking)
        assert len(opted) < 0.1 * len(referrals)
        at_intake = Event.objects.filter(verb__startswith="entitlement.", referral_id__in=stalking)
        assert Counter(e.changes["stage"] for e in at_intake) == {"referral": len(stalking)}
        assert {(int(e.object_id), e.verb == "entitlement.enhanced") for e in at_intake} == {
            (e.pk, e.enhanced) for e in entitled.values()}
        events = defaultdict(list)
        for event in Event.objects.filter(verb__in=(
                "entitlement.opted_out", "wishes.recorded", "consent.recorded", "advocate.named",
                "safety_plan.agreed", "safety_plan.reviewed", "person_at_risk.recorded",
                "statement.made", "statement.declined", "statement.offered")):
            events[event.verb].append(event)
        research = {t.referral_id: t for t in AgencyTask.objects.filter(
            task_type="research", status="DONE", agency__kind="advocacy")}
        wishes = {w.referral_id: w for w in VictimWishes.objects.all()}
        assert set(wishes) == {pk for pk in research if referrals[pk].consent}
        for pk, row in wishes.items():
            task = research[pk]
            assert (row.created_at, row.recorded_by_id, row.agency_id) == (
                task.finished, task.owner_id, task.agency_id)
        assert {w.supports_prosecution for w in wishes.values()} == {True, False, None}
        advocates = list(AdvocateAssignment.objects.select_related("agency"))
        assert advocates and len(advocates) < len(wishes)
        assert all(a.agency.kind == "advocacy" and a.advocate_id == a.recorded_by_id
                   for a in advocates)
        plans = list(SafetyPlan.objects.prefetch_related("reviews"))
        assert plans and all(p.review_on > p.agreed_on for p in plans)
        closed = {p.referral_id: p.finished for p in CaseProcess.objects.filter(
            flow_class=ReferralFlow, status="DONE")}
        for review in SafetyPlanReview.objects.select_related("plan"):
            assert review.created_at < closed.get(review.plan.referral_id, review.created_at
                                                  + timedelta(days=1))
            assert review.plan.review_on == review.next_review_on
        assert PersonAtRisk.objects.exists()
        charged = set(ChargingDecision.objects.filter(decision="charge")
                      .values_list("referral_id", flat=True))
        assert set(StatementOffer.objects.values_list("referral_id", flat=True)) == charged
        for model, verb in ((VictimWishes, "wishes.recorded"),
                            (AdvocateAssignment, "advocate.named"),
                            (SafetyPlan, "safety_plan.agreed"),
                            (SafetyPlanReview, "safety_plan.reviewed"),
                            (PersonAtRisk, "person_at_risk.recorded")):
            assert {int(e.object_id) for e in events[verb]} == set(
                model.objects.values_list("pk", flat=True)), verb

    def test_the_victim_s_voice_events_are_the_app_s(self, anchor):
        """The victims app's services on a generated case, beside the generator's events."""
        from victims import services as victims_services

        wishes = VictimWishes.objects.select_related("referral").filter(
            referral__classification="stalking").latest("created_at")
        member = Membership.objects.select_related("agency", "user").get(
            user_id=wishes.recorded_by_id)
        referral, user, today = wishes.referral, member.user, timezone.localdate()
        # As the intake records a referrer's opt-out.
        referral.victim_enhanced_rights = False
        victims_services.entitlement_at_referral(referral=referral, actor=user,
                                                 agency=member.agency,
                                                 opt_out_reason="Asked us not to.")
        victims_services.wishes_record(referral=referral, actor=user, membership=member,
                                       supports_prosecution=None, wishes="x",
                                       contact_preferences="y")
        victims_services.consent_scope_record(referral=referral, actor=user, membership=member,
                                              agency_kinds=["police"], covers="z",
                                              given_on=today)
        plan = victims_services.safety_plan_agree(
            referral=referral, actor=user, membership=member, agreed_on=today,
            review_on=today + timedelta(days=28), summary="s")
        victims_services.safety_plan_review_record(
            plan=plan, actor=user, membership=member, reviewed_on=today,
            next_review_on=today + timedelta(days=56), note="n")
        victims_services.person_at_risk_record(referral=referral, actor=user,
                                               membership=member, relation="child", notes="n")
        victims_services.statement_offer_record(referral=referral, actor=user,
                                                membership=member, offered_on=today,
                                                made=False, declined_reason="r")
        victims_services.contact_record(referral=referral, actor=user, membership=member,
                                        draft=victims_services.ContactDraft(
                                            method="phone", reached=True, note="n"))
        theirs = list(Event.objects.filter(at__gte=anchor))
        assert len(theirs) == 8
        for event in theirs:
            ours = Event.objects.filter(verb=event.verb, at__lt=anchor).first()
            assert ours is not None, event.verb
            assert set(ours.changes) == set(event.changes), event.verb
            assert ours.object_type == event.object_type
            for key, value in event.changes.items():
                assert type(ours.changes[key]) is type(value) or None in (
                    ours.changes[key], value), (event.verb, key)

    def test_screens_have_not_known_answers_and_people_have_identifiers(self, anchor):
        """Some screening answers not known (null, scored with the yeses by the instrument);
        identifiers of the victim and the suspect for a share of referrals, normalised as
        `referral_submit` normalises them, each with its event as `identifier_record` writes
        one."""
        from referral import linking, screening
        from referral import services as referral_services
        from referral.models import PersonIdentifier, Screening

        screens = list(Screening.objects.select_related("instrument"))
        answers = [v for row in screens for v in row.answers.values()]
        assert 0.02 < sum(v is None for v in answers) / len(answers) < 0.12
        for row in screens:
            assert (row.score, row.risk_level) == screening.score(row.instrument, row.answers)
        found = list(PersonIdentifier.objects.select_related("referral"))
        assert {(i.role, i.kind) for i in found} == {
            ("victim", "phone"), ("suspect", "phone"), ("suspect", "online_account")}
        assert 0.2 < len({i.referral_id for i in found}) / len(screens) < 0.6
        events = {int(e.object_id): e for e in Event.objects.filter(
            verb__endswith="_identifier.recorded")}
        for row in found:
            assert row.normalised == linking.normalised_identifier(row.kind, row.value,
                                                                   row.platform)
            assert row.created_at == row.referral.created_at
            event = events[row.pk]
            assert (event.verb, event.at, event.actor_id) == (
                f"{row.role}_identifier.recorded", row.created_at, row.recorded_by_id)
        row = next(i for i in found if i.kind == "online_account")
        member = Membership.objects.select_related("agency", "user").get(
            user_id=row.recorded_by_id)
        made = referral_services.identifier_record(
            referral=row.referral, actor=member.user, membership=member, role="suspect",
            kind="online_account", platform="Instagram", value="@Someone.Else")
        theirs = Event.objects.get(verb="suspect_identifier.recorded", object_id=str(made.pk))
        assert theirs.changes == events[row.pk].changes
        assert theirs.object_type == events[row.pk].object_type

    def test_the_justice_rows_are_written_as_the_app_s_services_write_them(self, anchor):
        """The app's own services on a generated case (an offence charged by police, pleaded
        guilty at a held hearing, bail with conditions, fined with a restraining order),
        beside the generator's rows and events of the same kinds."""
        hearing = CourtHearing.objects.filter(kind="charge", date__lt=self.TODAY).order_by(
            "pk").first()
        generated = PoliceDecision.objects.filter(kind="charged").select_related(
            "offence").latest("created_at")
        officer = Membership.objects.select_related("agency", "user").get(
            user_id=generated.recorded_by_id)
        user, today = officer.user, timezone.localdate()
        offence = justice_services.offence_create(
            referral=hearing.referral, actor=user, membership=officer,
            draft=justice_services.OffenceDraft(kind="pha_s5_5"))
        justice_services.police_decision_record(
            offence=offence, actor=user, membership=officer,
            draft=justice_services.PoliceDecisionDraft(kind="charged", decided_on=today))
        justice_services.hearing_outcome_record(
            hearing=hearing, actor=user, membership=officer,
            draft=justice_services.OutcomeDraft(result="plea_guilty", offence=offence))
        justice_services.hearing_outcome_record(
            hearing=hearing, actor=user, membership=officer,
            draft=justice_services.OutcomeDraft(result="bail_with_conditions",
                                                bail_conditions="Not to contact her."))
        justice_services.sentence_record(
            offence=offence, actor=user, membership=officer,
            draft=justice_services.SentenceDraft(
                disposal="fine", sentenced_on=hearing.date, hearing=hearing, fine_pence=8000,
                orders=(justice_services.ConvictionOrderDraft(
                    kind="restraining_order", conditions="Not to contact her.",
                    starts=hearing.date),)))
        # What the services wrote: the only events after the caseload's day.
        theirs = list(Event.objects.filter(at__gte=anchor))
        assert len(theirs) == 7

        def shape(event: Event) -> dict:
            return {key: type(value).__name__ for key, value in event.changes.items()}

        for event in theirs:
            ours = Event.objects.filter(verb=event.verb, object_type=event.object_type).exclude(
                pk=event.pk).order_by("at").first()
            assert ours is not None, event.verb
            assert set(ours.changes) == set(event.changes), event.verb
            for key, kind in shape(event).items():
                # A value left empty by one may be filled by the other (`None` and an id).
                assert shape(ours)[key] == kind or "NoneType" in (shape(ours)[key], kind), (
                    event.verb, key)
        # The offence's state, as the generator leaves a breach pleaded guilty and fined.
        offence.refresh_from_db()
        fined = Offence.objects.filter(disposal="fine", breach_of_order__isnull=False,
                                       police_outcome="charged").first()
        fields = ("status", "police_outcome", "cps_decision", "disposal", "custody_days",
                  "treatment_required")
        assert [getattr(fined, f) for f in fields] == [getattr(offence, f) for f in fields]
        assert fined.charged_on <= fined.convicted_on == fined.sentenced_on
        assert offence.convicted_on == offence.sentenced_on

    def test_police_apply_for_stalking_protection_orders_as_the_app_records_them(self):
        """`order_application_log` with its listed `order` hearing, for about 7% of cases (of
        those police research, `study.SPO_APPLICATION_SHARE`); the court's decisions
        (`order_application_decide`): interim orders replaced by the full order or discharged
        on refusal; a full order served (`order_serve_log`) with its notification duty and the
        police's check due at the close of the third day; a failure an `spa_notification`
        offence and its enforcement. Each step in time order, with its event."""
        referrals = Referral.objects.count()
        applications = list(OrderApplication.objects.all())
        share = len(applications) / referrals
        print(f"{len(applications)} applications of {referrals} cases ({share:.3f})")
        assert 0.03 < share < 0.12, share
        statuses = Counter(a.status for a in applications)
        assert statuses["made"] > statuses["refused"] and statuses["made"] >= 10, statuses
        members = {m.user_id: m for m in Membership.objects.select_related("agency")}
        orders = {o.pk: o for o in ProtectiveOrder.objects.filter(made_by="court_on_application")}
        changes = {(c.order_id, c.kind): c for c in OrderChange.objects.all()}
        hearings = {(h.referral_id, h.created_at): h for h in CourtHearing.objects.filter(
            kind="order")}
        assert len(hearings) == len(applications)
        events = defaultdict(list)
        for event in Event.objects.filter(object_type="orders.orderapplication").order_by("at"):
            events[int(event.object_id)].append(event)
        interims = 0
        for application in applications:
            officer = members[application.recorded_by_id]
            assert policy.can_write(officer, "orders")
            hearing = hearings[application.referral_id, application.created_at]
            assert application.hearing_id == hearing.pk
            assert hearing.date > application.applied_on
            assert hearing.recorded_by_id == application.recorded_by_id
            verbs = [e.verb.split(".")[1] for e in events[application.pk]]
            interim = orders.get(application.interim_order_id)
            expected = ["made"] + (["interim_made"] if interim else []) + {
                "made": ["granted"], "refused": ["refused"]}.get(application.status, [])
            assert verbs == expected, (application.pk, verbs)
            for event in events[application.pk]:
                assert set(event.changes) == {"kind", "applied_on", "status", "court",
                                              "interim_order", "order"}
                assert event.at >= application.created_at
            if interim is not None:
                interims += 1
                assert interim.kind == "interim_stalking_protection_order"
                assert application.applied_on <= interim.starts < hearing.date
            if application.status == "made":
                order = orders[application.order_id]
                assert (order.kind, order.starts) == ("stalking_protection_order", hearing.date)
                assert order.expires is None or order.expires >= date(
                    order.starts.year + 2, order.starts.month, 1)
                assert application.decided_at == order.created_at
            if interim is not None and application.status in ("made", "refused"):
                ended = "replaced" if application.status == "made" else "discharged"
                assert (interim.status, interim.ended_on) == (ended, hearing.date)
                assert changes[interim.pk, ended].on == hearing.date
            elif interim is not None:
                assert interim.status == "in_force"
        assert interims
        # Served full orders: the duty and the police's check.
        duties = list(NotificationDuty.objects.select_related("order", "task"))
        assert duties and {d.order.kind for d in duties} == {"stalking_protection_order"}
        served = {int(e.object_id): e for e in Event.objects.filter(verb="order.served")}
        checked = {int(e.object_id): e for e in Event.objects.filter(
            verb__startswith="notification_check.")}
        failures = {e.notification_id: e for e in Enforcement.objects.filter(
            notification__isnull=False).select_related("offence", "task")}
        for duty in duties:
            order, task = duty.order, duty.task
            assert order.served_on == duty.served_on >= order.starts
            assert duty.due_on == duty.served_on + timedelta(days=3)
            assert served[order.pk].changes == {"kind": order.kind,
                                                "served_on": duty.served_on.isoformat(),
                                                "notification_due_on": duty.due_on.isoformat()}
            assert task.task_type == "notification_check" and task.agency.kind == "police"
            assert task.due == calendar.end_of_day(duty.due_on)
            assert task.created == served[order.pk].at
            assert task.process.data["context"] == {
                "order": order.pk, "served_on": duty.served_on.isoformat(),
                "due_on": duty.due_on.isoformat()}
            assert (duty.status == "pending") == task.is_open
            if task.is_open:
                assert order.pk not in checked and duty.pk not in failures
                continue
            event = checked[order.pk]
            assert event.verb == f"notification_check.{duty.status}"
            assert event.at == task.finished == duty.decided_at
            assert event.changes["complied"] == task.data["result"]["complied"]
            if duty.status == "complied":
                assert duty.served_on <= duty.notified_on <= duty.due_on
                assert task.data["result"]["notified_on"] == duty.notified_on.isoformat()
                assert duty.pk not in failures
                continue
            enforcement = failures[duty.pk]
            assert (enforcement.offence.kind, enforcement.offence.breach_of_order_id,
                    enforcement.offence.committed_from) == ("spa_notification", order.pk,
                                                            duty.due_on)
            assert enforcement.task.created == task.finished
            assert enforcement.task.process.data["context"]["offence"] == enforcement.offence_id
        statuses = Counter(d.status for d in duties)
        print(f"notification duties {dict(statuses)}")
        assert statuses["complied"] > statuses["failed"]

    def test_order_applications_are_written_as_the_app_s_own_services_write_them(self, anchor):
        """The app's services on a generated case: an application listed for a hearing, an
        interim order, the full order, its service and a failure to notify found by the
        police's check; each event's verb, object type and `changes` keys beside the
        generator's of the same kind."""
        from orders import services as order_services
        from workflows.services import orders as order_work

        generated = OrderApplication.objects.filter(status="made").latest("created_at")
        officer = Membership.objects.select_related("agency", "user").get(
            user_id=generated.recorded_by_id)
        user, today = officer.user, timezone.localdate()
        referral = Referral.objects.filter(
            referrer_agency__region=officer.agency.region, order_applications__isnull=True,
            status__in=("research", "review")).first()
        application, hearing = order_work.order_application_log(
            referral=referral, actor=user, membership=officer, applied_on=today,
            court="Magistrates' Court", reason="Stalking continues.",
            hearing=order_work.ListedHearing(on=today + timedelta(days=7)))
        assert hearing.kind == "order"
        for decision in ("interim", "made"):
            order_work.order_application_decide_log(
                referral=referral, application_id=application.pk, actor=user,
                membership=officer, decision=order_services.ApplicationDecision(
                    decision=decision, on=today, conditions="Not to contact her."))
        application.refresh_from_db()
        order_work.order_serve_log(referral=referral, order_id=application.order_id, actor=user,
                                   membership=officer, served_on=today)
        order_work.notification_log(referral=referral, order_id=application.order_id,
                                    actor=user, membership=officer, complied=False,
                                    reason="Has not notified.", by_task=True)
        theirs = list(Event.objects.filter(at__gte=anchor))
        verbs = {e.verb for e in theirs}
        assert {"order_application.made", "hearing.recorded", "order_application.interim_made",
                "order.recorded", "order_application.granted", "order.served",
                "notification_check.failed", "offence.recorded"} <= verbs, verbs

        def shape(event: Event) -> dict:
            return {key: type(value).__name__ for key, value in event.changes.items()}

        for event in theirs:
            ours = Event.objects.filter(verb=event.verb, object_type=event.object_type,
                                        at__lt=anchor).order_by("-at").first()
            assert ours is not None, (event.verb, event.object_type)
            assert set(ours.changes) == set(event.changes), event.verb
            for key, kind in shape(event).items():
                assert shape(ours)[key] == kind or "NoneType" in (shape(ours)[key], kind), (
                    event.verb, key)
        # The rows: the application, the interim order replaced, the duty failed.
        ours = OrderApplication.objects.filter(status="made", interim_order__isnull=False,
                                               order__served_on__isnull=False).first()
        assert ours is not None
        fields = ("kind", "status", "agency_id")
        assert (ours.hearing.kind, application.hearing.kind) == ("order", "order")
        assert ([getattr(ours, f) for f in fields][:2], ours.interim_order.status) == (
            [getattr(application, f) for f in fields][:2], application.interim_order.status)
        assert (ours.order.made_by, ours.interim_order.made_by) == (
            application.order.made_by, application.interim_order.made_by)
        failed = NotificationDuty.objects.filter(status="failed").first()
        theirs_duty = NotificationDuty.objects.get(order_id=application.order_id)
        assert (failed.status, failed.notified_on) == (theirs_duty.status, theirs_duty.notified_on)
        assert Enforcement.objects.filter(notification=theirs_duty).exists()
        assert Enforcement.objects.filter(notification=failed).exists()

    def test_the_trail_still_verifies(self):
        out = io.StringIO()
        call_command("audit_verify", "--unanchored", stdout=out, stderr=io.StringIO())
        assert out.getvalue().startswith("ok: ")
        assert not Event.objects.filter(seal__isnull=True).exists()

    def test_deadlines_end_at_close_of_business_in_london_as_the_apps_do(self):
        """The app's deadlines are 17:30 local time (`workflows.calendar.end_of_day`), an hour
        from 17:30 UTC in summer; but an enforcement task's, 24 hours from the breach (the
        seeded local policy), and a hearing task's, at least 4 hours from its recording, as is
        the psychiatric report CPS's yes asks for before the hearing (`workflows.services`)."""
        from zoneinfo import ZoneInfo

        london = ZoneInfo("Europe/London")
        hearing = ("pre_hearing_risk_assessment", "psychiatric_assessment_request",
                   "pre_sentence_report", "psychiatric_report")
        tasks = AgencyTask.objects.filter(due__isnull=False)
        dues = list(tasks.exclude(task_type__in=("enforcement", *hearing))
                    .values_list("due", flat=True))
        assert len(dues) > 1000
        assert {due.astimezone(london).time() for due in dues} == {time(17, 30)}
        assert {due.astimezone(london).utcoffset() for due in dues} == {
            timedelta(0), timedelta(hours=1)}  # deadlines in winter and in summer
        for created, due in tasks.filter(task_type="enforcement").values_list("created", "due"):
            assert due - created == timedelta(hours=24)
        for created, due in tasks.filter(task_type__in=hearing).values_list("created", "due"):
            assert due.astimezone(london).time() == time(17, 30) or (
                due - created == timedelta(hours=4))


    def test_the_outcome_reports_recover_the_studies_figures(self):
        """The reports read back what the generator wrote from the studies: about 1 case in 9
        charged, about 2% in custody, community sentences and fines well under the probation
        study's 10% (`study.SENTENCES` says why), treatment for under 10% of those convicted,
        small breach fines, and the breaches per order as the incidents hold them."""
        auditor = next(m for m in Membership.objects.select_related("agency")
                       if m.agency.kind == "oversight" and "auditor" in m.roles)
        cohort = cohort_for(membership=auditor)

        def table(report: str, key: str) -> dict[str, dict]:
            built = report_build(spec=REPORTS[report], cohort=cohort)
            found = next(t for t in built.tables if t.key == key)
            return {r.key: r.values for r in (*found.rows, *filter(None, [found.total]))}

        cases = table("justice", "case_outcomes")
        assert cases["total"]["cases"] == Referral.objects.count() == 600
        assert abs(cases["charged"]["cases_share"] - study.CHARGED_SHARE) < 0.045, cases
        assert abs(cases["immediate_custody"]["cases_share"] - study.CUSTODY_SHARE) < 0.015
        community_or_fine = (cases["community_order"]["cases"] + cases["fine"]["cases"]) / 600
        assert 0.04 < community_or_fine < 0.15, community_or_fine

        treatment = table("interventions", "treatment")
        convicted = Offence.objects.filter(convicted_on__isnull=False)
        assert treatment["total"]["cases"] == convicted.values("referral").distinct().count()
        assert 0 < treatment["treated"]["share"] < 0.10, treatment["treated"]

        fines = table("justice", "fines")["breach"]
        assert 50_00 < fines["median_pence"] < 120_00, fines

        # Orders by their breaches, against the incidents counted here.
        per_order = Counter(Incident.objects.filter(breach_of_order__isnull=False)
                            .values_list("breach_of_order", flat=True))
        orders = ProtectiveOrder.objects.count()
        bands = {"none": (0, 0), "one": (1, 1), "two_to_four": (2, 4), "five_to_nine": (5, 9),
                 "ten_to_nineteen": (10, 19), "twenty_or_more": (20, 10**6)}
        breaches = table("breaches", "breaches_per_order")
        assert breaches["total"] == {"orders": orders, "orders_share": 1.0,
                                     "breaches": sum(per_order.values()), "breaches_share": 1.0}
        for key, (low, high) in bands.items():
            counts = [n for n in [*per_order.values(), *[0] * (orders - len(per_order))]
                      if low <= n <= high]
            assert (breaches[key]["orders"], breaches[key]["breaches"]) == (
                len(counts), sum(counts)), key
        # Breaches by the dozen: a few orders breached twenty times or more.
        assert breaches["twenty_or_more"]["orders"] >= 1
