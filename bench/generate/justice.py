"""CPS's charging decisions as the app records them (`workflows.services.justice`).

A charging review's completion (`charging_review_record`) records the decision as a
`ChargingDecision` on the case, with its `charging_decision.<decision>` event; a charge on a case
with no offence recorded charges a new offence (kind `other`, labelled `CHARGED_BY_REVIEW`, its
`offence.recorded` event), which the decision moves to `charged`. The generated cases record no
offence before the review, so a charge is the case's one offence and a decision not to charge
moves none. About 1 case in 9 is charged (`study.CHARGED_SHARE`, drawn in `Cases._branch`).
Whatever CPS decides, the victim is told (`Tasks.victim_update`, with the decision's code): by
police, or by CPS's letter for a decision not to charge, which also offers the victim a review
of it (`victims_code_event`, `right_to_review_offer`).
"""

from __future__ import annotations

from django.utils import timezone

from audit.events import MASK
from justice.models import ChargingDecision, Offence, OffenceKind
from referral.models import Referral
from victims.models import RightToReview
from workflows.services.justice import CHARGED_BY_REVIEW

from .rows import Ids, Rows
from .tasks import Done
from .trail import Trail


class Justice:
    def __init__(self, *, ids: Ids, rows: Rows, trail: Trail) -> None:
        self.ids, self.rows, self.trail = ids, rows, trail

    def charging_decided(self, referral: Referral, done: Done, result: dict) -> ChargingDecision:
        """`charging_review_record` for a review done with `result`."""
        day = timezone.localdate(done.at)
        agency_id = done.task.agency_id
        offence = None
        if result["decision"] == ChargingDecision.Decision.CHARGE:
            offence = self.rows.add(Offence(
                id=self.ids.take(Offence), referral_id=referral.pk, kind=OffenceKind.OTHER,
                label=CHARGED_BY_REVIEW, agency_id=agency_id, recorded_by_id=done.actor.id,
                created_at=done.at,
            ))
            self.trail.record(
                verb="offence.recorded", at=done.at, actor=done.actor, obj=offence,
                referral_id=referral.pk,
                changes={"kind": offence.kind, "label": MASK, "crime_reference": "",
                         "domestic_abuse": None, "breach_of_order": None, "incident": None},
            )
        decision = self.rows.add(ChargingDecision(
            id=self.ids.take(ChargingDecision), referral_id=referral.pk,
            offence_id=offence.pk if offence is not None else None,
            decision=result["decision"], test=result.get("test", ""),
            reason=result.get("reason", "").strip(),
            offence_named=result.get("offence", "").strip()[:300], decided_on=day,
            task_id=done.task.pk, agency_id=agency_id, recorded_by_id=done.actor.id,
            created_at=done.at,
        ))
        if offence is not None:  # `_charging_apply`: charged on the day
            offence.cps_decision, offence.status = decision.decision, Offence.Status.CHARGED
            offence.charged_on, offence.updated_at = day, done.at
        self.trail.record(
            verb=f"charging_decision.{decision.decision}", at=done.at, actor=done.actor,
            obj=decision, referral_id=referral.pk, reason=decision.reason,
            changes={
                "offence": decision.offence_id,
                "offences": [offence.pk] if offence is not None else [],
                "charged_as": "", "offence_named": MASK if decision.offence_named else "",
                "test": decision.test, "decided_on": day.isoformat(), "task": done.task.pk,
            },
        )
        return decision

    def review_offered(self, referral: Referral, done: Done,
                       decision: ChargingDecision) -> RightToReview:
        """`right_to_review_offer`: CPS decided not to charge; the victim may ask for a review."""
        review = self.rows.add(RightToReview(
            id=self.ids.take(RightToReview), referral_id=referral.pk,
            offence_id=decision.offence_id, decided_by_kind=RightToReview.DecidedBy.CPS,
            decider_id=done.actor.id, decision_on=decision.decided_on,
            offered_on=decision.decided_on,
        ))
        self.trail.record(
            verb="right_to_review.offered", at=done.at, actor=done.actor, obj=review,
            referral_id=referral.pk,
            changes={"decided_by_kind": review.decided_by_kind,
                     "decision_on": str(review.decision_on), "offence": review.offence_id},
        )
        return review
