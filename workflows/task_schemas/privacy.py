"""The subject access task's form: there is nothing to fill in here. The request is answered on
its own page (disclose the bundle, or close it without disclosure), which completes the task."""

from __future__ import annotations

from .fields import TEXT, Rule, field, schema

ANSWER_ON_THE_REQUEST = (
    "Answer the request on its page under Subject access: disclosing the bundle, or closing "
    "the request without disclosure, completes this task."
)

SCHEMAS: dict[str, dict] = {
    "subject_access": schema(
        {"note": field(TEXT, "Note")},
        [],
        "Answer the subject access request",
        ANSWER_ON_THE_REQUEST,
    ),
}


def _answered_elsewhere(data: dict, errors: dict, screened_risk: str) -> None:
    errors.setdefault("non_field_errors", []).append(ANSWER_ON_THE_REQUEST)


RULES: dict[str, Rule] = {"subject_access": _answered_elsewhere}
