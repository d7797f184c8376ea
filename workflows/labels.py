"""What a task holds, in people's words: the labels of its context's keys and values, of its
form's answers, and of the trail's verbs. The pages show these, never codes, slugs or ids.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

from justice.models import ChargingDecision, HearingOutcome, PoliceDecision
from referral.models import Behaviour, CourtHearing, Referral, Relationship, RiskLevel

from . import task_schemas
from .models import TaskType

RISK = dict(RiskLevel.choices)
STATUS = dict(Referral.Status.choices)
BEHAVIOUR = dict(Behaviour.choices)
RELATIONSHIP = dict(Relationship.choices)
HEARING = dict(CourtHearing.Kind.choices)
TASK_TYPES = dict(TaskType.choices)

# The keys of a task's context and brief, as its reader names them; a key mapped to None is an
# internal id the page does not show.
KEY_LABELS: dict[str, str | None] = {
    "decline_reason": "Reason given for declining",
    "triage_risk_level": "Risk level given at triage",
    "current_risk_level": "The case's risk level now",
    "proposed_risk_level": "Proposed risk level",
    "screening_risk_level": "The screening's risk level",
    "screening_score": "Screening questions answered yes",
    "screening_answers": "Screening answers",
    "proposed_by": "Proposed by",
    "proposed_at": "Proposed",
    "referrer_agency": "Referred by",
    "summary": "Summary",
    "behaviours": "Behaviours",
    "relationship": "Relationship to the victim",
    "stalking_since": "Stalking since",
    "referral": "This referral",
    "matches": "Earlier referrals of the same people",
    "reason": "Reason",
    "conference": "Meeting",
    "description": "Action agreed",
    "kind": "Hearing",
    "date": "Hearing date",
    "action": None,
    "hearing": None,
    "incident": None,
    "order": None,
    "id": None,
    "offence": None,
    "trigger": None,
    "duty_holder": "Who tells the victim",
    "decision": "The decision",
    "review": None,
    "plan": None,
    "assessment": None,
    "decided_by_kind": "Decided by",
    "deadline": "Deadline",
    "policy_version": "Local policy version",
    "served_on": "Served on",
    "due_on": "Due on",
    "review_on": "Review due on",
    "nfa_reason": "Reason for no further action",
    "decided_on": "Decided on",
    "charged_as": "Charged as",
    "offences": "Offences",
    "bail_conditions": None,
    "custody_days": "Custody (days)",
    "suspended_for_days": "Suspended for (days)",
    "fine_pence": "Fine (pence)",
    "compensation_pence": "Compensation (pence)",
    "requirements": "Requirements",
    "orders": "Orders made",
    "sentenced_on": "Sentenced on",
    "stage": "Stage",
    "fixated": "Fixated",
    "obsessive": "Obsessive",
    "unwanted": "Unwanted",
    "repeated": "Repeated",
    "offences_considered": "Offences considered",
}
RISK_KEYS = {"triage_risk_level", "current_risk_level", "proposed_risk_level",
             "screening_risk_level", "risk_level"}
STAGES = {"referral": "At referral", "triage": "At triage"}
DUTY_HOLDERS = {
    "police": "Police",
    "witness_care": "Witness care unit (police)",
    "cps": "Crown Prosecution Service",
}


def readable(name: str) -> str:
    return name.replace("_", " ").capitalize()


def when(value) -> str:
    """A date or time as the pages show them (an ISO string too)."""
    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value) or value
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value,
                           "j M Y H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


def display(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(display(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{readable(str(k))}: {display(v)}" for k, v in value.items())
    return str(value)


class ContextLabels:
    """Labels of a task's context and brief. `agencies` ({slug: name}), `meetings`
    ({id: "title, date"}) and `people` ({username: name}) are read by the caller, once per
    page."""

    def __init__(self, *, agencies: dict[str, str], meetings: dict[int, str],
                 people: dict[str, str] | None = None):
        self.agencies = agencies
        self.meetings = meetings
        self.people = people or {}

    def pairs(self, data: dict | None) -> list[tuple[str, str]]:
        rows = []
        for key, value in (data or {}).items():
            label = KEY_LABELS.get(key, readable(str(key)))
            if label is None:
                continue
            rows.append((label, self.value(key, value)))
        return rows

    def value(self, key: str, value) -> str:
        if value is None or value == "":
            return "-"
        if key in RISK_KEYS:
            return RISK.get(value, display(value))
        if key == "referrer_agency":
            return self.agencies.get(value, value)
        if key == "proposed_by":
            return self.people.get(value, value)
        if key == "behaviours":
            return ", ".join(BEHAVIOUR.get(v, v) for v in value) or "-"
        if key == "relationship":
            return ", ".join(RELATIONSHIP.get(v, v) for v in value) or "-"
        if key == "conference":
            return self.meetings.get(int(value), "a meeting")
        if key == "kind":
            return HEARING.get(value, value)
        if key == "proposed_at":
            return STAGES.get(value, value)
        if key in ("duty_holder", "decided_by_kind"):
            return DUTY_HOLDERS.get(value, display(value))
        if key in ("date", "stalking_since", "created_at", "served_on", "due_on", "review_on"):
            return when(value)
        if key == "screening_answers" and isinstance(value, dict):
            return "; ".join(f"{readable(k)}: {display(v)}" for k, v in value.items())
        if key == "referral" and isinstance(value, dict):
            return self.case(value)
        if key == "matches" and isinstance(value, list):
            return "; ".join(self.case(v) if isinstance(v, dict) else str(v) for v in value)
        return display(value)

    def case(self, row: dict) -> str:
        """A referral of a link or merge, in a line: reference, risk, status, who, when."""
        agency = self.agencies.get(row.get("referrer_agency"), row.get("referrer_agency"))
        return (
            f"{row.get('reference')} ({RISK.get(row.get('risk_level'), '')} risk, "
            f"{STATUS.get(row.get('status'), row.get('status'))}, referred by {agency} on "
            f"{when(row.get('created_at'))})"
        )

    @staticmethod
    def slugs(*datas: dict | None) -> set[str]:
        """The agency slugs these contexts name (to read their names in one query)."""
        found = set()
        for data in datas:
            for value in (data or {}).values():
                rows = value if isinstance(value, list) else [value]
                found |= {r["referrer_agency"] for r in rows
                          if isinstance(r, dict) and "referrer_agency" in r}
            if data and isinstance(data.get("referrer_agency"), str):
                found.add(data["referrer_agency"])
        return found


def answer_pairs(task_type: str, result: dict | None, *, agency_kind: str | None = None,
                 named: dict[str, dict[int, str]] | None = None) -> list[tuple[str, str]]:
    """A completed task's answers, labelled as its form asked them; `named` gives the names of
    the ids it chose ({"into": {id: reference}, "conference": {id: title}})."""
    properties = task_schemas.schema_for(task_type, agency_kind=agency_kind)["properties"]
    rows = []
    for key, value in (result or {}).items():
        spec = properties.get(key, {})
        labels = spec.get(task_schemas.LABELS, {})
        if key in (named or {}) and isinstance(value, int):
            shown = named[key].get(value, "-")
        elif isinstance(value, list) and labels:
            shown = ", ".join(labels.get(item, display(item)) for item in value) or "-"
        elif isinstance(value, bool) or value is None:
            shown = labels.get({True: "true", False: "false", None: "null"}[value],
                               display(value))
        else:
            shown = labels.get(value, display(value)) if isinstance(value, str) else display(value)
        rows.append((spec.get("title") or readable(key), shown))
    return rows


# --- The trail's verbs --------------------------------------------------------------------------

VERB_LABELS = {
    "referral.submitted": "Referral submitted",
    "referral.linked": "Referral linked to earlier ones",
    "referral.merged": "Referral merged",
    "referral.merged_into": "Referral merged into another",
    "referral.declined": "Referral declined",
    "referral.classified": "Classification changed",
    "referrals.linked": "Referrals linked",
    "referrals.kept_separate": "Referrals kept separate",
    "risk.raised": "Risk level raised",
    "risk.overridden": "Risk level set by judgement",
    "risk.downgrade_proposed": "Lower risk level proposed",
    "risk.downgrade_refused": "Lower risk level refused",
    "incident.recorded": "Incident recorded",
    "breach.recorded": "Breach of an order recorded",
    "order.recorded": "Order recorded",
    "hearing.recorded": "Court hearing recorded",
    "task.claimed": "Task claimed",
    "task.released": "Task released to the queue",
    "task.reassigned": "Task reassigned",
    "task.escalated": "Overdue task escalated",
    "section.read": "Sensitive section read",
    "access.granted": "Access to the case granted",
    "access.revoked": "Access to the case ended",
    "access.refused": "Look at a case refused",
    "disclosure.authorised": "Reason given for a disclosure outside an agreement",
    "sharing_agreement.created": "Sharing agreement recorded",
    "sharing_agreement.updated": "Sharing agreement reviewed or ended",
    "conference.scheduled": "Conference scheduled",
    "conference.started": "Conference started",
    "conference.closed": "Conference closed",
    "conference.uninvited": "Agency withdrawn from a conference",
    "conference.decision": "Conference decision",
    "conference.action": "Conference action",
    "agenda.reordered": "Agenda reordered",
    "minutes.signed": "Minutes signed",
    "minutes.sent": "Minutes sent",
    "member.created": "Member added",
    "second_factor.enrolled": "Second factor set up",
    "second_factor.recovery_codes_issued": "Recovery codes issued",
    "second_factor.reset": "Second factor reset",
    "api_token.issued": "API sign-in issued",
    "api_token.ended": "API sign-in ended",
    "report.read": "Outcome report read",
    "report.exported": "Outcome report exported",
    # Tasks' decisions, as what was decided (a task's other completions read as its type and
    # its form's label for the answer: `verb_label`).
    "triage.accept": "Triage: accepted",
    "triage.request_info": "Triage: more information asked for",
    "triage.decline": "Triage: decline proposed",
    "approve_decline.approved": "Decline approved",
    "approve_decline.refused": "Decline refused",
    "approve_downgrade.approved": "Lower risk level approved",
    "approve_downgrade.refused": "Lower risk level refused",
    "link_referrals.link": "Referrals linked by the hub",
    "link_referrals.merge": "Referrals merged by the hub",
    "link_referrals.separate": "Referrals kept apart by the hub",
    "provide_info.completed": "More information given",
    "review.continue": "Review: the case continues",
    "review.close": "Review: the case is to close",
    "closure.completed": "Closure outcome recorded",
    "approve_closure.approved": "Closure approved",
    "approve_closure.refused": "Closure refused",
    "action.done": "Conference action done",
    "action.not_possible": "Conference action not possible",
    "action.not_done": "Conference action not done",
    # What happened after referral.
    "offence.recorded": "Offence recorded",
    "offence.amended": "Offence amended",
    "warning_signs.recorded": "Warning signs recorded",
    "sentence.recorded": "Sentence recorded",
    "order_application.made": "Stalking protection order applied for",
    "order_application.interim_made": "Interim stalking protection order made",
    "order_application.granted": "Stalking protection order made",
    "order_application.refused": "Stalking protection order refused",
    "order_application.withdrawn": "Stalking protection order application withdrawn",
    "order.varied": "Order varied",
    "order.renewed": "Order renewed",
    "order.extended": "Order extended",
    "order.discharged": "Order discharged",
    "order.served": "Order served",
    "order.notified": "Suspect notified the police",
    "order.notification_failed": "Suspect failed to notify the police",
    "contact.logged": "Contact with the victim logged",
    "legal_hold.placed": "Legal hold placed",
    "legal_hold.lifted": "Legal hold lifted",
    "retention.due": "Due for a retention review",
    "retention.reopened": "Retention review due again after its deferral",
    "retention.deferred": "Retention review deferred",
    "retention.erased": "Erasure approved: personal data erased",
    "retention_schedule.created": "Retention schedule created",
    "retention_schedule.changed": "Retention schedule changed",
    **{f"police_decision.{kind}": f"Police: {label}"
       for kind, label in PoliceDecision.Kind.choices},
    **{f"charging_decision.{decision}": f"CPS: {label}"
       for decision, label in ChargingDecision.Decision.choices},
    **{f"hearing_outcome.{result}": f"Court: {label}"
       for result, label in HearingOutcome.Result.choices},
}

# The kinds of event a reader may choose, by the first word of their verbs: the families above,
# then each task type's completions.
EVENT_KINDS: dict[str, str] = {
    "referral": "Referrals: submitted, linked, merged, declined, classified",
    "referrals": "Referrals of the same people: linked or kept separate",
    "risk": "Risk level changes",
    "incident": "Incidents recorded",
    "breach": "Breaches of orders recorded",
    "order": "Orders recorded",
    "hearing": "Court hearings recorded",
    "task": "Tasks claimed, released, reassigned or escalated",
    "conference": "Conferences: scheduled, started, closed, decisions, actions",
    "agenda": "Conference agendas changed",
    "minutes": "Minutes signed or sent",
    "section": "Reads of sensitive sections",
    "access": "Access to cases granted, ended or refused",
    "disclosure": "Reasons given for disclosures outside an agreement",
    "sharing_agreement": "Sharing agreements recorded, reviewed or ended",
    "member": "Members added",
    "second_factor": "Second factors",
    "api_token": "API sign-ins",
    "report": "Outcome reports read or exported",
    "offence": "Offences recorded or amended",
    "warning_signs": "Warning signs recorded",
    "police_decision": "Police decisions on offences",
    "charging_decision": "CPS decisions on offences",
    "hearing_outcome": "Court hearings' outcomes",
    "sentence": "Sentences",
    "order_application": "Order applications",
    "psychiatric_assessment": "Psychiatric assessments for court",
    "threat_recommendations": "Threat assessment recommendations shared",
    "intervention_plan": "Intervention plans",
    "intervention": "Perpetrator interventions",
    "contact": "Contact with the victim",
    "advocate": "Named advocates",
    "wishes": "The victim's wishes",
    "consent": "The victim's consent",
    "safety_plan": "Safety plans",
    "statement": "Victim personal statements",
    "entitlement": "Enhanced rights under the Victims' Code",
    "person_at_risk": "Others at risk",
    "safeguarding": "Safeguarding referrals",
    "victim_identifier": "The victim's identifiers",
    "suspect_identifier": "The suspect's identifiers",
    "screening": "Screening updated",
    "conference_referral": "Referrals to a conference on professional judgement",
    "local_policy": "Local policy set",
    "legal_hold": "Legal holds placed or lifted",
    "retention": "Retention reviews: due, deferred, erased",
    "retention_schedule": "Retention schedules set",
    **{task_type: f"Task done: {label}" for task_type, label in TASK_TYPES.items()},
}

OUTCOME_FIELDS = ("decision", "outcome", "approved")


def verb_label(verb: str) -> str:
    """A trail event's verb in words: `charging_review.more_evidence` -> `Charging review:
    More evidence needed`."""
    if verb in VERB_LABELS:
        return VERB_LABELS[verb]
    family, _, outcome = verb.partition(".")
    if family in TASK_TYPES and family in task_schemas.SCHEMAS:
        properties = task_schemas.SCHEMAS[family]["properties"]
        for name in OUTCOME_FIELDS:
            labels = properties.get(name, {}).get(task_schemas.LABELS, {})
            key = {"approved": "true", "refused": "false"}.get(outcome, outcome)
            if key in labels:
                return f"{TASK_TYPES[family]}: {labels[key]}"
        return f"{TASK_TYPES[family]}: {readable(outcome).lower() or 'done'}"
    return readable(verb.replace(".", " "))
