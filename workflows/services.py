"""Moving work along: referring into the flow, claiming, completing, reassigning, timers.

Calling a viewflow activation from code skips the permission checks its views make, so every
service here asks the access policy and the node's `can_assign` / `can_execute` itself, and
re-checks the task's state under the flow's row lock (409 when it moved on).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import PROCESS, STATUS

from agencies import policy
from agencies.models import AgencyKind, Membership
from agencies.selectors import membership_of
from audit import events
from config.exceptions import Conflict, DomainError, NotAllowed
from referral import services as referral_services
from referral.models import (
    RISK_ORDER,
    CourtHearing,
    Incident,
    ProtectiveOrder,
    Referral,
    RiskLevel,
)
from referral.selectors import escalation_signal

from . import calendar, notifications, routing, selectors, task_forms, tasks
from .flows import CaseTaskFlow, ReferralFlow
from .models import AgencyTask, CaseProcess
from .nodes import may_take, process_involvements_end
from .selectors import task_get

User = get_user_model()


# --- Into the flow ---------------------------------------------------------------------------


@transaction.atomic
def referral_refer(*, actor, membership: Membership, draft) -> referral_services.Submitted:
    """Submit a referral and start its flow: it lands in the coordinator's triage queue. Beside
    it: a risk below the screening's goes to the referrer's supervisors to approve, open
    referrals of the same people that the referrer may not see go to the coordinator to link
    or merge, and bail conditions referred with it give advocacy a victim update."""
    result = referral_services.referral_submit(actor=actor, membership=membership, draft=draft)
    ReferralFlow.start.run(referral=result.referral)
    if result.risk_proposal is not None:
        downgrade_review_start(
            referral=result.referral, proposal=result.risk_proposal, agency=membership.agency
        )
    if result.unseen_matches:
        link_review_start(referral=result.referral, matches=result.unseen_matches)
    _bail_conditions_set(result.referral, draft.orders, reason="bail conditions recorded")
    return result


@transaction.atomic
def incident_log(*, referral: Referral, actor, membership: Membership, draft) -> Incident:
    """Log an incident; a breach of an order gives police an enforcement task due in 24 hours."""
    incident = referral_services.incident_record(
        referral=referral, actor=actor, membership=membership, draft=draft
    )
    if incident.breach_of_order_id:
        police = routing.agency_of_kind(AgencyKind.POLICE, region=referral.referrer_agency.region)
        case_task_start(
            referral=referral,
            task_type="enforcement",
            agency=police,
            due=timezone.now() + timedelta(hours=24),
            context={"incident": incident.pk, "order": incident.breach_of_order_id},
        )
    return incident


@transaction.atomic
def order_log(*, referral: Referral, actor, membership: Membership, draft) -> ProtectiveOrder:
    """Record an order; new bail conditions are a change the victim must be told of."""
    order = referral_services.order_record(
        referral=referral, actor=actor, membership=membership, draft=draft
    )
    _bail_conditions_set(referral, [order], reason="bail conditions changed")
    return order


def _bail_conditions_set(referral: Referral, orders, *, reason: str) -> None:
    """Bail conditions among these orders, recorded whenever: the victim must be told and asked
    for their views (`victim_update_start`)."""
    if any(order.kind == ProtectiveOrder.Kind.BAIL_CONDITIONS for order in orders):
        victim_update_start(referral=referral, reason=reason)


@transaction.atomic
def hearing_record(
    *, referral: Referral, actor, membership: Membership, kind: str, on: date, court: str = ""
) -> CourtHearing:
    """A court hearing: risk assessments by advocacy and police due two working days before it,
    and a question to CPS whether a psychiatric assessment should be requested."""
    if not policy.can_write(membership, "orders") and not policy.can_write(membership, "charging"):
        raise NotAllowed("Your agency may not record court hearings.")
    if on < timezone.localdate():
        raise DomainError("The hearing date has passed.", fields={"date": ["In the past."]})
    hearing = CourtHearing.objects.create(
        referral=referral, kind=kind, date=on, court=court, recorded_by=actor
    )
    events.hearing_recorded_event(hearing=hearing, actor=actor)
    due = hearing_tasks_due(on)
    region = referral.referrer_agency.region
    context = {"hearing": hearing.pk, "kind": kind, "date": on.isoformat()}
    for kind_of_agency in (AgencyKind.ADVOCACY, AgencyKind.POLICE):
        case_task_start(
            referral=referral,
            task_type="pre_hearing_risk_assessment",
            agency=routing.agency_of_kind(kind_of_agency, region=region),
            due=due,
            context=context,
        )
    case_task_start(
        referral=referral,
        task_type="psychiatric_assessment_request",
        agency=routing.agency_of_kind(AgencyKind.CPS, region=region),
        due=due,
        context=context,
    )
    return hearing


def hearing_tasks_due(on: date, *, now: datetime | None = None) -> datetime:
    """Two working days before the hearing, at close of business, and never under four hours
    from `now` (a hearing recorded late)."""
    now = now or timezone.now()
    return max(calendar.end_of_day(calendar.add_working_days(on, -2)), now + timedelta(hours=4))


def victim_update_due(referral: Referral, *, now: datetime | None = None) -> datetime:
    """Victims' Code: within 5 working days, 1 for a victim with enhanced rights."""
    return calendar.due_in_working_days(1 if referral.victim_enhanced_rights else 5, now=now)


def victim_update_start(*, referral: Referral, reason: str) -> AgencyTask | None:
    """Advocacy updates the victim (`victim_update_due`)."""
    advocacy = routing.agency_of_kind(AgencyKind.ADVOCACY, region=referral.referrer_agency.region)
    return case_task_start(
        referral=referral,
        task_type="victim_update",
        agency=advocacy,
        due=victim_update_due(referral),
        context={"reason": reason},
    )


def case_task_start(
    *,
    referral: Referral | None,
    task_type: str,
    agency,
    due: datetime,
    context: dict | None = None,
    excluded_user: int | None = None,
) -> AgencyTask | None:
    """Start a single task (outside the main flow) for an agency on a case; `excluded_user`
    may not take it."""
    if agency is None:
        return None
    process = CaseTaskFlow.start.run(
        referral=referral,
        task_type=task_type,
        agency=agency,
        due=due,
        context=context,
        excluded_user=excluded_user,
    )
    return AgencyTask.objects.filter(process=process, task_type=task_type).first()


def downgrade_review_start(
    *, referral: Referral, proposal: referral_services.RiskProposal, agency
) -> AgencyTask | None:
    """An `approve_downgrade` task for the supervisors of the proposer's agency (not the
    proposer), showing what is proposed, by whom, why, and what the screening gave."""
    screening = getattr(referral, "screening", None)
    context = {
        "proposed_risk_level": proposal.level,
        "current_risk_level": proposal.current,
        "reason": proposal.reason,
        "proposed_by": proposal.proposed_by,
        "proposed_at": proposal.stage,
        "screening_risk_level": screening.risk_level if screening else None,
        "screening_score": screening.score if screening else None,
        "screening_answers": screening.answers if screening else None,
    }
    return case_task_start(
        referral=referral,
        task_type="approve_downgrade",
        agency=agency,
        due=routing.due_for("approve_downgrade", risk_level=referral.risk_level),
        context=context,
        excluded_user=proposal.proposed_by_id,
    )


def _proposal_of(task: AgencyTask) -> referral_services.RiskProposal:
    data = task.process.coerced.data
    context = data["context"]
    return referral_services.RiskProposal(
        level=context["proposed_risk_level"],
        current=context["current_risk_level"],
        reason=context["reason"],
        stage=context["proposed_at"],
        proposed_by_id=data["excluded_user"],
        proposed_by=context["proposed_by"],
    )


def link_review_start(*, referral: Referral, matches) -> AgencyTask | None:
    """A `link_referrals` task for the coordinator's caseworkers: a new referral and open ones
    of the same people its referrer may not see (which it is never told of)."""
    hub = routing.agency_of_kind(AgencyKind.COORDINATOR, region=referral.referrer_agency.region)
    return case_task_start(
        referral=referral,
        task_type="link_referrals",
        agency=hub,
        due=routing.due_for("link_referrals", risk_level=referral.risk_level),
        context={"referral": referral.pk, "matches": sorted(m.pk for m in matches)},
    )


def conference_needed(referral: Referral) -> bool:
    """High risk, escalating, threats or violence, 3+ incidents in 12 months, or a repeat."""
    criteria = referral.screening.instrument.escalation if hasattr(referral, "screening") else {}
    if referral.risk_level == criteria.get("risk_level", RiskLevel.HIGH):
        return True
    signal = escalation_signal(referral=referral)
    if signal.escalating or signal.level == RiskLevel.HIGH:
        return True
    if signal.figures["incidents_last_12_months"] >= criteria.get("incidents_in_12_months", 3):
        return True
    months = criteria.get("repeat_within_months", 12)
    return Referral.objects.filter(
        timeline_id=referral.timeline_id,
        created_at__gte=referral.created_at - timedelta(days=round(months * 30.44)),
        created_at__lt=referral.created_at,
    ).exists()


# --- Claiming and completing -----------------------------------------------------------------


class _Activation:
    """`with _Activation(task) as activation`: the flow lock, with a lock timeout as a 409."""

    def __init__(self, task: AgencyTask):
        self.cm = task.activation()

    def __enter__(self):
        try:
            return self.cm.__enter__()
        except FlowLockFailed as exc:
            raise Conflict("Someone else is working on this case right now; try again.") from exc

    def __exit__(self, *exc_info):
        return self.cm.__exit__(*exc_info)


@transaction.atomic
def task_claim(*, actor, task_id) -> AgencyTask:
    """Take a task from the agency's queue. Exactly one of several simultaneous claimers wins."""
    task = task_get(user=actor, task_id=task_id)
    with _Activation(task) as activation:
        if task.status != STATUS.NEW or not task.is_open:
            if task.owner_id == actor.pk and task.is_open:
                return task
            raise Conflict("This task has already been claimed or done.", code="already_claimed")
        if not activation.flow_task.can_assign(actor, task):
            raise NotAllowed("Your role may not take this task.")
        task.assigned = timezone.now()
        activation.assign(actor)
        events.task_claimed_event(task=task, actor=actor)
    return task


@transaction.atomic
def task_release(*, actor, task_id) -> AgencyTask:
    """Put a claimed task back in the queue (its owner, or a supervisor of the agency)."""
    task = task_get(user=actor, task_id=task_id)
    with _Activation(task) as activation:
        if task.status != STATUS.ASSIGNED:
            raise Conflict("Only a claimed task can be released.")
        if not activation.flow_task.can_unassign(actor, task):
            raise NotAllowed("Only its owner or a supervisor may release this task.")
        task.assigned = None
        activation.unassign()
        events.task_released_event(task=task, actor=actor)
    return task


@transaction.atomic
def task_reassign(*, actor, task_id, to_username: str) -> AgencyTask:
    """A supervisor gives a task to a named member of the agency."""
    task = task_get(user=actor, task_id=task_id)
    member = membership_of(actor)
    if not policy.may(member, "reassign_task"):
        raise NotAllowed("Only a supervisor may reassign tasks.")
    target = User.objects.filter(username=to_username, is_active=True).first()
    with _Activation(task) as activation:
        if not task.is_open:
            raise Conflict("This task is finished.")
        if target is None or not may_take(target, task):
            raise DomainError(
                "That person may not take this task.",
                fields={"username": ["Not a member of this agency with a suitable role."]},
            )
        task.assigned = timezone.now()
        if task.status == STATUS.NEW:
            activation.assign(target)
        else:
            activation.reassign(target)
        events.task_reassigned_event(task=task, actor=actor, to_username=to_username)
    transaction.on_commit(lambda: tasks.notify_task_assigned.delay(task.pk), robust=True)
    return task


def _screened_risk(referral: Referral) -> str:
    screening = getattr(referral, "screening", None)
    return screening.risk_level if screening else RiskLevel.STANDARD


@transaction.atomic
def task_complete(*, actor, task_id, data) -> AgencyTask:
    """Finish a claimed task with its form's fields; the flow moves on in the same transaction."""
    task = task_get(user=actor, task_id=task_id)
    member = membership_of(actor)
    referral = task.referral
    errors = task_forms.check(
        task.task_type, data, agency_kind=task.agency.kind, screened_risk=_screened_risk(referral)
    )
    if errors:
        raise DomainError("Some fields do not fit this task's form.", fields=errors)
    with _Activation(task) as activation:
        if not task.is_open or task.status not in (STATUS.ASSIGNED, STATUS.STARTED):
            if task.status == STATUS.NEW:
                raise Conflict("Claim the task before completing it.", code="not_claimed")
            raise Conflict("This task is already done or the case has moved on.")
        if task.owner_id != actor.pk:
            raise Conflict("Someone else has claimed this task.", code="already_claimed")
        if not activation.flow_task.can_execute(actor, task) or not policy.may(
            member, "complete_task"
        ):
            raise NotAllowed("Your role may not complete this task.")
        _apply_result(task=task, actor=actor, membership=member, data=data)
        task.data = {**task.data, "result": data}
        process = task.process.coerced
        results = process.data.setdefault("results", {})
        results[task.task_type] = data
        process.data.setdefault("actors", {})[task.task_type] = actor.pk
        process.save(update_fields=["data"])
        events.task_completed_event(task=task, actor=actor, result=data)
        activation.start(None)
        activation.execute()
    return task


def _apply_result(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """What a completed task changes on the case itself."""
    referral = task.referral
    if task.task_type == "triage":
        level, reason = data["risk_level"], data.get("reason", "")
        # Below the screening's level it is only proposed: the coordinator's supervisors decide.
        if RISK_ORDER[level] < RISK_ORDER[_screened_risk(referral)]:
            if level != referral.risk_level:
                proposal = referral_services.risk_downgrade_propose(
                    referral=referral, actor=actor, level=level, reason=reason, stage="triage"
                )
                downgrade_review_start(
                    referral=referral, proposal=proposal, agency=membership.agency
                )
        elif level != referral.risk_level:
            referral_services.referral_set_risk(
                referral=referral, actor=actor, risk_level=level, reason=reason
            )
        classification = data.get("classification")
        if classification and classification != referral.classification:
            referral_services.referral_classify(
                referral=referral,
                actor=actor,
                classification=classification,
                reason=data.get("not_stalking_reason", ""),
            )
    elif task.task_type == "approve_downgrade":
        referral_services.risk_downgrade_decide(
            referral=referral,
            proposal=_proposal_of(task),
            approved=data["approved"],
            actor=actor,
            reason=data["reason"],
        )
    elif task.task_type == "approve_decline":
        _decline_decided(task=task, actor=actor, approved=data["approved"])
    elif task.task_type == "link_referrals":
        _link_decided(task=task, actor=actor, data=data)
    elif task.task_type == "schedule_conference":
        from conferences.services import agenda_add

        item = agenda_add(referral=referral, conference_id=data["conference"], actor=actor)
        process = task.process.coerced
        process.data["agenda_item"] = item.pk
    elif task.task_type == "charging_review":
        victim_update_start(referral=referral, reason="charging decision made")
    elif task.task_type == "enforcement" and data.get("arrested"):
        victim_update_start(referral=referral, reason="suspect arrested")
    elif task.task_type == "action":
        from conferences.services import action_outcome_from_task

        action_outcome_from_task(task=task, outcome=data["outcome"], note=data.get("note", ""))
    elif task.task_type == "minutes_distribution" and data["sent"]:
        from conferences.models import Conference

        conference = Conference.objects.get(pk=task.process.coerced.data["context"]["conference"])
        events.minutes_sent_event(
            conference=conference, actor=actor,
            recipients=sorted(conference.invited_agencies.values_list("slug", flat=True)),
        )


def _decline_decided(*, task: AgencyTask, actor, approved: bool) -> None:
    """A decline approved: the referring agency is told, with the reason (an event and a
    notice). Refused: the case goes back to triage, and whoever proposed the decline is told."""
    if approved:
        triage = selectors.triage_before(task)
        reason = (triage.data.get("result") or {}).get("reason", "") if triage else ""
        events.referral_declined_event(referral=task.referral, actor=actor, reason=reason)
        transaction.on_commit(
            lambda: notifications.referral_declined(task_id=task.pk), robust=True
        )
    else:
        transaction.on_commit(
            lambda: notifications.decline_refused(task_id=task.pk), robust=True
        )


def _link_decided(*, task: AgencyTask, actor, data: dict) -> None:
    """The coordinator's answer to referrals of the same people: link them on one timeline,
    merge the new one into one of them (its own flow then ends), or keep them apart."""
    referral = task.referral
    context = task.process.coerced.data["context"]
    matches = list(Referral.objects.filter(pk__in=context["matches"]).order_by("pk"))
    decision, reason = data["decision"], data["reason"]
    if decision == "link":
        referral_services.referrals_link(
            referral=referral, others=matches, actor=actor, reason=reason
        )
    elif decision == "merge":
        into = _merge_target(matches, data.get("into"))
        referral_services.referral_merge(
            referral=referral, into=into, actor=actor, reason=reason
        )
        _case_processes_cancel(referral=referral, keep=task.process_id)
    else:
        referral_services.referrals_keep_separate(
            referral=referral, others=matches, actor=actor, reason=reason
        )
    transaction.on_commit(lambda: notifications.link_outcome(task_id=task.pk), robust=True)


def _merge_target(matches: list[Referral], into: int | None) -> Referral:
    if into is None and len(matches) == 1:
        return matches[0]
    found = [m for m in matches if m.pk == into]
    if not found:
        choices = ", ".join(f"{m.pk} ({m.reference})" for m in matches)
        raise DomainError(
            "Say which referral this one is merged into.",
            fields={"into": [f"One of: {choices}."]},
        )
    return found[0]


def _case_processes_cancel(*, referral: Referral, keep: int) -> None:
    """End every other open process of a case closed outside its flow (merged): their open
    tasks are cancelled and the access they gave ends."""
    running = CaseProcess.objects.filter(referral=referral, status=PROCESS.NEW).exclude(pk=keep)
    for process in running:
        _process_cancel(process)
        process_involvements_end(process)


def _process_cancel(process: CaseProcess) -> None:
    """viewflow's `Flow.cancel`, on our task rows: it cancels viewflow's base rows, which
    leaves `AgencyTask.is_open` and `in_queue` (kept by our activation) behind."""
    with process.flow_class.lock(process.pk):
        active = AgencyTask.objects.filter(process=process).exclude(
            status__in=[STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]
        )
        activations = [task.flow_task.activation_class(task) for task in active]
        if not all(
            getattr(a, "cancel", None) is not None and a.cancel.can_proceed() for a in activations
        ):
            raise Conflict("The case's work is in a step that cannot be stopped now; try again.")
        for activation in activations:
            activation.cancel()
        process.status = PROCESS.CANCELED
        process.finished = timezone.now()
        process.save(update_fields=["status", "finished"])


@transaction.atomic
def conference_heard(*, referral: Referral) -> bool:
    """The case was heard at its conference: the referral flow moves on to review."""
    heard = AgencyTask.objects.filter(
        process__in=CaseProcess.objects.filter(referral=referral),
        flow_task=ReferralFlow.heard,
        status=STATUS.NEW,
    ).first()
    if heard is None:
        return False
    ReferralFlow.heard.run(heard)
    return True


# --- Timers ----------------------------------------------------------------------------------


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Flag every open task past its due date, once, and tell its agency's supervisors.

    Idempotent and catch-up safe: a conditional update claims each task's escalation, so
    running twice (or from two places, or after downtime) escalates each task exactly once.
    """
    now = now or timezone.now()
    escalated = 0
    candidates = AgencyTask.objects.filter(
        is_open=True, due__lt=now, escalated_at__isnull=True
    ).values_list("pk", flat=True)
    for task_id in list(candidates):
        with transaction.atomic():
            if not AgencyTask.objects.filter(pk=task_id, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            task = AgencyTask.objects.select_related("agency").get(pk=task_id)
            events.task_escalated_event(task=task)
            transaction.on_commit(
                lambda task_id=task_id: notifications.task_overdue(task_id=task_id)
            )
            escalated += 1
    return escalated


def notifications_mark_read(*, user) -> int:
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def task_read_record(*, task: AgencyTask, actor, membership: Membership) -> None:
    """Log the read of a task's work when it is of a sensitive section (a threat assessment, a
    charging review, a victim update) and the member may read it, as a case detail logs it."""
    section = policy.event_section(task.task_type)
    if (
        task.referral_id is not None
        and section in policy.SENSITIVE_SECTIONS
        and policy.can_read(membership, section)
    ):
        events.case_sections_read_events(reads={task.referral_id: [section]}, actor=actor)
