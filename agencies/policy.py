"""The access policy: the one place that says who may read, write and do what.

Three layers, each kept as data with a few functions to ask it:

1. Sections: which agency kind may read (`r`) or read and write (`rw`) which section of a case.
   Sharing follows the domain's rule of necessity: CPS, probation and the psychiatric unit never
   see the victim's contact details; a threat assessment is health material, seen only by the
   psychiatric unit and the coordinator's chairs and supervisors; oversight reads trails, not cases.
2. Capabilities: which role (in which agency kinds) may claim and complete tasks, approve a
   decline, chair a meeting, read the audit trail.
3. Objects: an agency sees a case only while it is involved (it referred it, holds a task on it,
   is invited to a meeting with it on the agenda, or had its own referral merged into it).
   This module says whose agency's group the rule reads (`case_group`); the involvement rows,
   the group object permissions they give and the filters on them are the case's own
   (`referral.access`).

Views, the API, consumers, templates and exports ask these functions; none decides on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .models import AgencyKind, Role

if TYPE_CHECKING:
    from .models import Membership

K = AgencyKind
R = Role

SECTIONS: tuple[str, ...] = (
    "victim",
    "victim_contact",
    "suspect",
    "incidents",
    "orders",
    "research",
    "threat_assessment",
    "charging",
    "notes",
    "offences",
    "court",
    "assessments",
    "threat_recommendations",
    "interventions",
    "victim_voice",
    "safeguarding",
)

SECTION_TITLES = {
    "victim": "Victim",
    "victim_contact": "Victim's contact details",
    "suspect": "Suspect",
    "incidents": "Incidents and breaches",
    "orders": "Orders and bail conditions",
    "research": "Agency research",
    "threat_assessment": "Threat assessment",
    "charging": "Charging",
    "notes": "Conference notes",
    "offences": "Offences and police outcomes",
    "court": "Court outcomes and sentences",
    "assessments": "Assessments for court",
    "threat_recommendations": "Threat assessment recommendations",
    "interventions": "Perpetrator interventions",
    "victim_voice": "The victim's voice",
    "safeguarding": "Others at risk and safeguarding",
}

# Sections whose every read is written to the access log.
SENSITIVE_SECTIONS = frozenset({
    "victim_contact", "threat_assessment", "charging", "threat_recommendations", "interventions",
    "victim_voice", "safeguarding",
})

# fmt: off
_KIND_COLUMNS = (
    K.POLICE, K.CPS, K.PROBATION, K.ADVOCACY, K.PSYCHIATRIC, K.COORDINATOR, K.OVERSIGHT,
)
_SECTION_TABLE = (
    # section            police cps   probation advocacy psychiatric coordinator oversight
    ("victim",            "rw",  "r",  "r",      "rw",    "r",        "rw",       ""),
    ("victim_contact",    "rw",  "",   "",       "rw",    "",         "r",        ""),
    ("suspect",           "rw",  "r",  "rw",     "r",     "r",        "rw",       ""),
    ("incidents",         "rw",  "r",  "r",      "rw",    "r",        "rw",       ""),
    ("orders",            "rw",  "r",  "r",      "r",     "r",        "r",        ""),
    ("research",          "rw",  "r",  "rw",     "rw",    "r",        "r",        ""),
    ("threat_assessment", "",    "",   "",       "",      "rw",       "r",        ""),
    ("charging",          "r",   "rw", "r",      "r",     "",         "r",        ""),
    ("notes",             "rw",  "rw", "rw",     "rw",    "rw",       "rw",       ""),
    ("offences",          "rw",  "r",  "r",      "r",     "r",        "r",        ""),
    ("court",             "rw",  "rw", "r",      "r",     "r",        "r",        ""),
    ("assessments",       "rw",  "rw", "rw",     "rw",    "rw",       "r",        ""),
    # What the assessing unit shares of a threat assessment (never the clinical formulation).
    ("threat_recommendations", "r", "r", "r",    "",      "rw",       "r",        ""),
    ("interventions",     "rw",  "r",  "rw",     "r",     "rw",       "r",        ""),
    ("victim_voice",      "rw",  "rw", "",       "rw",    "",         "r",        ""),
    ("safeguarding",      "rw",  "r",  "r",      "rw",    "r",        "rw",       ""),
)
# fmt: on
SECTION_ACCESS: dict[str, dict[str, str]] = {
    section: dict(zip(_KIND_COLUMNS, grants, strict=True)) for section, *grants in _SECTION_TABLE
}

# The section each task type's work and each kind of trail event belongs to, by the first word
# of its verb (a task type or an event family). A member is shown an event (on a timeline, in a
# trail) or a task's work only if it may read that section, and a shown one of a sensitive
# section is a logged read; verbs not named here belong to the case as a whole.
EVENT_SECTIONS: dict[str, str] = {
    "incident": "incidents",
    "breach": "incidents",
    "enforcement": "incidents",
    "order": "orders",
    "research": "research",
    "threat_assessment": "threat_assessment",
    "psychiatric_assessment_request": "assessments",
    "charging_review": "charging",
    "closure": "charging",
    "victim_update": "victim_contact",
    "conference": "notes",
    "action": "notes",
    "offence": "offences",
    "warning_signs": "offences",
    "police_decision": "offences",
    "charging_decision": "charging",
    "hearing_outcome": "court",
    "sentence": "court",
    "order_application": "orders",
    "notification_check": "orders",
    "pre_hearing_risk_assessment": "assessments",
    "pre_sentence_report": "assessments",
    "psychiatric_assessment": "assessments",
    "psychiatric_report": "assessments",
    "threat_recommendations": "threat_recommendations",
    "intervention_plan": "interventions",
    "intervention": "interventions",
    "perpetrator_assessment": "interventions",
    "contact": "victim_contact",
    "victim_identifier": "victim_contact",
    "suspect_identifier": "suspect",
    "victim_letter": "victim_voice",
    "advocate": "victim_voice",
    "wishes": "victim_voice",
    "consent": "victim_voice",
    "safety_plan": "victim_voice",
    "safety_plan_review": "victim_voice",
    "statement": "victim_voice",
    "entitlement": "victim_voice",
    "right_to_review": "victim_voice",
    "person_at_risk": "safeguarding",
    "safeguarding": "safeguarding",
}

# What an auditor reads of the trail: who did what and when, the reason given, and the decision
# an event records under these keys of its changes (a conference decision's text, an action's
# description, the offence charged); no other content of a case section is on the trail.
TRAIL_DECISION_KEYS = ("decision", "description", "offence", "outcome", "disposal")


# Families of events whose section is not fixed by the verb but named in the event's changes
# (`changes["section"]`): an evidence file belongs to the section it was filed under.
SECTION_NAMED_EVENTS = frozenset({"evidence"})


def event_section(verb: str, changes: dict | None = None) -> str | None:
    """The section an event with this verb (and these changes) belongs to, or None for the case
    as a whole. An event of `SECTION_NAMED_EVENTS` without a section of the policy in its
    changes belongs to the most guarded one, `threat_assessment`."""
    family = verb.split(".", 1)[0]
    if family in SECTION_NAMED_EVENTS:
        section = (changes or {}).get("section")
        return section if section in SECTION_ACCESS else "threat_assessment"
    return EVENT_SECTIONS.get(family)


# Linked cases. One victim-suspect pair is one timeline; a reader is shown a linked case's content
# only if its agency may see that case (and then only the sections it may read). Of the linked
# cases it may not see it learns how many there are and the escalation signal's level, never
# their content or inputs. Referrals of the same suspect with other victims are other timelines;
# the agency kinds below are told how many there are (never which), to ask the hub to share them.
SUSPECT_ELSEWHERE_KINDS = frozenset({K.POLICE, K.COORDINATOR})


# Roles that work with case content at all. An auditor reads trails; an admin manages people; a
# data protection officer reads a case only through a subject access request (`privacy`).
CONTENT_ROLES = frozenset({R.CASEWORKER, R.SUPERVISOR, R.CHAIR})

# Narrower role limits inside an agency kind: (kind, section) -> roles allowed.
SECTION_ROLE_LIMITS: dict[tuple[str, str], frozenset[str]] = {
    (K.COORDINATOR, "threat_assessment"): frozenset({R.CHAIR, R.SUPERVISOR}),
}

_CASE_AGENCIES = frozenset(k for k in K.values if k != K.OVERSIGHT)

# capability -> (roles that hold it, agency kinds in which they hold it)
CAPABILITIES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "refer_case": (CONTENT_ROLES, _CASE_AGENCIES),
    "claim_task": (CONTENT_ROLES | {R.DPO}, _CASE_AGENCIES),
    "complete_task": (CONTENT_ROLES, _CASE_AGENCIES),
    "reassign_task": (frozenset({R.SUPERVISOR}), _CASE_AGENCIES),
    "approve_decline": (frozenset({R.SUPERVISOR}), frozenset({K.COORDINATOR})),
    "approve_closure": (frozenset({R.SUPERVISOR}), frozenset({K.COORDINATOR})),
    "chair_meeting": (frozenset({R.CHAIR}), frozenset({K.COORDINATOR})),
    "read_audit_trail": (frozenset({R.AUDITOR}), frozenset({K.OVERSIGHT})),
    "read_agency_trail": (CONTENT_ROLES | {R.AUDITOR}, frozenset(K.values)),
    "manage_members": (frozenset({R.ADMIN}), frozenset(K.values)),
    "set_local_policy": (frozenset({R.SUPERVISOR}), frozenset({K.COORDINATOR})),
    "read_reports": (frozenset({R.AUDITOR, R.SUPERVISOR, R.CHAIR}), frozenset(K.values)),
    "handle_subject_access": (frozenset({R.DPO}), _CASE_AGENCIES),
    # Retention (`retention_reach` says whose cases): decide a review, place or lift a hold;
    # read reviews and holds; set the schedules.
    "retention": (frozenset({R.SUPERVISOR}), _CASE_AGENCIES),
    "read_retention": (frozenset({R.SUPERVISOR, R.AUDITOR}), frozenset(K.values)),
    "set_retention": (frozenset({R.ADMIN}), frozenset({K.COORDINATOR, K.OVERSIGHT})),
    "manage_sharing_agreements": (frozenset({R.ADMIN, R.SUPERVISOR}), _CASE_AGENCIES),
    "read_all_sharing_agreements": (frozenset({R.AUDITOR}), frozenset(K.values)),
    "disclose_case": (frozenset({R.SUPERVISOR}), _CASE_AGENCIES),
}

CAPABILITY_TITLES = {
    "refer_case": "Refer a case",
    "claim_task": "Claim a task from the agency's queue",
    "complete_task": "Complete a claimed task",
    "reassign_task": "Reassign or release a task",
    "approve_decline": "Approve or refuse a decline",
    "approve_closure": "Approve a case's closure",
    "chair_meeting": "Create and chair a case conference",
    "read_audit_trail": "Read every agency's decision trail and access log",
    "read_agency_trail": "Read the own agency's part of a case's trail",
    "manage_members": "Manage the agency's members",
    "set_local_policy": "Set the region's local policy (thresholds, deadlines, criteria)",
    "read_reports": "Read the outcome reports: of every case (oversight) or the agency's own",
    "handle_subject_access": "Answer subject access requests: find, decide, redact, disclose",
    "retention": "Decide a case's retention review (erase or defer); place or lift a legal hold",
    "read_retention": "Read retention reviews and legal holds",
    "set_retention": "Set the retention schedules",
    "manage_sharing_agreements": "Record, review and end the sharing agreements the agency is "
                                 "party to",
    "read_all_sharing_agreements": "Read every agency's sharing agreements",
    "disclose_case": "Share a case the agency referred or coordinates, and give the reason for "
                     "a disclosure outside an agreement",
}


def claim_roles(role: str) -> frozenset[str]:
    """Who may take a task meant for `role`: supervisors and chairs may do caseworkers' work."""
    if role == R.CASEWORKER:
        return frozenset({R.CASEWORKER, R.SUPERVISOR, R.CHAIR})
    return frozenset({role})


def may_take_task(membership: Membership | None, task) -> bool:
    """Whether the member may take this task: of its agency, allowed to claim, a role that fits
    the task's, and not the one person excluded from it (a decline's own author)."""
    if membership is None or task.agency_id is None or membership.agency_id != task.agency_id:
        return False
    if not may(membership, "claim_task"):
        return False
    if task.excluded_user_id is not None and task.excluded_user_id == membership.user_id:
        return False
    return bool(set(membership.roles) & claim_roles(task.role))


def _section_allowed(kind: str, roles: Iterable[str], section: str, mode: str) -> bool:
    grant = SECTION_ACCESS.get(section, {}).get(kind, "")
    if mode not in grant:
        return False
    roles = set(roles)
    if not roles & CONTENT_ROLES:
        return False
    limit = SECTION_ROLE_LIMITS.get((kind, section))
    return limit is None or bool(roles & limit)


def can_read(membership: Membership | None, section: str) -> bool:
    if membership is None:
        return False
    return _section_allowed(membership.agency.kind, membership.roles, section, "r")


def can_write(membership: Membership | None, section: str) -> bool:
    if membership is None:
        return False
    return _section_allowed(membership.agency.kind, membership.roles, section, "w")


def readable_sections(membership: Membership | None) -> frozenset[str]:
    return frozenset(s for s in SECTIONS if can_read(membership, s))


def kind_readable_sections(kind: str) -> frozenset[str]:
    """The sections an agency of this kind may read at most (its content roles together): what
    involving it in a case discloses to it."""
    return frozenset(s for s in SECTIONS if "r" in SECTION_ACCESS[s].get(kind, ""))


def writable_sections(membership: Membership | None) -> frozenset[str]:
    return frozenset(s for s in SECTIONS if can_write(membership, s))


def can_record_hearing(membership: Membership | None) -> bool:
    """Court hearings and their outcomes: the members who write the court section."""
    return can_write(membership, "court")


# Orders other agencies record beside police (who record any kind): an advocate the
# non-molestation order the victim obtained, CPS the restraining order it asked the court for,
# probation the licence conditions it supervises.
ORDER_KIND_WRITERS: dict[str, frozenset[str]] = {
    K.ADVOCACY: frozenset({"non_molestation_order"}),
    K.CPS: frozenset({"restraining_order"}),
    K.PROBATION: frozenset({"licence_conditions"}),
}


def can_record_order(membership: Membership | None, kind: str | None = None) -> bool:
    """Whether the member may record an order (of this kind, or of some kind when None):
    writers of the orders section any kind, the agency kinds of `ORDER_KIND_WRITERS` theirs."""
    if can_write(membership, "orders"):
        return True
    if membership is None or not can_read(membership, "orders"):
        return False
    kinds = ORDER_KIND_WRITERS.get(membership.agency.kind, frozenset())
    return bool(kinds) and (kind is None or kind in kinds)


# Who records the steps of a psychiatric assessment for court: CPS, who seeks it, and the
# psychiatric unit, who does it (other writers of the assessments section do not).
PSYCHIATRIC_STEP_KINDS = frozenset({K.CPS, K.PSYCHIATRIC})


def can_track_psychiatric(membership: Membership | None) -> bool:
    """Whether the member records the steps of a psychiatric assessment for court."""
    return (
        can_write(membership, "assessments")
        and membership.agency.kind in PSYCHIATRIC_STEP_KINDS
    )


# Inside the victim's voice, what the victim gave under consent is shown to an agency kind
# outside the consent's scope only as held by advocacy; these kinds see it whatever the scope
# (police hold the investigation, advocacy took it from the victim).
CONSENT_ALWAYS_SHOWN = frozenset({K.POLICE, K.ADVOCACY})


def sees_consented_content(agency_kind: str, consented_kinds, *, withdrawn: bool) -> bool:
    """Whether an agency of this kind is shown what the victim gave under a consent that covers
    `consented_kinds` (and has been withdrawn or not)."""
    if agency_kind in CONSENT_ALWAYS_SHOWN:
        return True
    return not withdrawn and agency_kind in consented_kinds


# Who amends an offence as recorded (its kind, name, domestic-abuse flag, crime reference): the
# agency kinds that record crimes and charge them, police and CPS (readers of the offences).
OFFENCE_AMENDING_KINDS = frozenset({K.POLICE, K.CPS})


def can_amend_offence(membership: Membership | None) -> bool:
    """Whether the member may amend a case's offence (`OFFENCE_AMENDING_KINDS`)."""
    return (
        membership is not None
        and membership.agency.kind in OFFENCE_AMENDING_KINDS
        and can_read(membership, "offences")
    )


def can_record_breach(membership: Membership | None) -> bool:
    """A breach is an incident that names the order it breaches: writing incidents, reading
    the orders."""
    return can_write(membership, "incidents") and can_read(membership, "orders")


def may(membership: Membership | None, capability: str) -> bool:
    """Whether the member's roles in their agency give them this capability."""
    if membership is None or not membership.agency.is_active:
        return False
    roles, kinds = CAPABILITIES[capability]
    return membership.agency.kind in kinds and bool(set(membership.roles) & roles)


def sees_event(membership: Membership | None, verb: str, changes: dict | None = None) -> bool:
    """Whether the member may be shown a trail event with this verb (`EVENT_SECTIONS`; the
    section its changes name, for `SECTION_NAMED_EVENTS`)."""
    family = verb.split(".", 1)[0]
    if family in SUBJECT_ACCESS_EVENTS:
        return may_handle_subject_access(membership)
    if family in RETENTION_EVENTS:
        return may_read_retention(membership)
    section = event_section(verb, changes)
    return section is None or can_read(membership, section)


def hidden_event_prefixes(membership: Membership | None) -> tuple[str, ...]:
    """The verb prefixes of the events this member may not be shown, for a query to exclude."""
    hidden = tuple(
        f"{family}." for family, section in EVENT_SECTIONS.items()
        if not can_read(membership, section)
    )
    if not may_handle_subject_access(membership):
        hidden += tuple(f"{family}." for family in sorted(SUBJECT_ACCESS_EVENTS))
    if not may_read_retention(membership):
        hidden += tuple(f"{family}." for family in sorted(RETENTION_EVENTS))
    return hidden


def hides_sharing_reasons(membership: Membership | None) -> bool:
    """Whether the member's part of the trail leaves out the events that carry a disclosure's
    reason (`access.granted` with one, `disclosure.*`): those are read by who reads a case's
    sharing (`may_read_case_sharing`), and the agency's own part of the trail holds only its
    own disclosures, which its supervisors made as the case's referrer or coordinator."""
    return not may(membership, "disclose_case") and not may(membership, "read_audit_trail")


# --- Evidence files ---------------------------------------------------------------------------
# A file (a screenshot, a document, a recording) is filed under one section of its case, and is
# read and added as that section is: read (listed, opened, downloaded) by a member whose agency
# may see the case and who may read the section; added by one who may write it. A file the
# member may not read answers 404 everywhere, as if it did not exist.


def can_read_evidence(membership: Membership | None, section: str) -> bool:
    """Whether the member may list, open and download a file of this section (of a case its
    agency may see)."""
    return section in SECTION_ACCESS and can_read(membership, section)


def can_add_evidence(membership: Membership | None, section: str) -> bool:
    """Whether the member may add a file to this section (of a case its agency may see)."""
    return section in SECTION_ACCESS and can_write(membership, section)


def evidence_sections(membership: Membership | None) -> tuple[str, ...]:
    """The sections whose files the member may read, in the policy's order."""
    return tuple(s for s in SECTIONS if can_read_evidence(membership, s))


def reads_trail_as_auditor(membership: Membership | None) -> bool:
    """An auditor: of every agency's trail (oversight), or of its own agency's, whatever cases
    the agency may see now. Other members read their agency's part of the trail as they read
    cases: only of the cases the agency may see now."""
    return may(membership, "read_audit_trail") or (
        membership is not None and R.AUDITOR in membership.roles
        and may(membership, "read_agency_trail")
    )


def sees_suspect_elsewhere(membership: Membership | None) -> bool:
    """Whether the member is told how many other cases name the same suspect."""
    return (
        membership is not None
        and membership.agency.kind in SUSPECT_ELSEWHERE_KINDS
        and can_read(membership, "suspect")
    )


def sees_case_content(membership: Membership | None) -> bool:
    """Whether this member can see any case at all (subject to the agency's involvement)."""
    return bool(readable_sections(membership)) and membership.agency.is_active


def works_tasks(membership: Membership | None) -> bool:
    """Whether the member has an inbox: a reader of cases, or a data protection officer (whose
    subject access tasks are of no case)."""
    return sees_case_content(membership) or may_handle_subject_access(membership)


def sees_task_of_role(membership: Membership | None, role: str) -> bool:
    """Whether the member is shown its agency's tasks meant for `role`: a reader of cases every
    one (on the cases it may see); a member reading no case content (a data protection
    officer) only those its roles may take, never another role's work (a meeting's minutes)."""
    if sees_case_content(membership):
        return True
    return membership is not None and bool(set(membership.roles) & claim_roles(role))


# --- Subject access (UK GDPR art. 15; DPA 2018 s.45) ----------------------------------------
# Only a data protection officer handles a subject access request. It reads case content only
# through one (never the case pages): every search and every read of a found record is on the
# trail, as `subject_access.*` events, which only DPOs (and oversight's auditors, who read the
# whole trail) are shown. Its reach is the cases referred within its agency's region (every
# region when the agency has none).
SUBJECT_ACCESS_EVENTS = frozenset({"subject_access"})


def may_handle_subject_access(membership: Membership | None) -> bool:
    """Whether the member may make, search, decide and disclose subject access requests."""
    return may(membership, "handle_subject_access")


def subject_access_region(membership: Membership | None) -> str | None:
    """The region whose referrals a DPO's search reaches ("" for every region); None for a
    member who may not search at all."""
    if not may_handle_subject_access(membership):
        return None
    return membership.agency.region


# --- Information sharing ---------------------------------------------------------------------
# Agreements: every member reads those its agency is party to; auditors and every oversight
# member read them all; a supervisor or administrator of a party records, reviews and ends them.
# Disclosures: a supervisor of the case's referrer, or of a coordinator agency that sees it,
# shares the case on purpose (outside any agreement only with a reason) and gives the reason
# for a workflow's disclosure outside an agreement afterwards. Those supervisors and oversight's
# auditors read a case's disclosures.

AGREEMENT_READ_ALL_KINDS = frozenset({K.OVERSIGHT})
CASE_SHARING_KINDS = frozenset({K.COORDINATOR})  # beside the case's referrer agency


def reads_all_agreements(membership: Membership | None) -> bool:
    """Whether the member reads every agency's sharing agreements."""
    return may(membership, "read_all_sharing_agreements") or (
        membership is not None and membership.agency.is_active
        and membership.agency.kind in AGREEMENT_READ_ALL_KINDS
    )


def may_manage_agreement(membership: Membership | None, party_ids: Iterable[int]) -> bool:
    """Whether the member may record or change an agreement with these parties: its own agency
    must be one of them."""
    return may(membership, "manage_sharing_agreements") and membership.agency_id in set(party_ids)


def may_share_case(membership: Membership | None, *, referrer_agency_id: int) -> bool:
    """Whether the member may share a case its agency sees, or give the reason for a disclosure
    of it outside an agreement: a supervisor of its referrer or of a coordinator."""
    return may(membership, "disclose_case") and (
        membership.agency_id == referrer_agency_id
        or membership.agency.kind in CASE_SHARING_KINDS
    )


def may_read_case_sharing(membership: Membership | None, *, referrer_agency_id: int) -> bool:
    """Whether the member may read a case's disclosures and their bases."""
    return may_share_case(membership, referrer_agency_id=referrer_agency_id) or may(
        membership, "read_audit_trail"
    )


# --- The table as Markdown (python manage.py access_matrix) ---------------------------------


def _mark(grant: str) -> str:
    return {"rw": "read, write", "r": "read", "": "-"}[grant]


def matrix_markdown() -> str:
    """The whole policy as Markdown tables; the README's access section is this output."""
    kinds = list(K)
    lines = ["### Case sections by agency kind", ""]
    lines.append("| section | " + " | ".join(k.value for k in kinds) + " |")
    lines.append("|---" * (len(kinds) + 1) + "|")
    for section in SECTIONS:
        cells = []
        for kind in kinds:
            cell = _mark(SECTION_ACCESS[section].get(kind, ""))
            limit = SECTION_ROLE_LIMITS.get((kind, section))
            if limit and cell != "-":
                cell += " (" + ", ".join(sorted(limit)) + " only)"
            cells.append(cell)
        lines.append(f"| {SECTION_TITLES[section]} (`{section}`) | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Only the roles "
        + ", ".join(f"`{r}`" for r in sorted(CONTENT_ROLES))
        + " see case content; "
        + ", ".join(f"`{r}`" for r in R.values if r not in CONTENT_ROLES)
        + " do not. A `dpo` (data protection officer) reads a case's records only through a "
        "subject access request, of the cases referred in its agency's region (every region "
        "when the agency has none); each search and each read is on the trail "
        "(`subject_access.*` events, shown to DPOs and oversight's auditors only).",
        "",
        "### What each role may do",
        "",
        "| capability | roles | agency kinds |",
        "|---|---|---|",
    ]
    for capability, (roles, kinds_allowed) in CAPABILITIES.items():
        kinds_text = (
            "all"
            if set(kinds_allowed) == set(K.values)
            else ", ".join(k for k in K.values if k in kinds_allowed)
        )
        lines.append(
            f"| {CAPABILITY_TITLES[capability]} (`{capability}`) | "
            + ", ".join(r for r in R.values if r in roles)
            + f" | {kinds_text} |"
        )
    lines += [
        "",
        "### Which cases",
        "",
        "An agency sees a case only while it is involved: it referred it, it holds a task on "
        "it, it is invited to a conference with the case on the agenda, or the coordinator "
        "merged the agency's own referral into it. Each involvement is "
        "granted as a django-guardian group object permission (`view_referral` on the "
        "agency's group) and revoked when its last basis ends. A case the agency may not see "
        "answers 404.",
        "",
        "### Information sharing",
        "",
        "Each disclosure of a case to an agency other than its referrer (a task, a conference "
        "invitation, a merge, or a deliberate share) records the information-sharing agreement "
        "in force between the referrer and the recipient and its lawful basis, or that none "
        "covered it. A workflow's disclosure outside an agreement goes ahead (the agency must "
        "see the case it works on) and waits for a supervisor of the referrer or coordinator "
        "to record the reason; a deliberate one outside an agreement needs that supervisor and "
        "reason first. Every member reads the agreements its agency is party to; auditors and "
        "oversight read all of them; the auditor's access report lists the disclosures.",
        "",
        "### Linked cases",
        "",
        "One victim-suspect pair is one timeline: the referrals of the same victim (a name or "
        "alias, and the date of birth) and the same suspect. A referral joins the timeline of "
        "the earlier referrals of its pair that the referring agency may see; a second open "
        "one of those is refused (409) unless confirmed with a reason. Of a same-pair "
        "referral it may not see, the referring agency learns nothing: its referral goes in, "
        "and the hub gets a `link_referrals` task to link, merge or keep them apart.",
        "",
        "A reader of a case is shown the content of a linked referral only if its agency may "
        "see that referral, and then only the sections above. Of the linked referrals it may "
        "not see it learns how many there are (and to ask the hub) and the escalation "
        "signal's level, never their content, references or the signal's inputs. Other "
        "victims of the same suspect are other timelines; "
        + " and ".join(k.value for k in K if k in SUSPECT_ELSEWHERE_KINDS)
        + " agencies are told how many such cases there are, not which.",
        "",
        "### Trail events by section",
        "",
        "A timeline entry or trail event is shown to a member only if it may read the "
        "section its verb belongs to: "
        + "; ".join(
            f"`{family}.*`: `{section}`" for family, section in EVENT_SECTIONS.items()
        )
        + ". Other verbs belong to the case as a whole; "
        + ", ".join(f"`{family}.*`" for family in sorted(SECTION_NAMED_EVENTS))
        + " events belong to the section their changes name.",
        "",
        "### Evidence files",
        "",
        "A file attached to a case (a screenshot, a document, a recording) is filed under one "
        "of the sections above (`incidents` unless another is chosen). A member lists, opens "
        "and downloads it only if its agency may see the case and it may read that section; "
        "it adds one to a section it may write. A file it may not read answers 404 on every "
        "surface, lists included. Every addition, download and failed integrity check is an "
        "event of the file's section (`evidence.added`, `evidence.viewed`, "
        "`evidence.integrity_failed`; an upload refused by the malware scan, "
        "`evidence.rejected`).",
        "",
        *_reports_markdown(),
    ]
    return "\n".join(lines) + "\n"


def _reports_markdown() -> list[str]:
    """Who reads which outcome report (`REPORT_SECTIONS`), for `matrix_markdown`."""
    roles = ", ".join(f"`{r}`" for r in R.values if r in CAPABILITIES["read_reports"][0])
    lines = [
        "### Outcome reports",
        "",
        f"Read by the roles {roles} (`read_reports`). An oversight reader counts every case and "
        "reads every report; a case agency's reader counts only the cases its agency may see, "
        "and reads a report only if its agency kind may read every section the report's "
        "figures come from. Figures are aggregates: counts under five are suppressed.",
        "",
        "| report | counts from | agency kinds that read it |",
        "|---|---|---|",
    ]
    for report, sections in REPORT_SECTIONS.items():
        kinds = [
            k.value for k in K
            if k == K.OVERSIGHT or all("r" in SECTION_ACCESS[s].get(k, "") for s in sections)
        ]
        counted = ", ".join(f"`{s}`" for s in sections) or "no case section"
        lines.append(f"| `{report}` | {counted} | {', '.join(kinds)} |")
    return lines


# --- Outcome reports --------------------------------------------------------------------------

# Each outcome report counts what is recorded in these case sections. An oversight reader counts
# every case and every report; a case agency's reader counts the cases its agency may see, and
# only the reports whose sections its agency kind may read (whatever the reader's own role, as
# the figures are aggregates, never a case's content).
REPORT_SECTIONS: dict[str, tuple[str, ...]] = {
    "funnel": (),
    "justice": ("offences", "court"),
    "breaches": ("orders", "incidents", "court"),
    "assessments": ("assessments",),
    "interventions": ("interventions", "court"),
    "victims": ("victim_voice",),
    "people": ("victim", "suspect"),
    "timeliness": (),
    "workload": (),
}


def may_read_reports(membership: Membership | None) -> bool:
    """Whether the member may open the outcome reports at all."""
    return may(membership, "read_reports")


def reports_everything(membership: Membership | None) -> bool:
    """Whether the member's reports count every case of every agency (oversight)."""
    return may_read_reports(membership) and membership.agency.kind == K.OVERSIGHT


def may_read_report(membership: Membership | None, report: str) -> bool:
    """Whether the member may read this report: oversight every one, a case agency's reader
    those whose sections its agency kind may read."""
    if not may_read_reports(membership) or report not in REPORT_SECTIONS:
        return False
    if reports_everything(membership):
        return True
    kind = membership.agency.kind
    return all("r" in SECTION_ACCESS[s].get(kind, "") for s in REPORT_SECTIONS[report])


# --- Retention -------------------------------------------------------------------------------
# Whose closed cases a member's retention work covers, by its agency kind: every case
# (oversight), the cases referred from the coordinator's region (a coordinator: it triaged
# them, and loses sight of a case when its process ends), or the cases its own agency referred.
# Also whose cases it may place a legal hold on, besides any case its agency may see now.
RETENTION_REACH: dict[str, str] = {K.OVERSIGHT: "all", K.COORDINATOR: "region"}
# Retention's events (holds placed and lifted, reviews opened, deferred, erased: their reasons
# may hold case content) are shown on a timeline or a trail only to who reads retention.
RETENTION_EVENTS = frozenset({"legal_hold", "retention"})
RETENTION_REACH_DEFAULT = "referrer"


def retention_reach(membership: Membership | None) -> str | None:
    """`all`, `region` or `referrer` (`RETENTION_REACH`), or None for no member. Reviews and
    holds outside it answer 404; inside it, a member without the capability gets 403."""
    if membership is None or not membership.agency.is_active:
        return None
    return RETENTION_REACH.get(membership.agency.kind, RETENTION_REACH_DEFAULT)


def may_decide_retention(membership: Membership | None) -> bool:
    return may(membership, "retention")


def may_read_retention(membership: Membership | None) -> bool:
    return may(membership, "read_retention") or may(membership, "retention")


def case_group(membership: Membership | None) -> int | None:
    """The group whose case permissions are the cases this member's agency may see now, or None
    when it may see no case content at all (no agency, inactive, no readable section). Every
    case read is scoped through it (`referral.access.case_visibility`)."""
    if membership is None or not sees_case_content(membership):
        return None
    return membership.agency.group_id


def may_manage_member(actor: Membership | None, member: Membership) -> bool:
    """Whether the actor may manage this member (reset its second factor): an administrator
    of the member's own agency."""
    return (
        actor is not None
        and may(actor, "manage_members")
        and actor.agency_id == member.agency_id
    )
