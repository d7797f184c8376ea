"""What each task asks for: a JSON Schema (its `form`) plus the rules between fields.

The forms live beside the work they belong to (`core`, `justice`, `orders`, `assessments`,
`victims`, `privacy`), each module with its `SCHEMAS` and `RULES`; here they are one table.
`check(task_type, data, ...)` returns field errors; an empty dict means the data fits.
"""

from __future__ import annotations

from jsonschema import Draft202012Validator

from . import assessments, core, justice, orders, privacy, victims
from .fields import LABELS, RISK_LABELS

__all__ = ["LABELS", "RISK_LABELS", "SCHEMAS", "check", "required_message", "schema_for"]

_MODULES = (core, justice, orders, assessments, victims, privacy)

SCHEMAS: dict[str, dict] = {t: s for module in _MODULES for t, s in module.SCHEMAS.items()}
RULES = {t: rule for module in _MODULES for t, rule in module.RULES.items()}


def schema_for(task_type: str, *, agency_kind: str | None = None) -> dict:
    """The form of a task type as an agency of this kind is asked it (None: every field and
    every choice)."""
    schema = SCHEMAS[task_type]
    if task_type == "research" and agency_kind == "police":
        schema = {
            **schema,
            "properties": {**schema["properties"], "request_charging_advice": core.CHARGING_ADVICE},
        }
    others = {
        name for name, kind in assessments.AGENCY_FIELDS.get(task_type, {}).items()
        if agency_kind is not None and kind != agency_kind
    }
    if others:
        schema = {
            **schema,
            "properties": {k: v for k, v in schema["properties"].items() if k not in others},
        }
    narrowed = {
        name: [value for value in schema["properties"][name]["enum"]
               if only.get(value, agency_kind) == agency_kind]
        for name, only in orders.AGENCY_CHOICES.get(task_type, {}).items()
        if agency_kind is not None and name in schema["properties"]
    }
    if narrowed:
        properties = dict(schema["properties"])
        for name, values in narrowed.items():
            labels = properties[name].get(LABELS, {})
            properties[name] = {**properties[name], "enum": values,
                                LABELS: {v: labels[v] for v in values if v in labels}}
        schema = {**schema, "properties": properties}
    return schema


def required_message(spec: dict) -> str:
    """What to say when a field is left out, in the words of its label."""
    title = spec.get("title", "")
    if not title:
        return "This field is required."
    if title.endswith("?"):
        return f"Answer \u201c{title}\u201d"
    if LABELS in spec or spec.get("type") == "integer":
        return f"Choose the {title[0].lower()}{title[1:]}."
    article = "" if title.lower().startswith(("the ", "what ", "why ", "how ")) else "the "
    return f"Enter {article}{title[0].lower()}{title[1:]}."


def _message(error, spec: dict) -> str:
    """A schema error in the words of the form's user."""
    value = error.validator_value
    if error.validator == "type":
        return "Must be a list of choices." if value == "array" else f"Must be {value}."
    if error.validator == "enum":
        return "Must be one of: " + ", ".join(map(str, value or [])) + "."
    if error.validator == "uniqueItems":
        return "Choose each at most once."
    if error.validator == "maxLength":
        return f"At most {value} characters."
    if error.validator == "minLength":
        return required_message(spec)
    return error.message


def _schema_errors(schema: dict, data) -> dict[str, list[str]]:
    if not isinstance(data, dict):
        return {"non_field_errors": ["Expected a JSON object of the form's fields."]}
    properties = schema["properties"]
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(schema).iter_errors(data):
        if error.validator == "required":
            for name in error.validator_value:
                if name not in data:
                    errors.setdefault(name, []).append(required_message(properties[name]))
        elif error.validator == "additionalProperties":
            for name in data:
                if name not in properties:
                    errors.setdefault(name, []).append("Unknown field.")
        elif error.path:
            field = str(error.path[0])
            spec = properties.get(field, {})
            errors.setdefault(field, []).append(_message(error, spec))
    return {k: sorted(set(v)) for k, v in errors.items()}


def check(task_type: str, data, *, agency_kind: str | None = None, screened_risk: str = "standard"):
    """Field errors for a task's submitted form, all of them at once: the schema's and the rules
    between fields (each rule asks only of the fields it can read); {} when it fits."""
    errors = _schema_errors(schema_for(task_type, agency_kind=agency_kind), data)
    if not isinstance(data, dict):
        return errors
    rule = RULES.get(task_type)
    if rule is not None:
        rule(data, errors, screened_risk)
    return {k: sorted(set(v)) for k, v in errors.items()}
