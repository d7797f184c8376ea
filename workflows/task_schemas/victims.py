"""The forms of the Victims' Code: updating the victim, CPS letters, reviews, safety plans."""

from __future__ import annotations

from datetime import date

from .fields import (
    REQUIRED_TEXT,
    SHORT,
    TEXT,
    Rule,
    choice,
    field,
    needs,
    schema,
    yes_no,
)

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

SCHEMAS: dict[str, dict] = {
    "victim_update": schema(
        {
            "contacted": yes_no("Did you reach the victim?", "Yes", "No, not yet"),
            "method": field(SHORT, "How you reached them",
                             "Use the safe way of contact recorded on the case."),
            "note": field(TEXT, "What you told them"),
            "vrr_offered": yes_no(
                "Did you tell them of their right to ask for a review?",
                help="After a decision not to prosecute (the Victims' Right to Review).",
            ),
            "views_sought": yes_no(
                "Did you ask for their views?",
                help="On bail conditions, or on what happens next.",
            ),
        },
        ["contacted"],
        "Tell the victim what has happened",
        "The Victims' Code: within 5 working days, 1 for victims with enhanced rights.",
    ),
    "victim_letter": schema(
        {
            "sent": yes_no("Was the letter sent?", "Yes", "No, not yet"),
            "vrr_offered": yes_no(
                "Does it tell them of their right to ask for a review?",
                help="Required in a letter about a decision not to prosecute.",
            ),
            "note": field(TEXT, "Note"),
        },
        ["sent"],
        "Write to the victim about the decision",
        "The Victims' Code: explain the decision within 5 working days, 1 for victims with "
        "enhanced rights.",
    ),
    "right_to_review": schema(
        {
            "outcome": choice(
                "The review's outcome",
                {"upheld": "The decision stands", "overturned": "The decision is overturned"},
            ),
            "reason": field(REQUIRED_TEXT, "Why", "It goes on the decision trail."),
        },
        ["outcome", "reason"],
        "Review the decision not to prosecute",
        "The victim asked for the decision to be reviewed. Whoever made it may not review it.",
    ),
    "safety_plan_review": schema(
        {
            "note": field(TEXT, "What changed"),
            "next_review_on": field(
                DATE, "Next review (YYYY-MM-DD)", "Leave empty if the plan needs no more reviews."
            ),
        },
        [],
        "Review the safety plan",
        "Review the victim's safety plan with them and set the next review.",
    ),
}


def _next_review(data: dict, errors: dict, screened_risk: str) -> None:
    value = data.get("next_review_on")
    if not value or "next_review_on" in errors:
        return
    try:
        on = date.fromisoformat(value)
    except ValueError:
        errors.setdefault("next_review_on", []).append("Enter a date like 2026-12-31.")
        return
    if on < date.today():
        errors.setdefault("next_review_on", []).append("The next review is after today.")


def _reason(data: dict, errors: dict, screened_risk: str) -> None:
    needs(data, "reason", True, "Say why: it goes on the decision trail.", errors)


RULES: dict[str, Rule] = {
    "safety_plan_review": _next_review,
    "right_to_review": _reason,
}
