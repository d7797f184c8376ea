"""The perpetrator's treatment, as the app records it when a sentence requires it
(`workflows.services.justice.sentence_log`).

Each treatment requirement of a community order or suspended sentence is an intervention
offered from the sentence on the case's intervention plan, opened with the first one
(`intervention_from_sentence`); the plan then asks the region's psychiatric unit, once, to
assess the perpetrator (`perpetrator_assessment_ask`), its task's completion recording the
assessment. Probation moves each intervention on (`intervention_status_set`): started weeks
after the sentence, or declined; then completed months later, or stopped, each with its reason.
What falls after the generator's "now" or the case's close is left for later.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from audit.events import MASK
from interventions.models import Intervention, InterventionPlan, PerpetratorAssessment
from interventions.services import REQUIREMENT_KINDS, SENTENCE_VEHICLES
from justice.models import Offence
from referral.models import Referral
from workflows import allocation

from .people import Directory, Member, Region
from .rows import Ids, Rows
from .tasks import Access, Done, Tasks
from .trail import Trail

# How a treatment ordered goes (guesses: no published figure).
STARTED_SHARE = 0.85
COMPLETED_SHARE = 0.6
DECLINE_REASON = "Refused to attend the assessment appointment."
STOP_REASONS = ("Breached the requirement: three missed sessions; returned to court.",
                "Moved out of the area; the programme is not run there.")
PERPETRATOR_ASSESSMENT = {"instrument": "srp", "assessor_trained": True,
                          "assessor": "Forensic psychologist", "persistence": "high",
                          "recurrence": "moderate", "violence": "moderate",
                          "summary": "Rejected ex-intimate; high persistence."}


class Interventions:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail, tasks: Tasks,
                 directory: Directory, anchor: datetime) -> None:
        self.rng, self.ids, self.rows, self.trail, self.tasks = rng, ids, rows, trail, tasks
        self.directory, self.anchor = directory, anchor
        self.plans: dict[int, InterventionPlan] = {}
        self.asked: set[int] = set()  # plans whose assessment was asked for

    def from_sentence(self, *, referral: Referral, region: Region, access: Access,
                      offence: Offence, requirement: str, at: datetime, actor: Member,
                      closes: datetime | None) -> Intervention | None:
        """`intervention_from_sentence` for one requirement of the sentence passed at `at`,
        then `perpetrator_assessment_ask`; probation's moves on it before `closes`."""
        kind = REQUIREMENT_KINDS.get(requirement)
        vehicle = SENTENCE_VEHICLES.get(offence.disposal)
        if kind is None or vehicle is None:
            return None
        if requirement == "accredited_programme" and offence.domestic_abuse:
            kind = Intervention.Kind.DOMESTIC_ABUSE_PROGRAMME
        plan = self._plan(referral, actor, at)
        intervention = self.rows.add(Intervention(
            id=self.ids.take(Intervention), plan_id=plan.pk, referral_id=referral.pk, kind=kind,
            vehicle=vehicle, offence_id=offence.pk, source=Intervention.Source.SENTENCE,
            fit_reason=("Ordered by the court" if kind == Intervention.Kind.DOMESTIC_ABUSE_PROGRAMME
                        else ""),
            offered_on=offence.sentenced_on, agency_id=actor.agency.pk, recorded_by_id=actor.id,
            created_at=at,
        ))
        self._event(intervention, actor, at)
        self._assessment_asked(referral, region, access, plan, at)
        self._moved_on(intervention, region, at, closes)
        return intervention

    def _plan(self, referral: Referral, actor: Member, at: datetime) -> InterventionPlan:
        """`_plan_for`: the case's plan, opened now with the member's agency as its lead."""
        plan = self.plans.get(referral.pk)
        if plan is None:
            plan = self.plans[referral.pk] = self.rows.add(InterventionPlan(
                id=self.ids.take(InterventionPlan), referral_id=referral.pk,
                lead_agency_id=actor.agency.pk, opened_on=timezone.localdate(at),
                opened_by_id=actor.id, created_at=at,
            ))
            self.trail.record(
                verb="intervention_plan.opened", at=at, actor=actor, obj=plan,
                referral_id=referral.pk,
                changes={"lead_agency": actor.agency.slug,
                         "opened_on": plan.opened_on.isoformat()},
            )
        return plan

    def _assessment_asked(self, referral: Referral, region: Region, access: Access,
                          plan: InterventionPlan, at: datetime) -> None:
        """`perpetrator_assessment_ask`: once a case, the region's psychiatric unit."""
        if plan.pk in self.asked:
            return
        self.asked.add(plan.pk)
        unit = self.directory.agency_of_kind("psychiatric", region)
        self.tasks.single(
            task_type="perpetrator_assessment", agency=unit, referral_id=referral.pk, at=at,
            due=allocation.due_for("perpetrator_assessment", risk_level=referral.risk_level,
                                   now=at),
            context={}, access=access, result=dict(PERPETRATOR_ASSESSMENT),
            applied=lambda done: self._assessed(plan, done),
        )

    def _assessed(self, plan: InterventionPlan, done: Done) -> None:
        """`perpetrator_assessment_record` from the task: its event is the task's own."""
        found = PERPETRATOR_ASSESSMENT
        self.rows.add(PerpetratorAssessment(
            id=self.ids.take(PerpetratorAssessment), plan_id=plan.pk,
            referral_id=plan.referral_id, instrument=found["instrument"],
            assessor_trained=found["assessor_trained"], assessor=found["assessor"],
            done_on=timezone.localdate(done.at), persistence=found["persistence"],
            recurrence=found["recurrence"], violence=found["violence"],
            summary=found["summary"], agency_id=done.task.agency_id,
            recorded_by_id=done.actor.id, created_at=done.at,
        ))

    def _moved_on(self, intervention: Intervention, region: Region, at: datetime,
                  closes: datetime | None) -> None:
        """`intervention_status_set` by the probation service, as far as time allows."""
        rng = self.rng
        until = min(closes or self.anchor, self.anchor)
        officer = self.directory.staff[region.first("probation").pk].pick(rng)
        first = at + timedelta(days=rng.uniform(10, 42))
        if first > until:
            return
        if rng.random() >= STARTED_SHARE:
            self._move(intervention, "declined", first, officer, DECLINE_REASON)
            return
        self._move(intervention, "started", first, officer)
        end = first + timedelta(days=rng.uniform(90, 270))
        if end > until:
            return
        if rng.random() < COMPLETED_SHARE:
            self._move(intervention, "completed", end, officer)
        else:
            self._move(intervention, "stopped", end, officer, rng.choice(STOP_REASONS))

    def _move(self, intervention: Intervention, status: str, at: datetime, actor: Member,
              reason: str = "") -> None:
        on = timezone.localdate(at)
        if status == "started":
            intervention.started_on = on
        else:
            intervention.ended_on = on
        intervention.status, intervention.stop_reason = status, reason
        intervention.updated_at = at
        self._event(intervention, actor, at)

    def _event(self, intervention: Intervention, actor: Member, at: datetime) -> None:
        """`interventions.events.intervention_event`."""
        def day(value):
            return value.isoformat() if value else None

        self.trail.record(
            verb=f"intervention.{intervention.status}", at=at, actor=actor, obj=intervention,
            referral_id=intervention.referral_id, reason=intervention.stop_reason,
            changes={"kind": intervention.kind, "vehicle": intervention.vehicle,
                     "source": intervention.source, "status": intervention.status,
                     "order": intervention.order_id, "offence": intervention.offence_id,
                     "offered_on": day(intervention.offered_on),
                     "started_on": day(intervention.started_on),
                     "ended_on": day(intervention.ended_on),
                     "fit_reason": MASK if intervention.fit_reason else ""},
        )

