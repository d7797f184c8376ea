"""Every change to a case's offences and what the justice system did with them: typed, atomic,
each with its event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.db import transaction
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from audit import events as audit_events
from config.exceptions import DomainError, NotAllowed
from referral.models import CourtHearing, Incident, ProtectiveOrder, Referral

from . import events
from .models import (
    OUTCOME_KINDS,
    TREATMENT_REQUIREMENTS,
    ChargingDecision,
    HearingOutcome,
    Offence,
    OffenceKind,
    PoliceDecision,
    Sentence,
    SentenceRequirement,
    WarningSigns,
)


@dataclass(frozen=True)
class OffenceDraft:
    kind: str
    label: str = ""
    crime_reference: str = ""
    domestic_abuse: bool | None = None
    committed_from: date | None = None
    committed_to: date | None = None
    breach_of_order: ProtectiveOrder | None = None
    incident: Incident | None = None


def _check_offence(referral: Referral, draft: OffenceDraft) -> None:
    errors: dict[str, list[str]] = {}
    if draft.kind not in OffenceKind.values:
        errors["kind"] = ["Choose an offence from the list."]
    if draft.kind == OffenceKind.OTHER and not draft.label.strip():
        errors["label"] = ["Name the offence."]
    if draft.committed_from and draft.committed_to and draft.committed_to < draft.committed_from:
        errors["committed_to"] = ["The end of the period is before its start."]
    if draft.incident is not None and draft.incident.referral.timeline_id != referral.timeline_id:
        errors["incident"] = ["No such incident on this case."]
    if errors:
        raise DomainError("The offence could not be recorded.", fields=errors)


@transaction.atomic
def offence_record(
    *, referral: Referral, actor, membership: Membership, draft: OffenceDraft
) -> Offence:
    """Record an offence on the case: the members who write the offences section."""
    if not policy.can_write(membership, "offences"):
        raise NotAllowed("Your agency may not record offences on a case.")
    return offence_create(referral=referral, actor=actor, membership=membership, draft=draft)


@transaction.atomic
def offence_create(
    *, referral: Referral, actor, membership: Membership, draft: OffenceDraft
) -> Offence:
    """The offence, checked and recorded, for a service that has decided the member may cause
    it (a breach logged by whoever may record a breach is an offence whoever logged it)."""
    _check_offence(referral, draft)
    offence = Offence.objects.create(
        referral=referral,
        kind=draft.kind,
        label=draft.label.strip(),
        crime_reference=draft.crime_reference.strip(),
        domestic_abuse=draft.domestic_abuse,
        committed_from=draft.committed_from,
        committed_to=draft.committed_to,
        breach_of_order=draft.breach_of_order,
        incident=draft.incident,
        agency=membership.agency,
        recorded_by=actor,
    )
    events.offence_recorded_event(offence=offence, actor=actor)
    return offence


@dataclass(frozen=True)
class OffenceAmendment:
    """What an amendment changes: each field given (not None) replaces the recorded one; the
    reason is required."""

    reason: str
    kind: str | None = None
    label: str | None = None
    domestic_abuse: bool | None = None
    crime_reference: str | None = None
    # `domestic_abuse` None means "not given"; this sets the flag back to not known.
    domestic_abuse_unknown: bool = False


# The states in which an offence may still be re-classified (a different kind); its name, flag
# and crime reference may be corrected whatever its state.
_KIND_AMENDABLE = frozenset({Offence.Status.OPEN, Offence.Status.CHARGED})
AMENDABLE_FIELDS = ("kind", "label", "domestic_abuse", "crime_reference")


def _amended_values(offence: Offence, amendment: OffenceAmendment) -> dict:
    values = {}
    if amendment.kind is not None:
        values["kind"] = amendment.kind
    if amendment.label is not None:
        values["label"] = amendment.label.strip()
    if amendment.domestic_abuse is not None or amendment.domestic_abuse_unknown:
        values["domestic_abuse"] = amendment.domestic_abuse
    if amendment.crime_reference is not None:
        values["crime_reference"] = amendment.crime_reference.strip()
    return {k: v for k, v in values.items() if getattr(offence, k) != v}


def _check_amendment(offence: Offence, amendment: OffenceAmendment, changed: dict) -> None:
    errors: dict[str, list[str]] = {}
    if not amendment.reason.strip():
        errors["reason"] = ["Say why the offence is amended."]
    kind = changed.get("kind", offence.kind)
    if kind not in OffenceKind.values:
        errors["kind"] = ["Choose an offence from the list."]
    elif "kind" in changed and offence.status not in _KIND_AMENDABLE:
        errors["kind"] = [
            f"The offence is {offence.get_status_display().lower()}: its kind stays as it was."
        ]
    if kind == OffenceKind.OTHER and not changed.get("label", offence.label).strip():
        errors["label"] = ["Name the offence."]
    if not changed and not errors:
        errors["non_field_errors"] = ["Nothing to amend: give a value that differs."]
    if errors:
        raise DomainError("The offence could not be amended.", fields=errors)


@transaction.atomic
def offence_amend(
    *, offence: Offence, actor, membership: Membership, amendment: OffenceAmendment
) -> tuple[Offence, dict]:
    """Amend an offence as recorded (its kind, name, domestic-abuse flag, crime reference),
    with the reason: the agency kinds that record and charge offences
    (`policy.can_amend_offence`). The kind changes only while the offence is open or charged.
    Returns the offence and the fields changed with their values before."""
    if not policy.can_amend_offence(membership):
        raise NotAllowed("Your agency may not amend an offence.")
    offence = _locked(offence)
    changed = _amended_values(offence, amendment)
    _check_amendment(offence, amendment, changed)
    before = {name: getattr(offence, name) for name in changed}
    for name, value in changed.items():
        setattr(offence, name, value)
    _save_state(offence, *changed)
    events.offence_amended_event(
        offence=offence, before=before, actor=actor, reason=amendment.reason.strip()
    )
    return offence, before


# --- What the justice system did: state of each offence moves only here -------------------


def _check_write(membership: Membership, section: str, what: str) -> None:
    if not policy.can_write(membership, section):
        raise NotAllowed(f"Your agency may not record {what} on a case.")


def _check_day(on: date, field_name: str) -> None:
    if on > timezone.localdate():
        raise DomainError(
            "The date is in the future.",
            fields={field_name: ["Give a date from today back: a decision already made."]},
        )


def _locked(offence: Offence) -> Offence:
    return Offence.objects.select_for_update().get(pk=offence.pk)


def _save_state(offence: Offence, *fields: str) -> None:
    offence.updated_at = timezone.now()
    offence.save(update_fields=[*fields, "updated_at"])


@dataclass(frozen=True)
class SignsDraft:
    """The four warning signs, each yes (True), no (False) or not known (None)."""

    fixated: bool | None = None
    obsessive: bool | None = None
    unwanted: bool | None = None
    repeated: bool | None = None
    offences_considered: tuple[str, ...] = ()


@transaction.atomic
def warning_signs_record(
    *, referral: Referral, actor, membership: Membership, stage: str, draft: SignsDraft
) -> WarningSigns:
    """The four warning signs as this member sees them now (at referral or triage): any member
    of an agency involved who records case content."""
    if not policy.writable_sections(membership):
        raise NotAllowed("Your role may not record the warning signs.")
    if stage not in WarningSigns.Stage.values:
        raise DomainError("Unknown stage.", fields={"stage": ["At referral or at triage."]})
    unknown = [k for k in draft.offences_considered if k not in OffenceKind.values]
    if unknown:
        raise DomainError(
            "The offences considered could not be recorded.",
            fields={"offences_considered": ["Choose offences from the list."]},
        )
    signs = WarningSigns.objects.create(
        referral=referral, stage=stage,
        fixated=draft.fixated, obsessive=draft.obsessive,
        unwanted=draft.unwanted, repeated=draft.repeated,
        offences_considered=list(dict.fromkeys(draft.offences_considered)),
        agency=membership.agency, recorded_by=actor,
    )
    events.warning_signs_recorded_event(signs=signs, actor=actor)
    return signs


# Where each police decision leaves the offence (status, and whether it closes it).
_POLICE_STATUS = {
    PoliceDecision.Kind.CHARGED: Offence.Status.CHARGED,
    PoliceDecision.Kind.SUMMONSED: Offence.Status.CHARGED,
    PoliceDecision.Kind.CAUTIONED: Offence.Status.OUT_OF_COURT,
    PoliceDecision.Kind.COMMUNITY_RESOLUTION: Offence.Status.OUT_OF_COURT,
    PoliceDecision.Kind.NO_FURTHER_ACTION: Offence.Status.NO_FURTHER_ACTION,
}
_CLOSED = frozenset({
    Offence.Status.ACQUITTED, Offence.Status.NO_FURTHER_ACTION, Offence.Status.OUT_OF_COURT,
    Offence.Status.DISCONTINUED,
})


@dataclass(frozen=True)
class PoliceDecisionDraft:
    kind: str
    decided_on: date
    nfa_reason: str = ""
    reason: str = ""
    # Police bail with conditions: the conditions, in force from the decision's day.
    bail_conditions: str = ""
    bail_expires: date | None = None


def _check_police(offence: Offence, draft: PoliceDecisionDraft) -> None:
    errors: dict[str, list[str]] = {}
    if draft.kind not in PoliceDecision.Kind.values:
        errors["kind"] = ["Choose a decision from the list."]
    if draft.kind == PoliceDecision.Kind.NO_FURTHER_ACTION and not draft.nfa_reason:
        errors["nfa_reason"] = ["No further action needs its outcome reason."]
    if draft.nfa_reason and draft.kind != PoliceDecision.Kind.NO_FURTHER_ACTION:
        errors["nfa_reason"] = ["Only no further action has an outcome reason."]
    if draft.nfa_reason and draft.nfa_reason not in PoliceDecision.NfaReason.values:
        errors["nfa_reason"] = ["Choose a reason from the list."]
    if draft.nfa_reason == PoliceDecision.NfaReason.OTHER and not draft.reason.strip():
        errors["reason"] = ["Say why no further action."]
    if draft.bail_conditions.strip() and draft.kind != PoliceDecision.Kind.BAILED:
        errors["bail_conditions"] = ["Only police bail has conditions."]
    if draft.bail_expires and draft.bail_expires < draft.decided_on:
        errors["bail_expires"] = ["The bail ends before it starts."]
    if errors:
        raise DomainError("The police decision could not be recorded.", fields=errors)
    _check_day(draft.decided_on, "decided_on")
    if offence.status != Offence.Status.OPEN:
        raise DomainError(
            "The offence is no longer under investigation.",
            fields={"kind": [f"The offence is already {offence.get_status_display().lower()}."]},
        )


def _bail_order(
    *, referral: Referral, actor, membership: Membership, conditions: str, starts: date,
    expires: date | None, made_by: str, court: str = "",
) -> ProtectiveOrder:
    """Bail conditions a decision imposed, recorded as the case's order (the decision's service
    has checked who may record it)."""
    order = ProtectiveOrder.objects.create(
        referral=referral, kind=ProtectiveOrder.Kind.BAIL_CONDITIONS,
        conditions=conditions.strip(), starts=starts, expires=expires, made_by=made_by,
        court=court, agency=membership.agency, recorded_by=actor,
    )
    audit_events.order_recorded_event(order=order, actor=actor)
    return order


@transaction.atomic
def police_decision_record(
    *, offence: Offence, actor, membership: Membership, draft: PoliceDecisionDraft
) -> PoliceDecision:
    """A police action or outcome on an offence; an outcome moves the offence's state (charged or
    summonsed: charged; a caution or community resolution: out of court; no further action,
    which needs its outcome reason: closed)."""
    _check_write(membership, "offences", "police decisions")
    offence = _locked(offence)
    _check_police(offence, draft)
    bail = None
    if draft.bail_conditions.strip():
        bail = _bail_order(
            referral=offence.referral, actor=actor, membership=membership,
            conditions=draft.bail_conditions, starts=draft.decided_on,
            expires=draft.bail_expires, made_by=ProtectiveOrder.MadeBy.POLICE_BAIL,
        )
    decision = PoliceDecision.objects.create(
        offence=offence, kind=draft.kind, nfa_reason=draft.nfa_reason,
        reason=draft.reason.strip(), bail_conditions=bail, decided_on=draft.decided_on,
        agency=membership.agency, recorded_by=actor,
    )
    changed = []
    if draft.kind in OUTCOME_KINDS:
        offence.police_outcome = draft.kind
        changed.append("police_outcome")
    status = _POLICE_STATUS.get(draft.kind)
    if status is not None:
        offence.status = status
        changed.append("status")
        if status == Offence.Status.CHARGED:
            offence.charged_on = draft.decided_on
            changed.append("charged_on")
        else:
            offence.closed_on = draft.decided_on
            changed.append("closed_on")
    if changed:
        _save_state(offence, *changed)
    events.police_decision_event(decision=decision, actor=actor)
    return decision


@dataclass(frozen=True)
class ChargingDraft:
    decision: str
    decided_on: date
    reason: str = ""
    charged_as: str = ""
    test: str = ""
    offence_named: str = ""


# A CPS decision: the states an offence may be in for it, and the state it leaves it in (None:
# unchanged) and whether that closes it.
_CHARGING_MOVES = {
    ChargingDecision.Decision.CHARGE: ({Offence.Status.OPEN}, Offence.Status.CHARGED),
    ChargingDecision.Decision.NO_FURTHER_ACTION: (
        {Offence.Status.OPEN}, Offence.Status.NO_FURTHER_ACTION
    ),
    ChargingDecision.Decision.MORE_EVIDENCE: ({Offence.Status.OPEN}, None),
    ChargingDecision.Decision.OUT_OF_COURT_DISPOSAL: (
        {Offence.Status.OPEN}, Offence.Status.OUT_OF_COURT
    ),
    ChargingDecision.Decision.DISCONTINUED: (
        {Offence.Status.CHARGED}, Offence.Status.DISCONTINUED
    ),
    ChargingDecision.Decision.CHARGE_ALTERED: ({Offence.Status.CHARGED}, None),
}


def _check_charging(draft: ChargingDraft) -> None:
    errors: dict[str, list[str]] = {}
    if draft.decision not in ChargingDecision.Decision.values:
        errors["decision"] = ["Choose a decision from the list."]
    if draft.charged_as and draft.charged_as not in OffenceKind.values:
        errors["charged_as"] = ["Choose an offence from the list."]
    if draft.decision == ChargingDecision.Decision.CHARGE_ALTERED and not draft.charged_as:
        errors["charged_as"] = ["Say what the offence is charged as now."]
    if draft.test and draft.test not in ChargingDecision.Test.values:
        errors["test"] = ["The Full Code Test or the Threshold Test."]
    if errors:
        raise DomainError("The charging decision could not be recorded.", fields=errors)
    _check_day(draft.decided_on, "decided_on")


def _charging_apply(offence: Offence, draft: ChargingDraft) -> None:
    sources, status = _CHARGING_MOVES[draft.decision]
    offence.cps_decision = draft.decision
    changed = ["cps_decision"]
    if status is not None:
        offence.status = status
        changed.append("status")
        if status == Offence.Status.CHARGED:
            offence.charged_on = draft.decided_on
            changed.append("charged_on")
        else:
            offence.closed_on = draft.decided_on
            changed.append("closed_on")
    _save_state(offence, *changed)


@transaction.atomic
def charging_decision_record(
    *, referral: Referral, actor, membership: Membership, draft: ChargingDraft,
    offence: Offence | None = None, task_id: int | None = None,
) -> ChargingDecision:
    """A CPS charging decision on one offence, or on the case (each offence it applies to moves:
    charge: charged; no further action, out of court, discontinued: closed). On one offence the
    offence must be in a state the decision applies to."""
    _check_write(membership, "charging", "charging decisions")
    _check_charging(draft)
    sources, _ = _CHARGING_MOVES[draft.decision]
    if offence is not None:
        offence = _locked(offence)
        if offence.referral_id != referral.pk:
            raise DomainError("No such offence.", fields={"offence": ["No such offence here."]})
        if offence.status not in sources:
            raise DomainError(
                "The decision does not apply to the offence now.",
                fields={"decision": [
                    f"The offence is {offence.get_status_display().lower()}."
                ]},
            )
        targets = [offence]
    else:
        targets = list(
            Offence.objects.select_for_update().filter(referral=referral, status__in=sources)
        )
    decision = ChargingDecision.objects.create(
        referral=referral, offence=offence, decision=draft.decision,
        charged_as=draft.charged_as, test=draft.test, reason=draft.reason.strip(),
        offence_named=draft.offence_named.strip()[:300],
        decided_on=draft.decided_on, task_id=task_id,
        agency=membership.agency, recorded_by=actor,
    )
    for target in targets:
        _charging_apply(target, draft)
    events.charging_decision_event(
        decision=decision, offences=[t.pk for t in targets], actor=actor
    )
    return decision


@dataclass(frozen=True)
class OutcomeDraft:
    result: str
    offence: Offence | None = None
    note: str = ""
    # Bail with conditions: the conditions, in force from the hearing's day.
    bail_conditions: str = ""
    bail_expires: date | None = None


# Results that are about one offence, and the states it may be in for each.
_OFFENCE_RESULTS = {
    HearingOutcome.Result.PLEA_GUILTY: {Offence.Status.CHARGED},
    HearingOutcome.Result.PLEA_NOT_GUILTY: {Offence.Status.CHARGED},
    HearingOutcome.Result.CONVICTED: {Offence.Status.CHARGED},
    HearingOutcome.Result.ACQUITTED: {Offence.Status.CHARGED},
    HearingOutcome.Result.DISCONTINUED: {Offence.Status.CHARGED},
    HearingOutcome.Result.SENTENCED: {Offence.Status.CONVICTED},
}


def _check_outcome(hearing: CourtHearing, draft: OutcomeDraft) -> None:
    errors: dict[str, list[str]] = {}
    result = draft.result
    if result not in HearingOutcome.Result.values:
        errors["result"] = ["Choose a result from the list."]
    if result in _OFFENCE_RESULTS and draft.offence is None:
        errors["offence"] = ["Say which offence."]
    if result == HearingOutcome.Result.BAIL_WITH_CONDITIONS and not draft.bail_conditions.strip():
        errors["bail_conditions"] = ["Give the bail conditions."]
    if draft.bail_conditions.strip() and result != HearingOutcome.Result.BAIL_WITH_CONDITIONS:
        errors["bail_conditions"] = ["Only bail with conditions has conditions."]
    if draft.bail_expires and draft.bail_expires < hearing.date:
        errors["bail_expires"] = ["The bail ends before the hearing."]
    if draft.offence is not None and draft.offence.referral_id != hearing.referral_id:
        errors["offence"] = ["No such offence on this case."]
    if errors:
        raise DomainError("The hearing's outcome could not be recorded.", fields=errors)
    if hearing.date > timezone.localdate():
        raise DomainError(
            "The hearing has not been held yet.",
            fields={"hearing": ["Record the outcome on or after the hearing's day."]},
        )
    if (
        draft.offence is not None and result in _OFFENCE_RESULTS
        and draft.offence.status not in _OFFENCE_RESULTS[result]
    ):
        raise DomainError(
                "The result does not apply to the offence now.",
                fields={"result": [
                    f"The offence is {draft.offence.get_status_display().lower()}."
                ]},
            )


@transaction.atomic
def hearing_outcome_record(
    *, hearing: CourtHearing, actor, membership: Membership, draft: OutcomeDraft
) -> HearingOutcome:
    """What a held hearing decided. A guilty plea or a conviction convicts the offence; an
    acquittal or a discontinuance closes it; bail with conditions records the conditions as the
    case's order (made by the court)."""
    _check_write(membership, "court", "hearing outcomes")
    if draft.offence is not None:
        draft = replace(draft, offence=_locked(draft.offence))
    _check_outcome(hearing, draft)
    bail = None
    if draft.result == HearingOutcome.Result.BAIL_WITH_CONDITIONS:
        bail = _bail_order(
            referral=hearing.referral, actor=actor, membership=membership,
            conditions=draft.bail_conditions, starts=hearing.date, expires=draft.bail_expires,
            made_by=ProtectiveOrder.MadeBy.COURT_BAIL, court=hearing.court,
        )
    outcome = HearingOutcome.objects.create(
        hearing=hearing, offence=draft.offence, result=draft.result, bail_conditions=bail,
        note=draft.note.strip(), agency=membership.agency, recorded_by=actor,
    )
    offence = draft.offence
    if offence is not None:
        if draft.result in (HearingOutcome.Result.CONVICTED, HearingOutcome.Result.PLEA_GUILTY):
            offence.status, offence.convicted_on = Offence.Status.CONVICTED, hearing.date
            _save_state(offence, "status", "convicted_on")
        elif draft.result in (HearingOutcome.Result.ACQUITTED, HearingOutcome.Result.DISCONTINUED):
            offence.status = (
                Offence.Status.ACQUITTED if draft.result == HearingOutcome.Result.ACQUITTED
                else Offence.Status.DISCONTINUED
            )
            offence.closed_on = hearing.date
            _save_state(offence, "status", "closed_on")
    events.hearing_outcome_event(outcome=outcome, actor=actor)
    return outcome


@dataclass(frozen=True)
class RequirementDraft:
    kind: str
    detail: str = ""
    length_days: int | None = None


@dataclass(frozen=True)
class ConvictionOrderDraft:
    """An order the court made on conviction (a restraining order)."""

    kind: str
    conditions: str
    starts: date
    expires: date | None = None


@dataclass(frozen=True)
class SentenceDraft:
    disposal: str
    sentenced_on: date
    hearing: CourtHearing | None = None
    custody_days: int | None = None
    suspended_for_days: int | None = None
    fine_pence: int | None = None
    compensation_pence: int | None = None
    requirements: tuple[RequirementDraft, ...] = ()
    orders: tuple[ConvictionOrderDraft, ...] = ()


_CUSTODY = frozenset({Offence.Disposal.IMMEDIATE_CUSTODY, Offence.Disposal.SUSPENDED_SENTENCE})
_WITH_REQUIREMENTS = frozenset({
    Offence.Disposal.COMMUNITY_ORDER, Offence.Disposal.SUSPENDED_SENTENCE,
})
# Orders a criminal court makes on conviction.
CONVICTION_ORDER_KINDS = frozenset({ProtectiveOrder.Kind.RESTRAINING_ORDER})


def _check_sentence(offence: Offence, draft: SentenceDraft) -> None:
    errors: dict[str, list[str]] = {}
    disposal = draft.disposal
    if disposal not in Offence.Disposal.values:
        errors["disposal"] = ["Choose a sentence from the list."]
    if disposal == Offence.Disposal.FINE and not (draft.fine_pence or 0) > 0:
        errors["fine_pence"] = ["A fine needs its amount."]
    if draft.fine_pence is not None and disposal != Offence.Disposal.FINE:
        errors["fine_pence"] = ["Only a fine has a fine's amount."]
    if disposal in _CUSTODY and not (draft.custody_days or 0) > 0:
        errors["custody_days"] = ["A custodial sentence needs its length."]
    if draft.custody_days is not None and disposal not in _CUSTODY:
        errors["custody_days"] = ["Only a custodial sentence has a length in custody."]
    if disposal == Offence.Disposal.SUSPENDED_SENTENCE and not (draft.suspended_for_days or 0) > 0:
        errors["suspended_for_days"] = ["Say for how long the sentence is suspended."]
    if draft.suspended_for_days is not None and disposal != Offence.Disposal.SUSPENDED_SENTENCE:
        errors["suspended_for_days"] = ["Only a suspended sentence is suspended."]
    if draft.requirements and disposal not in _WITH_REQUIREMENTS:
        errors["requirements"] = [
            "Requirements come only with a community order or a suspended sentence."
        ]
    if any(r.kind not in SentenceRequirement.Kind.values for r in draft.requirements):
        errors["requirements"] = ["Choose requirements from the list."]
    if any(o.kind not in CONVICTION_ORDER_KINDS for o in draft.orders):
        errors["orders"] = ["A criminal court makes a restraining order on conviction."]
    if any(o.expires and o.expires < o.starts for o in draft.orders):
        errors["orders"] = ["An order ends before it starts."]
    if draft.hearing is not None and draft.hearing.referral_id != offence.referral_id:
        errors["hearing"] = ["No such hearing on this case."]
    if errors:
        raise DomainError("The sentence could not be recorded.", fields=errors)
    _check_day(draft.sentenced_on, "sentenced_on")
    if offence.status != Offence.Status.CONVICTED:
        raise DomainError(
            "Only a conviction is sentenced.",
            fields={"offence": [f"The offence is {offence.get_status_display().lower()}."]},
        )
    if Sentence.objects.filter(offence=offence).exists():
        raise DomainError(
            "The offence is already sentenced.",
            fields={"offence": ["A sentence is already recorded for this offence."]},
        )


@transaction.atomic
def sentence_record(
    *, offence: Offence, actor, membership: Membership, draft: SentenceDraft
) -> Sentence:
    """The sentence for a convicted offence, with its requirements and the orders made on
    conviction; the offence takes its disposal, amounts and whether treatment is required."""
    _check_write(membership, "court", "sentences")
    offence = _locked(offence)
    _check_sentence(offence, draft)
    sentence = Sentence.objects.create(
        offence=offence, hearing=draft.hearing, sentenced_on=draft.sentenced_on,
        disposal=draft.disposal, custody_days=draft.custody_days,
        suspended_for_days=draft.suspended_for_days, fine_pence=draft.fine_pence,
        compensation_pence=draft.compensation_pence,
        agency=membership.agency, recorded_by=actor,
    )
    requirements = SentenceRequirement.objects.bulk_create(
        SentenceRequirement(
            sentence=sentence, kind=r.kind, detail=r.detail.strip(), length_days=r.length_days
        )
        for r in draft.requirements
    )
    court = draft.hearing.court if draft.hearing else ""
    orders = []
    for order_draft in draft.orders:
        order = ProtectiveOrder.objects.create(
            referral=offence.referral, kind=order_draft.kind,
            conditions=order_draft.conditions.strip(), starts=order_draft.starts,
            expires=order_draft.expires, made_by=ProtectiveOrder.MadeBy.COURT_ON_CONVICTION,
            court=court, agency=membership.agency, recorded_by=actor,
        )
        audit_events.order_recorded_event(order=order, actor=actor)
        orders.append(order)
    if orders:
        sentence.orders.add(*orders)
    offence.disposal = draft.disposal
    offence.custody_days = draft.custody_days
    offence.fine_pence = draft.fine_pence
    offence.sentenced_on = draft.sentenced_on
    offence.treatment_required = any(r.kind in TREATMENT_REQUIREMENTS for r in requirements)
    _save_state(
        offence, "disposal", "custody_days", "fine_pence", "sentenced_on", "treatment_required"
    )
    events.sentence_recorded_event(
        sentence=sentence, requirements=[r.kind for r in requirements],
        orders=[o.pk for o in orders], actor=actor,
    )
    return sentence

SIGN_NAMES = ("fixated", "obsessive", "unwanted", "repeated")
