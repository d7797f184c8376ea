"""Reads of the victims app's records in a fixed number of queries (JSON objects built by the
database from correlated subqueries, on PostgreSQL and on the embedded SQLite alike), already
narrowed to what the reader's agency kind may be shown.

Consent narrows inside `victim_voice` (`policy.sees_consented_content`): what the victim gave
under consent is shown to an agency kind outside their consent's scope only as held by
advocacy.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat, JSONObject
from django.utils import timezone

from agencies import policy
from audit.models import Event
from referral.models import Referral

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

WITHHELD = "Held by advocacy, not shared"
CONTACT_LOG_LIMIT = 20


def _latest(queryset, **fields):
    return Subquery(queryset.filter(referral=OuterRef("pk")).order_by("-created_at", "-pk")
                    .values(json=JSONObject(**fields))[:1])


def _label(choices) -> dict:
    return dict(choices)


def victim_voice(*, referral_id: int, agency_kind: str) -> dict:
    """The victim's voice on a case, as an agency kind may be shown it: {} when nothing is
    recorded (a logged read only then). Two queries, three with an active safety plan."""
    return victim_voice_and_flag(referral_id=referral_id, agency_kind=agency_kind)[0]


def victim_voice_and_flag(*, referral_id: int, agency_kind: str) -> tuple[dict, bool]:
    """`victim_voice`, and whether the victim was referred opted out of enhanced rights with no
    reason given. That flag alone is not victim_voice content (the `victim` section says
    `enhanced_rights` false; the trail's `entitlement.opted_out` says without a reason): the
    case page shows it; its read is not logged. Two or three queries: the row, the rights to review
    and the safety plan's reviews (none without an active plan)."""
    row = (
        Referral.objects.filter(pk=referral_id)
        .annotate(
            v_entitlement=Subquery(
                Entitlement.objects.filter(referral=OuterRef("pk")).values(json=JSONObject(
                    enhanced="enhanced", basis="basis", opt_out_reason="opt_out_reason",
                    decided_at="decided_at",
                ))[:1]
            ),
            v_intake_opt_out=Subquery(
                Event.objects.filter(referral_id=OuterRef("pk"), verb="entitlement.opted_out")
                .order_by("-at").values(json=JSONObject(reason="reason", at="at"))[:1]
            ),
            v_wishes=_latest(
                VictimWishes.objects,
                supports_prosecution="supports_prosecution", wishes="wishes",
                contact_preferences="contact_preferences",
                given_under_consent="given_under_consent", recorded_at="created_at",
                agency="agency__name",
            ),
            v_consent=_latest(
                ConsentScope.objects,
                agency_kinds="agency_kinds", covers="covers", given_on="given_on",
                withdrawn_on="withdrawn_on",
            ),
            v_advocate=Subquery(
                AdvocateAssignment.objects.filter(referral=OuterRef("pk"), ended_on__isnull=True)
                .values(json=JSONObject(
                    user=F("advocate_id"),
                    name=Concat("advocate__first_name", Value(" "), "advocate__last_name"),
                    role="role", agency="agency__name", started_on="started_on",
                ))[:1]
            ),
            v_safety_plan=Subquery(
                SafetyPlan.objects.filter(referral=OuterRef("pk"), status=SafetyPlan.Status.ACTIVE)
                .order_by("-created_at").values(json=JSONObject(
                    id="pk", agreed_on="agreed_on", review_on="review_on", summary="summary",
                    agency="agency__name",
                ))[:1]
            ),
            v_statement=_latest(
                StatementOffer.objects,
                offered_on="offered_on", made="made", made_on="made_on",
                declined_reason="declined_reason",
            ),
        )
        .values(*(f"v_{name}" for name in _PARTS))
        .first()
    )
    if row is None:
        return {}, False
    parts = {name: row[f"v_{name}"] for name in _PARTS}
    # The lists beside the row: a query each, whatever the case holds.
    parts["reviews"] = _rights_to_review(referral_id)
    plan = parts["safety_plan"]
    if plan is not None:
        plan["reviews"] = _safety_plan_reviews(plan["id"])
    flagged = (parts["entitlement"] is None and parts["intake_opt_out"] is not None
               and not parts["intake_opt_out"]["reason"])
    if flagged:
        parts["intake_opt_out"] = None
    return _shaped(parts, agency_kind=agency_kind), flagged


_PARTS = ("entitlement", "intake_opt_out", "wishes", "consent", "advocate", "safety_plan",
          "statement")


def opted_out_without_reason(*, referral_id: int) -> bool:
    """`victim_voice_and_flag`'s flag alone, for a case whose voice has no entitlement (else
    the flag is false): whether the victim was referred opted out with no reason given. One
    query."""
    latest = (
        Event.objects.filter(referral_id=referral_id, verb="entitlement.opted_out")
        .order_by("-at").values("reason").first()
    )
    return latest is not None and not latest["reason"]


def _rights_to_review(referral_id: int) -> list[dict]:
    return [
        {**row, "decision_on": _iso(row["decision_on"]), "offered_on": _iso(row["offered_on"]),
         "requested_on": _iso(row["requested_on"]), "reviewed_on": _iso(row["reviewed_on"])}
        for row in RightToReview.objects.filter(referral_id=referral_id)
        .order_by("offered_on", "pk")
        .values("id", "decided_by_kind", "decision_on", "offered_on", "requested_on", "outcome",
                "reviewed_on")
    ]


def _safety_plan_reviews(plan_id: int | None) -> list[dict]:
    return [
        {**row, "reviewed_on": _iso(row["reviewed_on"]),
         "next_review_on": _iso(row["next_review_on"])}
        for row in SafetyPlanReview.objects.filter(plan_id=plan_id)
        .order_by("reviewed_on", "pk").values("reviewed_on", "next_review_on", "note")
    ]


def _iso(value):
    """A date as the JSON built in the database gives it (an ISO string), or None."""
    return value.isoformat() if value is not None else None


def _in_scope(consent: dict | None, agency_kind: str) -> bool:
    """`policy.sees_consented_content` of the case's latest consent (none: no kind covered)."""
    consent = consent or {}
    withdrawn_on = consent.get("withdrawn_on")
    return policy.sees_consented_content(
        agency_kind, consent.get("agency_kinds", []),
        withdrawn=bool(withdrawn_on) and withdrawn_on <= timezone.localdate().isoformat(),
    )


def _entitlement(row: dict) -> dict | None:
    found = row["entitlement"]
    if found is None and row["intake_opt_out"] is not None:
        found = {"enhanced": False, "basis": "", "opt_out_reason": row["intake_opt_out"]["reason"],
                 "decided_at": row["intake_opt_out"]["at"]}
    if found is None:
        return None
    bases = _label(Entitlement.Basis.choices)
    return {
        **found,
        "basis_label": bases.get(found["basis"], ""),
        "opted_out_without_reason": not found["enhanced"] and not found["opt_out_reason"],
    }


def _shaped(row: dict, *, agency_kind: str) -> dict:
    wishes = row["wishes"]
    if wishes is not None:
        shown = not wishes["given_under_consent"] or _in_scope(row["consent"], agency_kind)
        wishes = {**wishes, "withheld": not shown}
        if not shown:
            wishes.update(supports_prosecution=None, wishes=WITHHELD, contact_preferences="")
    advocate = row["advocate"]
    if advocate is not None:
        advocate = {**advocate, "name": advocate["name"].strip(),
                    "role_label": _label(AdvocateAssignment.Role.choices)[advocate["role"]]}
    reviews = [
        {**r, "outcome_label": _label(RightToReview.Outcome.choices)[r["outcome"]],
         "decided_by_label": _label(RightToReview.DecidedBy.choices)[r["decided_by_kind"]]}
        for r in row["reviews"]
    ]
    voice = {
        "entitlement": _entitlement(row),
        "wishes": wishes,
        "consent": row["consent"],
        "advocate": advocate,
        "safety_plan": row["safety_plan"],
        "statement": row["statement"],
        "reviews": reviews,
    }
    if not any(voice.values()):
        return {}
    return voice


def others_at_risk(*, referral_id: int) -> list[dict]:
    """Others the suspect puts at risk, with their safeguarding referrals. One query."""
    relations = _label(PersonAtRisk.Relation.choices)
    rows = list(
        PersonAtRisk.objects.filter(referral_id=referral_id).order_by("created_at", "pk").values(
            "id", "relation", "name", "born", "notes", "safeguarding_referred_on",
            "safeguarding_to", "outcome", "created_at", agency_name=F("agency__name"),
        )
    )
    for row in rows:
        row["relation_label"] = relations[row["relation"]]
    return rows


def contact_log(*, referral_id: int, limit: int | None = CONTACT_LOG_LIMIT) -> list[dict]:
    """Contact with the victim, latest first. One query."""
    methods = _label(ContactEntry.Method.choices)
    rows = (
        ContactEntry.objects.filter(referral_id=referral_id).order_by("-at", "-pk").values(
            "id", "at", "method", "reached", "trigger", "due", "on_time", "note", "task_id",
            agency_name=F("agency__name"), by=F("recorded_by__username"),
        )
    )
    rows = list(rows[:limit] if limit else rows)
    for row in rows:
        row["method_label"] = methods[row["method"]]
    return rows


def review_for(*, referral: Referral, review_id) -> RightToReview | None:
    return RightToReview.objects.filter(referral=referral, pk=review_id).first()


def person_for(*, referral: Referral, person_id) -> PersonAtRisk | None:
    return PersonAtRisk.objects.filter(referral=referral, pk=person_id).first()

