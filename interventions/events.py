"""The interventions app's events on the trail: codes, dates and ids; free text masked, reasons
in `reason`. A task's own completion (a pre-sentence report, a psychiatric report done) is the
task's event (`audit.events.task_completed_event`), not one of these."""

from __future__ import annotations

from audit.events import MASK, record
from audit.models import Event

from .models import (
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
    PsychiatricAssessment,
    ThreatRecommendation,
)


def _day(value) -> str | None:
    return value.isoformat() if value else None


def psychiatric_assessment_event(*, assessment: PsychiatricAssessment, actor) -> Event:
    """`psychiatric_assessment.<status>`: the step it reached."""
    return record(
        verb=f"psychiatric_assessment.{assessment.status}",
        actor=actor,
        obj=assessment,
        referral_id=assessment.referral_id,
        reason=assessment.reason if assessment.status == "not_ordered" else "",
        changes={
            "status": assessment.status,
            "hearing": assessment.hearing_id,
            "sought_on": _day(assessment.sought_on),
            "requested_on": _day(assessment.requested_on),
            "done_on": _day(assessment.done_on),
            "before_court_on": _day(assessment.before_court_on),
            "provider": MASK if assessment.provider else "",
        },
    )


def threat_recommendations_shared_event(*, recommendation: ThreatRecommendation, actor) -> Event:
    return record(
        verb="threat_recommendations.shared",
        actor=actor,
        obj=recommendation,
        referral_id=recommendation.referral_id,
        reason=recommendation.sharing_basis,
        changes={"task": recommendation.task_id, "recommendations": MASK},
    )


def intervention_plan_opened_event(*, plan: InterventionPlan, actor) -> Event:
    return record(
        verb="intervention_plan.opened",
        actor=actor,
        obj=plan,
        referral_id=plan.referral_id,
        changes={"lead_agency": plan.lead_agency.slug, "opened_on": _day(plan.opened_on)},
    )


def perpetrator_assessment_completed_event(
    *, assessment: PerpetratorAssessment, actor
) -> Event:
    return record(
        verb="perpetrator_assessment.completed",
        actor=actor,
        obj=assessment,
        referral_id=assessment.referral_id,
        changes={
            "instrument": assessment.instrument,
            "assessor_trained": assessment.assessor_trained,
            "done_on": _day(assessment.done_on),
            "persistence": assessment.persistence,
            "recurrence": assessment.recurrence,
            "violence": assessment.violence,
            "summary": MASK if assessment.summary else "",
        },
    )


def intervention_event(*, intervention: Intervention, actor) -> Event:
    """`intervention.<status>`: recorded (offered, or already further on) or moved on."""
    return record(
        verb=f"intervention.{intervention.status}",
        actor=actor,
        obj=intervention,
        referral_id=intervention.referral_id,
        reason=intervention.stop_reason,
        changes={
            "kind": intervention.kind,
            "vehicle": intervention.vehicle,
            "source": intervention.source,
            "status": intervention.status,
            "order": intervention.order_id,
            "offence": intervention.offence_id,
            "offered_on": _day(intervention.offered_on),
            "started_on": _day(intervention.started_on),
            "ended_on": _day(intervention.ended_on),
            "fit_reason": MASK if intervention.fit_reason else "",
        },
    )
