"""The forms of the referral flow, conferences and the hub's own work."""

from __future__ import annotations

from .fields import (
    REFUSAL_REASON,
    REQUIRED_TEXT,
    TEXT,
    Rule,
    choice,
    field,
    needs,
    schema,
    yes_no,
)

SCHEMAS: dict[str, dict] = {
    "approve_decline": schema(
        {
            "approved": yes_no(
                "Do you approve the decline?", "Yes, decline the referral",
                "No, refuse: the referral goes back to triage",
            ),
            "reason": field(TEXT, "Reason", "Required if you refuse. The triager is told why."),
        },
        ["approved"],
        "Approve or refuse the decline",
        "Another person's decline of a stalking referral takes effect only with your approval.",
    ),
    # A lower risk for a stalking victim is a decision either way: its reason is always asked.
    "approve_downgrade": schema(
        {
            "approved": yes_no(
                "Do you approve the lower risk level?", "Yes, lower the risk level",
                "No, keep the screening's level",
            ),
            "reason": field(
                REQUIRED_TEXT, "Reason",
                "Always required: lowering or keeping the risk for a stalking victim is a "
                "decision either way.",
            ),
        },
        ["approved", "reason"],
        "Approve or refuse the lower risk level",
    ),
    "link_referrals": schema(
        {
            "decision": choice("What should happen to these referrals?", {
                "link": "Link them: one timeline, each case kept",
                "merge": "Merge them into one case",
                "separate": "Keep them apart: they are not the same people",
            }),
            # Which of the matched referrals survives a merge; needed only when there are several.
            "into": field(
                {"type": "integer", "minimum": 1}, "Which case do they merge into?",
                "Needed only to merge, when several referrals match.",
            ),
            "reason": field(REQUIRED_TEXT, "Reason", "Always required: it is on the trail."),
        },
        ["decision", "reason"],
        "Link, merge or keep separate the referrals of the same people",
    ),
    "provide_info": schema(
        {
            "information": field(
                REQUIRED_TEXT, "The information asked for",
                "What the coordinator asked for. The referral then goes back to triage.",
            )
        },
        ["information"],
        "Provide more information",
    ),
    "research": schema(
        {
            "summary": field(
                REQUIRED_TEXT, "Summary of what your records hold",
                "What your agency knows of the victim, the suspect and what has happened.",
            ),
            "facts": field(
                TEXT, "Facts",
                "What your records show: dates, incidents, convictions, orders, supervision.",
            ),
            "opinions": field(
                TEXT, "Opinions and assessments", "Your agency's professional view, kept "
                "apart from the facts.",
            ),
            "withheld": yes_no("Are you withholding anything from the other agencies?",
                                "Yes, something is withheld", "No, nothing is withheld"),
            "withheld_reason": field(
                TEXT, "What is withheld, and why",
                "Required if you withhold something: what it is and the lawful reason.",
            ),
        },
        ["summary", "withheld"],
        "Research your agency's records",
        "Record what your agency knows before the case is discussed, facts apart from "
        "opinions.",
    ),
    "schedule_conference": schema(
        {
            "conference": field(
                {"type": "integer", "minimum": 1}, "Conference",
                "The scheduled conference the case goes on.",
            )
        },
        ["conference"],
        "Put the case on a scheduled conference",
    ),
    "plan": schema(
        {
            "plan": field(
                REQUIRED_TEXT, "The single-agency plan",
                "What your agency will do, who does it and by when, and how the victim is kept "
                "safe and informed.",
            )
        },
        ["plan"],
        "Single-agency plan",
    ),
    "action": schema(
        {
            "outcome": choice("Outcome of the action", {
                "done": "Done",
                "not_possible": "Not possible: the circumstances changed",
                "not_done": "Not done by the agency",
            }),
            "note": field(TEXT, "Note", "Required unless it was done: say why."),
        },
        ["outcome"],
        "Conference action",
        "The conference gave your agency this action; the next meeting reviews its outcome.",
    ),
    "review": schema(
        {
            "decision": choice("What next?", {
                "continue": "Keep the case open", "close": "Close the case",
            }),
            "note": field(
                REQUIRED_TEXT, "Review note",
                "What has changed since the last review: new incidents, breaches, orders.",
            ),
        },
        ["decision", "note"],
        "Review the case",
    ),
    "approve_closure": schema(
        {
            "approved": yes_no("Do you approve closing the case?", "Yes, close it",
                                "No, keep it open"),
            "reason": field(TEXT, "Reason", REFUSAL_REASON),
        },
        ["approved"],
        "Approve the closure",
    ),
    "minutes_distribution": schema(
        {
            "sent": yes_no("Have the minutes been sent?"),
            "note": field(TEXT, "Note"),
        },
        ["sent"],
        "Send the minutes",
        "Each agency gets the minutes it may see, within three working days of the meeting.",
    ),
}

# A police agency's research may ask CPS for charging advice.
CHARGING_ADVICE = yes_no(
    "Ask CPS for charging advice?", "Yes, ask CPS", "No",
    "CPS gets a charging review task.",
)


def _refusal(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "reason", data.get("approved") is False, "Say why you refuse.", errors)


def _why(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "reason", True, "Say why.", errors)


def _research(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "withheld_reason", data.get("withheld") is True,
          "Say what is withheld and why.", errors)


def _action(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "note", data.get("outcome") in ("not_possible", "not_done"),
          "Say why it was not done.", errors)


RULES: dict[str, Rule] = {
    "approve_decline": _refusal,
    "approve_closure": _refusal,
    "approve_downgrade": _why,
    "link_referrals": _why,
    "research": _research,
    "action": _action,
}
