"""What each task asks for: a JSON Schema (its `form`) plus the rules between fields.

`check(task_type, data, context)` returns field errors; an empty dict means the data fits.
"""

from __future__ import annotations

from jsonschema import Draft202012Validator

from referral.models import RISK_ORDER

TEXT = {"type": "string", "maxLength": 10000}
SHORT = {"type": "string", "maxLength": 300}
REQUIRED_TEXT = {"type": "string", "minLength": 1, "maxLength": 10000}
BOOL = {"type": "boolean"}
RISK = {"type": "string", "enum": ["standard", "medium", "high"]}


def _schema(properties: dict, required: list[str], title: str) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


SCHEMAS: dict[str, dict] = {
    "triage": _schema(
        {
            "decision": {"type": "string", "enum": ["accept", "request_info", "decline"]},
            "risk_level": RISK,
            "reason": TEXT,
            "classification": {"type": "string", "enum": ["stalking", "harassment", "other"]},
            "not_stalking_reason": TEXT,
        },
        ["decision", "risk_level"],
        "Triage the referral",
    ),
    "approve_decline": _schema(
        {"approved": BOOL, "reason": TEXT}, ["approved"], "Approve or refuse the decline"
    ),
    # A lower risk for a stalking victim is a decision either way: its reason is always asked.
    "approve_downgrade": _schema(
        {"approved": BOOL, "reason": REQUIRED_TEXT},
        ["approved", "reason"],
        "Approve or refuse the lower risk level",
    ),
    "link_referrals": _schema(
        {
            "decision": {"type": "string", "enum": ["link", "merge", "separate"]},
            # Which of the matched referrals survives a merge; needed only when there are several.
            "into": {"type": "integer", "minimum": 1},
            "reason": REQUIRED_TEXT,
        },
        ["decision", "reason"],
        "Link, merge or keep separate the referrals of the same people",
    ),
    "provide_info": _schema(
        {"information": REQUIRED_TEXT}, ["information"], "Provide more information"
    ),
    "research": _schema(
        {
            "summary": REQUIRED_TEXT,
            "facts": TEXT,
            "opinions": TEXT,
            "withheld": BOOL,
            "withheld_reason": TEXT,
        },
        ["summary", "withheld"],
        "Research your agency's records",
    ),
    "threat_assessment": _schema(
        {
            "summary": REQUIRED_TEXT,
            "risk_formulation": REQUIRED_TEXT,
            "recommendations": REQUIRED_TEXT,
        },
        ["summary", "risk_formulation", "recommendations"],
        "Threat assessment of the suspect",
    ),
    "charging_review": _schema(
        {
            "decision": {
                "type": "string",
                "enum": ["charge", "no_further_action", "more_evidence"],
            },
            "offence": SHORT,
            "reason": REQUIRED_TEXT,
        },
        ["decision", "reason"],
        "Charging decision",
    ),
    "schedule_conference": _schema(
        {"conference": {"type": "integer", "minimum": 1}},
        ["conference"],
        "Put the case on a scheduled conference",
    ),
    "plan": _schema({"plan": REQUIRED_TEXT}, ["plan"], "Single-agency plan"),
    "action": _schema(
        {"outcome": {"type": "string", "enum": ["done", "not_possible", "not_done"]}, "note": TEXT},
        ["outcome"],
        "Conference action",
    ),
    "review": _schema(
        {"decision": {"type": "string", "enum": ["continue", "close"]}, "note": REQUIRED_TEXT},
        ["decision", "note"],
        "Review the case",
    ),
    "closure": _schema(
        {
            "charged": BOOL,
            "not_charged_reason": TEXT,
            "convicted": {"type": ["boolean", "null"]},
            "sentence": SHORT,
            "protective_order": BOOL,
            "perpetrator_treatment": SHORT,
            "victim_informed": BOOL,
            "summary": REQUIRED_TEXT,
        },
        ["charged", "protective_order", "victim_informed", "summary"],
        "Close the case with its outcome",
    ),
    "approve_closure": _schema(
        {"approved": BOOL, "reason": TEXT}, ["approved"], "Approve the closure"
    ),
    "enforcement": _schema(
        {"action_taken": REQUIRED_TEXT, "arrested": BOOL},
        ["action_taken", "arrested"],
        "Enforce the breached order",
    ),
    "pre_hearing_risk_assessment": _schema(
        {"risk_level": RISK, "summary": REQUIRED_TEXT, "victim_views": TEXT},
        ["risk_level", "summary"],
        "Risk assessment before the hearing",
    ),
    "psychiatric_assessment_request": _schema(
        {"request": BOOL, "reason": REQUIRED_TEXT},
        ["request", "reason"],
        "Should a psychiatric assessment be requested before the hearing?",
    ),
    "victim_update": _schema(
        {"contacted": BOOL, "method": SHORT, "note": TEXT},
        ["contacted"],
        "Tell the victim what has happened",
    ),
    "minutes_distribution": _schema({"sent": BOOL, "note": TEXT}, ["sent"], "Send the minutes"),
}


def schema_for(task_type: str, *, agency_kind: str | None = None) -> dict:
    schema = SCHEMAS[task_type]
    if task_type == "research" and agency_kind == "police":
        schema = {
            **schema,
            "properties": {**schema["properties"], "request_charging_advice": BOOL},
        }
    return schema


def _schema_errors(schema: dict, data) -> dict[str, list[str]]:
    if not isinstance(data, dict):
        return {"non_field_errors": ["Expected a JSON object of the form's fields."]}
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(schema).iter_errors(data):
        if error.validator == "required":
            for name in error.validator_value:
                if name not in data:
                    errors.setdefault(name, []).append("This field is required.")
        elif error.validator == "additionalProperties":
            for name in data:
                if name not in schema["properties"]:
                    errors.setdefault(name, []).append("Unknown field.")
        elif error.path:
            field = str(error.path[0])
            message = {
                "type": f"Must be {error.validator_value}.",
                "enum": "Must be one of: " + ", ".join(map(str, error.validator_value or [])) + ".",
                "maxLength": f"At most {error.validator_value} characters.",
                "minLength": "May not be blank.",
            }.get(error.validator, error.message)
            errors.setdefault(field, []).append(message)
    return {k: sorted(set(v)) for k, v in errors.items()}


def _needs(data: dict, field: str, when: bool, message: str, errors: dict) -> None:
    if when and not str(data.get(field) or "").strip():
        errors.setdefault(field, []).append(message)


def check(task_type: str, data, *, agency_kind: str | None = None, screened_risk: str = "standard"):
    """Field errors for a task's submitted form; {} when it fits."""
    errors = _schema_errors(schema_for(task_type, agency_kind=agency_kind), data)
    if errors:
        return errors
    if task_type == "triage":
        _needs(
            data,
            "reason",
            data["decision"] == "decline",
            "A decline needs a written reason.",
            errors,
        )
        below = RISK_ORDER[data["risk_level"]] < RISK_ORDER[screened_risk]
        _needs(
            data,
            "reason",
            below,
            f"Say why the risk is below the screening's ({screened_risk}).",
            errors,
        )
        _needs(
            data,
            "not_stalking_reason",
            data.get("classification", "stalking") != "stalking",
            "Say why this is not stalking.",
            errors,
        )
    elif task_type in ("approve_decline", "approve_closure"):
        _needs(data, "reason", not data["approved"], "Say why you refuse.", errors)
    elif task_type in ("approve_downgrade", "link_referrals"):
        _needs(data, "reason", True, "Say why.", errors)
    elif task_type == "research":
        _needs(data, "withheld_reason", data["withheld"], "Say what is withheld and why.", errors)
    elif task_type == "charging_review":
        _needs(data, "offence", data["decision"] == "charge", "Name the offence.", errors)
    elif task_type == "closure":
        _needs(data, "not_charged_reason", not data["charged"], "Say why no charge.", errors)
    elif task_type == "action":
        _needs(data, "note", data["outcome"] != "done", "Say why it was not done.", errors)
    return {k: sorted(set(v)) for k, v in errors.items()}
