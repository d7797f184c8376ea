"""The forms of orders at work: enforcing a breach, checking the notification duty."""

from __future__ import annotations

import re
from datetime import date

from .fields import (
    REQUIRED_TEXT,
    TEXT,
    Rule,
    choice,
    field,
    needs,
    schema,
    yes_no,
)

# What was done about a breach (`orders.Enforcement.Outcome`, less "pending").
ENFORCEMENT_OUTCOMES = {
    "arrested": "Arrested",
    "voluntary_interview": "Interviewed voluntarily",
    "warned": "Warned",
    "recalled": "Recalled to prison (licence breach)",
    "no_action": "No action",
    "not_traced": "Suspect not traced",
}
# Choices offered to one agency kind only: a recall answers a breach of licence conditions,
# whose enforcement is probation's (the others' enforcement may not choose it).
AGENCY_CHOICES: dict[str, dict[str, dict[str, str]]] = {
    "enforcement": {"outcome": {"recalled": "probation"}},
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

SCHEMAS: dict[str, dict] = {
    "enforcement": schema(
        {
            "action_taken": field(
                REQUIRED_TEXT, "Action taken on the breach",
                "What was done and when: an arrest, a warning, a file to CPS.",
            ),
            "arrested": yes_no("Was the suspect arrested?"),
            "outcome": choice(
                "Outcome", ENFORCEMENT_OUTCOMES,
                "What the enforcement came to; it is counted in the order's breach summary.",
            ),
            "outcome_reason": field(
                TEXT, "Why",
                "Needed for no action or a suspect not traced. It goes on the decision trail.",
            ),
        },
        ["action_taken", "arrested"],
        "Enforce the breached order",
        "A breach of a restraining, non-molestation or stalking protection order is an "
        "offence; a breach of bail conditions gives a power of arrest (Bail Act 1976 s.7); a "
        "breach of licence conditions, a recall. Act by the deadline your region's local "
        "policy sets, shown with the task.",
    ),
    "notification_check": schema(
        {
            "complied": yes_no(
                "Did the suspect notify the police in time?",
                "Yes, within three days of service", "No, they failed to notify",
            ),
            "notified_on": field(
                {"type": "string", "pattern": _DATE.pattern, "maxLength": 10},
                "Notified on", "If they notified: the date, as YYYY-MM-DD.",
            ),
            "note": field(TEXT, "Note"),
        },
        ["complied"],
        "Check the suspect notified the police",
        "Under a stalking protection order the suspect must notify their name and address "
        "within three days of service (Stalking Protection Act 2019 s.9). Failing to is an "
        "offence: a failure opens it and an enforcement task.",
    ),
}


def _enforcement(data: dict, errors: dict, screened_risk: str) -> None:
    outcome = data.get("outcome")
    if outcome and "outcome" not in errors and isinstance(data.get("arrested"), bool):
        if outcome == "arrested" and not data["arrested"]:
            errors.setdefault("outcome", []).append(
                "The outcome is an arrest: answer yes to \u201cWas the suspect arrested?\u201d"
            )
        elif outcome != "arrested" and data["arrested"]:
            errors.setdefault("outcome", []).append(
                "The suspect was arrested: choose \u201cArrested\u201d as the outcome."
            )
    needs(data, "outcome_reason", outcome in ("no_action", "not_traced"),
          "Say why no action was taken or the suspect was not traced.", errors)


def _notification_check(data: dict, errors: dict, screened_risk: str) -> None:
    notified_on = data.get("notified_on")
    if notified_on and "notified_on" not in errors:
        try:
            on = date.fromisoformat(notified_on)
        except ValueError:
            errors.setdefault("notified_on", []).append("Enter a real date, as YYYY-MM-DD.")
            return
        if on > date.today():
            errors.setdefault("notified_on", []).append("Not in the future.")
        if data.get("complied") is False:
            errors.setdefault("notified_on", []).append(
                "Only when they notified: leave it empty for a failure."
            )


RULES: dict[str, Rule] = {
    "enforcement": _enforcement,
    "notification_check": _notification_check,
}
