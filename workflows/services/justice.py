"""The justice system's decisions in the flow: offences, police and CPS decisions, court
outcomes and sentences, each with the updates and work it gives."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from agencies.models import AgencyKind, Membership
from config.exceptions import DomainError
from interventions import services as intervention_services
from justice import services as justice_services
from justice.models import (
    TREATMENT_REQUIREMENTS,
    ChargingDecision,
    HearingOutcome,
    Offence,
    OffenceKind,
    PoliceDecision,
    Sentence,
    WarningSigns,
)
from referral.models import CourtHearing, Referral

from ..models import AgencyTask
from .assessments import perpetrator_assessment_ask
from .registry import Completion
from .victims import victims_code_event

# The news each decision is for the victim (`victims_code_event`'s triggers); a decision not
# named here is not news the Victims' Code makes due.
POLICE_TRIGGERS = {
    PoliceDecision.Kind.ARRESTED: "arrest",
    PoliceDecision.Kind.VOLUNTARY_INTERVIEW: "interview",
    PoliceDecision.Kind.BAILED: "bail",
    PoliceDecision.Kind.RELEASED_UNDER_INVESTIGATION: "released_under_investigation",
    PoliceDecision.Kind.CHARGED: "charge",
    PoliceDecision.Kind.SUMMONSED: "charge",
    PoliceDecision.Kind.NO_FURTHER_ACTION: "no_further_action",
}
CHARGING_TRIGGERS = {
    ChargingDecision.Decision.DISCONTINUED: "discontinued",
    ChargingDecision.Decision.CHARGE_ALTERED: "charge_altered",
}
COURT_TRIGGERS = {
    HearingOutcome.Result.REMANDED_IN_CUSTODY: "bail_by_court",
    HearingOutcome.Result.BAIL_UNCONDITIONAL: "bail_by_court",
    HearingOutcome.Result.BAIL_WITH_CONDITIONS: "bail_by_court",
    HearingOutcome.Result.PLEA_GUILTY: "verdict",
    HearingOutcome.Result.CONVICTED: "verdict",
    HearingOutcome.Result.ACQUITTED: "verdict",
}


@transaction.atomic
def police_decision_log(
    *, offence: Offence, actor, membership: Membership,
    draft: justice_services.PoliceDecisionDraft,
) -> PoliceDecision:
    """A police decision on an offence; an arrest, interview, bail, release, charge or no
    further action is news the victim is told."""
    decision = justice_services.police_decision_record(
        offence=offence, actor=actor, membership=membership, draft=draft
    )
    trigger = POLICE_TRIGGERS.get(decision.kind)
    if trigger is not None:
        victims_code_event(referral=offence.referral, trigger=trigger, actor=actor,
                           context={"offence": offence.pk})
    return decision


@transaction.atomic
def charging_decision_log(
    *, referral: Referral, actor, membership: Membership,
    draft: justice_services.ChargingDraft, offence: Offence | None = None,
    task_id: int | None = None,
) -> ChargingDecision:
    """A CPS charging decision; every one is news the victim is told (a discontinuance or an
    altered charge by CPS's letter)."""
    decision = justice_services.charging_decision_record(
        referral=referral, actor=actor, membership=membership, draft=draft, offence=offence,
        task_id=task_id,
    )
    victims_code_event(
        referral=referral, trigger=CHARGING_TRIGGERS.get(decision.decision, "cps_decision"),
        actor=actor,
        context={"decision": decision.decision,
                 "offence": offence.pk if offence is not None else None},
    )
    return decision


@transaction.atomic
def offence_amend_log(
    *, offence: Offence, actor, membership: Membership,
    amendment: justice_services.OffenceAmendment,
) -> Offence:
    """An offence amended (`justice.services.offence_amend`). When CPS changes the kind of a
    charged offence, that is an altered charge: CPS's decision `charge_altered`, and the victim
    is told by CPS's letter."""
    offence, before = justice_services.offence_amend(
        offence=offence, actor=actor, membership=membership, amendment=amendment
    )
    if (
        "kind" in before
        and offence.status == Offence.Status.CHARGED
        and membership.agency.kind == AgencyKind.CPS
    ):
        charging_decision_log(
            referral=offence.referral, actor=actor, membership=membership, offence=offence,
            draft=justice_services.ChargingDraft(
                decision=ChargingDecision.Decision.CHARGE_ALTERED,
                decided_on=timezone.localdate(), charged_as=offence.kind,
                reason=amendment.reason,
            ),
        )
    return offence


@transaction.atomic
def hearing_outcome_log(
    *, hearing: CourtHearing, actor, membership: Membership,
    draft: justice_services.OutcomeDraft,
) -> HearingOutcome:
    """A hearing's outcome; the court's bail decision and a verdict are news the victim is
    told."""
    outcome = justice_services.hearing_outcome_record(
        hearing=hearing, actor=actor, membership=membership, draft=draft
    )
    trigger = COURT_TRIGGERS.get(outcome.result)
    if trigger is not None:
        victims_code_event(referral=hearing.referral, trigger=trigger, actor=actor)
    return outcome


@transaction.atomic
def sentence_log(
    *, offence: Offence, actor, membership: Membership, draft: justice_services.SentenceDraft
) -> Sentence:
    """A sentence: the victim is told, and each treatment requirement becomes the
    perpetrator's intervention."""
    sentence = justice_services.sentence_record(
        offence=offence, actor=actor, membership=membership, draft=draft
    )
    victims_code_event(referral=offence.referral, trigger="sentence", actor=actor)
    for requirement in draft.requirements:
        if requirement.kind in TREATMENT_REQUIREMENTS:
            intervention_services.intervention_from_sentence(
                offence=sentence.offence, requirement_kind=requirement.kind, actor=actor
            )
    perpetrator_assessment_ask(referral=offence.referral)
    return sentence


def referral_justice_record(*, referral: Referral, actor, membership: Membership, draft) -> None:
    """What a referrer knows of the justice side at referral: the warning signs, and the
    offences: recorded as the case's offences when police refer, else as offences the referrer
    considered (on the warning signs)."""
    signs = dict(draft.warning_signs or {})
    offences = list(draft.offences)
    police = membership.agency.kind == AgencyKind.POLICE
    considered = () if police else tuple(o["kind"] for o in offences)
    if signs or considered:
        justice_services.warning_signs_record(
            referral=referral, actor=actor, membership=membership,
            stage=WarningSigns.Stage.REFERRAL,
            draft=justice_services.SignsDraft(**signs, offences_considered=considered),
        )
    if police:
        for offence in offences:
            justice_services.offence_record(
                referral=referral, actor=actor, membership=membership,
                draft=justice_services.OffenceDraft(**offence),
            )


# The triage form's answers for the four signs: yes, no or not known.
SIGN_FIELDS = ("fixated", "obsessive", "unwanted", "repeated")


# The name of an "other" offence triage considered (the kind alone says no more).
OTHER_CONSIDERED_AT_TRIAGE = "Other offence considered at triage"


def triage_signs_record(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """The warning signs and offences considered triage answered, if it answered any. Each
    offence considered becomes an offence of the case (as a police referral's offences do at
    intake) unless one of its kind is open on the case already."""
    considered = tuple(dict.fromkeys(data.get("offences_considered") or ()))
    if not considered and not any(name in data for name in SIGN_FIELDS):
        return
    referral = task.referral
    justice_services.warning_signs_record(
        referral=referral, actor=actor, membership=membership,
        stage=WarningSigns.Stage.TRIAGE,
        draft=justice_services.SignsDraft(
            **{name: data.get(name) for name in SIGN_FIELDS}, offences_considered=considered,
        ),
    )
    open_kinds = set(
        Offence.objects.filter(referral=referral, status=Offence.Status.OPEN, kind__in=considered)
        .values_list("kind", flat=True)
    )
    for kind in considered:
        if kind in open_kinds:
            continue
        justice_services.offence_create(
            referral=referral, actor=actor, membership=membership,
            draft=justice_services.OffenceDraft(
                kind=kind, label=OTHER_CONSIDERED_AT_TRIAGE if kind == OffenceKind.OTHER else "",
            ),
        )


# The label of an offence a charging review charged when the case had none open: the review's
# words name it in the charging decision (read with the charging section), not on the offence.
CHARGED_BY_REVIEW = "Offence charged at a CPS charging review"


def charging_review_record(
    *, task: AgencyTask, actor, membership: Membership, data: dict
) -> ChargingDecision:
    """A charging review's decision as a CPS decision on the case's offences it applies to; a
    charge on a case with no offence recorded charges a new offence. The review's free-text
    `offence` stays on the decision (`offence_named`, the charging section), never on the
    offence row that readers of offences see."""
    referral = task.referral
    decision = data["decision"]
    draft = justice_services.ChargingDraft(
        decision=decision, decided_on=timezone.localdate(), reason=data.get("reason", ""),
        test=data.get("test", ""), offence_named=data.get("offence", ""),
    )
    chosen = data.get("offences")
    if chosen:
        return _charging_review_per_offence(
            task=task, actor=actor, membership=membership, draft=draft,
            offences=_open_offences(referral, chosen),
        )
    offence = None
    if decision == ChargingDecision.Decision.CHARGE and not referral.offences.exists():
        offence = justice_services.offence_create(
            referral=referral, actor=actor, membership=membership,
            draft=justice_services.OffenceDraft(kind=OffenceKind.OTHER, label=CHARGED_BY_REVIEW),
        )
    return charging_decision_log(
        referral=referral, actor=actor, membership=membership, draft=draft, offence=offence,
        task_id=task.pk,
    )


def _open_offences(referral: Referral, ids: list[int]) -> list[Offence]:
    """The case's open offences of these ids, locked, in the order given; a `DomainError` on
    `offences` naming any id that is not an open offence of the case."""
    found = {
        o.pk: o for o in Offence.objects.select_for_update().filter(
            referral=referral, pk__in=ids
        )
    }
    missing = [i for i in ids if i not in found]
    closed = [found[i] for i in ids if i in found and found[i].status != Offence.Status.OPEN]
    messages = []
    if missing:
        messages.append(
            "No offence of this case with id " + ", ".join(map(str, missing)) + "."
        )
    for offence in closed:
        messages.append(
            f"{offence.title} (id {offence.pk}) is {offence.get_status_display().lower()}: "
            "only open offences take this decision."
        )
    if messages:
        raise DomainError("The decision could not be recorded.", fields={"offences": messages})
    return [found[i] for i in ids]


def _charging_review_per_offence(
    *, task: AgencyTask, actor, membership: Membership,
    draft: justice_services.ChargingDraft, offences: list[Offence],
) -> ChargingDecision:
    """The review's decision on each chosen offence (a CPS decision each); the victim is told
    once, of the decision on them all."""
    decisions = [
        justice_services.charging_decision_record(
            referral=task.referral, actor=actor, membership=membership, draft=draft,
            offence=offence, task_id=task.pk,
        )
        for offence in offences
    ]
    victims_code_event(
        referral=task.referral, trigger="cps_decision", actor=actor,
        context={"decision": draft.decision,
                 "offence": offences[0].pk if len(offences) == 1 else None},
    )
    return decisions[-1]


COMPLETION: dict[str, Completion] = {}
