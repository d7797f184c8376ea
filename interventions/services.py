"""Every change to a case's assessments for court and the perpetrator's interventions: typed,
atomic, each with its event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from agencies.selectors import membership_of
from config.exceptions import DomainError, NotAllowed, NotFound
from justice.models import Offence
from referral.models import CourtHearing, ProtectiveOrder, Referral, Relationship

from . import events
from .models import (
    HearingAssessment,
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
    PsychiatricAssessment,
    ThreatRecommendation,
)

# --- Assessments before hearings ------------------------------------------------------------


def hearing_starts(hearing: CourtHearing) -> datetime:
    """The start of the hearing's day: an assessment done before it was before the court."""
    return timezone.make_aware(datetime.combine(hearing.date, time.min))


@transaction.atomic
def hearing_assessment_create(
    *, hearing: CourtHearing, agency, kind: str, task, due: datetime
) -> HearingAssessment:
    """The assessment an agency owes before a hearing, beside the task that asks for it."""
    return HearingAssessment.objects.create(
        hearing=hearing, referral_id=hearing.referral_id, agency=agency, kind=kind, task=task,
        due=due,
    )


@dataclass(frozen=True)
class AssessmentResult:
    risk_level: str = ""
    summary: str = ""
    victim_views: str = ""
    bail_conditions_sought: str = ""
    recommendation: str = ""
    treatment_suitability: str = ""


@transaction.atomic
def hearing_assessment_complete(*, task, result: AssessmentResult) -> HearingAssessment | None:
    """The task's assessment done: when, whether before the hearing, and what it found (None
    for a task recorded before assessments were kept)."""
    assessment = (
        HearingAssessment.objects.select_for_update().select_related("hearing")
        .filter(task=task).first()
    )
    if assessment is None:
        return None
    now = timezone.now()
    assessment.completed_at = now
    assessment.before_hearing = now < hearing_starts(assessment.hearing)
    for name, value in vars(result).items():
        setattr(assessment, name, value)
    assessment.save(update_fields=[
        "completed_at", "before_hearing", *vars(result),
    ])
    return assessment


# --- Psychiatric assessments for court -------------------------------------------------------

# The step each one follows; `not_ordered` may end any step before the report is done.
PSYCHIATRIC_STEPS = {
    PsychiatricAssessment.Status.REQUESTED: PsychiatricAssessment.Status.SOUGHT,
    PsychiatricAssessment.Status.DONE: PsychiatricAssessment.Status.REQUESTED,
    PsychiatricAssessment.Status.BEFORE_COURT: PsychiatricAssessment.Status.DONE,
}
PSYCHIATRIC_OPEN = (PsychiatricAssessment.Status.SOUGHT, PsychiatricAssessment.Status.REQUESTED)
_STEP_DATE = {
    PsychiatricAssessment.Status.REQUESTED: "requested_on",
    PsychiatricAssessment.Status.DONE: "done_on",
    PsychiatricAssessment.Status.BEFORE_COURT: "before_court_on",
}


@transaction.atomic
def psychiatric_assessment_seek(
    *, referral: Referral, hearing: CourtHearing | None, actor, membership: Membership,
    reason: str = "",
) -> PsychiatricAssessment:
    """CPS seeks a psychiatric assessment for the court."""
    assessment = PsychiatricAssessment.objects.create(
        referral=referral, hearing=hearing, sought_on=timezone.localdate(), reason=reason,
        agency=membership.agency, recorded_by=actor,
    )
    events.psychiatric_assessment_event(assessment=assessment, actor=actor)
    return assessment


@transaction.atomic
def psychiatric_assessment_record(
    *, referral: Referral, assessment_id, actor, membership: Membership, status: str,
    on: date | None = None, provider: str = "", reason: str = "",
) -> PsychiatricAssessment:
    """The next step of a psychiatric assessment: requested, done, before the court, in that
    order; or not ordered (before it is done), with the reason."""
    if not policy.can_track_psychiatric(membership):
        raise NotAllowed("Only CPS and the psychiatric unit record a psychiatric assessment.")
    assessment = _psychiatric_get(referral, assessment_id)
    return _psychiatric_step(
        assessment, status=status, on=on or timezone.localdate(), provider=provider,
        reason=reason, actor=actor,
    )


def _psychiatric_get(referral: Referral, assessment_id) -> PsychiatricAssessment:
    try:
        return PsychiatricAssessment.objects.select_for_update().get(
            pk=int(assessment_id), referral=referral
        )
    except (TypeError, ValueError, PsychiatricAssessment.DoesNotExist):
        raise NotFound("No such psychiatric assessment on this case.") from None


def _psychiatric_step(
    assessment: PsychiatricAssessment, *, status: str, on: date, provider: str, reason: str,
    actor,
) -> PsychiatricAssessment:
    S = PsychiatricAssessment.Status
    current = assessment.status
    label = S(current).label.lower()
    if status == S.NOT_ORDERED:
        if current not in PSYCHIATRIC_OPEN:
            raise DomainError(
                f"The assessment is {label}: it can no longer be not ordered.",
                fields={"status": [f"The assessment is already {label}."]},
            )
        if not reason.strip():
            raise DomainError(
                "Say why the assessment was not ordered.",
                fields={"reason": ["Say why the assessment was not ordered."]},
            )
    elif status in PSYCHIATRIC_STEPS:
        if PSYCHIATRIC_STEPS[status] != current:
            before = S(PSYCHIATRIC_STEPS[status]).label.lower()
            raise DomainError(
                f"The assessment is {label}: it must be {before} first.",
                fields={"status": [f"The assessment is {label}; it must be {before} first."]},
            )
        if on > timezone.localdate():
            raise DomainError(
                "The date is in the future.",
                fields={"on": ["Give the date it happened: not in the future."]},
            )
        if on < assessment.sought_on:
            raise DomainError(
                "The date is before the assessment was sought.",
                fields={"on": ["The date is before the assessment was sought."]},
            )
        setattr(assessment, _STEP_DATE[status], on)
    else:
        raise DomainError(
            "Choose the assessment's next step.",
            fields={"status": ["Choose requested, done, before the court or not ordered."]},
        )
    assessment.status = status
    if provider.strip():
        assessment.provider = provider.strip()
    if reason.strip():
        assessment.reason = reason.strip()
    assessment.updated_at = timezone.now()
    assessment.save(update_fields=[
        "status", "requested_on", "done_on", "before_court_on", "provider", "reason",
        "updated_at",
    ])
    events.psychiatric_assessment_event(assessment=assessment, actor=actor)
    return assessment


@transaction.atomic
def psychiatric_report_done(
    *, referral: Referral, assessment_id, actor, done: bool, reason: str = "",
    provider: str = "",
) -> PsychiatricAssessment | None:
    """The psychiatric unit's report for the court: done (requested on the way, when CPS's
    request was not recorded), or not done, with the reason. No clinical content is kept."""
    assessment = (
        PsychiatricAssessment.objects.select_for_update()
        .filter(pk=assessment_id, referral=referral).first()
    )
    if assessment is None or assessment.status not in PSYCHIATRIC_OPEN:
        return assessment
    today = timezone.localdate()
    if not done:
        return _psychiatric_step(
            assessment, status=PsychiatricAssessment.Status.NOT_ORDERED, on=today,
            provider=provider, reason=reason, actor=actor,
        )
    if assessment.status == PsychiatricAssessment.Status.SOUGHT:
        assessment = _psychiatric_step(
            assessment, status=PsychiatricAssessment.Status.REQUESTED, on=today,
            provider=provider, reason="", actor=actor,
        )
    return _psychiatric_step(
        assessment, status=PsychiatricAssessment.Status.DONE, on=today, provider=provider,
        reason="", actor=actor,
    )


# --- Threat assessment recommendations --------------------------------------------------------


@transaction.atomic
def threat_recommendations_share(
    *, referral: Referral, task, actor, membership: Membership, recommendations: str,
    sharing_basis: str,
) -> ThreatRecommendation:
    """The assessing unit shares a threat assessment's recommendations (never its formulation)
    with police, CPS and probation, on the basis it gives."""
    if not policy.can_write(membership, "threat_recommendations"):
        raise NotAllowed("Only the assessing unit shares a threat assessment's recommendations.")
    errors = {}
    if not recommendations.strip():
        errors["recommendations"] = ["Enter the recommendations to share."]
    if not sharing_basis.strip():
        errors["sharing_basis"] = ["Say on what basis the recommendations are shared."]
    if errors:
        raise DomainError("The recommendations could not be shared.", fields=errors)
    shared = ThreatRecommendation.objects.create(
        referral=referral, task=task, agency=membership.agency,
        recommendations=recommendations.strip(), sharing_basis=sharing_basis.strip(),
        shared_by=actor, shared_at=timezone.now(),
    )
    events.threat_recommendations_shared_event(recommendation=shared, actor=actor)
    return shared


# --- The perpetrator's interventions (MASIP) -------------------------------------------------


def _check_interventions_writer(membership: Membership | None) -> None:
    if not policy.can_write(membership, "interventions"):
        raise NotAllowed("Your agency may not record the perpetrator's interventions.")


@transaction.atomic
def intervention_plan_open(
    *, referral: Referral, actor, membership: Membership
) -> InterventionPlan:
    """The case's intervention plan, opened now with the member's agency as its lead (the open
    one when there is one)."""
    _check_interventions_writer(membership)
    return _plan_for(referral, actor=actor, agency=membership.agency)


def _plan_for(referral: Referral, *, actor, agency) -> InterventionPlan:
    plan, created = InterventionPlan.objects.get_or_create(
        referral=referral,
        defaults={"lead_agency": agency, "opened_on": timezone.localdate(), "opened_by": actor},
    )
    if created:
        events.intervention_plan_opened_event(plan=plan, actor=actor)
    return plan


@dataclass(frozen=True)
class PerpetratorAssessmentDraft:
    instrument: str
    assessor_trained: bool
    persistence: str
    recurrence: str
    violence: str
    done_on: date | None = None
    assessor: str = ""
    summary: str = ""


@transaction.atomic
def perpetrator_assessment_record(
    *, referral: Referral, actor, membership: Membership, draft: PerpetratorAssessmentDraft,
    task=None,
) -> PerpetratorAssessment:
    """An assessment of the perpetrator (SRP, SAM...), on the plan (opened if none). Its event is
    the task's own when a task asked for it."""
    _check_interventions_writer(membership)
    done_on = draft.done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise DomainError(
            "The assessment's date is in the future.",
            fields={"done_on": ["Give the date it was done: not in the future."]},
        )
    plan = _plan_for(referral, actor=actor, agency=membership.agency)
    assessment = PerpetratorAssessment.objects.create(
        plan=plan, referral=referral, instrument=draft.instrument,
        assessor_trained=draft.assessor_trained, assessor=draft.assessor.strip(),
        done_on=done_on, persistence=draft.persistence, recurrence=draft.recurrence,
        violence=draft.violence, summary=draft.summary.strip(), agency=membership.agency,
        recorded_by=actor,
    )
    if task is None:
        events.perpetrator_assessment_completed_event(assessment=assessment, actor=actor)
    return assessment


@dataclass(frozen=True)
class InterventionDraft:
    kind: str
    vehicle: str
    fit_reason: str = ""
    order_id: int | None = None
    offence_id: int | None = None
    provider: str = ""
    offered_on: date | None = None


# Which vehicle needs what of the case.
ORDER_VEHICLES = {
    Intervention.Vehicle.SPO_REQUIREMENT: (
        ProtectiveOrder.Kind.STALKING_PROTECTION_ORDER, ProtectiveOrder.Kind.INTERIM_SPO,
    ),
    Intervention.Vehicle.LICENCE_CONDITION: (ProtectiveOrder.Kind.LICENCE_CONDITIONS,),
}
OFFENCE_VEHICLES = {
    Intervention.Vehicle.COMMUNITY_ORDER_REQUIREMENT: Offence.Disposal.COMMUNITY_ORDER,
    Intervention.Vehicle.SUSPENDED_SENTENCE_REQUIREMENT: Offence.Disposal.SUSPENDED_SENTENCE,
}


def domestic_abuse_context(referral: Referral) -> bool:
    """A former partner, or an offence of the case flagged as domestic abuse."""
    return Relationship.FORMER_PARTNER in (referral.relationship or []) or Offence.objects.filter(
        referral=referral, domestic_abuse=True
    ).exists()


def check_intervention(referral: Referral, draft: InterventionDraft) -> tuple:
    """The draft's rules against the case: a domestic abuse programme needs a reason it fits
    and a domestic abuse context; the vehicle needs its order or offence on the case. Returns
    the (order, offence) it rests on; raises `DomainError` with every problem."""
    errors: dict[str, list[str]] = {}
    if draft.kind not in Intervention.Kind.values:
        errors["kind"] = ["Choose the kind of intervention."]
    if draft.vehicle not in Intervention.Vehicle.values:
        errors["vehicle"] = ["Choose how the intervention is given."]
    if draft.kind == Intervention.Kind.DOMESTIC_ABUSE_PROGRAMME:
        if not draft.fit_reason.strip():
            errors["fit_reason"] = [
                "Say why a domestic abuse programme fits this perpetrator: it is not a "
                "stalking intervention."
            ]
        if not domestic_abuse_context(referral):
            errors.setdefault("kind", []).append(
                "A domestic abuse programme needs a domestic abuse context: a former partner, "
                "or an offence recorded as domestic abuse."
            )
    order = offence = None
    if draft.vehicle in ORDER_VEHICLES:
        kinds = ORDER_VEHICLES[draft.vehicle]
        orders = ProtectiveOrder.objects.filter(referral=referral, kind__in=kinds)
        order = (
            orders.filter(pk=draft.order_id).first() if draft.order_id is not None
            else orders.order_by("-starts", "-id").first()
        )
        if order is None:
            errors.setdefault("order" if draft.order_id is not None else "vehicle", []).append(
                "The case has no "
                + " or ".join(ProtectiveOrder.Kind(k).label.lower() for k in kinds)
                + " for this requirement."
            )
    elif draft.vehicle in OFFENCE_VEHICLES:
        disposal = OFFENCE_VEHICLES[draft.vehicle]
        offences = Offence.objects.filter(referral=referral, disposal=disposal)
        offence = (
            offences.filter(pk=draft.offence_id).first() if draft.offence_id is not None
            else offences.order_by("-sentenced_on", "-id").first()
        )
        if offence is None:
            errors.setdefault(
                "offence" if draft.offence_id is not None else "vehicle", []
            ).append(
                "The case has no offence sentenced to a "
                f"{Offence.Disposal(disposal).label.lower()} for this requirement."
            )
    if errors:
        raise DomainError("The intervention could not be recorded.", fields=errors)
    return order, offence


@transaction.atomic
def intervention_record(
    *, referral: Referral, actor, membership: Membership, draft: InterventionDraft
) -> Intervention:
    """An intervention offered to the perpetrator, on the plan (opened if none)."""
    _check_interventions_writer(membership)
    order, offence = check_intervention(referral, draft)
    plan = _plan_for(referral, actor=actor, agency=membership.agency)
    return _intervention_create(
        plan=plan, draft=draft, order=order, offence=offence, actor=actor,
        agency=membership.agency, source=Intervention.Source.RECORDED,
    )


def _intervention_create(
    *, plan, draft: InterventionDraft, order, offence, actor, agency, source: str
) -> Intervention:
    intervention = Intervention.objects.create(
        plan=plan, referral_id=plan.referral_id, kind=draft.kind, vehicle=draft.vehicle,
        order=order, offence=offence, source=source, fit_reason=draft.fit_reason.strip(),
        offered_on=draft.offered_on or timezone.localdate(), provider=draft.provider.strip(),
        agency=agency, recorded_by=actor,
    )
    events.intervention_event(intervention=intervention, actor=actor)
    return intervention


# Where each status may go next, and which need a reason.
INTERVENTION_NEXT = {
    Intervention.Status.OFFERED: (
        Intervention.Status.STARTED, Intervention.Status.DECLINED, Intervention.Status.STOPPED,
    ),
    Intervention.Status.STARTED: (Intervention.Status.COMPLETED, Intervention.Status.STOPPED),
}
NEEDS_REASON = (Intervention.Status.DECLINED, Intervention.Status.STOPPED)


@transaction.atomic
def intervention_status_set(
    *, referral: Referral, intervention_id, actor, membership: Membership, status: str,
    on: date | None = None, reason: str = "",
) -> Intervention:
    """An intervention moves on: offered -> started -> completed, or declined (when offered) or
    stopped, with the reason."""
    _check_interventions_writer(membership)
    try:
        intervention = Intervention.objects.select_for_update().get(
            pk=int(intervention_id), referral=referral
        )
    except (TypeError, ValueError, Intervention.DoesNotExist):
        raise NotFound("No such intervention on this case.") from None
    S = Intervention.Status
    allowed = INTERVENTION_NEXT.get(intervention.status, ())
    if status not in allowed:
        current = S(intervention.status).label.lower()
        raise DomainError(
            f"The intervention is {current}: it cannot be marked {status.replace('_', ' ')}.",
            fields={"status": [
                f"The intervention is {current}; next: "
                + (", ".join(S(s).label.lower() for s in allowed) or "nothing") + "."
            ]},
        )
    if status in NEEDS_REASON and not reason.strip():
        raise DomainError(
            "Say why.", fields={"reason": [f"Say why it was {S(status).label.lower()}."]}
        )
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError(
            "The date is in the future.",
            fields={"on": ["Give the date it happened: not in the future."]},
        )
    if on < intervention.offered_on:
        raise DomainError(
            "The date is before the intervention was offered.",
            fields={"on": ["The date is before the intervention was offered."]},
        )
    if status == S.STARTED:
        intervention.started_on = on
    else:
        intervention.ended_on = on
    intervention.status = status
    intervention.stop_reason = reason.strip() if status in NEEDS_REASON else ""
    intervention.updated_at = timezone.now()
    intervention.save(update_fields=[
        "status", "started_on", "ended_on", "stop_reason", "updated_at",
    ])
    events.intervention_event(intervention=intervention, actor=actor)
    return intervention


# A sentence's treatment requirement as the intervention it is.
REQUIREMENT_KINDS = {
    "mental_health_treatment": Intervention.Kind.MENTAL_HEALTH_TREATMENT,
    "drug_rehabilitation": Intervention.Kind.SUBSTANCE_MISUSE_TREATMENT,
    "alcohol_treatment": Intervention.Kind.SUBSTANCE_MISUSE_TREATMENT,
    "accredited_programme": Intervention.Kind.STALKING_PROGRAMME,
}
SENTENCE_VEHICLES = {
    Offence.Disposal.COMMUNITY_ORDER: Intervention.Vehicle.COMMUNITY_ORDER_REQUIREMENT,
    Offence.Disposal.SUSPENDED_SENTENCE: Intervention.Vehicle.SUSPENDED_SENTENCE_REQUIREMENT,
}


@transaction.atomic
def intervention_from_sentence(*, offence: Offence, requirement_kind: str, actor) -> None:
    """A sentence's treatment requirement, entered as the perpetrator's intervention (offered,
    from the sentence) on the plan, opened if none. An accredited programme is the domestic
    abuse programme for an offence of domestic abuse, else the stalking programme. The
    sentencing service has decided; nothing else is asked of the member."""
    kind = REQUIREMENT_KINDS.get(requirement_kind)
    vehicle = SENTENCE_VEHICLES.get(offence.disposal)
    if kind is None or vehicle is None:
        return
    if requirement_kind == "accredited_programme" and offence.domestic_abuse:
        kind = Intervention.Kind.DOMESTIC_ABUSE_PROGRAMME
    membership = membership_of(actor)
    agency = membership.agency if membership is not None else offence.agency
    plan = _plan_for(offence.referral, actor=actor, agency=agency)
    draft = InterventionDraft(
        kind=kind, vehicle=vehicle,
        fit_reason="Ordered by the court" if kind == Intervention.Kind.DOMESTIC_ABUSE_PROGRAMME
        else "",
        offered_on=offence.sentenced_on or timezone.localdate(),
    )
    _intervention_create(
        plan=plan, draft=draft, order=None, offence=offence, actor=actor, agency=agency,
        source=Intervention.Source.SENTENCE,
    )
