"""The parts every task form is made of: field specs with the words their users read."""

from __future__ import annotations

from collections.abc import Callable

TEXT = {"type": "string", "maxLength": 10000}
SHORT = {"type": "string", "maxLength": 300}
REQUIRED_TEXT = {"type": "string", "minLength": 1, "maxLength": 10000}
BOOL = {"type": "boolean"}
RISK_LABELS = {"standard": "Standard", "medium": "Medium", "high": "High"}
RISK = {"type": "string", "enum": list(RISK_LABELS)}

# The labels of a field's choices, in its schema: `x-enum-labels` ({value: label}; for a yes/no
# field {"true": ..., "false": ...}), beside the JSON Schema's own `title` (the label) and
# `description` (the hint). The task pages show them and the API's `form` carries them.
LABELS = "x-enum-labels"

REFUSAL_REASON = "Required if you refuse. It goes on the decision trail."

# A rule between a form's fields: (data, errors, screened_risk) -> None, adding to `errors`
# only for fields the schema has not already faulted.
Rule = Callable[[dict, dict, str], None]


def field(spec: dict, title: str, help: str = "", choices: dict | None = None) -> dict:
    """A property of a task's form with the words its user reads."""
    field = {**spec, "title": title}
    if help:
        field["description"] = help
    if choices is not None:
        if "enum" not in spec and spec.get("type") not in ("boolean", ["boolean", "null"],
                                                            "array"):
            field["enum"] = list(choices)
        field[LABELS] = choices
    return field


def choice(title: str, choices: dict, help: str = "") -> dict:
    return field({"type": "string", "enum": list(choices)}, title, help, choices)


def several(title: str, choices: dict, help: str = "") -> dict:
    """A field that takes any of its choices, each at most once: a JSON list of the values
    (the page shows a checkbox each)."""
    spec = {"type": "array", "items": {"type": "string", "enum": list(choices)},
            "uniqueItems": True}
    return field(spec, title, help, choices)


def ids(title: str, help: str = "") -> dict:
    """A field that names any of several records by id, each at most once: a JSON list of
    ids. Which ids fit is the task's to say (its page offers them as checkboxes)."""
    spec = {"type": "array", "items": {"type": "integer", "minimum": 1}, "uniqueItems": True}
    return field(spec, title, help)


def yes_no(title: str, yes: str = "Yes", no: str = "No", help: str = "") -> dict:
    return field(BOOL, title, help, {"true": yes, "false": no})


def schema(properties: dict, required: list[str], title: str, intro: str = "") -> dict:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if intro:
        schema["description"] = intro
    return schema


def needs(data: dict, name: str, when: bool, message: str, errors: dict) -> None:
    """`message` on field `name` when `when` holds and the field is empty."""
    if when and not str(data.get(name) or "").strip() and name not in errors:
        errors.setdefault(name, []).append(message)
