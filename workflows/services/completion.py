"""What completing each task type changes beyond the flow: the one table of it (`COMPLETION`).

`task_complete` stores a task's result on its process (the flow's gateways read it there) and
then runs the task type's entry here, in the same transaction. Every task type has an entry; a
type whose result only steers the flow has `_flow_only`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS

from agencies.models import Membership
from audit import events
from conferences import services as conference_services
from config.exceptions import Conflict, DomainError
from referral import services as referral_services
from referral.models import RISK_ORDER, Referral, RiskLevel

from .. import notifications, selectors
from ..models import AgencyTask, CaseProcess, TaskType
from ..nodes import process_involvements_end
from . import assessments, justice, orders, victims
from .registry import Completion
from .registry import flow_only as _flow_only
from .starts import downgrade_review_start


def screened_risk(referral: Referral) -> str:
    """The risk level the referral's screening gave (standard without a screening)."""
    screening = getattr(referral, "screening", None)
    return screening.risk_level if screening else RiskLevel.STANDARD


def _triaged(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The risk level and classification triage gave. Below the screening's level a risk is only
    proposed: the coordinator's supervisors decide (`approve_downgrade`)."""
    referral = task.referral
    level, reason = data["risk_level"], data.get("reason", "")
    if RISK_ORDER[level] < RISK_ORDER[screened_risk(referral)]:
        if level != referral.risk_level:
            proposal = referral_services.risk_downgrade_propose(
                referral=referral, actor=actor, level=level, reason=reason, stage="triage"
            )
            downgrade_review_start(referral=referral, proposal=proposal, agency=membership.agency)
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
    justice.triage_signs_record(task=task, actor=actor, membership=membership, data=data)


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


def _downgrade_decided(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    referral_services.risk_downgrade_decide(
        referral=task.referral,
        proposal=_proposal_of(task),
        approved=data["approved"],
        actor=actor,
        reason=data["reason"],
    )


def _decline_decided(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """A decline approved: the referring agency is told, with the reason (an event and a
    notice). Refused: the case goes back to triage, and whoever proposed the decline is told."""
    if data["approved"]:
        triage = selectors.triage_before(task)
        reason = (triage.data.get("result") or {}).get("reason", "") if triage else ""
        events.referral_declined_event(referral=task.referral, actor=actor, reason=reason)
        transaction.on_commit(lambda: notifications.referral_declined(task.pk), robust=True)
    else:
        transaction.on_commit(lambda: notifications.decline_refused(task.pk), robust=True)


def _link_decided(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
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
        referral_services.referral_merge(referral=referral, into=into, actor=actor, reason=reason)
        _case_processes_cancel(referral=referral, keep=task.process_id)
    else:
        referral_services.referrals_keep_separate(
            referral=referral, others=matches, actor=actor, reason=reason
        )
    transaction.on_commit(lambda: notifications.link_outcome(task.pk), robust=True)


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


def _conference_scheduled(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The chair chose the conference: the case goes on its agenda, and the flow waits for it
    to be heard."""
    item = conference_services.agenda_add(
        referral=task.referral, conference_id=data["conference"], actor=actor
    )
    task.process.coerced.data["agenda_item"] = item.pk


def _charging_decided(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """CPS's decision on the case's offences; whatever it decided, the victim is told."""
    justice.charging_review_record(task=task, actor=actor, membership=membership, data=data)


def _action_done(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The owning agency's outcome goes on the conference's action."""
    conference_services.action_outcome_record(
        task_id=task.pk, outcome=data["outcome"], note=data.get("note", "")
    )


def _minutes_sent(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """Minutes sent are a disclosure to every invited agency, on the trail."""
    if data["sent"]:
        conference_services.minutes_sent_record(
            conference_id=task.process.coerced.data["context"]["conference"], actor=actor
        )


COMPLETION: dict[str, Completion] = {
    TaskType.TRIAGE: _triaged,
    TaskType.APPROVE_DECLINE: _decline_decided,
    TaskType.PROVIDE_INFO: _flow_only,
    TaskType.RESEARCH: _flow_only,
    TaskType.CHARGING_REVIEW: _charging_decided,
    TaskType.SCHEDULE_CONFERENCE: _conference_scheduled,
    TaskType.PLAN: _flow_only,
    TaskType.ACTION: _action_done,
    TaskType.REVIEW: _flow_only,
    TaskType.CLOSURE: _flow_only,
    TaskType.APPROVE_CLOSURE: _flow_only,
    TaskType.MINUTES_DISTRIBUTION: _minutes_sent,
    TaskType.APPROVE_DOWNGRADE: _downgrade_decided,
    TaskType.LINK_REFERRALS: _link_decided,
    # Completed by answering the request (`privacy.subject_access_answer_*`); its form refuses.
    TaskType.SUBJECT_ACCESS: _flow_only,
    # What happened after referral: each area's own task types (their keys never overlap).
    **justice.COMPLETION,
    **orders.COMPLETION,
    **assessments.COMPLETION,
    **victims.COMPLETION,
}


def task_result_apply(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """What completing this task changes on the case itself (`COMPLETION`)."""
    COMPLETION[task.task_type](task=task, actor=actor, membership=membership, data=data)
