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
RISK_LABELS = {"standard": "Standard", "medium": "Medium", "high": "High"}
RISK = {"type": "string", "enum": list(RISK_LABELS)}

# The labels of a field's choices, in its schema: `x-enum-labels` ({value: label}; for a yes/no
# field {"true": ..., "false": ...}), beside the JSON Schema's own `title` (the label) and
# `description` (the hint). The task pages show them and the API's `form` carries them.
LABELS = "x-enum-labels"


def _field(spec: dict, title: str, help: str = "", choices: dict | None = None) -> dict:
    """A property of a task's form with the words its user reads."""
    field = {**spec, "title": title}
    if help:
        field["description"] = help
    if choices is not None:
        if "enum" not in spec and spec.get("type") != "boolean" and spec.get("type") != [
            "boolean", "null"
        ]:
            field["enum"] = list(choices)
        field[LABELS] = choices
    return field


def _choice(title: str, choices: dict, help: str = "") -> dict:
    return _field({"type": "string", "enum": list(choices)}, title, help, choices)


def _yes_no(title: str, yes: str = "Yes", no: str = "No", help: str = "") -> dict:
    return _field(BOOL, title, help, {"true": yes, "false": no})


def _schema(properties: dict, required: list[str], title: str, intro: str = "") -> dict:
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


REFUSAL_REASON = "Required if you refuse. It goes on the decision trail."

SCHEMAS: dict[str, dict] = {
    "triage": _schema(
        {
            "decision": _choice("What do you decide?", {
                "accept": "Accept: the agencies research the case",
                "request_info": "Ask the referring agency for more information",
                "decline": "Decline (a supervisor must approve it)",
            }),
            "risk_level": _choice(
                "Risk level", RISK_LABELS,
                "Set from the case's current level. A level below the screening's needs a "
                "reason and a supervisor's approval; a higher one takes effect at once.",
            ),
            "reason": _field(
                TEXT, "Reason",
                "Required to decline, or for a risk level below the screening's. The referring "
                "agency is told a decline's reason.",
            ),
            "classification": _choice(
                "Is this stalking?",
                {"stalking": "Yes, stalking", "harassment": "No, harassment",
                 "other": "No, something else"},
                "Stalking is often recorded as harassment: look for the four warning signs, "
                "fixated, obsessive, unwanted and repeated.",
            ),
            "not_stalking_reason": _field(
                TEXT, "Why is this not stalking?",
                "Required if you answer that it is not stalking.",
            ),
        },
        ["decision", "risk_level"],
        "Triage the referral",
        "Decide what happens to the referral and how serious the risk is.",
    ),
    "approve_decline": _schema(
        {
            "approved": _yes_no(
                "Do you approve the decline?", "Yes, decline the referral",
                "No, refuse: the referral goes back to triage",
            ),
            "reason": _field(TEXT, "Reason", "Required if you refuse. The triager is told why."),
        },
        ["approved"],
        "Approve or refuse the decline",
        "Another person's decline of a stalking referral takes effect only with your approval.",
    ),
    # A lower risk for a stalking victim is a decision either way: its reason is always asked.
    "approve_downgrade": _schema(
        {
            "approved": _yes_no(
                "Do you approve the lower risk level?", "Yes, lower the risk level",
                "No, keep the screening's level",
            ),
            "reason": _field(
                REQUIRED_TEXT, "Reason",
                "Always required: lowering or keeping the risk for a stalking victim is a "
                "decision either way.",
            ),
        },
        ["approved", "reason"],
        "Approve or refuse the lower risk level",
    ),
    "link_referrals": _schema(
        {
            "decision": _choice("What should happen to these referrals?", {
                "link": "Link them: one timeline, each case kept",
                "merge": "Merge them into one case",
                "separate": "Keep them apart: they are not the same people",
            }),
            # Which of the matched referrals survives a merge; needed only when there are several.
            "into": _field(
                {"type": "integer", "minimum": 1}, "Which case do they merge into?",
                "Needed only to merge, when several referrals match.",
            ),
            "reason": _field(REQUIRED_TEXT, "Reason", "Always required: it is on the trail."),
        },
        ["decision", "reason"],
        "Link, merge or keep separate the referrals of the same people",
    ),
    "provide_info": _schema(
        {
            "information": _field(
                REQUIRED_TEXT, "The information asked for",
                "What the coordinator asked for. The referral then goes back to triage.",
            )
        },
        ["information"],
        "Provide more information",
    ),
    "research": _schema(
        {
            "summary": _field(
                REQUIRED_TEXT, "Summary of what your records hold",
                "What your agency knows of the victim, the suspect and what has happened.",
            ),
            "facts": _field(
                TEXT, "Facts",
                "What your records show: dates, incidents, convictions, orders, supervision.",
            ),
            "opinions": _field(
                TEXT, "Opinions and assessments", "Your agency's professional view, kept "
                "apart from the facts.",
            ),
            "withheld": _yes_no("Are you withholding anything from the other agencies?",
                                "Yes, something is withheld", "No, nothing is withheld"),
            "withheld_reason": _field(
                TEXT, "What is withheld, and why",
                "Required if you withhold something: what it is and the lawful reason.",
            ),
        },
        ["summary", "withheld"],
        "Research your agency's records",
        "Record what your agency knows before the case is discussed, facts apart from "
        "opinions.",
    ),
    "threat_assessment": _schema(
        {
            "summary": _field(REQUIRED_TEXT, "Summary of the assessment"),
            "risk_formulation": _field(
                REQUIRED_TEXT, "Risk formulation",
                "The suspect's motivation and the risks of violence, persistence and "
                "recurrence (for example from the Stalking Risk Profile).",
            ),
            "recommendations": _field(
                REQUIRED_TEXT, "Recommendations",
                "Treatment and management you recommend, and conditions for bail, an order or "
                "a licence.",
            ),
        },
        ["summary", "risk_formulation", "recommendations"],
        "Threat assessment of the suspect",
        "Health material: only your unit and the coordinator's chairs and supervisors read it.",
    ),
    "charging_review": _schema(
        {
            "decision": _choice("Charging decision", {
                "charge": "Charge",
                "no_further_action": "No further action",
                "more_evidence": "More evidence needed",
            }),
            "offence": _field(
                SHORT, "Offence",
                "Required to charge, for example stalking involving fear of violence "
                "(Protection from Harassment Act 1997, s.4A).",
            ),
            "reason": _field(
                REQUIRED_TEXT, "Reason",
                "The test applied (the Full Code Test or the Threshold Test) and why. The "
                "victim may ask for a review of a decision not to charge.",
            ),
        },
        ["decision", "reason"],
        "Charging decision",
    ),
    "schedule_conference": _schema(
        {
            "conference": _field(
                {"type": "integer", "minimum": 1}, "Conference",
                "The scheduled conference the case goes on.",
            )
        },
        ["conference"],
        "Put the case on a scheduled conference",
    ),
    "plan": _schema(
        {
            "plan": _field(
                REQUIRED_TEXT, "The single-agency plan",
                "What your agency will do, who does it and by when, and how the victim is kept "
                "safe and informed.",
            )
        },
        ["plan"],
        "Single-agency plan",
    ),
    "action": _schema(
        {
            "outcome": _choice("Outcome of the action", {
                "done": "Done",
                "not_possible": "Not possible: the circumstances changed",
                "not_done": "Not done by the agency",
            }),
            "note": _field(TEXT, "Note", "Required unless it was done: say why."),
        },
        ["outcome"],
        "Conference action",
        "The conference gave your agency this action; the next meeting reviews its outcome.",
    ),
    "review": _schema(
        {
            "decision": _choice("What next?", {
                "continue": "Keep the case open", "close": "Close the case",
            }),
            "note": _field(
                REQUIRED_TEXT, "Review note",
                "What has changed since the last review: new incidents, breaches, orders.",
            ),
        },
        ["decision", "note"],
        "Review the case",
    ),
    "closure": _schema(
        {
            "charged": _yes_no("Was the suspect charged?"),
            "not_charged_reason": _field(
                TEXT, "Why was the suspect not charged?", "Required if not charged."
            ),
            "convicted": _field(
                {"type": ["boolean", "null"]}, "Was the suspect convicted?", "",
                {"true": "Yes", "false": "No", "null": "Not known yet"},
            ),
            "sentence": _field(SHORT, "Sentence"),
            "protective_order": _yes_no("Is a protective order in force?"),
            "perpetrator_treatment": _field(
                SHORT, "Treatment or programme for the perpetrator",
                "For example a stalking intervention programme; domestic-violence counselling "
                "alone is the wrong treatment.",
            ),
            "victim_informed": _yes_no("Has the victim been told the outcome?"),
            "summary": _field(REQUIRED_TEXT, "Closing summary"),
        },
        ["charged", "protective_order", "victim_informed", "summary"],
        "Close the case with its outcome",
    ),
    "approve_closure": _schema(
        {
            "approved": _yes_no("Do you approve closing the case?", "Yes, close it",
                                "No, keep it open"),
            "reason": _field(TEXT, "Reason", REFUSAL_REASON),
        },
        ["approved"],
        "Approve the closure",
    ),
    "enforcement": _schema(
        {
            "action_taken": _field(
                REQUIRED_TEXT, "Action taken on the breach",
                "What was done and when: an arrest, a warning, a file to CPS.",
            ),
            "arrested": _yes_no("Was the suspect arrested?"),
        },
        ["action_taken", "arrested"],
        "Enforce the breached order",
        "A breach of an order is an offence: act within 24 hours.",
    ),
    "pre_hearing_risk_assessment": _schema(
        {
            "risk_level": _choice("Risk to the victim before the hearing", RISK_LABELS,
                                  "Set from the case's current level."),
            "summary": _field(REQUIRED_TEXT, "Assessment",
                              "What the court should know for bail or sentencing."),
            "victim_views": _field(TEXT, "The victim's views",
                                   "On bail conditions and the hearing, as the victim gave them."),
        },
        ["risk_level", "summary"],
        "Risk assessment before the hearing",
    ),
    "psychiatric_assessment_request": _schema(
        {
            "request": _yes_no("Request a psychiatric assessment before the hearing?",
                               "Yes, request one", "No"),
            "reason": _field(REQUIRED_TEXT, "Reason"),
        },
        ["request", "reason"],
        "Should a psychiatric assessment be requested before the hearing?",
    ),
    "victim_update": _schema(
        {
            "contacted": _yes_no("Did you reach the victim?", "Yes", "No, not yet"),
            "method": _field(SHORT, "How you reached them",
                             "Use the safe way of contact recorded on the case."),
            "note": _field(TEXT, "What you told them"),
        },
        ["contacted"],
        "Tell the victim what has happened",
        "The Victims' Code: within 5 working days, 1 for victims with enhanced rights.",
    ),
    "minutes_distribution": _schema(
        {
            "sent": _yes_no("Have the minutes been sent?"),
            "note": _field(TEXT, "Note"),
        },
        ["sent"],
        "Send the minutes",
        "Each agency gets the minutes it may see, within three working days of the meeting.",
    ),
}

# A police agency's research may ask CPS for charging advice.
CHARGING_ADVICE = _yes_no(
    "Ask CPS for charging advice?", "Yes, ask CPS", "No",
    "CPS gets a charging review task.",
)


def schema_for(task_type: str, *, agency_kind: str | None = None) -> dict:
    schema = SCHEMAS[task_type]
    if task_type == "research" and agency_kind == "police":
        schema = {
            **schema,
            "properties": {**schema["properties"], "request_charging_advice": CHARGING_ADVICE},
        }
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
            message = {
                "type": f"Must be {error.validator_value}.",
                "enum": "Must be one of: " + ", ".join(map(str, error.validator_value or [])) + ".",
                "maxLength": f"At most {error.validator_value} characters.",
                "minLength": required_message(spec),
            }.get(error.validator, error.message)
            errors.setdefault(field, []).append(message)
    return {k: sorted(set(v)) for k, v in errors.items()}


def _needs(data: dict, field: str, when: bool, message: str, errors: dict) -> None:
    if when and not str(data.get(field) or "").strip() and field not in errors:
        errors.setdefault(field, []).append(message)


def check(task_type: str, data, *, agency_kind: str | None = None, screened_risk: str = "standard"):
    """Field errors for a task's submitted form, all of them at once: the schema's and the rules
    between fields (each rule asks only of the fields it can read); {} when it fits."""
    errors = _schema_errors(schema_for(task_type, agency_kind=agency_kind), data)
    if not isinstance(data, dict):
        return errors
    if task_type == "triage":
        _needs(data, "reason", data.get("decision") == "decline",
               "A decline needs a written reason.", errors)
        below = (data.get("risk_level") in RISK_ORDER
                 and RISK_ORDER[data["risk_level"]] < RISK_ORDER[screened_risk])
        _needs(data, "reason", below,
               f"Say why the risk is below the screening's "
               f"({RISK_LABELS.get(screened_risk, screened_risk).lower()}).", errors)
        _needs(data, "not_stalking_reason",
               data.get("classification", "stalking") not in ("stalking", None),
               "Say why this is not stalking.", errors)
    elif task_type in ("approve_decline", "approve_closure"):
        _needs(data, "reason", data.get("approved") is False, "Say why you refuse.", errors)
    elif task_type in ("approve_downgrade", "link_referrals"):
        _needs(data, "reason", True, "Say why.", errors)
    elif task_type == "research":
        _needs(data, "withheld_reason", data.get("withheld") is True,
               "Say what is withheld and why.", errors)
    elif task_type == "charging_review":
        _needs(data, "offence", data.get("decision") == "charge", "Name the offence.", errors)
    elif task_type == "closure":
        _needs(data, "not_charged_reason", data.get("charged") is False, "Say why no charge.",
               errors)
    elif task_type == "action":
        _needs(data, "note", data.get("outcome") in ("not_possible", "not_done"),
               "Say why it was not done.", errors)
    return {k: sorted(set(v)) for k, v in errors.items()}
