"""Every change to the victims app's records: typed, atomic, each with its event.

Services taking a `membership` check the access policy (`victim_voice`, `victim_contact` or
`safeguarding` written); the case's visibility (404) is the interface's, through
`referral.services.referral_look`. Services without one are called by a service that has
decided (a completed task, a decision not to prosecute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import AgencyKind, Membership
from config.exceptions import Conflict, DomainError, NotAllowed, NotFound
from referral import selectors as referral_selectors
from referral.models import Referral

from . import events
from .events import masked
from .models import (
    AdvocateAssignment,
    ConsentScope,
    ContactEntry,
    Entitlement,
    PersonAtRisk,
    RightToReview,
    SafetyPlan,
    SafetyPlanReview,
    StatementOffer,
    VictimWishes,
)


def _check_write(membership: Membership, section: str) -> None:
    if not policy.can_write(membership, section):
        raise NotAllowed(
            f"Your agency may not record {policy.SECTION_TITLES[section].lower()} on this case."
        )


def _by(actor, membership: Membership) -> dict:
    return {"agency": membership.agency, "recorded_by": actor}


# --- Entitlement ---------------------------------------------------------------------------


@transaction.atomic
def entitlement_set(
    *, referral: Referral, actor, membership: Membership | None, enhanced: bool,
    basis: str = "", opt_out_reason: str = "",
) -> Entitlement:
    """Record whether the victim has enhanced rights, kept in step with the referral's flag
    (which sets the update deadline). An opt-out without a reason is accepted (old clients send
    none) but flagged on the trail (`without_reason`) and on the case page."""
    if membership is not None:
        _check_write(membership, "victim_voice")
    return _entitlement_write(
        referral=referral, actor=actor, agency=membership.agency if membership else None,
        enhanced=enhanced, basis=basis, opt_out_reason=opt_out_reason,
    )


@transaction.atomic
def entitlement_at_referral(
    *, referral: Referral, actor, agency, opt_out_reason: str = ""
) -> Entitlement | None:
    """The entitlement the referral gave the victim, written as `entitlement_set` writes it, so
    the victim's voice shows it from the start: enhanced (a stalking victim is persistently
    targeted, enhanced unless the referrer opted them out), or opted out with the referrer's
    reason (flagged when none). For the intake, which has decided; the trail says
    `stage: referral`. A victim of a case not classified as stalking and not given enhanced
    rights has the standard ones: nothing is recorded."""
    if not referral.victim_enhanced_rights and referral.classification != "stalking":
        return None
    return _entitlement_write(
        referral=referral, actor=actor, agency=agency, enhanced=referral.victim_enhanced_rights,
        opt_out_reason=opt_out_reason, stage="referral",
    )


def _entitlement_write(
    *, referral: Referral, actor, agency, enhanced: bool, basis: str = "",
    opt_out_reason: str = "", stage: str = "",
) -> Entitlement:
    if enhanced and not basis:
        basis = Entitlement.Basis.PERSISTENTLY_TARGETED
    entitlement, _ = Entitlement.objects.update_or_create(
        referral=referral,
        defaults={
            "enhanced": enhanced,
            "basis": basis if enhanced else "",
            "opt_out_reason": "" if enhanced else opt_out_reason.strip(),
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    if referral.victim_enhanced_rights != enhanced:
        referral.victim_enhanced_rights = enhanced
        referral.save(update_fields=["victim_enhanced_rights"])
    changes = {
        "enhanced": enhanced,
        "basis": entitlement.basis,
        "without_reason": not enhanced and not entitlement.opt_out_reason,
    }
    if stage:
        changes["stage"] = stage
    events.victims_event(
        verb="entitlement.enhanced" if enhanced else "entitlement.opted_out",
        referral_id=referral.pk, actor=actor, obj=entitlement, agency=agency,
        reason=entitlement.opt_out_reason, changes=changes,
    )
    return entitlement


# --- Wishes and consent ------------------------------------------------------------------


@transaction.atomic
def wishes_record(
    *, referral: Referral, actor, membership: Membership, supports_prosecution: bool | None,
    wishes: str = "", contact_preferences: str = "", given_under_consent: bool = False,
) -> VictimWishes:
    """What the victim wants; the latest is shown. Given under consent, only the agency kinds
    the victim's consent covers (and police and advocacy) see its text."""
    _check_write(membership, "victim_voice")
    row = VictimWishes.objects.create(
        referral=referral, supports_prosecution=supports_prosecution, wishes=wishes,
        contact_preferences=contact_preferences, given_under_consent=given_under_consent,
        **_by(actor, membership),
    )
    events.victims_event(
        verb="wishes.recorded", referral_id=referral.pk, actor=actor, obj=row,
        changes={"supports_prosecution": supports_prosecution,
                 "given_under_consent": given_under_consent,
                 "wishes": masked(wishes), "contact_preferences": masked(contact_preferences)},
    )
    return row


@transaction.atomic
def consent_scope_record(
    *, referral: Referral, actor, membership: Membership, agency_kinds: list[str], covers: str,
    given_on: date, withdrawn_on: date | None = None,
) -> ConsentScope:
    """The victim's consent: which agency kinds may be told what (the latest is in force)."""
    _check_write(membership, "victim_voice")
    unknown = sorted(set(agency_kinds) - set(AgencyKind.values))
    if unknown:
        raise DomainError("Name agency kinds.", fields={"agency_kinds": [
            f"Not an agency kind: {', '.join(unknown)}."]})
    if withdrawn_on is not None and withdrawn_on < given_on:
        raise DomainError("Consent is withdrawn after it is given.", fields={
            "withdrawn_on": ["Cannot be before the date consent was given."]})
    row = ConsentScope.objects.create(
        referral=referral, agency_kinds=sorted(set(agency_kinds)), covers=covers,
        given_on=given_on, withdrawn_on=withdrawn_on, **_by(actor, membership),
    )
    events.victims_event(
        verb="consent.recorded", referral_id=referral.pk, actor=actor, obj=row,
        changes={"agency_kinds": row.agency_kinds, "given_on": str(given_on),
                 "withdrawn_on": str(withdrawn_on) if withdrawn_on else None,
                 "covers": masked(covers)},
    )
    return row


# --- The named advocate ----------------------------------------------------------------------


@transaction.atomic
def advocate_name(
    *, referral: Referral, actor, membership: Membership, advocate: Membership, role: str,
    started_on: date | None = None,
) -> AdvocateAssignment:
    """Name the victim's advocate: an advocacy member of an agency that may see the case (the
    caller checks that agency's involvement); the one before is ended."""
    _check_write(membership, "victim_voice")
    if advocate.agency.kind != AgencyKind.ADVOCACY or not policy.sees_case_content(advocate):
        raise DomainError("The named advocate works for an advocacy service.", fields={
            "advocate": ["Name a member of an advocacy service."]})
    try:
        referral_selectors.referral_get(membership=advocate, referral_id=referral.pk)
    except NotFound:
        raise DomainError("The named advocate's service must be involved in the case.", fields={
            "advocate": ["Their advocacy service is not involved in this case."]}) from None
    if role not in AdvocateAssignment.Role.values:
        raise DomainError("Say what kind of advocate.", fields={"role": ["Choose a role."]})
    started_on = started_on or timezone.localdate()
    current = (AdvocateAssignment.objects.select_for_update()
               .filter(referral=referral, ended_on__isnull=True).first())
    if current is not None:
        if current.advocate_id == advocate.user_id:
            raise Conflict("This advocate is already named on the case.")
        _advocate_close(current, actor=actor, reason="another advocate named", on=started_on)
    row = AdvocateAssignment.objects.create(
        referral=referral, advocate=advocate.user, role=role, started_on=started_on,
        agency=advocate.agency, recorded_by=actor,
    )
    events.victims_event(
        verb="advocate.named", referral_id=referral.pk, actor=actor, obj=row,
        changes={"advocate": advocate.user_id, "role": role, "started_on": str(started_on)},
    )
    return row


def _advocate_close(row: AdvocateAssignment, *, actor, reason: str, on: date) -> None:
    row.ended_on = max(on, row.started_on)
    row.reason = reason
    row.save(update_fields=["ended_on", "reason"])
    events.victims_event(
        verb="advocate.ended", referral_id=row.referral_id, actor=actor, obj=row, reason=reason,
        changes={"advocate": row.advocate_id, "ended_on": str(row.ended_on)},
    )


@transaction.atomic
def advocate_end(*, referral: Referral, actor, membership: Membership, reason: str) -> None:
    """End the named advocate's work on the case."""
    _check_write(membership, "victim_voice")
    current = (AdvocateAssignment.objects.select_for_update()
               .filter(referral=referral, ended_on__isnull=True).first())
    if current is None:
        raise Conflict("The case has no named advocate.")
    _advocate_close(current, actor=actor, reason=reason, on=timezone.localdate())


# --- Contact with the victim -----------------------------------------------------------------


@dataclass(frozen=True)
class ContactDraft:
    method: str
    reached: bool
    note: str = ""
    at: datetime | None = None
    trigger: str = ""
    task: object | None = None
    due: datetime | None = None


def _contact_create(*, referral: Referral, actor, agency, draft: ContactDraft) -> ContactEntry:
    at = draft.at or timezone.now()
    entry = ContactEntry.objects.create(
        referral=referral, at=at, method=draft.method, reached=draft.reached,
        trigger=draft.trigger, task=draft.task, due=draft.due,
        on_time=None if draft.due is None else at <= draft.due,
        note=draft.note, agency=agency, recorded_by=actor,
    )
    events.contact_logged_event(entry=entry, actor=actor)
    return entry


@transaction.atomic
def contact_record(
    *, referral: Referral, actor, membership: Membership, draft: ContactDraft
) -> ContactEntry:
    """Log contact with the victim (writers of `victim_contact`)."""
    _check_write(membership, "victim_contact")
    if draft.method not in ContactEntry.Method.values:
        raise DomainError("Say how you contacted the victim.", fields={"method": [
            "Choose a method."]})
    if draft.at is not None and draft.at > timezone.now():
        raise DomainError("Contact is logged after it happens.", fields={"at": [
            "Cannot be in the future."]})
    return _contact_create(referral=referral, actor=actor, agency=membership.agency,
                           draft=ContactDraft(method=draft.method, reached=draft.reached,
                                              note=draft.note, at=draft.at))


@transaction.atomic
def contact_for_update(*, referral: Referral, actor, agency, draft: ContactDraft) -> ContactEntry:
    """The contact a completed Victims' Code update is (its trigger, task and due time; on time
    when done by then). For the workflow, which has decided."""
    return _contact_create(referral=referral, actor=actor, agency=agency, draft=draft)


# --- Safety plan -----------------------------------------------------------------------------


@transaction.atomic
def safety_plan_agree(
    *, referral: Referral, actor, membership: Membership, agreed_on: date, review_on: date,
    summary: str = "",
) -> SafetyPlan:
    """Agree a safety plan with the victim; the one before ends."""
    _check_write(membership, "victim_voice")
    if review_on < agreed_on:
        raise DomainError("A plan is reviewed after it is agreed.", fields={
            "review_on": ["Cannot be before the day the plan was agreed."]})
    SafetyPlan.objects.filter(referral=referral, status=SafetyPlan.Status.ACTIVE).update(
        status=SafetyPlan.Status.ENDED)
    plan = SafetyPlan.objects.create(
        referral=referral, agreed_on=agreed_on, review_on=review_on, summary=summary,
        **_by(actor, membership),
    )
    events.victims_event(
        verb="safety_plan.agreed", referral_id=referral.pk, actor=actor, obj=plan,
        changes={"agreed_on": str(agreed_on), "review_on": str(review_on),
                 "summary": masked(summary)},
    )
    return plan


@transaction.atomic
def safety_plan_review_record(
    *, plan: SafetyPlan, actor, membership: Membership, reviewed_on: date,
    next_review_on: date | None, note: str = "",
) -> SafetyPlanReview:
    """Review the active plan; the next review date (if any) becomes the plan's."""
    _check_write(membership, "victim_voice")
    if plan.status != SafetyPlan.Status.ACTIVE:
        raise Conflict("This safety plan has ended.")
    if next_review_on is not None and next_review_on < reviewed_on:
        raise DomainError("The next review comes after this one.", fields={
            "next_review_on": ["Cannot be before this review."]})
    review = SafetyPlanReview.objects.create(
        plan=plan, reviewed_on=reviewed_on, next_review_on=next_review_on, note=note,
        **_by(actor, membership),
    )
    if next_review_on is not None:
        plan.review_on = next_review_on
        plan.save(update_fields=["review_on"])
    events.victims_event(
        verb="safety_plan.reviewed", referral_id=plan.referral_id, actor=actor, obj=review,
        changes={"plan": plan.pk, "reviewed_on": str(reviewed_on),
                 "next_review_on": str(next_review_on) if next_review_on else None,
                 "note": masked(note)},
    )
    return review


# --- Victim personal statement -------------------------------------------------------------


@transaction.atomic
def statement_offer_record(
    *, referral: Referral, actor, membership: Membership, offered_on: date,
    made: bool | None = None, made_on: date | None = None, declined_reason: str = "",
) -> StatementOffer:
    """A victim personal statement offered, and made or declined (or not yet known)."""
    _check_write(membership, "victim_voice")
    if made is True and made_on is None:
        made_on = offered_on
    if made_on is not None and made_on < offered_on:
        raise DomainError("A statement is made after it is offered.", fields={
            "made_on": ["Cannot be before the offer."]})
    row = StatementOffer.objects.create(
        referral=referral, offered_on=offered_on, made=made,
        made_on=made_on if made else None,
        declined_reason=declined_reason if made is False else "", **_by(actor, membership),
    )
    verb = {None: "statement.offered", True: "statement.made", False: "statement.declined"}[made]
    events.victims_event(
        verb=verb, referral_id=referral.pk, actor=actor, obj=row, reason=row.declined_reason,
        changes={"offered_on": str(offered_on), "made": made,
                 "made_on": str(row.made_on) if row.made_on else None},
    )
    return row


# --- Others at risk and safeguarding -------------------------------------------------------


@transaction.atomic
def person_at_risk_record(
    *, referral: Referral, actor, membership: Membership, relation: str, name: str = "",
    born: date | None = None, notes: str = "",
) -> PersonAtRisk:
    """Someone else the suspect puts at risk (a child, a new partner, family, friends)."""
    _check_write(membership, "safeguarding")
    if relation not in PersonAtRisk.Relation.values:
        raise DomainError("Say who they are to the victim.", fields={"relation": [
            "Choose a relation."]})
    row = PersonAtRisk.objects.create(
        referral=referral, relation=relation, name=name, born=born, notes=notes,
        **_by(actor, membership),
    )
    events.victims_event(
        verb="person_at_risk.recorded", referral_id=referral.pk, actor=actor, obj=row,
        changes={"relation": relation, "name": masked(name), "notes": masked(notes)},
    )
    return row


@transaction.atomic
def safeguarding_referral_record(
    *, person: PersonAtRisk, actor, membership: Membership, referred_on: date, to: str,
    outcome: str = "",
) -> PersonAtRisk:
    """A safeguarding referral made for someone at risk (to children's or adult services)."""
    _check_write(membership, "safeguarding")
    if not to.strip():
        raise DomainError("Say who the referral went to.", fields={"to": ["Required."]})
    if referred_on > timezone.localdate():
        raise DomainError("A referral is recorded once made.", fields={"referred_on": [
            "Cannot be in the future."]})
    person.safeguarding_referred_on = referred_on
    person.safeguarding_to = to
    person.outcome = outcome
    person.save(update_fields=["safeguarding_referred_on", "safeguarding_to", "outcome"])
    events.victims_event(
        verb="safeguarding.referred", referral_id=person.referral_id, actor=actor, obj=person,
        changes={"person": person.pk, "referred_on": str(referred_on), "to": masked(to),
                 "outcome": masked(outcome)},
    )
    return person


# --- The right to review a decision not to prosecute ---------------------------------------


@transaction.atomic
def right_to_review_offer(
    *, referral: Referral, decided_by_kind: str, decision_on: date, actor=None,
    offence_id: int | None = None,
) -> RightToReview:
    """A decision not to prosecute: the victim is offered a review (police or CPS scheme).
    For the service that recorded the decision."""
    row = RightToReview.objects.create(
        referral=referral, offence_id=offence_id, decided_by_kind=decided_by_kind,
        decider=actor, decision_on=decision_on, offered_on=timezone.localdate(),
    )
    events.victims_event(
        verb="right_to_review.offered", referral_id=referral.pk, actor=actor, obj=row,
        changes={"decided_by_kind": decided_by_kind, "decision_on": str(decision_on),
                 "offence": offence_id},
    )
    return row


@transaction.atomic
def right_to_review_request(
    *, review: RightToReview, actor, membership: Membership, requested_on: date | None = None,
) -> RightToReview:
    """The victim asks for the decision to be reviewed (recorded by police, CPS or advocacy)."""
    _check_write(membership, "victim_voice")
    if review.requested_on is not None:
        raise Conflict("The victim has already asked for this review.")
    review.requested_on = requested_on or timezone.localdate()
    if review.requested_on < review.offered_on:
        raise DomainError("A review is asked for after it is offered.", fields={
            "requested_on": ["Cannot be before the offer."]})
    review.save(update_fields=["requested_on"])
    events.victims_event(
        verb="right_to_review.requested", referral_id=review.referral_id, actor=actor,
        obj=review, changes={"requested_on": str(review.requested_on)},
    )
    return review


@transaction.atomic
def right_to_review_decide(
    *, review: RightToReview, actor, outcome: str,
) -> RightToReview:
    """The review's outcome (by the deciding agency's reviewer, never the decider: the
    `right_to_review` task excludes them). Its event is the task's completion
    (`right_to_review.<outcome>`, with the reason)."""
    if outcome not in (RightToReview.Outcome.UPHELD, RightToReview.Outcome.OVERTURNED):
        raise DomainError("Say whether the decision stands.", fields={"outcome": [
            "Upheld or overturned."]})
    if review.outcome != RightToReview.Outcome.PENDING or review.requested_on is None:
        raise Conflict("This review is not awaiting a decision.")
    if review.decider_id is not None and review.decider_id == getattr(actor, "pk", None):
        raise NotAllowed("Whoever made the decision may not review it.")
    review.outcome = outcome
    review.reviewed_on = timezone.localdate()
    review.save(update_fields=["outcome", "reviewed_on"])
    return review


@transaction.atomic
def right_to_review_task_set(*, review: RightToReview, task) -> None:
    review.task = task
    review.save(update_fields=["task"])
