"""Every change to a case: referring, incidents and orders, risk and classification.

Each service is atomic and writes its audit event in the same transaction. Input shapes are
checked at the edge (serializers); what only the database can tell (duplicates, links, the
orders of this case) is checked here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from audit import events
from config.exceptions import Conflict, DomainError, NotAllowed, NotFound

from . import access, escalation, linking, screening, selectors
from .access import involvement_grant
from .events import identifier_recorded_event, screening_updated_event
from .models import (
    RISK_ORDER,
    Incident,
    InvolvementBasis,
    Person,
    PersonIdentifier,
    PersonName,
    ProtectiveOrder,
    ReferenceCounter,
    Referral,
    RiskLevel,
    Screening,
    ScreeningInstrument,
    VictimContact,
    higher_risk,
)


@dataclass(frozen=True)
class PersonDraft:
    """A victim or suspect. `address` is the suspect's: a victim's is `victim_contact`."""

    name: str
    date_of_birth: date | None = None
    address: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class IncidentDraft:
    occurred_at: datetime
    behaviours: tuple[str, ...]
    description: str
    breach_of_order: int | None = None


@dataclass(frozen=True)
class OrderDraft:
    kind: str
    conditions: str
    starts: date
    expires: date | None = None
    made_by: str = ""
    court: str = ""
    requirements: str = ""
    served_on: date | None = None


@dataclass(frozen=True)
class ReferralDraft:
    victim: PersonDraft
    suspect: PersonDraft
    relationship: tuple[str, ...]
    behaviours: tuple[str, ...]
    consent: bool
    instrument: ScreeningInstrument
    # True (yes), False (no) or None (not known, counted towards the level like a yes).
    answers: dict[str, bool | None]
    summary: str = ""
    stalking_since: date | None = None
    victim_enhanced_rights: bool | None = False  # None: the default (true for stalking)
    victim_contact: dict | None = None
    professional_risk: str | None = None
    risk_reason: str = ""
    classification: str = "stalking"
    not_stalking_reason: str = ""
    incidents: tuple[IncidentDraft, ...] = ()
    orders: tuple[OrderDraft, ...] = ()
    confirm_new: bool = False
    confirm_reason: str = ""
    # What happened after referral, as the referrer knows it: the four warning signs and the
    # offences (plain mappings, validated by the justice app's serializers), the people's keys
    # beyond name and date of birth, and why enhanced rights do not apply.
    warning_signs: dict | None = None
    offences: tuple[dict, ...] = ()
    identifiers: tuple[dict, ...] = ()
    enhanced_rights_opt_out_reason: str = ""


@dataclass
class Submitted:
    """What a submission produced. `linked`: the earlier referrals of the same victim and suspect
    whose timeline it joined. `unseen_matches`: those the referrer's agency may not see (open or
    closed): the referrer is told nothing of them, and the coordinator is asked to link or merge
    (the workflow's `link_referrals` task)."""

    referral: Referral
    linked: list[Referral] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unseen_matches: list[Referral] = field(default_factory=list)
    risk_proposal: RiskProposal | None = None


def _next_reference(year: int) -> str:
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    # A conditional increment, not a read-modify-write: safe under concurrent submissions.
    ReferenceCounter.objects.filter(year=year).update(last=F("last") + 1)
    number = ReferenceCounter.objects.filter(year=year).values_list("last", flat=True).get()
    return f"STK-{year}-{number:06d}"


def _person(draft: PersonDraft) -> Person:
    return Person.objects.create(
        name=draft.name,
        date_of_birth=draft.date_of_birth,
        address=draft.address,
        aliases=list(draft.aliases),
    )


def _check_intake_sections(membership: Membership, draft: ReferralDraft) -> None:
    """Sections beyond the intake minimum need write permission for them."""
    refused = {}
    if draft.victim_contact and not policy.can_write(membership, "victim_contact"):
        refused["victim_contact"] = ["Your agency may not record the victim's contact details."]
    if draft.incidents and not policy.can_write(membership, "incidents"):
        refused["incidents"] = ["Your agency may not record incidents."]
    if draft.orders and not policy.can_write(membership, "orders"):
        refused["orders"] = ["Your agency may not record orders."]
    if refused:
        raise NotAllowed("Your agency may not write some of these sections.", fields=refused)


def _check_risk(draft: ReferralDraft, screened: str) -> tuple[str, str, str | None]:
    """The case's level, its source, and a lower level proposed (or None).

    Judgement may raise the screen's level at once; a judgement below it needs its reason and
    is only proposed: the case keeps the screen's level until a supervisor approves it.
    """
    if draft.professional_risk is None or draft.professional_risk == screened:
        return screened, Referral.RiskSource.SCREENING, None
    if _below(draft.professional_risk, screened):
        if not draft.risk_reason.strip():
            raise DomainError(
                "A risk level below the screening's needs a reason.",
                fields={"risk_reason": ["Say why the risk is lower than the screening gives."]},
            )
        return screened, Referral.RiskSource.SCREENING, draft.professional_risk
    return draft.professional_risk, Referral.RiskSource.JUDGEMENT, None


# Who writes a person's identifiers: the victim's are contact details, the suspect's the
# suspect section's.
IDENTIFIER_SECTIONS = {PersonName.Role.VICTIM: "victim_contact", PersonName.Role.SUSPECT: "suspect"}


def _checked_identifier(membership: Membership, *, role: str, kind: str, value: str,
                        platform: str = "", field: str = "value") -> str:
    """The identifier's normalised form, if the member may record it (`NotAllowed`) and it is
    one (`DomainError` naming `field`)."""
    section = IDENTIFIER_SECTIONS.get(role)
    if section is None:
        raise DomainError("Not a person of the case.", fields={"role": ["victim or suspect."]})
    if not policy.can_write(membership, section):
        raise NotAllowed(
            f"Your agency may not record the {role}'s identifiers.",
            fields={field: [f"Your agency may not write the {section} section."]},
        )
    try:
        return linking.normalised_identifier(kind, value, platform)
    except linking.BadIdentifier as exc:
        raise DomainError(str(exc), fields={field: [str(exc)]}) from None


def _draft_identifiers(membership: Membership, draft: ReferralDraft) -> list[dict]:
    """The referral's identifiers, checked and normalised, each once."""
    found: dict[tuple, dict] = {}
    for item in draft.identifiers:
        normalised = _checked_identifier(
            membership, role=item["role"], kind=item["kind"], value=item["value"],
            platform=item.get("platform", ""), field="identifiers",
        )
        found.setdefault((item["role"], item["kind"], normalised),
                         {**item, "normalised": normalised})
    return list(found.values())


def _links(draft: ReferralDraft, identifiers: Sequence[dict] = ()) -> tuple[set[int], set[int]]:
    """The referrals of the same victim and of the same suspect: by a name with the date of
    birth, or by an identifier of the same kind recorded for the same role."""
    def keys(role: str) -> list[tuple[str, str]]:
        return [(i["kind"], i["normalised"]) for i in identifiers if i["role"] == role]

    victim_names = linking.names_of(draft.victim.name, draft.victim.aliases)
    suspect_names = linking.names_of(draft.suspect.name, draft.suspect.aliases)
    victim_matches = linking.matching_referral_ids(
        role=PersonName.Role.VICTIM, names=victim_names, date_of_birth=draft.victim.date_of_birth,
        identifiers=keys(PersonName.Role.VICTIM),
    )
    suspect_matches = linking.matching_referral_ids(
        role=PersonName.Role.SUSPECT,
        names=suspect_names,
        date_of_birth=draft.suspect.date_of_birth,
        identifiers=keys(PersonName.Role.SUSPECT),
    )
    return victim_matches, suspect_matches


@transaction.atomic
def referral_submit(*, actor, membership: Membership, draft: ReferralDraft) -> Submitted:
    """Refer a case: screen it, put it on the timeline of earlier referrals of the same victim
    and suspect that the referrer's agency may see.

    Refuses (409) a second open referral for the same victim and suspect that the referrer's
    agency may see, unless the referrer confirms it is a new matter and says why; either way the
    two are linked. Of earlier referrals it may not see it learns nothing (`Submitted`).
    """
    if not policy.may(membership, "refer_case"):
        raise NotAllowed("Your role may not refer cases.")
    _check_intake_sections(membership, draft)
    identifiers = _draft_identifiers(membership, draft)
    if draft.victim.address:
        raise DomainError(
            "The victim's address is a contact detail.",
            fields={"victim": ["The victim's address belongs in victim_contact.address."]},
        )
    if draft.classification != "stalking" and not draft.not_stalking_reason.strip():
        raise DomainError(
            "Say why this is not stalking.",
            fields={"not_stalking_reason": ["Required when the classification is not stalking."]},
        )

    # A stalking victim is persistently targeted: enhanced rights under the Victims' Code
    # unless the referrer opts them out.
    enhanced_rights = (
        draft.classification == "stalking" if draft.victim_enhanced_rights is None
        else draft.victim_enhanced_rights
    )
    thresholds = screening.thresholds_for(draft.instrument, region=membership.agency.region)
    screen = screening.screen(draft.instrument, draft.answers, thresholds)
    screened = screen.level
    risk_level, risk_source, proposed_risk = _check_risk(draft, screened)

    victim_matches, suspect_matches = _links(draft, identifiers)
    linked, unseen = _same_pair(membership, victim_matches & suspect_matches)
    same_pair_open = [r for r in linked if r.is_open]
    if same_pair_open and not draft.confirm_new:
        existing = ", ".join(r.reference for r in same_pair_open)
        raise Conflict(
            f"An open referral for this victim and suspect already exists ({existing}). Log the "
            "new incident on it, or resubmit with confirm_new and a reason.",
            code="duplicate_referral",
            fields={"confirm_new": [f"Open referral(s) for the same people: {existing}."]},
        )
    if same_pair_open and not draft.confirm_reason.strip():
        raise DomainError(
            "Say why this is a new referral rather than an update of the open one.",
            fields={"confirm_reason": ["Required with confirm_new."]},
        )

    referral = Referral.objects.create(
        reference=_next_reference(timezone.localdate().year),
        referrer_agency=membership.agency,
        referred_by=actor,
        status=Referral.Status.SUBMITTED,
        consent=draft.consent,
        summary=draft.summary,
        stalking_since=draft.stalking_since,
        victim=_person(draft.victim),
        victim_enhanced_rights=enhanced_rights,
        suspect=_person(draft.suspect),
        relationship=list(draft.relationship),
        behaviours=list(draft.behaviours),
        risk_level=risk_level,
        risk_source=risk_source,
        risk_reason=draft.risk_reason if risk_source == Referral.RiskSource.JUDGEMENT else "",
        classification=draft.classification,
        not_stalking_reason=draft.not_stalking_reason,
    )
    _join_timeline(referral, linked)
    PersonName.objects.bulk_create(
        linking.name_rows(
            referral=referral,
            role=PersonName.Role.VICTIM,
            names=linking.names_of(draft.victim.name, draft.victim.aliases),
            date_of_birth=draft.victim.date_of_birth,
        )
        + linking.name_rows(
            referral=referral,
            role=PersonName.Role.SUSPECT,
            names=linking.names_of(draft.suspect.name, draft.suspect.aliases),
            date_of_birth=draft.suspect.date_of_birth,
        )
    )
    if draft.victim_contact:
        VictimContact.objects.create(referral=referral, **draft.victim_contact)
    for identifier in PersonIdentifier.objects.bulk_create([
        PersonIdentifier(
            referral=referral, role=i["role"], kind=i["kind"], platform=i.get("platform", ""),
            value=i["value"], normalised=i["normalised"], agency=membership.agency,
            recorded_by=actor,
        )
        for i in identifiers
    ]):
        identifier_recorded_event(identifier=identifier, actor=actor)
    Screening.objects.create(
        referral=referral,
        instrument=draft.instrument,
        answers=draft.answers,
        score=screen.yes,
        not_known=screen.not_known,
        risk_level=screened,
        thresholds_policy=thresholds.policy,
    )
    events.referral_submitted_event(referral=referral, actor=actor)
    if risk_source == Referral.RiskSource.JUDGEMENT:
        events.risk_changed_event(
            referral=referral,
            before=screened,
            after=risk_level,
            source="judgement",
            reason=draft.risk_reason,
            actor=actor,
        )
    proposal = None
    if proposed_risk is not None:
        proposal = risk_downgrade_propose(
            referral=referral, actor=actor, level=proposed_risk, reason=draft.risk_reason,
            stage="referral",
        )
    involvement_grant(
        referral=referral, agency=membership.agency, basis=InvolvementBasis.REFERRER, actor=actor
    )

    for order in draft.orders:
        _order_create(referral=referral, actor=actor, membership=membership, draft=order)
    _incidents_create(referral=referral, actor=actor, membership=membership, drafts=draft.incidents)
    if draft.incidents:
        _apply_escalation(referral=referral, actor=actor)

    result = Submitted(
        referral=referral, linked=linked, risk_proposal=proposal, unseen_matches=unseen
    )
    if proposal is not None:
        result.warnings.append(
            f"The risk level you judged ({proposal.level}) is below the screening's "
            f"({proposal.current}): the case stays {proposal.current} until a supervisor of "
            "your agency approves the lower level."
        )
    if linked:
        refs = [r.reference for r in linked]
        events.referral_linked_event(referral=referral, linked_references=refs, actor=actor)
        result.warnings.append(
            "Linked to earlier referral(s) of the same victim and suspect: "
            + ", ".join(refs)
            + ". They share one timeline."
        )
    if same_pair_open:
        result.warnings.append("Created as a new referral beside an open one, as confirmed.")
    elsewhere = len(suspect_matches - victim_matches)
    if elsewhere and policy.sees_suspect_elsewhere(membership):
        result.warnings.append(
            f"The suspect is named in {elsewhere} other case{'s' if elsewhere > 1 else ''} with "
            "other victims. Ask the hub if your work needs them."
        )
    return result


def _same_pair(membership: Membership, pair_ids: set[int]) -> tuple[list[Referral], list[Referral]]:
    """Earlier referrals of the same victim and suspect, locked: those the member's agency may
    see (the new referral joins their timeline), and those it may not and that are not on such
    a timeline already (the coordinator decides whether to link them; the referrer learns
    nothing of them)."""
    pair = list(Referral.objects.select_for_update().filter(pk__in=pair_ids).order_by("pk"))
    seen = set(
        Referral.objects.filter(access.case_visibility(membership), pk__in=pair_ids)
        .values_list("pk", flat=True)
    )
    linked = [r for r in pair if r.pk in seen]
    timelines = {r.timeline_id for r in linked}
    unseen = [r for r in pair if r.pk not in seen and r.timeline_id not in timelines]
    return linked, unseen


def _join_timeline(referral: Referral, linked: list[Referral]) -> None:
    """Give the new referral and the earlier referrals of the same victim and suspect that its
    agency may see one timeline id (merging their groups)."""
    if not linked:
        Referral.objects.filter(pk=referral.pk).update(timeline_id=referral.pk)
        referral.timeline_id = referral.pk
        return
    groups = {r.timeline_id or r.pk for r in linked}
    timeline_id = min(groups)
    Referral.objects.filter(timeline_id__in=groups).update(timeline_id=timeline_id)
    Referral.objects.filter(pk=referral.pk).update(timeline_id=timeline_id)
    referral.timeline_id = timeline_id


def _incidents_create(
    *, referral: Referral, actor, membership: Membership, drafts: Sequence[IncidentDraft]
) -> list[Incident]:
    """Incidents of a case, in the order given: one INSERT for them and one for their events,
    however many there are, and one look-up of the orders they breach (a referral brings its
    history, many incidents at once)."""
    breached = {d.breach_of_order for d in drafts if d.breach_of_order is not None}
    visible = Referral.objects.filter(access.case_visibility(membership))
    orders = (
        ProtectiveOrder.objects.filter(
            referral__timeline_id=referral.timeline_id, referral__in=visible
        ).in_bulk(breached)
        if breached else {}
    )
    incidents = Incident.objects.bulk_create([
        Incident(
            referral=referral,
            occurred_at=draft.occurred_at,
            behaviours=list(draft.behaviours),
            description=draft.description,
            severity=escalation.severity_of(draft.behaviours),
            breach_of_order=_breached_order(draft, orders),
            reporting_agency=membership.agency,
            recorded_by=actor,
        )
        for draft in drafts
    ])
    events.incidents_recorded_events(incidents=incidents, actor=actor)
    return incidents


def _breached_order(
    draft: IncidentDraft, orders: dict[int, ProtectiveOrder]
) -> ProtectiveOrder | None:
    """The order an incident breaches, among `orders` (those of this case and the linked cases
    its agency may see), in force on the incident's day (starts <= day <= expires, and before
    the day it was discharged, replaced or withdrawn)."""
    if draft.breach_of_order is None:
        return None
    order = orders.get(draft.breach_of_order)
    _check_in_force(order, draft.occurred_at)
    return order


def _check_in_force(order: ProtectiveOrder | None, occurred_at: datetime) -> None:
    if order is None:
        raise DomainError(
            "That order is not on this case.",
            fields={"breach_of_order": ["No such order on this case or its linked cases."]},
        )
    occurred = timezone.localdate(occurred_at)
    if order.starts > occurred:
        raise DomainError(
            "The incident happened before the order started.",
            fields={"breach_of_order": [
                f"The order was not yet in force then: it started on {order.starts:%d %B %Y}."
            ]},
        )
    if order.expires is not None and occurred > order.expires:
        raise DomainError(
            "The incident happened after the order expired.",
            fields={"breach_of_order": [f"The order expired on {order.expires:%d %B %Y}."]},
        )
    if order.ended_on is not None and occurred >= order.ended_on:
        raise DomainError(
            "The incident happened after the order ended.",
            fields={"breach_of_order": [
                f"The order was {order.get_status_display().lower()} on "
                f"{order.ended_on:%d %B %Y}: it was no longer in force."
            ]},
        )


def check_breach(
    *, referral: Referral, membership: Membership, order_id: int, occurred_at: datetime
) -> None:
    """`DomainError` (naming `breach_of_order`) unless the order is on the case's timeline, its
    agency may see it, and it was in force when the incident happened: the rule
    `incident_record` applies, asked before recording (a form's one round of checks)."""
    order = (
        selectors.breachable_orders(membership=membership, referral=referral)
        .filter(pk=order_id)
        .first()
    )
    _check_in_force(order, occurred_at)


def order_create(
    *, referral: Referral, actor, membership: Membership, draft: OrderDraft
) -> ProtectiveOrder:
    """The order, recorded, for a service that has decided the member may record it (a court's
    decision on a police application)."""
    return _order_create(referral=referral, actor=actor, membership=membership, draft=draft)


def _order_create(
    *, referral: Referral, actor, membership: Membership, draft: OrderDraft
) -> ProtectiveOrder:
    order = ProtectiveOrder.objects.create(
        referral=referral,
        kind=draft.kind,
        conditions=draft.conditions,
        starts=draft.starts,
        expires=draft.expires,
        made_by=draft.made_by,
        court=draft.court,
        requirements=draft.requirements,
        served_on=draft.served_on,
        agency=membership.agency,
        recorded_by=actor,
    )
    events.order_recorded_event(order=order, actor=actor)
    return order


def _apply_escalation(*, referral: Referral, actor) -> escalation.EscalationSignal:
    """Raise (never lower) the referral's risk to what the timeline's signal implies."""
    signal = selectors.escalation_signal(referral=referral)
    raised = higher_risk(referral.risk_level, signal.level)
    if raised != referral.risk_level:
        before = referral.risk_level
        referral.risk_level = raised
        referral.risk_source = Referral.RiskSource.ESCALATION
        referral.save(update_fields=["risk_level", "risk_source", "updated_at"])
        events.risk_changed_event(
            referral=referral,
            before=before,
            after=raised,
            source="escalation",
            reason="; ".join(signal.reasons),
            actor=actor,
        )
    return signal


@transaction.atomic
def identifier_record(
    *, referral: Referral, actor, membership: Membership, role: str, kind: str, value: str,
    platform: str = "",
) -> PersonIdentifier:
    """Record a key an agency holds for the victim (writers of their contact details) or the
    suspect (writers of the suspect section), normalised (`linking.normalised_identifier`); the
    trail says which kind, never the value. The same key twice is a `Conflict`."""
    normalised = _checked_identifier(
        membership, role=role, kind=kind, value=value, platform=platform
    )
    if PersonIdentifier.objects.filter(
        referral=referral, role=role, kind=kind, normalised=normalised
    ).exists():
        raise Conflict(f"This identifier of the {role} is already recorded.",
                       code="identifier_recorded")
    identifier = PersonIdentifier.objects.create(
        referral=referral, role=role, kind=kind, platform=platform.strip(), value=value.strip(),
        normalised=normalised, agency=membership.agency, recorded_by=actor,
    )
    identifier_recorded_event(identifier=identifier, actor=actor)
    return identifier


def _held_matches(referral: Referral, role: str) -> set[int]:
    """Referrals whose person of this role matches what this referral now holds of its own:
    a name with the date of birth, or an identifier of the same kind (`_links`' rule)."""
    names: dict[date, set[str]] = {}
    for normalised, born in PersonName.objects.filter(
        referral=referral, role=role, date_of_birth__isnull=False
    ).values_list("normalised", "date_of_birth"):
        names.setdefault(born, set()).add(normalised)
    keys = list(PersonIdentifier.objects.filter(referral=referral, role=role)
                .values_list("kind", "normalised"))
    found: set[int] = set()
    for born, held in names.items():
        found |= linking.matching_referral_ids(role=role, names=held, date_of_birth=born)
    if keys:
        found |= linking.matching_referral_ids(role=role, names=set(), date_of_birth=None,
                                               identifiers=keys)
    return found


@transaction.atomic
def referral_links_refresh(*, referral: Referral, actor, membership: Membership) -> Submitted:
    """Link a case again with other referrals of the same victim and suspect, on what it holds
    now (an identifier recorded after intake, say), as intake links: those the member's agency
    may see join its timeline (`referral.linked`), those it may not are returned as
    `unseen_matches` for the coordinator, and the member learns nothing of them. Referrals
    already on the case's timeline are left as they are; nothing is refused (both cases exist)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    pair = (_held_matches(referral, PersonName.Role.VICTIM)
            & _held_matches(referral, PersonName.Role.SUSPECT)) - {referral.pk}
    pair -= set(Referral.objects.filter(pk__in=pair, timeline_id=referral.timeline_id)
                .values_list("pk", flat=True))
    linked, unseen = _same_pair(membership, pair)
    result = Submitted(referral=referral, linked=linked, unseen_matches=unseen)
    if linked:
        _join_timeline(referral, [*linked, referral])
        refs = [r.reference for r in linked]
        events.referral_linked_event(referral=referral, linked_references=refs, actor=actor)
        result.warnings.append(
            "Linked to other referral(s) of the same victim and suspect: " + ", ".join(refs)
            + ". They share one timeline."
        )
    return result


@transaction.atomic
def screening_update(
    *, referral: Referral, actor, membership: Membership, answers: dict[str, bool | None]
) -> Screening:
    """Answer the case's screen again (a not-known answer found out, say), by a member who
    writes the victim section, with the region's thresholds in effect now. A higher level raises
    the case's at once; a lower one is the screen's only: the case keeps its level, as lowering
    it takes a supervisor's approval (`risk_downgrade_propose`). On the trail as
    `screening.updated` (counts and levels, not answers)."""
    if not policy.can_write(membership, "victim"):
        raise NotAllowed("Your agency may not answer the victim's screening questions.")
    referral = Referral.objects.select_for_update().select_related("referrer_agency").get(
        pk=referral.pk
    )
    row = (
        Screening.objects.select_for_update().select_related("instrument")
        .filter(referral=referral).first()
    )
    if row is None:
        raise Conflict("This case has no screening to update.", code="no_screening")
    errors = screening.check_answers(row.instrument, answers)
    if errors:
        raise DomainError("Answer every question true, false or null (not known).",
                          fields={"answers": [f"{k}: {' '.join(v)}" for k, v in errors.items()]})
    thresholds = screening.thresholds_for(row.instrument, region=referral.referrer_agency.region)
    screen = screening.screen(row.instrument, answers, thresholds)
    before = {"risk_level": row.risk_level, "score": row.score, "not_known": row.not_known}
    row.answers, row.score, row.not_known = answers, screen.yes, screen.not_known
    row.risk_level, row.thresholds_policy = screen.level, thresholds.policy
    row.updated_at = timezone.now()
    row.save(update_fields=["answers", "score", "not_known", "risk_level", "thresholds_policy",
                            "updated_at"])
    screening_updated_event(screening=row, before=before, actor=actor)
    if _below(referral.risk_level, screen.level):
        level_before = referral.risk_level
        referral.risk_level = screen.level
        referral.risk_source = Referral.RiskSource.SCREENING
        referral.save(update_fields=["risk_level", "risk_source", "updated_at"])
        events.risk_changed_event(referral=referral, before=level_before, after=screen.level,
                                  source="screening", reason="", actor=actor)
    return row


def _check_writable(membership: Membership, section: str) -> None:
    if not policy.can_write(membership, section):
        raise NotAllowed(f"Your agency may not write the {section} section of this case.")


@transaction.atomic
def incident_record(
    *, referral: Referral, actor, membership: Membership, draft: IncidentDraft
) -> Incident:
    """Log an incident (possibly a breach of an order) and re-evaluate the escalation signal."""
    _check_writable(membership, "incidents")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    [incident] = _incidents_create(
        referral=referral, actor=actor, membership=membership, drafts=[draft]
    )
    _apply_escalation(referral=referral, actor=actor)
    return incident


@transaction.atomic
def order_record(
    *, referral: Referral, actor, membership: Membership, draft: OrderDraft
) -> ProtectiveOrder:
    """Record a protective order or bail conditions on the case: police any kind, the agency
    kinds of `policy.ORDER_KIND_WRITERS` theirs (advocacy a non-molestation order, CPS a
    restraining order, probation licence conditions)."""
    if not policy.can_record_order(membership, draft.kind):
        raise NotAllowed(
            "Your agency may not record this kind of order.",
            fields={"kind": ["Your agency may not record this kind of order."]},
        )
    return _order_create(referral=referral, actor=actor, membership=membership, draft=draft)


@transaction.atomic
def referral_classify(*, referral: Referral, actor, classification: str, reason: str) -> Referral:
    """Classify as stalking, harassment or other; anything but stalking needs a reason."""
    if classification != "stalking" and not reason.strip():
        raise DomainError(
            "Say why this is not stalking.",
            fields={"reason": ["Required when the classification is not stalking."]},
        )
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    before = referral.classification
    referral.classification = classification
    referral.not_stalking_reason = "" if classification == "stalking" else reason
    referral.save(update_fields=["classification", "not_stalking_reason", "updated_at"])
    events.classification_changed_event(
        referral=referral, before=before, after=classification, reason=reason, actor=actor
    )
    return referral


@transaction.atomic
def referral_set_risk(*, referral: Referral, actor, risk_level: str, reason: str) -> Referral:
    """A person's judgement of the risk, at or above the screening's level. A level below it
    is not set here: it is proposed (`risk_downgrade_propose`) and takes effect only when a
    supervisor approves it (`risk_downgrade_decide`)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if _below(risk_level, screened_level(referral)):
        raise DomainError(
            "A risk level below the screening's takes effect only when a supervisor approves it.",
            fields={"risk_level": ["Below the screening's level: propose it for approval."]},
        )
    before = referral.risk_level
    if before == risk_level:
        return referral
    referral.risk_level = risk_level
    referral.risk_source = Referral.RiskSource.JUDGEMENT
    referral.risk_reason = reason
    referral.save(update_fields=["risk_level", "risk_source", "risk_reason", "updated_at"])
    events.risk_changed_event(
        referral=referral,
        before=before,
        after=risk_level,
        source="judgement",
        reason=reason,
        actor=actor,
    )
    return referral


def sensitive_reads_record(*, referral: Referral, actor, sections) -> None:
    """Log each read of a sensitive section (contact details, threat assessment, charging), in
    one statement committed before the caller answers."""
    events.sections_read_events(
        referral=referral, actor=actor, sections=sorted(set(sections) & policy.SENSITIVE_SECTIONS)
    )


@transaction.atomic
def case_file_export_record(*, referral: Referral, actor, sections, file_format: str) -> None:
    """An export of the case file: a `case_file.exported` event naming the sections it held,
    and a read of each sensitive one, in the transaction of the reads it was made from."""
    sections = sorted(set(sections))
    events.case_file_exported_event(
        referral=referral, actor=actor, sections=sections, file_format=file_format
    )
    sensitive_reads_record(referral=referral, actor=actor, sections=sections)


def timeline_reads_record(*, actor, scope: selectors.TimelineScope, entries: list[dict]) -> None:
    """Log each sensitive section a timeline showed (a charging decision, a threat assessment's
    outcome), against each referral it showed it of."""
    pk_of = {reference: pk for pk, reference in scope.references.items()}
    shown: dict[int, set[str]] = {}
    for entry in entries:
        section = policy.event_section(entry["verb"]) if entry["kind"] == "decision" else None
        if section in policy.SENSITIVE_SECTIONS:
            shown.setdefault(pk_of[entry["referral"]], set()).add(section)
    events.case_sections_read_events(reads=shown, actor=actor)


def referral_look(*, membership: Membership | None, referral_id) -> Referral:
    """The case a member asked for by id (`selectors.referral_get`); a look at one its agency may
    not see goes on the access log and answers `NotFound` (`refused_look_record`)."""
    referral_id = selectors.referral_id_of(referral_id)
    try:
        return selectors.referral_get(membership=membership, referral_id=referral_id)
    except NotFound:
        refused_look_record(membership=membership, referral_id=referral_id)
        raise


def referral_detail_look(*, membership: Membership | None, referral_id) -> Referral:
    """`referral_look` of the case with what its detail shows (`selectors.referral_detail`)."""
    referral_id = selectors.referral_id_of(referral_id)
    try:
        return selectors.referral_detail(membership=membership, referral_id=referral_id)
    except NotFound:
        refused_look_record(membership=membership, referral_id=referral_id)
        raise


def refused_look_record(*, membership: Membership | None, referral_id: int) -> None:
    """A member's look at a case id it may not see goes on the access log (it gets 404).

    Whether or not a case has that id: the same event and the same statements either way, so
    neither the trail nor the time of the answer tells the member whether a hidden case exists.
    The auditor reads a refused look at an id that exists, and probing of ids that do not, from
    the same events (`referral_id` is the id asked for).
    """
    if membership is None:
        return
    with transaction.atomic():
        events.access_refused_event(actor=membership.user, object_type="referral.referral",
                                    object_id=referral_id, referral_id=referral_id)


# --- Lowering a risk: proposed by one person, approved by another ----------------------------


def _below(level: str, floor: str) -> bool:
    return RISK_ORDER[level] < RISK_ORDER[floor]


def screened_level(referral: Referral) -> str:
    """The level the case's screening gave (standard for a case without one)."""
    screened = Screening.objects.filter(referral=referral).values_list("risk_level", flat=True)
    return next(iter(screened), RiskLevel.STANDARD)


@dataclass(frozen=True)
class RiskProposal:
    """A risk level below the screening's, proposed at `stage` ("referral" or "triage") and
    waiting for a supervisor of the proposer's agency; `current` is the level the case had
    (and keeps) meanwhile."""

    level: str
    current: str
    reason: str
    stage: str
    proposed_by_id: int
    proposed_by: str


@transaction.atomic
def risk_downgrade_propose(
    *, referral: Referral, actor, level: str, reason: str, stage: str
) -> RiskProposal:
    """Record a judgement below the screening's level without applying it: the case keeps its
    level, and the proposal is on the trail (`risk.downgrade_proposed`)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not _below(level, screened_level(referral)):
        raise DomainError(
            "Only a level below the screening's needs approval.",
            fields={"risk_level": ["Not below the screening's level."]},
        )
    if not reason.strip():
        raise DomainError(
            "A risk level below the screening's needs a reason.",
            fields={"reason": ["Say why the risk is lower than the screening gives."]},
        )
    events.risk_downgrade_proposed_event(
        referral=referral,
        current=referral.risk_level,
        proposed=level,
        reason=reason,
        stage=stage,
        actor=actor,
    )
    return RiskProposal(
        level=level,
        current=referral.risk_level,
        reason=reason,
        stage=stage,
        proposed_by_id=actor.pk,
        proposed_by=actor.get_username(),
    )


@transaction.atomic
def risk_downgrade_decide(
    *, referral: Referral, proposal: RiskProposal, approved: bool, actor, reason: str
) -> Referral:
    """A supervisor's answer to a proposed lower risk. Approved, the lower level takes effect
    (`risk.overridden`, naming proposer and approver), provided the case is open and still at
    the level it was proposed from; refused, the case keeps its level (`risk.downgrade_refused`).
    The proposer may not answer their own proposal."""
    if actor.pk == proposal.proposed_by_id:
        raise NotAllowed("A lower risk level needs another person's approval.")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not approved:
        events.risk_downgrade_refused_event(
            referral=referral,
            kept=referral.risk_level,
            proposed=proposal.level,
            proposed_by=proposal.proposed_by,
            reason=reason,
            actor=actor,
        )
        return referral
    if not referral.is_open:
        raise Conflict("The case is no longer open; its risk level stays as it is.")
    if referral.risk_level != proposal.current:
        raise Conflict(
            f"The case's risk level has changed since this was proposed (it is now "
            f"{referral.risk_level}): refuse this proposal; a new one can be made.",
            code="risk_changed",
        )
    before = referral.risk_level
    referral.risk_level = proposal.level
    referral.risk_source = Referral.RiskSource.JUDGEMENT
    referral.risk_reason = proposal.reason
    referral.save(update_fields=["risk_level", "risk_source", "risk_reason", "updated_at"])
    events.risk_changed_by_approval_event(
        referral=referral,
        before=before,
        after=proposal.level,
        reason=proposal.reason,
        approval_reason=reason,
        proposed_by=proposal.proposed_by,
        actor=actor,
    )
    return referral


# --- The coordinator's answer to referrals of the same people --------------------------------


def _check_reason(reason: str) -> None:
    if not reason.strip():
        raise DomainError("Say why.", fields={"reason": ["Required."]})


def _locked(referrals: Sequence[Referral]) -> list[Referral]:
    """The referrals' rows, locked in id order (two decisions over the same cases cannot
    deadlock)."""
    return list(
        Referral.objects.select_for_update()
        .filter(pk__in=[r.pk for r in referrals])
        .order_by("pk")
    )


@transaction.atomic
def referrals_link(*, referral: Referral, others: Sequence[Referral], actor, reason: str) -> int:
    """Put a referral and others on one timeline (the smallest of their timeline ids, whole
    groups moving together, as `_join_timeline` does); a `referrals.linked` event on each.
    Linking shares nothing: each agency still sees only the cases it is involved in."""
    _check_reason(reason)
    others = [o for o in others if o.pk != referral.pk]
    if not others:
        raise DomainError("Name at least one other referral to link.")
    cases = _locked([referral, *others])
    groups = {r.timeline_id or r.pk for r in cases}
    timeline_id = min(groups)
    Referral.objects.filter(timeline_id__in=groups).update(timeline_id=timeline_id)
    Referral.objects.filter(pk__in=[r.pk for r in cases]).update(timeline_id=timeline_id)
    referral.timeline_id = timeline_id
    events.referrals_linked_events(
        referrals=sorted(cases, key=lambda r: r.pk != referral.pk),
        timeline_id=timeline_id,
        actor=actor,
        reason=reason,
    )
    return timeline_id


@transaction.atomic
def referral_merge(*, referral: Referral, into: Referral, actor, reason: str) -> Referral:
    """Merge a referral into an open one of the same people: the two are linked, the referral
    is closed, and its referrer agency is involved in the surviving case (basis `merged`, a
    sharing decision whose reason is on the trail). Both must be open."""
    _check_reason(reason)
    if referral.pk == into.pk:
        raise DomainError("A referral cannot be merged into itself.", fields={"into": ["Itself."]})
    cases = {r.pk: r for r in _locked([referral, into])}
    referral, into = cases[referral.pk], cases[into.pk]
    if not referral.is_open or not into.is_open:
        raise Conflict("Only an open referral can be merged, and only into an open one.")
    referrals_link(referral=referral, others=[into], actor=actor, reason=reason)
    referral.status = Referral.Status.CLOSED
    referral.save(update_fields=["status", "updated_at"])
    events.referral_merged_events(referral=referral, into=into, actor=actor, reason=reason)
    involvement_grant(
        referral=into,
        agency=referral.referrer_agency,
        basis=InvolvementBasis.MERGED,
        source=f"referral:{referral.pk}",
        actor=actor,
    )
    return referral


@transaction.atomic
def referrals_keep_separate(
    *, referral: Referral, others: Sequence[Referral], actor, reason: str
) -> None:
    """The coordinator decided these are separate matters: only the decision is recorded."""
    _check_reason(reason)
    events.referrals_kept_separate_event(
        referral=referral, others=others, actor=actor, reason=reason
    )
