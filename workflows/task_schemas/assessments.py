"""The forms of assessments: threat, before a hearing, for the court, of the perpetrator."""

from __future__ import annotations

from .fields import (
    REQUIRED_TEXT,
    RISK_LABELS,
    SHORT,
    TEXT,
    Rule,
    choice,
    field,
    needs,
    schema,
    yes_no,
)

HARM_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}
LEVEL_LABELS = {"low": "Low", "moderate": "Moderate", "high": "High"}
INSTRUMENT_LABELS = {
    "srp": "Stalking Risk Profile (SRP)",
    "sam": "Stalking Assessment and Management (SAM)",
    "sash": "Screening Assessment for Stalking and Harassment (SASH)",
    "other": "Another instrument",
}

SCHEMAS: dict[str, dict] = {
    "threat_assessment": schema(
        {
            "summary": field(REQUIRED_TEXT, "Summary of the assessment"),
            "risk_formulation": field(
                REQUIRED_TEXT, "Risk formulation",
                "The suspect's motivation and the risks of violence, persistence and "
                "recurrence (for example from the Stalking Risk Profile).",
            ),
            "recommendations": field(
                REQUIRED_TEXT, "Recommendations",
                "Treatment and management you recommend, and conditions for bail, an order or "
                "a licence.",
            ),
            "share_recommendations": yes_no(
                "Share the recommendations with police, CPS and probation?",
                "Yes, share the recommendations (never the formulation)", "No, keep them here",
                "Only the recommendations are shared; the summary and the formulation stay "
                "with your unit and the coordinator's chairs and supervisors.",
            ),
            "sharing_basis": field(
                TEXT, "Basis for sharing",
                "Required to share: why the agencies need the recommendations, for example "
                "to set bail or licence conditions or to apply for an order.",
            ),
        },
        ["summary", "risk_formulation", "recommendations"],
        "Threat assessment of the suspect",
        "Health material: only your unit and the coordinator's chairs and supervisors read it, "
        "unless you share the recommendations.",
    ),
    "pre_hearing_risk_assessment": schema(
        {
            "risk_level": choice("Risk to the victim before the hearing", RISK_LABELS,
                                  "Set from the case's current level."),
            "summary": field(REQUIRED_TEXT, "Assessment",
                              "What the court should know for bail or sentencing."),
            "victim_views": field(TEXT, "The victim's views",
                                   "On bail conditions and the hearing, as the victim gave them."),
            "bail_conditions_sought": field(
                TEXT, "Bail conditions the victim wants",
                "Police: ask the victim which conditions would keep them safe (no contact, "
                "exclusion zones) before a bail or charge hearing.",
            ),
            "recommendation": field(TEXT, "Recommendation to the court",
                                     "For example: remand, bail conditions, an order."),
        },
        ["risk_level", "summary"],
        "Risk assessment before the hearing",
    ),
    "psychiatric_assessment_request": schema(
        {
            "request": yes_no("Request a psychiatric assessment before the hearing?",
                               "Yes, request one", "No"),
            "reason": field(REQUIRED_TEXT, "Reason"),
        },
        ["request", "reason"],
        "Should a psychiatric assessment be requested before the hearing?",
    ),
    "pre_sentence_report": schema(
        {
            "risk_of_serious_harm": choice(
                "Risk of serious harm", HARM_LABELS,
                "Probation's assessment of the risk of serious harm the offender poses.",
            ),
            "proposal": field(REQUIRED_TEXT, "Sentence proposed",
                               "The sentence you propose and its requirements."),
            "treatment_suitability": field(
                TEXT, "Suitability for treatment",
                "Whether a treatment requirement (mental health, drug, alcohol, a programme) "
                "would suit the offender, and which.",
            ),
            "summary": field(TEXT, "Summary for the court"),
        },
        ["risk_of_serious_harm", "proposal"],
        "Pre-sentence report",
        "For the sentencing hearing: due two working days before it.",
    ),
    "psychiatric_report": schema(
        {
            "done": yes_no("Was the assessment for the court done?",
                           "Yes, it was done", "No, it was not done"),
            "provider": field(SHORT, "Who assessed",
                               "The clinician or service, as the court will know them."),
            "reason": field(TEXT, "Why it was not done", "Required if it was not done."),
        },
        ["done"],
        "Psychiatric assessment for court",
        "Record only whether it was done: the report itself goes to the court, not to Concord.",
    ),
    "perpetrator_assessment": schema(
        {
            "instrument": choice("Instrument used", INSTRUMENT_LABELS),
            "assessor_trained": yes_no("Is the assessor trained in the instrument?"),
            "assessor": field(SHORT, "Assessor"),
            "persistence": choice("Risk of persistence", LEVEL_LABELS),
            "recurrence": choice("Risk of recurrence", LEVEL_LABELS),
            "violence": choice("Risk of violence", LEVEL_LABELS),
            "summary": field(TEXT, "Summary"),
        },
        ["instrument", "assessor_trained", "persistence", "recurrence", "violence"],
        "Assess the perpetrator",
        "A structured assessment of the perpetrator for the intervention plan.",
    ),
}


def _threat_rule(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "sharing_basis", data.get("share_recommendations") is True,
          "Say on what basis the recommendations are shared.", errors)


def _psychiatric_report_rule(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "reason", data.get("done") is False, "Say why it was not done.", errors)


# Fields of a form only one agency kind is asked: {task type: {field: agency kind}}.
AGENCY_FIELDS: dict[str, dict[str, str]] = {
    "pre_hearing_risk_assessment": {"bail_conditions_sought": "police"},
}

RULES: dict[str, Rule] = {
    "threat_assessment": _threat_rule,
    "psychiatric_report": _psychiatric_report_rule,
}
