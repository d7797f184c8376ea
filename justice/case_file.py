"""What a case's detail and page show of the justice records: only the sections the reader may read,
in a fixed number of queries (none for a section it may not read)."""

from __future__ import annotations

from agencies import policy
from agencies.models import Membership
from referral.models import CourtHearing

from . import selectors, serializers
from .models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    OffenceKind,
    PoliceDecision,
    SentenceRequirement,
)


def detail_sections(*, referral, membership: Membership) -> dict:
    """The detail's keys of this app, absent when unreadable: `warning_signs` (case-wide, the
    latest record), `offences` (readers of offences), `court` (readers of court). One query for
    the warning signs and `selectors.case_records` for the rest."""
    sections: dict = {
        "warning_signs": serializers.warning_signs_row(
            selectors.latest_warning_signs(referral=referral)
        ),
    }
    offences = policy.can_read(membership, "offences")
    court = policy.can_read(membership, "court")
    if not (offences or court):
        return sections
    records = selectors.case_records(
        referral=referral, offences=offences, charging=policy.can_read(membership, "charging"),
        court=court,
    )
    if offences:
        sections["offences"] = [serializers.offence_row(row) for row in records["offences"]]
    if court:
        sections["court"] = serializers.court_row(records["court"])
    return sections


def _pounds(pence: int | None) -> str:
    return f"£{pence / 100:,.2f}".replace(".00", "") if pence else ""


def _days(days: int | None) -> str:
    if not days:
        return ""
    if days % 7 == 0 and days < 365:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def _labels(choices) -> dict:
    return dict(choices)


POLICE_LABELS = _labels(PoliceDecision.Kind.choices)
NFA_LABELS = _labels(PoliceDecision.NfaReason.choices)
CHARGING_LABELS = _labels(ChargingDecision.Decision.choices)
OUTCOME_LABELS = _labels(HearingOutcome.Result.choices)
DISPOSAL_LABELS = _labels(Offence.Disposal.choices)
STATUS_LABELS = _labels(Offence.Status.choices)
KIND_LABELS = _labels(OffenceKind.choices)
REQUIREMENT_LABELS = _labels(SentenceRequirement.Kind.choices)
HEARING_LABELS = _labels(CourtHearing.Kind.choices)


def _sentence_card(sentence: dict | None) -> dict | None:
    if sentence is None:
        return None
    parts = [DISPOSAL_LABELS.get(sentence["disposal"], "")]
    if sentence["custody_days"]:
        parts.append(_days(sentence["custody_days"]))
    if sentence["suspended_for_days"]:
        parts.append(f"suspended for {_days(sentence['suspended_for_days'])}")
    if sentence["fine_pence"]:
        parts.append(_pounds(sentence["fine_pence"]))
    if sentence["compensation_pence"]:
        parts.append(f"compensation {_pounds(sentence['compensation_pence'])}")
    return {
        "summary": ", ".join(p for p in parts if p),
        "on": sentence["sentenced_on"],
        "requirements": [
            REQUIREMENT_LABELS.get(r["kind"], "") for r in sentence["requirements"]
        ],
    }


def _offence_card(row: dict, hearing_dates: dict) -> dict:
    return {
        "id": row["id"],
        "title": row["label"] or KIND_LABELS.get(row["kind"], ""),
        "crime_reference": row["crime_reference"],
        "status": STATUS_LABELS.get(row["status"], ""),
        "police": [
            {
                "label": POLICE_LABELS.get(d["kind"], ""),
                "reason": NFA_LABELS.get(d["nfa_reason"], ""),
                "on": d["decided_on"],
            }
            for d in row["police_decisions"]
        ],
        "charging": [
            {"label": CHARGING_LABELS.get(d["decision"], ""), "on": d["decided_on"],
             "case_wide": d["offence"] is None}
            for d in row.get("charging_decisions", [])
        ],
        "outcomes": [
            {"label": OUTCOME_LABELS.get(o["result"], ""), "on": hearing_dates.get(o["hearing"])}
            for o in row.get("hearing_outcomes", [])
        ],
        "sentence": _sentence_card(row.get("sentence")),
        "treatment_required": row["treatment_required"],
        "sentenced": row.get("sentence") is not None,
        "convicted": row["status"] == Offence.Status.CONVICTED,
        "open": row["status"] == Offence.Status.OPEN,
    }


def page_context(*, referral, membership: Membership, sections: dict,
                 names: dict[str, str]) -> dict:
    """The case page's context of this app's cards, from the detail's `sections` (no query):
    the warning signs, the offences (readers of offences) and the court (hearings for everyone
    who sees the case; outcomes and sentences for readers of court), with which records the
    member may add."""
    signs = sections.get("warning_signs")
    context: dict = {
        "justice_signs": {**signs, "created_at": signs["recorded_at"]} if signs else None,
        "justice_can_record_signs": bool(policy.writable_sections(membership)),
        "justice_offences_readable": "offences" in sections,
        "justice_court_readable": "court" in sections,
        "justice_can_record_offence": policy.can_write(membership, "offences"),
        "justice_can_amend_offence": policy.can_amend_offence(membership),
        "justice_can_record_charging": policy.can_write(membership, "charging"),
        "justice_can_record_court": policy.can_write(membership, "court"),
    }
    hearings = sections["court"]["hearings"] if "court" in sections else []
    if "offences" in sections:
        dates = {h["id"]: h["date"] for h in hearings}
        context["justice_offences"] = [_offence_card(row, dates) for row in sections["offences"]]
    if "court" in sections:
        context["justice_hearings"] = [
            {
                "id": h["id"],
                "kind_label": HEARING_LABELS.get(h["kind"], ""),
                "date": h["date"],
                "court": h["court"],
                "outcomes": [OUTCOME_LABELS.get(o["result"], "") for o in h["outcomes"]],
            }
            for h in hearings
        ]
    return context
