"""The forms of orders at work: enforcing a breach, checking the notification duty."""

from __future__ import annotations

from .fields import (
    REQUIRED_TEXT,
    TEXT,
    Rule,
    field,
    schema,
    yes_no,
)

SCHEMAS: dict[str, dict] = {
    "enforcement": schema(
        {
            "action_taken": field(
                REQUIRED_TEXT, "Action taken on the breach",
                "What was done and when: an arrest, a warning, a file to CPS.",
            ),
            "arrested": yes_no("Was the suspect arrested?"),
        },
        ["action_taken", "arrested"],
        "Enforce the breached order",
        "A breach of an order is an offence: act within 24 hours.",
    ),
    "notification_check": schema(
        {"note": field(TEXT, "Note")},
        [],
        "Check the suspect notified the police",
        "Under a stalking protection order the suspect must notify their name and address "
        "within three days of service (Stalking Protection Act 2019 s.9).",
    ),
}

RULES: dict[str, Rule] = {}
