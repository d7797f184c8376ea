"""Offences as the app records them: CPS's charging decisions (`workflows.services.justice`)
and breaches of orders (`workflows.services.orders.breach_enforce`).

A breach of a restraining order, non-molestation order or (interim) stalking protection order
logged after the referral is an offence (`BREACH_OFFENCE`) and, like a breach of bail
conditions, an `Enforcement` beside police's task, due by the local policy; an arrest on an open
breach offence is the police's decision on it.

A charging review's completion (`charging_review_record`) records the decision as a
`ChargingDecision` on the case, with its `charging_decision.<decision>` event, moving the case's
offences open when it is made (its breach offences logged before it); a charge on a case with
no offence charges a new one (kind `other`, labelled `CHARGED_BY_REVIEW`). About 1 case in 9 is
charged (`study.CHARGED_SHARE`, drawn in `Cases._branch`). Whatever CPS decides, the victim is
told (`Tasks.victim_update`, with the decision's code): by police, or by CPS's letter for a
decision not to charge, which also offers the victim a review of it (`victims_code_event`,
`right_to_review_offer`).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from audit.events import MASK
from justice.models import BREACH_OFFENCE, ChargingDecision, Offence, OffenceKind, PoliceDecision
from orders.models import Enforcement
from referral.models import Incident, ProtectiveOrder, Referral
from victims.models import RightToReview
from workflows.services.justice import CHARGED_BY_REVIEW
from workflows.services.orders import enforcement_deadline

from .people import Member
from .rows import Ids, Rows
from .tasks import Done
from .trail import Trail

# A CPS decision's move of the offences open when it is made (`justice.services._CHARGING_MOVES`).
MOVES = {"charge": Offence.Status.CHARGED, "no_further_action": Offence.Status.NO_FURTHER_ACTION}


class Justice:
    def __init__(self, *, ids: Ids, rows: Rows, trail: Trail) -> None:
        self.ids, self.rows, self.trail = ids, rows, trail
        # The case being generated: its charging review (done, result) if CPS decided, and the
        # breach offences logged so far.
        self.review: tuple[Done, dict] | None = None
        self.breaches: list[Offence] = []

    def case_started(self) -> None:
        self.review, self.breaches = None, []

    def open_at(self, offence: Offence, at: datetime) -> bool:
        """Whether the offence is still under investigation at `at`: only the case's CPS
        decision moves a breach offence here, if the offence was open when it was made."""
        if self.review is None:
            return True
        done, result = self.review
        return not (result["decision"] in MOVES and offence.created_at < done.at <= at)

    # --- Breaches: `workflows.services.orders.breach_enforce` -------------------------------

    def breach(self, *, referral: Referral, order: ProtectiveOrder, incident: Incident,
               reporter: Member) -> tuple[Offence | None, dict, datetime, Enforcement]:
        """A breach logged: of an RO, NMO or (interim) SPO an offence (`BREACH_OFFENCE`) linked
        to the order and the incident; its enforcement by police, due by the local policy.
        Returns the offence, the enforcement task's context and due time, and the row (its
        task set by the caller)."""
        offence = None
        kind = BREACH_OFFENCE.get(order.kind)
        at = incident.created_at
        if kind is not None:
            day = timezone.localdate(incident.occurred_at)
            offence = self.rows.add(Offence(
                id=self.ids.take(Offence), referral_id=referral.pk, kind=kind,
                committed_from=day, committed_to=day, breach_of_order_id=order.pk,
                incident_id=incident.pk, agency_id=reporter.agency.pk,
                recorded_by_id=reporter.id, created_at=at,
            ))
            self.trail.record(
                verb="offence.recorded", at=at, actor=reporter, obj=offence,
                referral_id=referral.pk,
                changes={"kind": kind, "label": "", "crime_reference": "",
                         "domestic_abuse": None, "breach_of_order": order.pk,
                         "incident": incident.pk},
            )
            self.breaches.append(offence)
        deadline = enforcement_deadline(region=reporter.agency.region, order_kind=order.kind,
                                        at=at)
        context = {
            "incident": incident.pk, "order": order.pk,
            "offence": offence.pk if offence is not None else None,
            "policy_version": deadline.policy.version if deadline.policy else None,
            "deadline": f"within {deadline.words} (local policy)",
        }
        enforcement = Enforcement(
            id=self.ids.take(Enforcement), referral_id=referral.pk, order_id=order.pk,
            incident_id=incident.pk, offence_id=offence.pk if offence is not None else None,
            agency_id=reporter.agency.pk, due=deadline.due,
            policy=deadline.policy, created_at=at,
        )
        return offence, context, deadline.due, enforcement

    def enforced(self, enforcement: Enforcement, offence: Offence | None, done: Done,
                 arrested: bool) -> int | None:
        """`_enforced`: the outcome recorded (acted, on time; arrested or left uncoded), with
        `enforcement.arrested`; an arrest on an open breach offence is the police's decision on
        it (`police_decision.arrested`). Returns the offence the arrest was on, if any."""
        enforcement.acted_at, enforcement.on_time = done.at, done.at <= enforcement.due
        if not arrested:
            return None
        enforcement.outcome = Enforcement.Outcome.ARRESTED
        self.trail.record(
            verb="enforcement.arrested", at=done.at, actor=done.actor, obj=enforcement,
            referral_id=enforcement.referral_id,
            changes={"outcome": "arrested", "order": enforcement.order_id,
                     "incident": enforcement.incident_id, "offence": enforcement.offence_id,
                     "due": enforcement.due.isoformat(), "on_time": enforcement.on_time,
                     "policy_version": (enforcement.policy.version if enforcement.policy
                                        else None)},
        )
        if offence is None or not self.open_at(offence, done.at):
            return None
        decision = self.rows.add(PoliceDecision(
            id=self.ids.take(PoliceDecision), offence_id=offence.pk, kind="arrested",
            decided_on=timezone.localdate(done.at), agency_id=done.task.agency_id,
            recorded_by_id=done.actor.id, created_at=done.at,
        ))
        self.trail.record(
            verb="police_decision.arrested", at=done.at, actor=done.actor, obj=decision,
            referral_id=enforcement.referral_id,
            changes={"offence": offence.pk, "kind": "arrested", "nfa_reason": "",
                     "decided_on": decision.decided_on.isoformat(), "bail_conditions": None},
        )
        return offence.pk

    def charging_decided(self, referral: Referral, done: Done, result: dict) -> ChargingDecision:
        """`charging_review_record` for a review done with `result`."""
        day = timezone.localdate(done.at)
        agency_id = done.task.agency_id
        offence = None
        targets = [o for o in self.breaches if o.created_at < done.at]
        if result["decision"] == ChargingDecision.Decision.CHARGE and not targets:
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
        targets = [offence] if offence is not None else targets
        for target in targets:  # `_charging_apply`
            target.cps_decision, target.updated_at = decision.decision, done.at
            if decision.decision in MOVES:
                target.status = MOVES[decision.decision]
                if target.status == Offence.Status.CHARGED:
                    target.charged_on = day
                else:
                    target.closed_on = day
        self.trail.record(
            verb=f"charging_decision.{decision.decision}", at=done.at, actor=done.actor,
            obj=decision, referral_id=referral.pk, reason=decision.reason,
            changes={
                "offence": decision.offence_id,
                "offences": [target.pk for target in targets],
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
