"""The Victims' Code in the flow: which event gives whom the duty to update the victim, what a
done update leaves (a contact entry, a notice to the advocate), and the victim's own tasks
(a review of a decision not to prosecute, a safety plan's review)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from agencies.models import AgencyKind, Membership
from referral.models import Referral
from victims import services as victims_services
from victims.models import AdvocateAssignment, ContactEntry, RightToReview, SafetyPlan

from .. import allocation, calendar, notifications
from ..models import AgencyTask, TaskType
from .registry import Completion
from .starts import case_task_start, victim_update_start

# Why an update is due, by the event that makes it due.
TRIGGER_REASONS = {
    "arrest": "suspect arrested",
    "interview": "suspect interviewed",
    "bail": "bail conditions changed",
    "bail_at_referral": "bail conditions recorded",
    "released_under_investigation": "suspect released under investigation",
    "charge": "suspect charged",
    "no_further_action": "no further action decided",
    "cps_decision": "charging decision made",
    "discontinued": "prosecution discontinued",
    "charge_altered": "charge altered",
    "hearing": "court hearing set",
    "bail_by_court": "bail decided by the court",
    "verdict": "verdict given",
    "sentence": "sentence passed",
}

WITNESS_CARE = "witness_care"

# Victims' Code duty holders, by trigger: (agency kind, task type, duty holder). Police tell
# the victim of the investigation; the police-run witness care unit of the court case once
# charged; CPS writes to the victim when it drops or alters a charge.
DUTY_HOLDERS: dict[str, tuple[str, str, str]] = {
    **{t: (AgencyKind.POLICE, TaskType.VICTIM_UPDATE, "police") for t in (
        "arrest", "interview", "bail", "bail_at_referral", "released_under_investigation",
        "charge", "no_further_action", "cps_decision",
    )},
    **{t: (AgencyKind.POLICE, TaskType.VICTIM_UPDATE, WITNESS_CARE) for t in (
        "hearing", "bail_by_court", "verdict", "sentence",
    )},
    **{t: (AgencyKind.CPS, TaskType.VICTIM_LETTER, "cps") for t in (
        "discontinued", "charge_altered",
    )},
}
# A CPS decision not to charge is CPS's to explain (a letter), like a discontinuance.
CPS_NFA = (AgencyKind.CPS, TaskType.VICTIM_LETTER, "cps")


def _duty(trigger: str, context: dict) -> tuple[str, str, str]:
    if trigger == "cps_decision" and context.get("decision") == "no_further_action":
        return CPS_NFA
    return DUTY_HOLDERS[trigger]


def _offers_review(trigger: str, context: dict) -> str | None:
    """The agency kind whose decision not to prosecute the victim may ask to review."""
    if trigger == "no_further_action":
        return RightToReview.DecidedBy.POLICE
    if trigger == "cps_decision" and context.get("decision") == "no_further_action":
        return RightToReview.DecidedBy.CPS
    return None


@transaction.atomic
def victims_code_event(
    *, referral: Referral, trigger: str, actor=None, context: dict | None = None
) -> AgencyTask | None:
    """An event the victim must be told of (`TRIGGER_REASONS`): the one way an update starts.
    The duty holder (`DUTY_HOLDERS`) gets a `victim_update` (or CPS a `victim_letter`) due in
    5 working days, 1 with enhanced rights; a decision not to prosecute also offers the victim
    a review. `context` may carry `decision` (a CPS decision's code) and `offence` (an id)."""
    context = dict(context or {})
    kind, task_type, duty_holder = _duty(trigger, context)
    agency = allocation.agency_of_kind(kind, region=referral.referrer_agency.region)
    task_context = {"reason": TRIGGER_REASONS[trigger], "trigger": trigger,
                    "duty_holder": duty_holder}
    for key in ("decision", "offence"):
        if context.get(key) is not None:
            task_context[key] = context[key]
    task = victim_update_start(referral=referral, agency=agency, context=task_context,
                               task_type=task_type)
    review_kind = _offers_review(trigger, context)
    if review_kind is not None:
        victims_services.right_to_review_offer(
            referral=referral, decided_by_kind=review_kind, decision_on=timezone.localdate(),
            actor=actor, offence_id=context.get("offence"),
        )
    return task


def _context(task: AgencyTask) -> dict:
    return task.process.coerced.data.get("context") or {}


def contact_method(text: str) -> str:
    """The contact method a free-text answer names, else other."""
    word = (text or "").strip().lower()
    return word if word in ContactEntry.Method.values else ContactEntry.Method.OTHER


def _update_done(task: AgencyTask, *, actor, method: str, reached: bool, note: str) -> None:
    """A done update is a contact with the victim (on time by the task's due) and news for the
    victim's advocate."""
    victims_services.contact_for_update(
        referral=task.referral, actor=actor, agency=task.agency,
        draft=victims_services.ContactDraft(
            method=method, reached=reached, note=note,
            trigger=_context(task).get("trigger", ""), task=task, due=task.due,
        ),
    )
    task_id = task.pk
    transaction.on_commit(lambda: notifications.victim_updated(task_id), robust=True)


def _victim_updated(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    _update_done(task, actor=actor, method=contact_method(data.get("method", "")),
                 reached=bool(data.get("contacted")), note=data.get("note", ""))


def _letter_sent(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    _update_done(task, actor=actor, method=ContactEntry.Method.LETTER,
                 reached=bool(data.get("sent")), note=data.get("note", ""))


# --- The right to review -------------------------------------------------------------------


@transaction.atomic
def right_to_review_ask(
    *, review: RightToReview, actor, membership: Membership, requested_on: date | None = None
) -> RightToReview:
    """The victim asks for a review: the deciding agency gets a `right_to_review` task that
    whoever made the decision may not take."""
    review = victims_services.right_to_review_request(
        review=review, actor=actor, membership=membership, requested_on=requested_on
    )
    referral = review.referral
    agency = allocation.agency_of_kind(review.decided_by_kind,
                                       region=referral.referrer_agency.region)
    task = case_task_start(
        referral=referral, task_type=TaskType.RIGHT_TO_REVIEW, agency=agency,
        due=allocation.due_for(TaskType.RIGHT_TO_REVIEW, risk_level=referral.risk_level),
        context={"review": review.pk, "decided_by_kind": review.decided_by_kind},
        excluded_user=review.decider_id,
    )
    victims_services.right_to_review_task_set(review=review, task=task)
    return review


def _reviewed(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    review = RightToReview.objects.select_for_update().get(pk=_context(task)["review"])
    victims_services.right_to_review_decide(review=review, actor=actor, outcome=data["outcome"])


# --- Safety plans --------------------------------------------------------------------------


def _review_agency(referral: Referral):
    """The named advocate's agency, else the region's advocacy service."""
    current = (AdvocateAssignment.objects.filter(referral=referral, ended_on__isnull=True)
               .select_related("agency").first())
    if current is not None:
        return current.agency
    return allocation.agency_of_kind(AgencyKind.ADVOCACY, region=referral.referrer_agency.region)


def _review_start(plan: SafetyPlan) -> AgencyTask | None:
    return case_task_start(
        referral=plan.referral, task_type=TaskType.SAFETY_PLAN_REVIEW,
        agency=_review_agency(plan.referral), due=calendar.end_of_day(plan.review_on),
        context={"plan": plan.pk, "review_on": plan.review_on.isoformat()},
    )


@transaction.atomic
def safety_plan_make(
    *, referral: Referral, actor, membership: Membership, agreed_on: date, review_on: date,
    summary: str = "",
) -> SafetyPlan:
    """Agree a safety plan: the advocate's agency gets its review, due at the end of the
    review day."""
    plan = victims_services.safety_plan_agree(
        referral=referral, actor=actor, membership=membership, agreed_on=agreed_on,
        review_on=review_on, summary=summary,
    )
    _review_start(plan)
    return plan


def _plan_reviewed(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The review recorded on the plan; a next review date gives the next task."""
    plan = SafetyPlan.objects.select_for_update().get(pk=_context(task)["plan"])
    next_on = data.get("next_review_on")
    review = victims_services.safety_plan_review_record(
        plan=plan, actor=actor, membership=membership, reviewed_on=timezone.localdate(),
        next_review_on=date.fromisoformat(next_on) if next_on else None,
        note=data.get("note", ""),
    )
    if review.next_review_on is not None:
        _review_start(plan)


COMPLETION: dict[str, Completion] = {
    TaskType.VICTIM_UPDATE: _victim_updated,
    TaskType.VICTIM_LETTER: _letter_sent,
    TaskType.RIGHT_TO_REVIEW: _reviewed,
    TaskType.SAFETY_PLAN_REVIEW: _plan_reviewed,
}
