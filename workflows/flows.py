"""The flows, on viewflow 2.4's own nodes.

ReferralFlow: triage by the coordinator (accept / ask the referrer for more / decline, which a
different supervisor approves) -> research by police, probation and advocacy in parallel, a
threat assessment when the risk is high, a charging review when police ask for advice -> join ->
a case conference (high risk, escalating or repeat) or a single-agency plan -> review -> closure
approved by a coordinator supervisor.

CaseTaskFlow: one task outside the main line (enforcing a breach, a pre-hearing risk
assessment, a victim update, a conference action, sending minutes, approving a lower risk,
linking referrals of the same people, answering a subject access request), so the main line
never waits for it.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow import Flow

from agencies.models import Agency, AgencyKind
from conferences import criteria
from conferences.services import agenda_add_to_next
from referral.models import Referral

from . import allocation
from .models import AgencyTask, CaseProcess
from .nodes import AgencyView, CaseEnd, DataSplit

# A blocking row lock on the process. viewflow's `select_for_update_lock` uses NOWAIT and
# catches the error inside a savepoint, which leaves an enclosing transaction aborted; the
# services here always run inside one, so they wait for the lock instead.
PROCESS_LOCK = lock.SelectForUpdateLock(nowait=False, attempts=1)


def _result(activation, task_type: str) -> dict:
    return activation.process.data.get("results", {}).get(task_type, {})


def _due(task_type: str):
    return lambda activation: allocation.due_for(
        task_type, risk_level=activation.process.referral.risk_level
    )


def _kind(kind: str):
    return lambda activation: allocation.agency_of_kind(
        kind, region=activation.process.referral.referrer_agency.region
    )


def conference_needed(referral: Referral) -> bool:
    """Whether the case meets a route of the region's conference criteria
    (`conferences.criteria`: high risk, professional judgement, a repeat since the pair's last
    conference, escalation)."""
    routes, _ = criteria.case_routes(referral)
    return bool(routes)


def _status(status: str):
    def set_status(activation):
        Referral.objects.filter(pk=activation.process.referral_id).update(
            status=status, updated_at=timezone.now()
        )

    return set_status


class ReferralFlow(Flow):
    process_class = CaseProcess
    task_class = AgencyTask
    lock_impl = PROCESS_LOCK
    process_title = "Stalking referral"

    start = flow.StartHandle(this.start_referral).Next(this.triage)

    triage = (
        AgencyView(task_type="triage", agency=_kind(AgencyKind.COORDINATOR), due=_due("triage"))
        .onCreate(_status(Referral.Status.TRIAGE))
        .Next(this.after_triage)
    )
    after_triage = (
        flow.Switch()
        .Case(this.provide_info, lambda a: _result(a, "triage").get("decision") == "request_info")
        .Case(this.approve_decline, lambda a: _result(a, "triage").get("decision") == "decline")
        .Default(this.research_split)
    )
    provide_info = (
        AgencyView(
            task_type="provide_info",
            agency=lambda a: a.process.referral.referrer_agency,
            due=_due("provide_info"),
        )
        .onCreate(_status(Referral.Status.INFO_REQUESTED))
        .Next(this.triage)
    )
    approve_decline = (
        AgencyView(
            task_type="approve_decline",
            agency=_kind(AgencyKind.COORDINATOR),
            role="supervisor",
            excluded_user=lambda a: a.process.data.get("actors", {}).get("triage"),
            due=_due("approve_decline"),
        )
        .onCreate(_status(Referral.Status.DECLINE_PENDING))
        .Next(this.after_decline_review)
    )
    after_decline_review = (
        flow.If(lambda a: _result(a, "approve_decline").get("approved") is True)
        .Then(this.declined)
        .Else(this.triage)
    )
    declined = flow.Function(_status(Referral.Status.DECLINED)).Next(this.end)

    # The case is in research from the split on: set once, not once per research task.
    research_split = (
        DataSplit(on_activate=_status(Referral.Status.RESEARCH))
        .Next(this.research, data_source=this.research_agencies)
        .Next(this.threat_assessment, case=lambda a: a.process.referral.risk_level == "high")
    )
    research = (
        AgencyView(
            task_type="research",
            agency=lambda a: Agency.objects.get(pk=a.task.data["agency"]),
            due=_due("research"),
        )
        .Next(this.after_research)
    )
    after_research = (
        flow.If(
            lambda a: bool(
                a.task.previous.get().data.get("result", {}).get("request_charging_advice")
            )
        )
        .Then(this.charging_review)
        .Else(this.research_join)
    )
    charging_review = AgencyView(
        task_type="charging_review", agency=_kind(AgencyKind.CPS), due=_due("charging_review")
    ).Next(this.research_join)
    threat_assessment = AgencyView(
        task_type="threat_assessment",
        agency=_kind(AgencyKind.PSYCHIATRIC),
        due=_due("threat_assessment"),
    ).Next(this.research_join)
    research_join = flow.Join().Next(this.after_research_join)

    after_research_join = flow.If(this.needs_conference).Then(this.to_conference).Else(this.plan)
    to_conference = flow.Function(this.place_on_agenda).Next(this.on_agenda)
    on_agenda = (
        flow.If(lambda a: a.process.data.get("agenda_item") is not None)
        .Then(this.heard)
        .Else(this.schedule_conference)
    )
    schedule_conference = AgencyView(
        task_type="schedule_conference",
        agency=_kind(AgencyKind.COORDINATOR),
        role="chair",
        due=_due("schedule_conference"),
    ).Next(this.heard)
    heard = flow.Handle().Next(this.review)
    plan = (
        AgencyView(
            task_type="plan",
            agency=lambda a: a.process.referral.referrer_agency,
            due=_due("plan"),
        )
        .onCreate(_status(Referral.Status.PLAN))
        .Next(this.review)
    )
    review = (
        AgencyView(task_type="review", agency=_kind(AgencyKind.COORDINATOR), due=_due("review"))
        .onCreate(_status(Referral.Status.REVIEW))
        .Next(this.after_review)
    )
    after_review = (
        flow.If(lambda a: _result(a, "review").get("decision") == "close")
        .Then(this.closure)
        .Else(this.review)
    )
    closure = AgencyView(
        task_type="closure", agency=_kind(AgencyKind.COORDINATOR), due=_due("closure")
    ).Next(this.approve_closure)
    approve_closure = AgencyView(
        task_type="approve_closure",
        agency=_kind(AgencyKind.COORDINATOR),
        role="supervisor",
        excluded_user=lambda a: a.process.data.get("actors", {}).get("closure"),
        due=_due("approve_closure"),
    ).Next(this.after_closure_review)
    after_closure_review = (
        flow.If(lambda a: _result(a, "approve_closure").get("approved") is True)
        .Then(this.closed)
        .Else(this.closure)
    )
    closed = flow.Function(_status(Referral.Status.CLOSED)).Next(this.end)
    end = CaseEnd()

    def start_referral(self, activation, *, referral: Referral):
        activation.process.referral = referral
        activation.process.data = {"results": {}, "actors": {}}
        return activation.process

    def research_agencies(self, activation) -> list[dict]:
        region = activation.process.referral.referrer_agency.region
        agencies = allocation.agencies_of_kinds(allocation.RESEARCH_KINDS, region=region)
        return [{"agency": a.pk} for a in agencies if a is not None]

    def needs_conference(self, activation) -> bool:
        return conference_needed(activation.process.referral)

    def place_on_agenda(self, activation):
        Referral.objects.filter(pk=activation.process.referral_id).update(
            status=Referral.Status.CONFERENCE, updated_at=timezone.now()
        )
        routes, used = criteria.case_routes(activation.process.referral)
        item = agenda_add_to_next(referral=activation.process.referral, routes=routes)
        activation.process.data["agenda_item"] = item.pk if item else None
        activation.process.data["conference_routes"] = routes
        activation.process.data["conference_criteria"] = used.version
        activation.process.save(update_fields=["data"])


def _of_type(task_type: str):
    """A `CaseTaskFlow.route` condition: the process was started for this task type."""
    return lambda activation: activation.process.data["task_type"] == task_type


class CaseTaskFlow(Flow):
    """A single task on a case, started from code with its agency, due date and context."""

    process_class = CaseProcess
    task_class = AgencyTask
    lock_impl = PROCESS_LOCK
    process_title = "Case task"

    TYPES = (
        "enforcement",
        "pre_hearing_risk_assessment",
        "psychiatric_assessment_request",
        "victim_update",
        "action",
        "minutes_distribution",
        "approve_downgrade",
        "link_referrals",
        "notification_check",
        "pre_sentence_report",
        "psychiatric_report",
        "perpetrator_assessment",
        "victim_letter",
        "right_to_review",
        "safety_plan_review",
        "subject_access",
    )

    start = flow.StartHandle(this.start_task).Next(this.route)
    route = (
        flow.Switch()
        .Case(this.enforcement, lambda a: a.process.data["task_type"] == "enforcement")
        .Case(
            this.pre_hearing_risk_assessment,
            lambda a: a.process.data["task_type"] == "pre_hearing_risk_assessment",
        )
        .Case(
            this.psychiatric_assessment_request,
            lambda a: a.process.data["task_type"] == "psychiatric_assessment_request",
        )
        .Case(this.victim_update, lambda a: a.process.data["task_type"] == "victim_update")
        .Case(this.action, lambda a: a.process.data["task_type"] == "action")
        .Case(
            this.approve_downgrade, lambda a: a.process.data["task_type"] == "approve_downgrade"
        )
        .Case(this.link_referrals, lambda a: a.process.data["task_type"] == "link_referrals")
        .Case(this.notification_check, _of_type("notification_check"))
        .Case(this.pre_sentence_report, _of_type("pre_sentence_report"))
        .Case(this.psychiatric_report, _of_type("psychiatric_report"))
        .Case(this.perpetrator_assessment, _of_type("perpetrator_assessment"))
        .Case(this.victim_letter, _of_type("victim_letter"))
        .Case(this.right_to_review, _of_type("right_to_review"))
        .Case(this.safety_plan_review, _of_type("safety_plan_review"))
        .Case(this.subject_access, _of_type("subject_access"))
        .Default(this.minutes_distribution)
    )
    enforcement = AgencyView(
        task_type="enforcement", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    pre_hearing_risk_assessment = AgencyView(
        task_type="pre_hearing_risk_assessment", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    psychiatric_assessment_request = AgencyView(
        task_type="psychiatric_assessment_request", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    victim_update = AgencyView(
        task_type="victim_update", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    action = AgencyView(task_type="action", agency=this.task_agency, due=this.task_due).Next(
        this.end
    )
    minutes_distribution = AgencyView(
        task_type="minutes_distribution",
        agency=this.task_agency,
        due=this.task_due,
        role="chair",
    ).Next(this.end)
    # A supervisor of the proposer's agency, never the proposer. An agency without a
    # supervisor keeps it in its queue until it has one; overdue, its members are told.
    approve_downgrade = AgencyView(
        task_type="approve_downgrade",
        agency=this.task_agency,
        due=this.task_due,
        role="supervisor",
        excluded_user=lambda a: a.process.data.get("excluded_user"),
    ).Next(this.end)
    link_referrals = AgencyView(
        task_type="link_referrals", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    notification_check = AgencyView(
        task_type="notification_check", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    pre_sentence_report = AgencyView(
        task_type="pre_sentence_report", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    psychiatric_report = AgencyView(
        task_type="psychiatric_report", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    perpetrator_assessment = AgencyView(
        task_type="perpetrator_assessment", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    victim_letter = AgencyView(
        task_type="victim_letter", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    # A review of a decision not to charge: anyone of the deciding agency but the decider.
    right_to_review = AgencyView(
        task_type="right_to_review",
        agency=this.task_agency,
        due=this.task_due,
        excluded_user=lambda a: a.process.data.get("excluded_user"),
    ).Next(this.end)
    safety_plan_review = AgencyView(
        task_type="safety_plan_review", agency=this.task_agency, due=this.task_due
    ).Next(this.end)
    # A data protection officer's answer to a subject access request (of no case): done by
    # disclosing or closing the request (`workflows.services.privacy`), never by the task form.
    subject_access = AgencyView(
        task_type="subject_access", agency=this.task_agency, due=this.task_due, role="dpo"
    ).Next(this.end)
    end = CaseEnd()

    def start_task(
        self,
        activation,
        *,
        referral: Referral | None,
        task_type: str,
        agency: Agency,
        due,
        context: dict | None = None,
        excluded_user: int | None = None,
    ):
        assert task_type in self.TYPES, task_type
        activation.process.referral = referral
        activation.process.data = {
            "task_type": task_type,
            "agency": agency.pk,
            "due": due.isoformat(),
            "context": context or {},
            "results": {},
            "actors": {},
        }
        if excluded_user is not None:
            activation.process.data["excluded_user"] = excluded_user
        return activation.process

    def task_agency(self, activation):
        return Agency.objects.get(pk=activation.process.data["agency"])

    def task_due(self, activation):
        return parse_datetime(activation.process.data["due"])
