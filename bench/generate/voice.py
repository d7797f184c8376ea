"""The victim's voice, as `victims.services` records it.

The intake records the victim's entitlement under the Victims' Code as the referrer gave it
(`victims.services.entitlement_at_referral`): enhanced, as a persistently targeted victim of
stalking, unless the referrer opted her out with a reason (a few do). Once the advocacy service's
research is done, its caseworker records, for a victim who consented, her wishes, the consent's
scope, a contact in the log, a safety plan with its review date (reviewed when that comes), and
sometimes others the suspect puts at risk; for a share of cases the caseworker is named her
advocate. When CPS charges, its lawyer offers her a personal statement: made, declined with her
reason, or not yet known.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from audit.events import MASK
from referral.models import Referral
from victims.models import (
    AdvocateAssignment,
    ConsentScope,
    ContactEntry,
    Entitlement,
    PersonAtRisk,
    SafetyPlan,
    SafetyPlanReview,
    StatementOffer,
    VictimWishes,
)

from .people import Member
from .rows import Ids, Rows
from .trail import Trail

# Guesses: no study gives these shares.
OPT_OUT_SHARE = 0.05
OPT_OUT_REASONS = ("Wants contact only through her advocate, not daily calls.",
                   "Does not want to be contacted about the case at work.")
SUPPORTS_PROSECUTION = {True: 0.55, False: 0.25, None: 0.20}  # None: not known
UNDER_CONSENT_SHARE = 0.3
ADVOCATE_SHARE = 0.6
SAFETY_PLAN_SHARE = 0.7
SAFETY_PLAN_REVIEW = timedelta(days=28)
OTHERS_AT_RISK_SHARE = 0.15
STATEMENT_MADE = {True: 0.6, False: 0.15, None: 0.25}
CONSENTED_KINDS = ["advocacy", "coordinator", "police", "probation"]


class Voice:
    def __init__(self, *, rng: random.Random, ids: Ids, rows: Rows, trail: Trail,
                 anchor: datetime) -> None:
        self.rng, self.ids, self.rows, self.trail, self.anchor = rng, ids, rows, trail, anchor
        # The case's safety plan waiting for its review: (plan, who reviews it, when).
        self.review: tuple[SafetyPlan, Member, datetime] | None = None

    def _by(self, actor: Member, at: datetime) -> dict:
        return {"agency_id": actor.agency.pk, "recorded_by_id": actor.id, "created_at": at}

    def enhanced(self, referral: Referral, referrer: Member, at: datetime) -> bool:
        """The entitlement the intake records (`entitlement_at_referral`): enhanced, or (a few)
        opted out with the referrer's reason; none for a victim of a case not classified as
        stalking (the standard rights). Whether the victim has enhanced rights."""
        if referral.classification != "stalking":
            return False
        enhanced = self.rng.random() >= OPT_OUT_SHARE
        reason = "" if enhanced else self.rng.choice(OPT_OUT_REASONS)
        basis = Entitlement.Basis.PERSISTENTLY_TARGETED if enhanced else ""
        row = self.rows.add(Entitlement(
            id=self.ids.take(Entitlement), referral_id=referral.pk, enhanced=enhanced,
            basis=basis, opt_out_reason=reason, decided_by_id=referrer.id, decided_at=at,
        ))
        self.trail.record(verb="entitlement.enhanced" if enhanced else "entitlement.opted_out",
                          at=at, actor=referrer, obj=row, referral_id=referral.pk, reason=reason,
                          changes={"enhanced": enhanced, "basis": basis, "without_reason": False,
                                   "stage": "referral"})
        return enhanced

    def advocacy_research_done(self, referral: Referral, actor: Member, at: datetime) -> None:
        """What the advocacy caseworker records with the victim once research is done."""
        self.review = None
        if not referral.consent:
            return
        rng, day = self.rng, timezone.localdate(at)
        self._event("contact.logged", at, actor, self.rows.add(ContactEntry(
            id=self.ids.take(ContactEntry), referral_id=referral.pk, at=at, method="phone",
            reached=True, note="Spoke to her about what she wants to happen.",
            **self._by(actor, at))), referral,
            {"method": "phone", "reached": True, "trigger": "", "task": None, "on_time": None,
             "note": MASK})
        supports = rng.choices(list(SUPPORTS_PROSECUTION), list(SUPPORTS_PROSECUTION.values()))[0]
        under_consent = rng.random() < UNDER_CONSENT_SHARE
        wishes = "Wants him to stop; afraid of what a prosecution would bring."
        preferences = "Text first; never a voicemail."
        self._event("wishes.recorded", at, actor, self.rows.add(VictimWishes(
            id=self.ids.take(VictimWishes), referral_id=referral.pk,
            supports_prosecution=supports, wishes=wishes, contact_preferences=preferences,
            given_under_consent=under_consent, **self._by(actor, at))), referral,
            {"supports_prosecution": supports, "given_under_consent": under_consent,
             "wishes": MASK, "contact_preferences": MASK})
        covers = "Her address and the safety plan may be shared with these services."
        self._event("consent.recorded", at, actor, self.rows.add(ConsentScope(
            id=self.ids.take(ConsentScope), referral_id=referral.pk,
            agency_kinds=CONSENTED_KINDS, covers=covers, given_on=day,
            **self._by(actor, at))), referral,
            {"agency_kinds": CONSENTED_KINDS, "given_on": str(day), "withdrawn_on": None,
             "covers": MASK})
        if rng.random() < ADVOCATE_SHARE:
            domestic = "former_partner" in referral.relationship
            role = "idva" if domestic and rng.random() < 0.4 else "isac"
            self._event("advocate.named", at, actor, self.rows.add(AdvocateAssignment(
                id=self.ids.take(AdvocateAssignment), referral_id=referral.pk,
                advocate_id=actor.id, role=role, started_on=day, **self._by(actor, at))),
                referral, {"advocate": actor.id, "role": role, "started_on": str(day)})
        if rng.random() < SAFETY_PLAN_SHARE:
            self._safety_plan(referral, actor, at)
        if rng.random() < OTHERS_AT_RISK_SHARE:
            relation = rng.choice(("child", "child", "new_partner", "family"))
            notes = "Named by the suspect in messages to the victim."
            self._event("person_at_risk.recorded", at, actor, self.rows.add(PersonAtRisk(
                id=self.ids.take(PersonAtRisk), referral_id=referral.pk, relation=relation,
                notes=notes, **self._by(actor, at))), referral,
                {"relation": relation, "name": "", "notes": MASK})

    def _safety_plan(self, referral: Referral, actor: Member, at: datetime) -> None:
        """`safety_plan_agree`; its review waits for the case's end (`case_ended`)."""
        day = timezone.localdate(at)
        review_on = day + SAFETY_PLAN_REVIEW
        summary = "Panic alarm fitted; route to work changed; police marker on the address."
        plan = self.rows.add(SafetyPlan(
            id=self.ids.take(SafetyPlan), referral_id=referral.pk, agreed_on=day,
            review_on=review_on, summary=summary, **self._by(actor, at)))
        self._event("safety_plan.agreed", at, actor, plan, referral,
                    {"agreed_on": str(day), "review_on": str(review_on), "summary": MASK})
        self.review = (plan, actor, at + SAFETY_PLAN_REVIEW)

    def case_ended(self, until: datetime) -> None:
        """`safety_plan_review_record` on the plan's review day, if that comes before `until`
        (the case's close, or the generator's "now")."""
        if self.review is None:
            return
        plan, actor, reviewed = self.review
        self.review = None
        if reviewed > min(until, self.anchor):
            return
        next_on = plan.review_on + 2 * SAFETY_PLAN_REVIEW
        review = self.rows.add(SafetyPlanReview(
            id=self.ids.take(SafetyPlanReview), plan_id=plan.pk, reviewed_on=plan.review_on,
            next_review_on=next_on, note="Still in place; no contact since.",
            **self._by(actor, reviewed)))
        self.trail.record(verb="safety_plan.reviewed", at=reviewed, actor=actor, obj=review,
                          referral_id=plan.referral_id,
                          changes={"plan": plan.pk, "reviewed_on": str(plan.review_on),
                                   "next_review_on": str(next_on), "note": MASK})
        plan.review_on = next_on

    def statement_offered(self, referral: Referral, actor: Member, at: datetime) -> None:
        """`statement_offer_record` when CPS charges: made, declined or not yet known."""
        rng, day = self.rng, timezone.localdate(at)
        made = rng.choices(list(STATEMENT_MADE), list(STATEMENT_MADE.values()))[0]
        reason = "Does not want him to read how it has affected her." if made is False else ""
        row = self.rows.add(StatementOffer(
            id=self.ids.take(StatementOffer), referral_id=referral.pk, offered_on=day,
            made=made, made_on=day if made else None, declined_reason=reason,
            **self._by(actor, at)))
        verb = {None: "statement.offered", True: "statement.made",
                False: "statement.declined"}[made]
        self.trail.record(verb=verb, at=at, actor=actor, obj=row, referral_id=referral.pk,
                          reason=reason,
                          changes={"offered_on": str(day), "made": made,
                                   "made_on": str(day) if made else None})

    def _event(self, verb: str, at: datetime, actor: Member, obj, referral: Referral,
               changes: dict) -> None:
        self.trail.record(verb=verb, at=at, actor=actor, obj=obj, referral_id=referral.pk,
                          changes=changes)
