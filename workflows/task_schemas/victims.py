"""The forms of the Victims' Code: updating the victim, CPS letters, reviews, safety plans."""

from __future__ import annotations

from .fields import (
    SHORT,
    TEXT,
    Rule,
    field,
    schema,
    yes_no,
)

SCHEMAS: dict[str, dict] = {
    "victim_update": schema(
        {
            "contacted": yes_no("Did you reach the victim?", "Yes", "No, not yet"),
            "method": field(SHORT, "How you reached them",
                             "Use the safe way of contact recorded on the case."),
            "note": field(TEXT, "What you told them"),
        },
        ["contacted"],
        "Tell the victim what has happened",
        "The Victims' Code: within 5 working days, 1 for victims with enhanced rights.",
    ),
    "victim_letter": schema(
        {"note": field(TEXT, "Note")},
        [],
        "Write to the victim about the decision"
    ),
    "right_to_review": schema(
        {"note": field(TEXT, "Note")},
        [],
        "Review the decision not to charge"
    ),
    "safety_plan_review": schema(
        {"note": field(TEXT, "Note")},
        [],
        "Review the safety plan"
    ),
}

RULES: dict[str, Rule] = {}
