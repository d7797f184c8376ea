"""Reads of a case's assessments for court, shared recommendations and interventions, as plain
rows, each in a fixed number of queries. Whether the reader may read them is the caller's
(`case_file`, `api`) to ask of the policy first."""

from __future__ import annotations

from referral.models import Referral

from .models import (
    HearingAssessment,
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
    PsychiatricAssessment,
    ThreatRecommendation,
)


def _renamed(row: dict, **names: str) -> dict:
    """The row with its columns renamed (new name=old column)."""
    taken = {new: row.pop(old) for new, old in names.items()}
    return {**row, **taken}


_ASSESSMENT_COLUMNS = (
    "id", "agency__slug", "kind", "task_id", "due", "completed_at", "before_hearing",
    "risk_level", "summary", "victim_views", "bail_conditions_sought", "recommendation",
    "treatment_suitability", "hearing_id", "hearing__kind", "hearing__date",
)
_PSYCHIATRIC_COLUMNS = (
    "id", "hearing_id", "status", "sought_on", "requested_on", "done_on", "before_court_on",
    "provider", "reason",
)


def assessments(*, referral: Referral) -> dict:
    """The assessments before the case's hearings and its psychiatric assessments (2 queries)."""
    rows = HearingAssessment.objects.filter(referral_id=referral.pk).order_by(
        "hearing__date", "due", "id"
    ).values(*_ASSESSMENT_COLUMNS)
    hearing_assessments = [
        {
            "id": row["id"],
            "hearing": {
                "id": row["hearing_id"], "kind": row["hearing__kind"],
                "date": row["hearing__date"],
            },
            "agency": row["agency__slug"],
            "kind": row["kind"],
            "task": row["task_id"],
            **{k: row[k] for k in (
                "due", "completed_at", "before_hearing", "risk_level", "summary",
                "victim_views", "bail_conditions_sought", "recommendation",
                "treatment_suitability",
            )},
        }
        for row in rows
    ]
    psychiatric = [
        _renamed(row, hearing="hearing_id")
        for row in PsychiatricAssessment.objects.filter(referral_id=referral.pk)
        .order_by("sought_on", "id").values(*_PSYCHIATRIC_COLUMNS)
    ]
    return {"hearing_assessments": hearing_assessments, "psychiatric": psychiatric}


def threat_recommendations(*, referral: Referral) -> list[dict]:
    """The threat assessment recommendations shared on the case, oldest first (1 query)."""
    return [
        _renamed(row, agency="agency__slug")
        for row in ThreatRecommendation.objects.filter(referral_id=referral.pk)
        .order_by("shared_at", "id")
        .values("id", "agency__slug", "recommendations", "sharing_basis", "shared_at")
    ]


_INTERVENTION_COLUMNS = (
    "id", "kind", "vehicle", "order_id", "offence_id", "source", "fit_reason", "status",
    "offered_on", "started_on", "ended_on", "stop_reason", "provider", "agency__slug",
)
_PERPETRATOR_COLUMNS = (
    "id", "instrument", "assessor_trained", "assessor", "done_on", "persistence", "recurrence",
    "violence", "summary", "agency__slug",
)


def interventions(*, referral: Referral) -> dict | None:
    """The case's intervention plan with its assessments, its interventions and, of them, the
    treatment; None when no plan is open (3 queries, 1 without a plan)."""
    plan = (
        InterventionPlan.objects.filter(referral_id=referral.pk)
        .values("id", "lead_agency__slug", "opened_on", "closed_on").first()
    )
    if plan is None:
        return None
    done = [
        _renamed(row, agency="agency__slug")
        for row in PerpetratorAssessment.objects.filter(plan_id=plan["id"])
        .order_by("done_on", "id").values(*_PERPETRATOR_COLUMNS)
    ]
    offered = [
        _renamed(row, agency="agency__slug", order="order_id", offence="offence_id")
        for row in Intervention.objects.filter(plan_id=plan["id"])
        .order_by("offered_on", "id").values(*_INTERVENTION_COLUMNS)
    ]
    return {
        "plan": {
            "id": plan["id"], "lead_agency": plan["lead_agency__slug"],
            "opened_on": plan["opened_on"], "closed_on": plan["closed_on"],
        },
        "assessments": done,
        "interventions": offered,
        "treatment": [
            {k: row[k] for k in ("id", "kind", "status", "source", "vehicle")}
            for row in offered if row["kind"] != Intervention.Kind.OTHER
        ],
    }
