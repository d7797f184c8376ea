"""The forms of assessments: threat, before a hearing, for the court, of the perpetrator."""

from __future__ import annotations

from .fields import (
    REQUIRED_TEXT,
    RISK_LABELS,
    TEXT,
    Rule,
    choice,
    field,
    schema,
    yes_no,
)

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
        },
        ["summary", "risk_formulation", "recommendations"],
        "Threat assessment of the suspect",
        "Health material: only your unit and the coordinator's chairs and supervisors read it.",
    ),
    "pre_hearing_risk_assessment": schema(
        {
            "risk_level": choice("Risk to the victim before the hearing", RISK_LABELS,
                                  "Set from the case's current level."),
            "summary": field(REQUIRED_TEXT, "Assessment",
                              "What the court should know for bail or sentencing."),
            "victim_views": field(TEXT, "The victim's views",
                                   "On bail conditions and the hearing, as the victim gave them."),
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
        {"note": field(TEXT, "Note")},
        [],
        "Pre-sentence report"
    ),
    "psychiatric_report": schema(
        {"note": field(TEXT, "Note")},
        [],
        "Psychiatric assessment for court"
    ),
    "perpetrator_assessment": schema(
        {"note": field(TEXT, "Note")},
        [],
        "Assess the perpetrator"
    ),
}

RULES: dict[str, Rule] = {}
