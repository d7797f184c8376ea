"""The case file: everything a member's agency may see of a case, in words, for the case page,
its print view and its PDF export.

Built from the same reads the API makes (`serializers.referral_detail`, `selectors.timeline`),
so a section the access policy withholds never reaches a template; the work in hand and the
conference outcomes come from the workflow and the meetings, each cut to what the reader may
read. Every code is turned into its label here: the templates show people, agencies and
choices by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from weasyprint import HTML

from agencies import policy
from agencies.models import Membership
from agencies.selectors import agencies_by_slug, names_by_username, person_name
from conferences import selectors as conference_selectors
from conferences.models import AgendaItem, Conference, ConferenceAction
from config.exceptions import NotFound
from interventions import case_file as intervention_file
from justice import case_file as justice_file
from orders import case_file as order_file
from victims import case_file as victim_file
from workflows import selectors as workflow_selectors
from workflows.labels import verb_label
from workflows.models import TaskType

from . import selectors, serializers, services
from .models import (
    RISK_ORDER,
    Behaviour,
    Classification,
    CourtHearing,
    Incident,
    PersonIdentifier,
    ProtectiveOrder,
    Referral,
    Relationship,
    RiskLevel,
)

STATUS = dict(Referral.Status.choices)
RISK = dict(RiskLevel.choices)
RISK_SOURCE = dict(Referral.RiskSource.choices)
CLASSIFICATION = dict(Classification.choices)
RELATIONSHIP = dict(Relationship.choices)
BEHAVIOUR = dict(Behaviour.choices)
SEVERITY = dict(Incident.Severity.choices)
ORDER_KIND = dict(ProtectiveOrder.Kind.choices)
ORDER_STATUS = dict(ProtectiveOrder.Status.choices)
ORDER_MADE_BY = dict(ProtectiveOrder.MadeBy.choices)
IDENTIFIER_KIND = dict(PersonIdentifier.Kind.choices)
HEARING_KIND = dict(CourtHearing.Kind.choices)
TASK_TYPE = dict(TaskType.choices)
CONFERENCE_STATUS = dict(Conference.Status.choices)
ACTION_OUTCOME = dict(ConferenceAction.Outcome.choices)
ENTRY_KIND = {
    "referral": "Referral",
    "order": "Order",
    "incident": "Incident",
    "breach": "Breach of an order",
    "decision": "Decision",
}

# The agencies' own work on a case (`workflows.selectors.case_sections`), field by field.
WORK_FIELDS = {
    "research": (
        ("summary", "Summary"),
        ("facts", "Facts"),
        ("opinions", "Opinions"),
        ("withheld", "Anything withheld"),
        ("withheld_reason", "Why it was withheld"),
        ("request_charging_advice", "Charging advice asked for"),
    ),
    "threat_assessment": (
        ("summary", "Summary"),
        ("risk_formulation", "Risk formulation"),
        ("recommendations", "Recommendations"),
    ),
    "charging": (
        ("decision", "Decision"),
        ("offence", "Offence"),
        ("reason", "Reason"),
    ),
}
WORK_VALUES = {
    "decision": {
        "charge": "Charge",
        "no_further_action": "No further action",
        "more_evidence": "More evidence needed",
    },
}
WORKFLOW_SECTIONS = tuple(WORK_FIELDS)
# A screening answer: a not-known answer is shown as such, never as a no or a blank.
ANSWER_LABEL = {True: "Yes", False: "No", None: "Not known"}


def labels(values, names: dict) -> list[str]:
    return [names.get(v, v) for v in values or []]


def agency_names(slugs) -> dict[str, str]:
    return {slug: agency.name for slug, agency in agencies_by_slug(set(slugs)).items()}


def _display(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j M Y H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


# --- The risk, told once ---------------------------------------------------------------------

# The escalation signal's reasons that say the stalking is getting worse (frequency, new
# behaviours, a step up in severity); the others say why the incidents imply their level.
_ESCALATING_MARKS = ("in the last 30 days", "severity stepped up")


def _is_escalating_reason(reason: str) -> bool:
    return any(mark in reason for mark in _ESCALATING_MARKS)


def _sentence(parts: list[str]) -> str:
    return "; ".join(parts)


def risk_story(case: dict, signal) -> dict:
    """The case's risk level and how it came to be, in a few sentences: what the screening
    gave, who or what set the level, what the incidents imply and why, and whether the
    stalking is escalating. One level is stated; the others are explained against it."""
    level = case["risk_level"]
    label = RISK.get(level, level)
    lines: list[str] = []
    screening = case.get("screening")
    if screening:
        not_known = screening.get("not_known") or 0
        lines.append(
            f"The screening ({screening['title']}) gave {screening['risk_label']}: "
            f"{screening['score']} of {len(screening['answers'])} questions answered yes"
            + (f" and {not_known} not known (counted like a yes)." if not_known else ".")
        )
    else:
        lines.append("No screening is recorded for this case.")
    source = case["risk_source"]
    if source == Referral.RiskSource.JUDGEMENT:
        reason = case.get("risk_reason", "").strip()
        lines.append(
            f"Professional judgement set the level at {label}"
            + (f": {reason}" if reason else ".")
        )
    elif source == Referral.RiskSource.ESCALATION:
        lines.append(f"The incidents on the timeline raised the level to {label}.")
    else:
        lines.append(f"The case's level is the screening's: {label}.")

    implied = signal.level
    implied_label = RISK.get(implied, implied)
    why = [r for r in signal.reasons if not _is_escalating_reason(r)]
    because = f", because of {_sentence(why)}" if why else ""
    incidents = bool((signal.figures or {}).get("incidents_last_12_months") or why)
    set_by = {
        Referral.RiskSource.JUDGEMENT: "professional judgement set it",
        Referral.RiskSource.ESCALATION: "the incidents raised it earlier",
    }.get(source, "the screening gave it")
    if implied == RiskLevel.STANDARD and not why:
        lines.append(
            ("The incidents recorded add nothing to it" if incidents
             else "No incident is recorded in the last 12 months, so none adds to it")
            + ": no threats, violence or breaches of orders, and fewer than three incidents "
            "in 12 months."
        )
    elif implied == level:
        lines.append(f"The incidents recorded imply the same level, {implied_label}{because}.")
    elif RISK_ORDER[implied] < RISK_ORDER[level]:
        lines.append(
            f"The incidents recorded alone would imply {implied_label}{because}; the case stays "
            f"{label}, as {set_by}: a level goes down only with a supervisor's approval."
        )
    else:
        lines.append(
            f"The incidents recorded imply {implied_label}{because}, above the case's {label}: "
            "a supervisor should review the level."
        )
    rising = [r for r in signal.reasons if _is_escalating_reason(r)]
    if signal.escalating:
        escalating = f"The stalking is escalating: {_sentence(rising)}." if rising else (
            "The stalking is escalating."
        )
    else:
        escalating = (
            "It is not escalating: no rise in frequency, no new behaviour and no step up in "
            "severity in the last 30 days."
        )
    figures = signal.figures or {}
    return {
        "level": level,
        "label": label,
        "lines": lines,
        "escalating": signal.escalating,
        "escalating_line": escalating,
        "figures": figures,
        "new_behaviours": labels(figures.get("new_behaviours"), BEHAVIOUR),
    }


def escalation_context(signal) -> dict:
    """The escalation signal with its labels (the timeline page's panel)."""
    data = signal.as_dict()
    figures = data["figures"]
    return {
        "level": data["level"],
        "level_label": RISK.get(data["level"], data["level"]),
        "escalating": data["escalating"],
        "reasons": data["reasons"],
        "figures": figures,
        "new_behaviours": labels(figures.get("new_behaviours"), BEHAVIOUR),
    }


# --- The sections ----------------------------------------------------------------------------


def _screening(referral: Referral, data: dict) -> dict | None:
    screening = data.get("screening")
    if not screening:
        return None
    questions = referral.screening.instrument.questions
    thresholds = screening["thresholds"]
    region = (
        f"{thresholds['region']}'s" if thresholds["region"]
        else "the default" if thresholds["version"] is not None
        else "the instrument's own"
    )
    version = f", version {thresholds['version']}" if thresholds["version"] is not None else ""
    return {
        **screening,
        "title": referral.screening.instrument.title,
        "risk_label": RISK.get(screening["risk_level"], screening["risk_level"]),
        "answers": [
            (q["text"], ANSWER_LABEL[screening["answers"].get(q["key"])]) for q in questions
        ],
        "policy_line": (
            "The screen informs professional judgement; the published tools give no cut-offs. "
            f"Levels use {region} local thresholds{version}: medium at {thresholds['medium']}, "
            f"high at {thresholds['high']} answers of yes or not known."
        ),
    }


def _work_records(section: str, value, names: dict[str, str]) -> list[list[tuple[str, str]]]:
    """An agency's work on the case as label/value pairs, its agency by name."""
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    known = WORK_FIELDS[section]
    records = []
    for item in items:
        rows = [
            ("Agency", names.get(item.get("agency"), item.get("agency") or "-")),
            ("Completed", _display(item.get("completed"))),
        ]
        for key, label in known:
            if key in item:
                value = WORK_VALUES.get(key, {}).get(item[key], item[key])
                rows.append((label, _display(value)))
        shown = {"agency", "completed", *(key for key, _ in known)}
        rows += [
            (key.replace("_", " ").capitalize(), _display(v))
            for key, v in item.items() if key not in shown
        ]
        records.append(rows)
    return records


def case_context(referral: Referral, data: dict, names: dict[str, str]) -> dict:
    """The policy-filtered detail with display labels; keys absent from `data` stay absent."""
    case = dict(data)
    case.update(
        referrer_agency_name=names.get(data["referrer_agency"], data["referrer_agency"]),
        status_label=STATUS.get(data["status"], data["status"]),
        risk_label=RISK.get(data["risk_level"], data["risk_level"]),
        risk_source_label=RISK_SOURCE.get(data["risk_source"], data["risk_source"]),
        classification_label=CLASSIFICATION.get(data["classification"], data["classification"]),
        relationship_labels=labels(data["relationship"], RELATIONSHIP),
        behaviour_labels=labels(data["behaviours"], BEHAVIOUR),
        screening=_screening(referral, data),
    )
    for section in ("victim_contact", "suspect"):
        if case.get(section):
            case[section] = {
                **case[section],
                "identifiers": [
                    {**i, "kind_label": IDENTIFIER_KIND.get(i["kind"], i["kind"])}
                    for i in case[section].get("identifiers", [])
                ],
            }
    if "incidents" in data:
        order_kinds = {o["id"]: o["kind"] for o in data.get("orders", [])}
        case["incidents"] = [
            {
                **i,
                "behaviour_labels": labels(i["behaviours"], BEHAVIOUR),
                "severity_label": SEVERITY.get(i["severity"], i["severity"]),
                "agency_name": names.get(i["reporting_agency"], i["reporting_agency"]),
                "order_label": ORDER_KIND.get(order_kinds.get(i["breach_of_order"]), ""),
            }
            for i in data["incidents"]
        ]
    if "orders" in data:
        case["orders"] = [
            {
                **o,
                "kind_label": ORDER_KIND.get(o["kind"], o["kind"]),
                "agency_name": names.get(o["agency"], o["agency"]),
                "status_label": ORDER_STATUS.get(o["status"], o["status"]),
                "made_by_label": ORDER_MADE_BY.get(o["made_by"], ""),
                "in_force": o["status"] == ProtectiveOrder.Status.IN_FORCE,
                "notification_label": _notification_label(o.get("notification")),
                "breach_line": breach_line(o.get("breach_summary") or {}),
            }
            for o in data["orders"]
        ]
    case["workflow_sections"] = [
        {
            "key": s,
            "title": policy.SECTION_TITLES[s],
            "records": _work_records(s, data[s], names),
        }
        for s in WORKFLOW_SECTIONS
        if s in data
    ]
    return case


def pounds(pence: int) -> str:
    return f"\u00a3{pence // 100:,}" + (f".{pence % 100:02d}" if pence % 100 else "")


def breach_line(summary: dict) -> str:
    """What an order's breaches came to, in words: "Breaches: 50, 50 offences, 2 arrests,
    1 charged, 1 convicted, fines £80"."""
    breaches = summary.get("breaches", 0)
    if not breaches and not summary.get("offences"):
        return "Breaches: none"
    parts = [f"Breaches: {breaches}"]
    for key, one, many in (("offences", "offence", "offences"), ("arrests", "arrest", "arrests")):
        count = summary.get(key, 0)
        parts.append(f"{count} {one if count == 1 else many}")
    parts.append(f"{summary.get('charged', 0)} charged")
    parts.append(f"{summary.get('convicted', 0)} convicted")
    parts.append(f"fines {pounds(summary.get('fines_pence', 0))}")
    return ", ".join(parts)


def _notification_label(notification: dict | None) -> str:
    """A stalking protection order's duty to notify, in words (empty without one)."""
    if not notification:
        return ""
    due = date_format(notification["due_on"], "j M Y")
    if notification["status"] == "complied":
        on = notification.get("notified_on")
        return "Notified the police" + (f" on {date_format(on, 'j M Y')}" if on else "")
    if notification["status"] == "failed":
        return f"Failed to notify the police by {due}: an offence"
    return f"Must notify the police by {due}"


def timeline_rows(entries: list[dict], names: dict[str, str],
                  people: dict[str, str] | None = None) -> list[dict]:
    """Timeline entries with their labels, agencies and people by name."""
    people = people or {}
    rows = []
    for entry in entries:
        row = {
            **entry,
            "kind_label": ENTRY_KIND.get(entry["kind"], entry["kind"]),
            "agency_name": names.get(entry["agency"], entry["agency"]),
        }
        if "risk_level" in entry:
            row["risk_label"] = RISK.get(entry["risk_level"], entry["risk_level"])
            row["status_label"] = STATUS.get(entry["status"], entry["status"])
        if "order_kind" in entry:
            row["order_kind_label"] = ORDER_KIND.get(entry["order_kind"], entry["order_kind"])
        if entry["kind"] == "decision":
            row["decision_label"] = verb_label(entry["verb"])
            row["actor_name"] = people.get(entry["actor"], entry["actor"])
        if "behaviours" in entry:
            row["behaviour_labels"] = labels(entry["behaviours"], BEHAVIOUR)
            row["severity_label"] = SEVERITY.get(entry["severity"], entry["severity"])
        rows.append(row)
    return rows


def task_rows(tasks) -> list[dict]:
    """Who holds which work now: the task, its agency, the person who claimed it, its due date."""
    now = timezone.now()
    return [
        {
            "title": TASK_TYPE.get(task.task_type, task.task_type),
            "agency_name": task.agency.name if task.agency else "-",
            "holder": person_name(task.owner),
            "due": task.due,
            "overdue": bool(task.due and task.due < now),
        }
        for task in tasks
    ]


def outcome_rows(items: list[AgendaItem]) -> list[dict]:
    """The meetings that have the case on their agenda, with their decisions and actions."""
    rows = []
    for item in items:
        conference = item.conference
        rows.append({
            "title": conference.title,
            "when": conference.started_at or conference.starts_at,
            "held": conference.started_at is not None,
            "status_label": CONFERENCE_STATUS.get(conference.status, conference.status),
            "heard": item.status in (AgendaItem.Status.CURRENT, AgendaItem.Status.CLOSED),
            "decisions": [
                {"text": d.text, "reason": d.reason, "by": person_name(d.decided_by),
                 "at": d.decided_at}
                for d in item.decisions.all()
            ],
            "actions": [
                {"agency_name": a.agency.name, "description": a.description, "due": a.due,
                 "outcome_label": ACTION_OUTCOME.get(a.outcome, "") if a.outcome else ""}
                for a in item.actions.all()
            ],
        })
    return rows


def hearing_rows(hearings) -> list[dict]:
    return [
        {"kind_label": HEARING_KIND.get(h.kind, h.kind), "date": h.date, "court": h.court}
        for h in hearings
    ]


# --- The whole file --------------------------------------------------------------------------


# What happened after referral, each app's part of the detail and the page.
PRACTICE_FILES = (justice_file, order_file, intervention_file, victim_file)
# The access policy's sections the practice apps hold, each under its own key of the detail.
# A read of one of them is logged only when the case holds something in it.
PRACTICE_SECTIONS = frozenset({
    "offences", "court", "assessments", "threat_recommendations", "interventions",
    "victim_voice", "safeguarding",
})


def practice_sections(*, referral: Referral, membership: Membership) -> dict:
    """The detail's keys of the practice apps that the member may read, each section read once
    (`merge_practice` puts them into the detail; `practice_context` shapes them for the page)."""
    sections: dict = {}
    for file in PRACTICE_FILES:
        sections.update(file.detail_sections(referral=referral, membership=membership))
    return sections


def merge_practice(data: dict, practice: dict) -> None:
    """The practice apps' keys into the detail `data`; the victim's contact log into the
    `victim_contact` section the referral's detail holds (for its readers alone)."""
    for key, value in practice.items():
        if key == "victim_contact":
            if key in data:
                data[key] = serializers.with_contact_log(data[key], value["log"])
        else:
            data[key] = value


def practice_slugs(practice: dict) -> set[str]:
    """The agencies the practice apps' cards name (by slug), for the case file's one look-up
    of agency names."""
    return intervention_file.agency_slugs(practice)


def practice_context(*, referral: Referral, membership: Membership, practice: dict,
                     names: dict[str, str]) -> dict:
    """The case page's context of the practice apps' cards, from the sections
    `practice_sections` read and the agencies' `names`."""
    context: dict = {}
    for file in PRACTICE_FILES:
        context.update(file.page_context(referral=referral, membership=membership,
                                         sections=practice, names=names))
    return context


def sections_read(membership: Membership, practice: dict) -> frozenset[str]:
    """The sections a reader was shown: those it may read, but a practice section only when the
    case holds something in it."""
    return frozenset(
        section for section in policy.readable_sections(membership)
        if section not in PRACTICE_SECTIONS or practice.get(section)
    )


@dataclass
class CaseFile:
    """A case as one member may see it: `context` for the templates; `sections`, the sections
    of the access policy it holds; `scope` and `entries`, the timeline it shows."""

    referral: Referral
    context: dict
    sections: frozenset[str]
    scope: selectors.TimelineScope
    entries: list[dict]


def build(*, membership: Membership, referral_id: int) -> CaseFile:
    """The case file of a case the member's agency may see (`NotFound` otherwise). A fixed
    number of queries whatever the number of incidents, orders, tasks, meetings and decisions."""
    referral = selectors.referral_detail(membership=membership, referral_id=referral_id)
    signal = selectors.escalation_as_seen(
        referral=referral, scope=referral.scope, incident_rows=referral.timeline_incident_rows
    )
    data = serializers.referral_detail(
        referral,
        membership,
        signal=signal,
        extra_sections=workflow_selectors.case_sections(referral=referral),
    )
    practice = practice_sections(referral=referral, membership=membership)
    merge_practice(data, practice)
    entries = selectors.timeline(membership=membership, referral=referral, scope=referral.scope)
    tasks = workflow_selectors.case_open_tasks(referral=referral, membership=membership)
    outcomes = conference_selectors.case_outcomes(referral=referral, membership=membership)
    hearings = list(selectors.case_hearings(referral=referral))

    slugs = {data["referrer_agency"]}
    slugs |= {i["reporting_agency"] for i in data.get("incidents", [])}
    slugs |= {o["agency"] for o in data.get("orders", [])}
    slugs |= {e["agency"] for e in entries}
    for section in WORKFLOW_SECTIONS:
        value = data.get(section)
        for item in value if isinstance(value, list) else [value] if value else []:
            slugs.add(item.get("agency"))
    slugs |= practice_slugs(practice)
    names = agency_names(s for s in slugs if s)
    people = names_by_username(e["actor"] for e in entries if e.get("actor"))

    case = case_context(referral, data, names)
    context = {
        "case": case,
        "risk": risk_story(case, signal),
        "tasks": task_rows(tasks),
        "outcomes": outcome_rows(outcomes),
        "shows_outcomes": policy.can_read(membership, "notes"),
        "hearings": hearing_rows(hearings),
        "entries": timeline_rows(entries, names, people),
        "linked": case["linked"],
        "reader_agency": membership.agency.name,
        **practice_context(referral=referral, membership=membership, practice=practice,
                           names=names),
    }
    return CaseFile(
        referral=referral, context=context, sections=sections_read(membership, practice),
        scope=referral.scope, entries=entries,
    )


# --- The PDF -----------------------------------------------------------------------------------


def _no_fetching(url: str, *args, **kwargs):
    """The PDF's template carries its styles; nothing is fetched while rendering it."""
    raise ValueError(f"The case file fetches nothing ({url}).")


def render_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()


def pdf_export(*, membership: Membership, actor, referral_id) -> tuple[str, bytes]:
    """The case file as a PDF (its file name and bytes), holding only the sections the member's
    agency may see. The export is on the trail (`services.case_file_export_record`), written in
    the transaction of the reads it was made from and rolled back with them if the PDF cannot
    be made; a look at a case the agency may not see is logged and answers `NotFound`."""
    referral_id = selectors.referral_id_of(referral_id)
    try:
        with transaction.atomic():
            file = build(membership=membership, referral_id=referral_id)
            services.case_file_export_record(
                referral=file.referral, actor=actor, sections=file.sections, file_format="pdf"
            )
            services.timeline_reads_record(actor=actor, scope=file.scope, entries=file.entries)
            document = render_pdf(render_to_string("referral/case_file_pdf.html", file.context))
    except NotFound:
        services.refused_look_record(membership=membership, referral_id=referral_id)
        raise
    return f"{file.referral.reference}-case-file.pdf", document
