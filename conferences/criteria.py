"""Which cases go to a case conference, and by which route: the criteria are each region's local
policy (`conference.criteria`, versioned), the routes are these.

* **high_risk** - the case's risk level is the criteria's (`risk_level`, high).
* **professional_judgement** - someone referred the case to a conference on their judgement
  (`JudgementReferral`) since the victim-suspect pair's last conference.
* **repeat** - the pair was heard at a conference within `repeat_within_months`, and a new
  incident, breach or referral of the pair followed that hearing.
* **escalation** - at least `min_signs` of the escalation signal's three 30-day signs (more
  incidents than usual, a new behaviour, a step up in severity), or `incidents_in_12_months`
  incidents in 12 months of which `recent_incidents` in the last 30 days. Criteria without
  `min_signs` (version 1) take any one sign, a high signal, or the incidents however old.

`conference_routes` is pure, over plain facts (the flows, a judgement referral and the generated
caseload ask it alike); `case_facts` reads a case's facts from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from referral.local_policy import local_policy
from referral.models import Incident, LocalPolicy, Referral, RiskLevel
from referral.selectors import escalation_signal

from .models import AgendaItem, JudgementReferral

HIGH_RISK = "high_risk"
PROFESSIONAL_JUDGEMENT = "professional_judgement"
REPEAT = "repeat"
ESCALATION = "escalation"
# In this order: a case's primary route is the first it meets.
ROUTES = (HIGH_RISK, PROFESSIONAL_JUDGEMENT, REPEAT, ESCALATION)
ROUTE_LABELS = {
    HIGH_RISK: "High risk",
    PROFESSIONAL_JUDGEMENT: "Professional judgement",
    REPEAT: "Repeat since the last conference",
    ESCALATION: "Escalating",
}
CRITERIA_KEY = LocalPolicy.Key.CONFERENCE_CRITERIA
MONTH = timedelta(days=30.44)


@dataclass(frozen=True)
class CaseFacts:
    """What the criteria read of a case, as plain values.

    `escalation_signs`: how many of the signal's three 30-day signs it shows; `last_heard`: when
    the pair was last heard at a conference (None: never); `news_since_heard`: an incident,
    breach or referral of the pair after that."""

    now: datetime
    risk_level: str
    judgement_referrals: int = 0
    last_heard: datetime | None = None
    news_since_heard: bool = False
    escalation_signs: int = 0
    signal_level: str = RiskLevel.STANDARD
    incidents_12_months: int = 0
    incidents_30_days: int = 0


def escalation_signs(figures: Mapping) -> int:
    """How many of the escalation signal's 30-day signs its figures show
    (`referral.escalation.evaluate`): frequency, a new behaviour, a step up in severity."""
    recent = figures.get("incidents_last_30_days", 0)
    frequency = recent >= 2 and recent > figures.get("usual_per_30_days", 0)
    novelty = bool(figures.get("new_behaviours"))
    worst_before = figures.get("worst_severity_before", 0)
    step_up = worst_before > 0 and figures.get("worst_severity_last_30_days", 0) > worst_before
    return int(frequency) + int(novelty) + int(step_up)


def _escalates(facts: CaseFacts, criteria: Mapping) -> bool:
    volume = criteria.get("incidents_in_12_months")
    if "min_signs" not in criteria:  # version 1: any sign, a high signal, or the volume
        return (
            facts.escalation_signs >= 1 or facts.signal_level == RiskLevel.HIGH
            or (volume is not None and facts.incidents_12_months >= volume)
        )
    if facts.escalation_signs >= criteria["min_signs"]:
        return True
    return (
        volume is not None and facts.incidents_12_months >= volume
        and facts.incidents_30_days >= criteria.get("recent_incidents", 1)
    )


def conference_routes(*, facts: CaseFacts, criteria: Mapping) -> list[str]:
    """The routes by which these facts put a case on a conference's agenda, in `ROUTES` order
    (none: a single-agency plan)."""
    routes = []
    if facts.risk_level == criteria.get("risk_level", RiskLevel.HIGH):
        routes.append(HIGH_RISK)
    if facts.judgement_referrals:
        routes.append(PROFESSIONAL_JUDGEMENT)
    months = criteria.get("repeat_within_months", 12)
    if (
        facts.last_heard is not None
        and facts.last_heard >= facts.now - months * MONTH
        and facts.news_since_heard
    ):
        routes.append(REPEAT)
    if _escalates(facts, criteria):
        routes.append(ESCALATION)
    return routes


def primary_route(routes) -> str:
    """The first of the routes in `ROUTES` order ("" for none)."""
    return next((r for r in ROUTES if r in routes), "")


def merged_routes(*groups) -> list[str]:
    found = {r for group in groups for r in group or ()}
    return [r for r in ROUTES if r in found]


# --- A case's facts, read ---------------------------------------------------------------------


def _pair(referral: Referral, through: str = "") -> Q:
    """The rows of the referral's victim-suspect pair (its timeline; itself when not linked)."""
    if referral.timeline_id is None:
        return Q(**{f"{through}pk": referral.pk})
    return Q(**{f"{through}timeline_id": referral.timeline_id})


def last_heard(referral: Referral) -> datetime | None:
    """When the pair was last heard at a conference (an agenda item closed: heard)."""
    return AgendaItem.objects.filter(
        _pair(referral, "referral__"), status=AgendaItem.Status.CLOSED
    ).aggregate(at=Max(Coalesce("conference__started_at", "conference__starts_at")))["at"]


def case_facts(referral: Referral, *, now: datetime | None = None) -> CaseFacts:
    """The facts the criteria read of a case, across its pair's linked referrals."""
    now = now or timezone.now()
    heard = last_heard(referral)
    judgements = JudgementReferral.objects.filter(_pair(referral, "referral__"))
    news = False
    if heard is not None:
        judgements = judgements.filter(made_at__gt=heard)
        news = (
            Incident.objects.filter(_pair(referral, "referral__"), occurred_at__gt=heard).exists()
            or Referral.objects.filter(_pair(referral), created_at__gt=heard).exists()
        )
    signal = escalation_signal(referral=referral)
    figures = signal.figures
    return CaseFacts(
        now=now,
        risk_level=referral.risk_level,
        judgement_referrals=judgements.count(),
        last_heard=heard,
        news_since_heard=news,
        escalation_signs=escalation_signs(figures),
        signal_level=signal.level,
        incidents_12_months=figures.get("incidents_last_12_months", 0),
        incidents_30_days=figures.get("incidents_last_30_days", 0),
    )


def criteria_for(referral: Referral) -> LocalPolicy:
    """The conference criteria in effect for the case's region (its referrer's)."""
    return local_policy(CRITERIA_KEY, region=referral.referrer_agency.region)


def case_routes(referral: Referral) -> tuple[list[str], LocalPolicy]:
    """The routes by which the case goes to a conference now, and the criteria version used."""
    criteria = criteria_for(referral)
    return conference_routes(facts=case_facts(referral), criteria=criteria.value), criteria
