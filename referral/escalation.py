"""The escalation signal: is this stalking getting worse?

Read by practitioners as well as by code. Stalking is missed when each incident is handled on its
own, so the signal looks across the whole timeline of a victim and suspect (all linked referrals):

* **Frequency** - incidents in the last 30 days against the monthly average of the 90 days
  before. More than the usual rate, and at least 2, is *escalating*.
* **New behaviours** - a kind of behaviour first seen in the last 30 days (say, following when
  before there were only calls) is *escalating*.
* **Severity step-up** - each incident sits on a ladder: contact (1), following or loitering (2),
  property (3), threats (4), violence (5). The worst in the last 30 days above the worst before
  is *escalating*.
* **Breaches of orders** - every breach counts. One breach makes the risk at least medium, three
  make it high: fifty breaches must never again end in a small fine.
* **Threats or violence** - any threat or violence makes the risk high.
* **Volume** - three or more incidents in twelve months makes the risk at least medium.

The implied risk level uses only the rules that can never go down when an incident is added
(threats, violence, breaches, volume); frequency, novelty and step-up say the case is
*escalating* and why. A referral's risk level only ever rises from this signal; lowering it takes
a person's reasoned decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .models import Behaviour, Incident, RiskLevel, higher_risk

B = Behaviour
SEVERITY_OF_BEHAVIOUR = {
    B.VIOLENCE: Incident.Severity.VIOLENCE,
    B.THREATS: Incident.Severity.THREATS,
    B.BREAK_IN: Incident.Severity.PROPERTY,
    B.PROPERTY_DAMAGE: Incident.Severity.PROPERTY,
    B.FOLLOWING: Incident.Severity.FOLLOWING,
    B.LOITERING: Incident.Severity.FOLLOWING,
}

RECENT = timedelta(days=30)
BEFORE = timedelta(days=90)
YEAR = timedelta(days=365)


def severity_of(behaviours: Iterable[str]) -> int:
    """The highest rung of the ladder any of these behaviours reaches (contact at least)."""
    return max(
        [SEVERITY_OF_BEHAVIOUR.get(b, Incident.Severity.CONTACT) for b in behaviours]
        or [Incident.Severity.CONTACT]
    )


@dataclass(frozen=True)
class IncidentFacts:
    occurred_at: datetime
    behaviours: Sequence[str]
    severity: int
    is_breach: bool


@dataclass
class EscalationSignal:
    level: str = RiskLevel.STANDARD
    escalating: bool = False
    reasons: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "escalating": self.escalating,
            "reasons": self.reasons,
            "figures": self.figures,
        }


def evaluate(incidents: Iterable[IncidentFacts], *, now: datetime) -> EscalationSignal:
    incidents = [i for i in incidents if i.occurred_at <= now]
    signal = EscalationSignal()
    recent = [i for i in incidents if i.occurred_at > now - RECENT]
    before = [i for i in incidents if now - RECENT - BEFORE < i.occurred_at <= now - RECENT]
    older = [i for i in incidents if i.occurred_at <= now - RECENT]
    in_year = [i for i in incidents if i.occurred_at > now - YEAR]
    breaches = sum(1 for i in incidents if i.is_breach)

    usual_per_30 = len(before) / 3
    new_behaviours = (
        sorted({b for i in recent for b in i.behaviours} - {b for i in older for b in i.behaviours})
        if older
        else []
    )
    worst_recent = max((i.severity for i in recent), default=0)
    worst_before = max((i.severity for i in older), default=0)

    signal.figures = {
        "incidents_last_30_days": len(recent),
        "usual_per_30_days": round(usual_per_30, 2),
        "incidents_last_12_months": len(in_year),
        "new_behaviours": new_behaviours,
        "worst_severity_last_30_days": worst_recent,
        "worst_severity_before": worst_before,
        "breaches": breaches,
    }

    if len(recent) >= 2 and len(recent) > usual_per_30:
        signal.escalating = True
        signal.reasons.append(
            f"{len(recent)} incidents in the last 30 days against a usual {usual_per_30:.1f}"
        )
    if new_behaviours:
        signal.escalating = True
        labels = [Behaviour(b).label.lower() for b in new_behaviours]
        signal.reasons.append("new behaviours in the last 30 days: " + ", ".join(labels))
    if older and worst_recent > worst_before:
        signal.escalating = True
        signal.reasons.append(
            f"severity stepped up from {Incident.Severity(worst_before).label.lower()} "
            f"to {Incident.Severity(worst_recent).label.lower()}"
        )

    level = RiskLevel.STANDARD
    if any(B.THREATS in i.behaviours or B.VIOLENCE in i.behaviours for i in incidents):
        level = RiskLevel.HIGH
        signal.reasons.append("threats or violence recorded")
    if breaches >= 3:
        level = RiskLevel.HIGH
        signal.reasons.append(f"{breaches} breaches of orders")
    elif breaches:
        level = higher_risk(level, RiskLevel.MEDIUM)
        signal.reasons.append(f"{breaches} breach{'es' if breaches > 1 else ''} of an order")
    if len(in_year) >= 3:
        level = higher_risk(level, RiskLevel.MEDIUM)
        signal.reasons.append(f"{len(in_year)} incidents in 12 months")
    signal.level = level
    return signal


def facts_of(row: Mapping[str, Any]) -> IncidentFacts:
    """The facts of an incident read as a row (`referral.selectors.DETAIL_INCIDENT_COLUMNS`)."""
    return IncidentFacts(
        occurred_at=row["occurred_at"],
        behaviours=row["behaviours"],
        severity=row["severity"],
        is_breach=row["breach_of_order_id"] is not None,
    )
