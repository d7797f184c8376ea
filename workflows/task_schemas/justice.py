"""The forms that decide a case's course in the justice system: triage, charging, closure."""

from __future__ import annotations

from justice.models import OffenceKind
from referral.models import RISK_ORDER

from .fields import (
    REQUIRED_TEXT,
    RISK_LABELS,
    SHORT,
    TEXT,
    Rule,
    choice,
    field,
    ids,
    needs,
    schema,
    several,
    yes_no,
)

# The four warning signs of stalking, each yes, no or not known.
_SIGN = {"type": ["boolean", "null"]}
_SIGN_CHOICES = {"true": "Yes", "false": "No", "null": "Not known"}
WARNING_SIGNS = {
    "fixated": field(_SIGN, "Fixated?", "Is the suspect fixated on the victim?", _SIGN_CHOICES),
    "obsessive": field(_SIGN, "Obsessive?", "Is the behaviour obsessive?", _SIGN_CHOICES),
    "unwanted": field(_SIGN, "Unwanted?", "Is the attention unwanted?", _SIGN_CHOICES),
    "repeated": field(_SIGN, "Repeated?", "Is the behaviour repeated?", _SIGN_CHOICES),
}

SCHEMAS: dict[str, dict] = {
    "triage": schema(
        {
            "decision": choice("What do you decide?", {
                "accept": "Accept: the agencies research the case",
                "request_info": "Ask the referring agency for more information",
                "decline": "Decline (a supervisor must approve it)",
            }),
            "risk_level": choice(
                "Risk level", RISK_LABELS,
                "Set from the case's current level. A level below the screening's needs a "
                "reason and a supervisor's approval; a higher one takes effect at once.",
            ),
            "reason": field(
                TEXT, "Reason",
                "Required to decline, or for a risk level below the screening's. The referring "
                "agency is told a decline's reason.",
            ),
            "classification": choice(
                "Is this stalking?",
                {"stalking": "Yes, stalking", "harassment": "No, harassment",
                 "other": "No, something else"},
                "Stalking is often recorded as harassment: look for the four warning signs, "
                "fixated, obsessive, unwanted and repeated.",
            ),
            "not_stalking_reason": field(
                TEXT, "Why is this not stalking?",
                "Required if you answer that it is not stalking.",
            ),
            **WARNING_SIGNS,
            "offences_considered": several(
                "Offences considered", dict(OffenceKind.choices),
                "Tick each offence the behaviour may be. Each becomes an offence of the case "
                "for the police to investigate, unless one of its kind is already open.",
            ),
        },
        ["decision", "risk_level"],
        "Triage the referral",
        "Decide what happens to the referral and how serious the risk is.",
    ),
    "charging_review": schema(
        {
            "decision": choice("Charging decision", {
                "charge": "Charge",
                "no_further_action": "No further action",
                "more_evidence": "More evidence needed",
            }),
            "offence": field(
                SHORT, "Offence",
                "Required to charge, for example stalking involving fear of violence "
                "(Protection from Harassment Act 1997, s.4A).",
            ),
            "reason": field(
                REQUIRED_TEXT, "Reason",
                "The test applied (the Full Code Test or the Threshold Test) and why. The "
                "victim may ask for a review of a decision not to charge.",
            ),
            "test": choice("Test applied", {
                "full_code": "The Full Code Test",
                "threshold": "The Threshold Test",
            }),
            "offences": ids(
                "Offences the decision is about",
                "Tick the case's open offences the decision applies to; none ticked: every "
                "open offence.",
            ),
        },
        ["decision", "reason"],
        "Charging decision",
    ),
    "closure": schema(
        {
            "charged": yes_no("Was the suspect charged?"),
            "not_charged_reason": field(
                TEXT, "Why was the suspect not charged?", "Required if not charged."
            ),
            "convicted": field(
                {"type": ["boolean", "null"]}, "Was the suspect convicted?", "",
                {"true": "Yes", "false": "No", "null": "Not known yet"},
            ),
            "sentence": field(SHORT, "Sentence"),
            "protective_order": yes_no("Is a protective order in force?"),
            "perpetrator_treatment": field(
                SHORT, "Treatment or programme for the perpetrator",
                "For example a stalking intervention programme; domestic-violence counselling "
                "alone is the wrong treatment.",
            ),
            "victim_informed": yes_no("Has the victim been told the outcome?"),
            "summary": field(REQUIRED_TEXT, "Closing summary"),
        },
        ["charged", "protective_order", "victim_informed", "summary"],
        "Close the case with its outcome",
    ),
}


def _triage(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "reason", data.get("decision") == "decline",
          "A decline needs a written reason.", errors)
    below = (data.get("risk_level") in RISK_ORDER
             and RISK_ORDER[data["risk_level"]] < RISK_ORDER[screened_risk])
    needs(data, "reason", below,
          f"Say why the risk is below the screening's "
          f"({RISK_LABELS.get(screened_risk, screened_risk).lower()}).", errors)
    needs(data, "not_stalking_reason",
          data.get("classification", "stalking") not in ("stalking", None),
          "Say why this is not stalking.", errors)


def _charging(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "offence", data.get("decision") == "charge", "Name the offence.", errors)


def _closure(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "not_charged_reason", data.get("charged") is False, "Say why no charge.", errors)


RULES: dict[str, Rule] = {
    "triage": _triage,
    "charging_review": _charging,
    "closure": _closure,
}
