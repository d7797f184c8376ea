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

Police record the case's offence (with the referral when they refer, else when their research is
done) and decide on it then (`police_decision_log`): referred to CPS when they ask for charging
advice, else their own outcome; an arrested breach is charged, released under investigation or
not taken further. Court outcomes and sentences are written here for `hearings.Hearings`; each
decision the Victims' Code names is told to the victim (`Justice.tell`), and a treatment
requirement becomes the perpetrator's intervention (`Justice.treat`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.utils import timezone

from audit.events import MASK
from justice.models import (
    BREACH_OFFENCE,
    OUTCOME_KINDS,
    TREATMENT_REQUIREMENTS,
    ChargingDecision,
    HearingOutcome,
    Offence,
    OffenceKind,
    PoliceDecision,
    Sentence,
    SentenceRequirement,
)
from orders.models import Enforcement
from referral.models import CourtHearing, Incident, ProtectiveOrder, Referral
from victims.models import RightToReview
from workflows.services.justice import (
    CHARGED_BY_REVIEW,
    COURT_TRIGGERS,
    POLICE_TRIGGERS,
)
from workflows.services.orders import enforcement_deadline
from workflows.services.victims import TRIGGER_REASONS

from .people import Member
from .rows import Ids, Rows
from .tasks import Done
from .trail import Trail

# A CPS decision's move of the offences open when it is made (`justice.services._CHARGING_MOVES`).
MOVES = {"charge": Offence.Status.CHARGED, "no_further_action": Offence.Status.NO_FURTHER_ACTION}
# Where a police decision leaves its offence (`justice.services._POLICE_STATUS`).
POLICE_MOVES = {
    PoliceDecision.Kind.CHARGED: Offence.Status.CHARGED,
    PoliceDecision.Kind.SUMMONSED: Offence.Status.CHARGED,
    PoliceDecision.Kind.CAUTIONED: Offence.Status.OUT_OF_COURT,
    PoliceDecision.Kind.COMMUNITY_RESOLUTION: Offence.Status.OUT_OF_COURT,
    PoliceDecision.Kind.NO_FURTHER_ACTION: Offence.Status.NO_FURTHER_ACTION,
}
# A hearing's results that convict or close its offence (`hearing_outcome_record`).
CONVICTING = frozenset({HearingOutcome.Result.CONVICTED, HearingOutcome.Result.PLEA_GUILTY})
CLOSING = {HearingOutcome.Result.ACQUITTED: Offence.Status.ACQUITTED,
           HearingOutcome.Result.DISCONTINUED: Offence.Status.DISCONTINUED}
BAIL_CONDITIONS = "Not to contact the victim directly or indirectly; to live at his address."
RESTRAINING_CONDITIONS = "Not to contact the victim or go within 200 metres of her home."
# Told to the victim (`victims_code_event`): reason, when, context.
Tell = Callable[[str, datetime, dict], object]


class Justice:
    def __init__(self, *, ids: Ids, rows: Rows, trail: Trail) -> None:
        self.ids, self.rows, self.trail = ids, rows, trail
        self.case_started()

    def case_started(self, tell: Tell | None = None) -> None:
        """The case being generated: its charging review (done, result) if CPS decided, the
        offences logged so far (the one police record for the case, then its breaches), when
        police moved one out of investigation, the offences CPS charged, and how the victim is
        told of a decision (`tell`, set once the case has its referral)."""
        self.review: tuple[Done, dict] | None = None
        self.main: Offence | None = None
        self.breaches: list[Offence] = []
        self.moved: dict[int, datetime] = {}
        self.charged: list[Offence] = []
        self.tell = tell
        # A sentence's treatment requirement as the perpetrator's intervention, set with the
        # court process (`Interventions.from_sentence`, given the offence, requirement, time
        # and actor).
        self.treat: Callable[..., object] | None = None

    def _cps_moves(self, offence: Offence) -> bool:
        """Whether the case's CPS decision moves the offence: one open when it was made."""
        if self.review is None:
            return False
        done, result = self.review
        moved = self.moved.get(offence.pk)
        return (result["decision"] in MOVES and offence.created_at < done.at
                and (moved is None or moved >= done.at))

    def open_at(self, offence: Offence, at: datetime) -> bool:
        """Whether the offence is still under investigation at `at`: neither police's decision
        nor the case's CPS decision (if the offence was open when it was made) has moved it."""
        moved = self.moved.get(offence.pk)
        if moved is not None and moved <= at:
            return False
        return not (self._cps_moves(offence) and self.review[0].at <= at)

    # --- The case's offence and police's decision on it -------------------------------------

    def offence_recorded(self, referral: Referral, actor: Member, at: datetime) -> Offence:
        """`offence_record` by police (with the referral when police refer, else once their
        research is done): stalking, with fear of violence where there were threats or
        violence; harassment for a case classed so."""
        behaviours = set(referral.behaviours)
        violent = bool(behaviours & {"threats", "violence"})
        kind = {"stalking": OffenceKind.PHA_S4A if violent else OffenceKind.PHA_S2A,
                "harassment": OffenceKind.PHA_S4 if violent else OffenceKind.PHA_S2,
                }.get(referral.classification, OffenceKind.MALICIOUS_COMMUNICATIONS)
        domestic = bool({"former_partner", "family"} & set(referral.relationship))
        offence = self.rows.add(Offence(
            id=self.ids.take(Offence), referral_id=referral.pk, kind=kind,
            crime_reference=f"CR/{referral.pk:07d}", domestic_abuse=domestic,
            committed_from=referral.stalking_since, committed_to=timezone.localdate(at),
            agency_id=actor.agency.pk, recorded_by_id=actor.id, created_at=at,
        ))
        self.trail.record(
            verb="offence.recorded", at=at, actor=actor, obj=offence, referral_id=referral.pk,
            changes={"kind": kind, "label": "", "crime_reference": offence.crime_reference,
                     "domestic_abuse": domestic, "breach_of_order": None, "incident": None},
        )
        self.main = offence
        return offence

    def police_decided(self, offence: Offence, kind: str, at: datetime, actor: Member, *,
                       nfa_reason: str = "", reason: str = "") -> PoliceDecision:
        """`police_decision_log`: the decision, the offence's state it moves, its event; the
        victim told of the news the Victims' Code names, and offered a review of a decision
        to take no further action (`victims_code_event`)."""
        decided_on = timezone.localdate(at)
        decision = self.rows.add(PoliceDecision(
            id=self.ids.take(PoliceDecision), offence_id=offence.pk, kind=kind,
            nfa_reason=nfa_reason, reason=reason, decided_on=decided_on,
            agency_id=actor.agency.pk, recorded_by_id=actor.id, created_at=at,
        ))
        changed = False
        if kind in OUTCOME_KINDS:
            offence.police_outcome, changed = kind, True
        status = POLICE_MOVES.get(kind)
        if status is not None:
            offence.status, changed = status, True
            self.moved[offence.pk] = at
            if status == Offence.Status.CHARGED:
                offence.charged_on = decided_on
            else:
                offence.closed_on = decided_on
        if changed:
            offence.updated_at = at
        self.trail.record(
            verb=f"police_decision.{kind}", at=at, actor=actor, obj=decision,
            referral_id=offence.referral_id, reason=reason,
            changes={"offence": offence.pk, "kind": kind, "nfa_reason": nfa_reason,
                     "decided_on": decided_on.isoformat(), "bail_conditions": None},
        )
        trigger = POLICE_TRIGGERS.get(kind)
        if trigger is not None:
            self.tell(TRIGGER_REASONS[trigger], at, {"offence": offence.pk})
        if kind == PoliceDecision.Kind.NO_FURTHER_ACTION:
            self.review_offered(offence.referral_id, at, actor, RightToReview.DecidedBy.POLICE,
                                decided_on, offence.pk)
        return decision

    # --- Court: `hearing_outcome_log` and `sentence_log` ------------------------------------

    def outcome(self, hearing: CourtHearing, result: str, at: datetime, actor: Member,
                offence: Offence | None = None) -> HearingOutcome:
        """What a held hearing decided: a plea or verdict on an offence (a guilty plea or a
        conviction convicts it, an acquittal or discontinuance closes it), or the court's bail
        decision (bail with conditions is the case's order, made by the court)."""
        bail = None
        if result == HearingOutcome.Result.BAIL_WITH_CONDITIONS:
            bail = self._order(hearing.referral_id, ProtectiveOrder.Kind.BAIL_CONDITIONS,
                               BAIL_CONDITIONS, hearing.date, None,
                               ProtectiveOrder.MadeBy.COURT_BAIL, hearing.court, at, actor)
        row = self.rows.add(HearingOutcome(
            id=self.ids.take(HearingOutcome), hearing_id=hearing.pk,
            offence_id=offence.pk if offence is not None else None, result=result,
            bail_conditions_id=bail.pk if bail is not None else None,
            agency_id=actor.agency.pk, recorded_by_id=actor.id, created_at=at,
        ))
        if offence is not None and result in CONVICTING:
            offence.status, offence.convicted_on, offence.updated_at = (
                Offence.Status.CONVICTED, hearing.date, at)
        elif offence is not None and result in CLOSING:
            offence.status, offence.closed_on, offence.updated_at = (
                CLOSING[result], hearing.date, at)
        self.trail.record(
            verb=f"hearing_outcome.{result}", at=at, actor=actor, obj=row,
            referral_id=hearing.referral_id,
            changes={"hearing": hearing.pk, "offence": row.offence_id,
                     "bail_conditions": row.bail_conditions_id, "note": ""},
        )
        trigger = COURT_TRIGGERS.get(result)
        if trigger is not None:
            self.tell(TRIGGER_REASONS[trigger], at, {})
        return row

    def sentenced(self, offence: Offence, hearing: CourtHearing, at: datetime, actor: Member,
                  disposal: str, *, custody_days: int | None = None,
                  suspended_for_days: int | None = None, fine_pence: int | None = None,
                  requirements: tuple[str, ...] = (), restraining_order: bool = False,
                  ) -> Sentence:
        """`sentence_record`: the sentence, its requirements, a restraining order made on
        conviction; the offence's disposal, amounts and treatment flag; the victim told."""
        on = hearing.date
        sentence = self.rows.add(Sentence(
            id=self.ids.take(Sentence), offence_id=offence.pk, hearing_id=hearing.pk,
            sentenced_on=on, disposal=disposal, custody_days=custody_days,
            suspended_for_days=suspended_for_days, fine_pence=fine_pence,
            agency_id=actor.agency.pk, recorded_by_id=actor.id, created_at=at,
        ))
        for kind in requirements:
            self.rows.add(SentenceRequirement(
                id=self.ids.take(SentenceRequirement), sentence_id=sentence.pk, kind=kind,
                length_days=365,
            ))
        orders = []
        if restraining_order:
            order = self._order(offence.referral_id, ProtectiveOrder.Kind.RESTRAINING_ORDER,
                                RESTRAINING_CONDITIONS, on, on.replace(year=on.year + 2)
                                if (on.month, on.day) != (2, 29) else on.replace(
                                    year=on.year + 2, day=28),
                                ProtectiveOrder.MadeBy.COURT_ON_CONVICTION, hearing.court, at,
                                actor)
            through = Sentence.orders.through
            self.rows.add(through(id=self.ids.take(through), sentence_id=sentence.pk,
                                  protectiveorder_id=order.pk))
            orders.append(order.pk)
        offence.disposal, offence.custody_days, offence.fine_pence = (
            disposal, custody_days, fine_pence)
        offence.sentenced_on, offence.updated_at = on, at
        offence.treatment_required = any(k in TREATMENT_REQUIREMENTS for k in requirements)
        self.trail.record(
            verb="sentence.recorded", at=at, actor=actor, obj=sentence,
            referral_id=offence.referral_id,
            changes={"offence": offence.pk, "hearing": hearing.pk,
                     "sentenced_on": on.isoformat(), "disposal": disposal,
                     "custody_days": custody_days, "suspended_for_days": suspended_for_days,
                     "fine_pence": fine_pence, "compensation_pence": None,
                     "requirements": list(requirements), "orders": orders},
        )
        self.tell(TRIGGER_REASONS["sentence"], at, {})
        for kind in requirements:
            if kind in TREATMENT_REQUIREMENTS and self.treat is not None:
                self.treat(offence=offence, requirement=kind, at=at, actor=actor)
        return sentence

    def _order(self, referral_id: int, kind: str, conditions: str, starts: date,
               expires: date | None, made_by: str, court: str, at: datetime,
               actor: Member) -> ProtectiveOrder:
        """An order a court made (`_bail_order`, `sentence_record`), with `order.recorded`."""
        order = self.rows.add(ProtectiveOrder(
            id=self.ids.take(ProtectiveOrder), referral_id=referral_id, kind=kind,
            conditions=conditions, starts=starts, expires=expires, made_by=made_by, court=court,
            agency=actor.agency, recorded_by_id=actor.id, created_at=at,
        ))
        self.trail.record(
            verb="order.recorded", at=at, actor=actor, obj=order, referral_id=referral_id,
            changes={"kind": kind, "starts": starts.isoformat(),
                     "expires": expires.isoformat() if expires else None, "conditions": MASK},
        )
        return order

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
        offences = [self.main, *self.breaches] if self.main is not None else self.breaches
        targets = [o for o in offences if o.created_at < done.at
                   and not (o.pk in self.moved and self.moved[o.pk] < done.at)]
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
        if decision.decision == ChargingDecision.Decision.CHARGE:
            self.charged = targets
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

    def review_offered(self, referral_id: int, at: datetime, actor: Member, kind: str,
                       decision_on: date, offence_id: int | None) -> RightToReview:
        """`right_to_review_offer`: a decision not to prosecute (police's or CPS's); the victim
        may ask for a review of it."""
        review = self.rows.add(RightToReview(
            id=self.ids.take(RightToReview), referral_id=referral_id, offence_id=offence_id,
            decided_by_kind=kind, decider_id=actor.id, decision_on=decision_on,
            offered_on=timezone.localdate(at),
        ))
        self.trail.record(
            verb="right_to_review.offered", at=at, actor=actor, obj=review,
            referral_id=referral_id,
            changes={"decided_by_kind": review.decided_by_kind,
                     "decision_on": str(review.decision_on), "offence": review.offence_id},
        )
        return review
