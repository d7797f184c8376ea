"""Assessments in the flow: before hearings, for the court, of the perpetrator.

A hearing gives each agency that must assess the case before it a task and a
`HearingAssessment` row (`HEARING_TASKS`); completing the task records the assessment, and
whether it was done before the hearing. CPS's yes to a psychiatric assessment seeks one and
gives the psychiatric unit its report to do; a threat assessment may share its
recommendations (never its formulation) with police, CPS and probation.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import AgencyKind, Membership
from audit import events
from config.exceptions import DomainError, NotAllowed
from interventions import services as intervention_services
from interventions.models import (
    HearingAssessment,
    Intervention,
    InterventionPlan,
    PerpetratorAssessment,
)
from referral.models import CourtHearing, Referral

from .. import allocation
from ..models import AgencyTask, TaskType
from .registry import Completion
from .starts import case_task_start, hearing_tasks_due

K = AgencyKind
H = CourtHearing.Kind
RISK = HearingAssessment.Kind.RISK_ASSESSMENT
PSR = HearingAssessment.Kind.PRE_SENTENCE_REPORT
PSYCHIATRIC_QUESTION = (TaskType.PSYCHIATRIC_REQUEST, K.CPS, None)

# The work each kind of hearing gives: (task type, agency kind, assessment kind or None).
# Bail and charge hearings: the victim's risk from advocacy and police (police ask the
# victim's views on bail conditions), and CPS is asked whether to seek a psychiatric
# assessment; sentencing adds probation's pre-sentence report; a trial, the advocate's risk
# assessment; an order application or review, police's and the advocate's.
_RISK_BY_ADVOCACY = (TaskType.PRE_HEARING_RISK, K.ADVOCACY, RISK)
_RISK_BY_POLICE = (TaskType.PRE_HEARING_RISK, K.POLICE, RISK)
HEARING_TASKS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    H.BAIL: (_RISK_BY_ADVOCACY, _RISK_BY_POLICE, PSYCHIATRIC_QUESTION),
    H.CHARGE: (_RISK_BY_ADVOCACY, _RISK_BY_POLICE, PSYCHIATRIC_QUESTION),
    H.SENTENCING: (
        _RISK_BY_ADVOCACY, _RISK_BY_POLICE, PSYCHIATRIC_QUESTION,
        (TaskType.PRE_SENTENCE_REPORT, K.PROBATION, PSR),
    ),
    H.TRIAL: (_RISK_BY_ADVOCACY,),
    H.ORDER: (_RISK_BY_POLICE, _RISK_BY_ADVOCACY),
}


def perpetrator_assessment_ask(*, referral: Referral) -> AgencyTask | None:
    """A case with an intervention plan and no assessment of the perpetrator: the region's
    psychiatric unit is asked, once, for one by a trained assessor (the Stalking Risk Profile or
    the like), as the Multi-Agency Stalking Intervention Programme starts from one."""
    if (
        not InterventionPlan.objects.filter(referral=referral).exists()
        or PerpetratorAssessment.objects.filter(referral=referral).exists()
        or AgencyTask.objects.filter(
            referral=referral, task_type=TaskType.PERPETRATOR_ASSESSMENT
        ).exists()
    ):
        return None
    return case_task_start(
        referral=referral,
        task_type=TaskType.PERPETRATOR_ASSESSMENT,
        agency=allocation.agency_of_kind(
            AgencyKind.PSYCHIATRIC, region=referral.referrer_agency.region
        ),
        due=allocation.due_for("perpetrator_assessment", risk_level=referral.risk_level),
    )


@transaction.atomic
def intervention_log(
    *, referral: Referral, actor, membership: Membership,
    draft: intervention_services.InterventionDraft,
) -> Intervention:
    """An intervention offered to the perpetrator; the first opens the plan, and the plan asks
    for an assessment of the perpetrator (`perpetrator_assessment_ask`)."""
    intervention = intervention_services.intervention_record(
        referral=referral, actor=actor, membership=membership, draft=draft
    )
    perpetrator_assessment_ask(referral=referral)
    return intervention


def check_hearing_date(on: date) -> None:
    """A hearing is recorded before it is held: its risk assessments fall due before it."""
    if on < timezone.localdate():
        raise DomainError(
            "The hearing date has passed.",
            fields={"date": ["The hearing date has passed: give a date from today on."]},
        )


@transaction.atomic
def hearing_record(
    *, referral: Referral, actor, membership: Membership, kind: str, on: date, court: str = ""
) -> CourtHearing:
    """A court hearing and the assessments due two working days before it (`HEARING_TASKS`),
    each a task and a `HearingAssessment` row."""
    if not policy.can_record_hearing(membership):
        raise NotAllowed("Your agency may not record court hearings.")
    check_hearing_date(on)
    hearing = CourtHearing.objects.create(
        referral=referral, kind=kind, date=on, court=court, recorded_by=actor
    )
    events.hearing_recorded_event(hearing=hearing, actor=actor)
    due = hearing_tasks_due(on)
    work = HEARING_TASKS[kind]
    agencies = allocation.agencies_of_kinds(
        [agency_kind for _, agency_kind, _ in work], region=referral.referrer_agency.region
    )
    context = {"hearing": hearing.pk, "kind": kind, "date": on.isoformat()}
    for (task_type, _, assessment_kind), agency in zip(work, agencies, strict=True):
        task = case_task_start(
            referral=referral, task_type=task_type, agency=agency, due=due, context=context
        )
        if task is not None and assessment_kind is not None:
            intervention_services.hearing_assessment_create(
                hearing=hearing, agency=agency, kind=assessment_kind, task=task, due=due
            )
    return hearing


def _context(task: AgencyTask) -> dict:
    return task.process.coerced.data.get("context") or {}


def _risk_assessed(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The risk assessment before the hearing, kept with whether it came before it."""
    intervention_services.hearing_assessment_complete(
        task=task,
        result=intervention_services.AssessmentResult(
            risk_level=data.get("risk_level", ""),
            summary=data.get("summary", ""),
            victim_views=data.get("victim_views", ""),
            bail_conditions_sought=data.get("bail_conditions_sought", ""),
            recommendation=data.get("recommendation", ""),
        ),
    )


def _pre_sentence_reported(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """Probation's pre-sentence report: risk of serious harm, proposal, treatment suitability."""
    intervention_services.hearing_assessment_complete(
        task=task,
        result=intervention_services.AssessmentResult(
            risk_level=data.get("risk_of_serious_harm", ""),
            summary=data.get("summary", ""),
            recommendation=data.get("proposal", ""),
            treatment_suitability=data.get("treatment_suitability", ""),
        ),
    )


def _psychiatric_asked(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """CPS's yes seeks a psychiatric assessment and gives the psychiatric unit its report for
    the court, due as the hearing's other assessments."""
    if not data.get("request"):
        return
    context = _context(task)
    hearing = CourtHearing.objects.filter(
        pk=context.get("hearing"), referral_id=task.referral_id
    ).first()
    referral = task.referral
    assessment = intervention_services.psychiatric_assessment_seek(
        referral=referral, hearing=hearing, actor=actor, membership=membership,
        reason=data.get("reason", ""),
    )
    unit = allocation.agency_of_kind(K.PSYCHIATRIC, region=referral.referrer_agency.region)
    on = hearing.date if hearing is not None else None
    case_task_start(
        referral=referral,
        task_type=TaskType.PSYCHIATRIC_REPORT,
        agency=unit,
        due=hearing_tasks_due(on) if on else allocation.due_for(
            "threat_assessment", risk_level=referral.risk_level
        ),
        context={
            "assessment": assessment.pk,
            "hearing": hearing.pk if hearing else None,
            "date": on.isoformat() if on else None,
        },
    )


def _psychiatric_reported(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The report done (or not, with the reason): the assessment's step, no clinical content."""
    intervention_services.psychiatric_report_done(
        referral=task.referral,
        assessment_id=_context(task).get("assessment"),
        actor=actor,
        done=bool(data.get("done")),
        reason=data.get("reason", ""),
        provider=data.get("provider", ""),
    )


def _threat_assessed(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """Recommendations shared with a basis go to police, CPS and probation (the formulation
    stays with the unit and the coordinator's chairs and supervisors)."""
    if data.get("share_recommendations"):
        intervention_services.threat_recommendations_share(
            referral=task.referral, task=task, actor=actor, membership=membership,
            recommendations=data.get("recommendations", ""),
            sharing_basis=data.get("sharing_basis", ""),
        )


def _perpetrator_assessed(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The perpetrator's assessment, on the case's intervention plan (opened if none)."""
    intervention_services.perpetrator_assessment_record(
        referral=task.referral, actor=actor, membership=membership, task=task,
        draft=intervention_services.PerpetratorAssessmentDraft(
            instrument=data["instrument"],
            assessor_trained=data["assessor_trained"],
            persistence=data["persistence"],
            recurrence=data["recurrence"],
            violence=data["violence"],
            assessor=data.get("assessor", ""),
            summary=data.get("summary", ""),
        ),
    )


COMPLETION: dict[str, Completion] = {
    TaskType.THREAT_ASSESSMENT: _threat_assessed,
    TaskType.PRE_HEARING_RISK: _risk_assessed,
    TaskType.PSYCHIATRIC_REQUEST: _psychiatric_asked,
    TaskType.PRE_SENTENCE_REPORT: _pre_sentence_reported,
    TaskType.PSYCHIATRIC_REPORT: _psychiatric_reported,
    TaskType.PERPETRATOR_ASSESSMENT: _perpetrator_assessed,
}
