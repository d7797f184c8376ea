"""Erasing a closed case's personal data while its decision trail still verifies.

What goes: the victim's and the suspect's identity (named "Erased person", no date of birth,
address or aliases; their search names and identifiers deleted), the victim's contact details,
the free text of the case and of each of its records (`FREE_TEXT`), its evidence files' bytes,
the apps' own data registered by the apps above this one in the layers (`case_eraser_register`:
the workflows' task answers), and the personal data of the case's events on the trail
(`audit.erasure`). What stays: every row, with its statuses, levels, outcomes, kinds and dates,
so that the reports count the case as before, and each event's verb, object, time, actor and
agency, its hash still checked (`audit.chain.verify`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models, transaction
from django.utils import timezone

from audit.erasure import case_events_erase
from conferences.models import ConferenceAction, Decision, JudgementReferral, Note
from config.exceptions import Conflict, DomainError
from evidence.services import case_evidence_erase
from interventions.models import (
    HearingAssessment,
    Intervention,
    PerpetratorAssessment,
    PsychiatricAssessment,
    ThreatRecommendation,
)
from justice.models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    PoliceDecision,
    SentenceRequirement,
)
from orders.models import Enforcement, OrderApplication, OrderChange
from referral.models import (
    Classification,
    Incident,
    Person,
    PersonIdentifier,
    PersonName,
    ProtectiveOrder,
    Referral,
    VictimContact,
)
from victims.models import (
    AdvocateAssignment,
    ConsentScope,
    ContactEntry,
    Entitlement,
    PersonAtRisk,
    SafetyPlan,
    SafetyPlanReview,
    StatementOffer,
    VictimWishes,
)

# What a required text says once erased, and what the people are called.
ERASED_TEXT = "Erased"
ERASED_PERSON = "Erased person"
REASON_MAX = 2000


@dataclass(frozen=True)
class FreeText:
    """Columns of a case's records that hold free text or other personal data: `case` is the
    lookup from the model to the case's id."""

    model: type[models.Model]
    case: str
    fields: tuple[str, ...]


# Found by reading each app's models; statuses, kinds, levels, dates and amounts stay.
FREE_TEXT: tuple[FreeText, ...] = (
    FreeText(Incident, "referral_id", ("description",)),
    FreeText(ProtectiveOrder, "referral_id", ("conditions", "requirements")),
    FreeText(Offence, "referral_id", ("crime_reference",)),
    FreeText(PoliceDecision, "offence__referral_id", ("reason",)),
    FreeText(ChargingDecision, "referral_id", ("offence_named", "reason")),
    FreeText(HearingOutcome, "hearing__referral_id", ("note",)),
    FreeText(SentenceRequirement, "sentence__offence__referral_id", ("detail",)),
    FreeText(OrderApplication, "referral_id", ("reason",)),
    FreeText(OrderChange, "referral_id", ("reason",)),
    FreeText(Enforcement, "referral_id", ("outcome_reason",)),
    FreeText(
        HearingAssessment,
        "referral_id",
        (
            "summary",
            "victim_views",
            "bail_conditions_sought",
            "recommendation",
            "treatment_suitability",
        ),
    ),
    FreeText(PsychiatricAssessment, "referral_id", ("reason",)),
    FreeText(ThreatRecommendation, "referral_id", ("recommendations", "sharing_basis")),
    FreeText(PerpetratorAssessment, "referral_id", ("assessor", "summary")),
    FreeText(Intervention, "referral_id", ("fit_reason", "stop_reason")),
    FreeText(Entitlement, "referral_id", ("opt_out_reason",)),
    FreeText(VictimWishes, "referral_id", ("wishes", "contact_preferences")),
    FreeText(ConsentScope, "referral_id", ("covers",)),
    FreeText(AdvocateAssignment, "referral_id", ("reason",)),
    FreeText(ContactEntry, "referral_id", ("note",)),
    FreeText(SafetyPlan, "referral_id", ("summary",)),
    FreeText(SafetyPlanReview, "plan__referral_id", ("note",)),
    FreeText(StatementOffer, "referral_id", ("declined_reason",)),
    FreeText(PersonAtRisk, "referral_id", ("name", "born", "notes", "outcome")),
    FreeText(JudgementReferral, "referral_id", ("reason",)),
    # Conference material about this case: its agenda item's decisions, actions and notes.
    FreeText(Decision, "item__referral_id", ("text", "reason")),
    FreeText(ConferenceAction, "item__referral_id", ("description", "outcome_note")),
    FreeText(Note, "agenda_item__referral_id", ("text",)),
)

# What erases an app's own records of a case, for the apps above this one in the layers (which
# this module may not import): name -> function(referral) -> counts per kind of record.
CaseEraser = Callable[[Referral], dict[str, int]]
_ERASERS: dict[str, CaseEraser] = {}


def case_eraser_register(name: str, eraser: CaseEraser) -> None:
    """Have `case_erase` call `eraser` too, inside its transaction (an app's `ready()` calls
    this; registering a name again replaces its eraser)."""
    _ERASERS[name] = eraser


@dataclass(frozen=True)
class ErasureSummary:
    """What one erasure removed: rows changed or deleted per kind of record (`app.model`), and
    events of the trail erased. Counts only: it names no one (it is on `case.erased`)."""

    referral_id: int
    erased_at: datetime
    counts: dict[str, int] = field(default_factory=dict)
    events: int = 0

    def as_dict(self) -> dict:
        return {
            "referral": self.referral_id,
            "erased_at": self.erased_at.isoformat(),
            "counts": dict(self.counts),
            "events": self.events,
        }


def _erased_value(model: type[models.Model], name: str):
    """What a column holds once erased: null where it may be, else "" or, where the column
    must not be blank, `ERASED_TEXT`."""
    column = model._meta.get_field(name)
    if column.null:
        return None
    if isinstance(column, models.CharField | models.TextField):
        return "" if column.blank else ERASED_TEXT
    raise TypeError(f"no erased value for {model._meta.label}.{name}")


def _free_text_erase(referral_id: int) -> dict[str, int]:
    counts = {}
    for entry in FREE_TEXT:
        values = {name: _erased_value(entry.model, name) for name in entry.fields}
        changed = entry.model.objects.filter(**{entry.case: referral_id}).update(**values)
        if changed:
            counts[entry.model._meta.label_lower] = changed
    return counts


def _people_erase(referral: Referral) -> dict[str, int]:
    people = [pk for pk in (referral.victim_id, referral.suspect_id) if pk is not None]
    counts = {
        "referral.person": Person.objects.filter(pk__in=people).update(
            name=ERASED_PERSON, date_of_birth=None, address="", aliases=[]
        ),
    }
    for model in (PersonName, PersonIdentifier, VictimContact):
        deleted, _ = model.objects.filter(referral_id=referral.pk).delete()
        counts[model._meta.label_lower] = deleted
    return {kind: n for kind, n in counts.items() if n}


def _check(referral: Referral, reason: str) -> None:
    """Refuse what may not be erased (a `DomainError`; nothing is written)."""
    if not reason.strip():
        message = "Say why the case's personal data is erased (it goes on the trail)."
        raise DomainError(message, fields={"reason": [message]})
    if len(reason) > REASON_MAX:
        message = f"At most {REASON_MAX} characters."
        raise DomainError(message, fields={"reason": [message]})
    if referral.erased_at is not None:
        raise Conflict(
            f"The case's personal data was already erased on {referral.erased_at:%d %b %Y}.",
            code="already_erased",
        )
    if referral.is_open:
        raise Conflict(
            "The case is still open: only a closed or declined case may be erased.",
            code="case_open",
        )


@transaction.atomic
def case_erase(*, referral: Referral, actor, reason: str) -> ErasureSummary:
    """Pseudonymise a closed case's personal data and erase it from the case's events, in one
    transaction; the summary of what went, also written on the trail as `case.erased` (with
    `reason`, which must name no one).

    Refuses, writing nothing: an open case (`Conflict` `case_open`), a case already erased
    (`Conflict` `already_erased`), a blank reason (`DomainError` on `reason`). Legal holds are
    the caller's to check first. The case's row is locked while it is erased, so two erasures
    of one case do not both run. The evidence files' bytes are deleted once this commits.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _check(referral, reason)
    erased_at = timezone.now()
    counts = _people_erase(referral)
    counts.update(_free_text_erase(referral.pk))
    evidence = case_evidence_erase(referral_id=referral.pk)
    if evidence:
        counts["evidence.evidencefile"] = evidence
    for eraser in _ERASERS.values():
        counts.update({kind: n for kind, n in eraser(referral).items() if n})
    referral.summary = ""
    referral.risk_reason = ""
    referral.not_stalking_reason = (
        "" if referral.classification == Classification.STALKING else ERASED_TEXT
    )
    referral.erased_at = erased_at
    referral.save(
        update_fields=["summary", "risk_reason", "not_stalking_reason", "erased_at", "updated_at"]
    )
    counts = dict(sorted(counts.items()))
    events = case_events_erase(referral_id=referral.pk, actor=actor, reason=reason, counts=counts)
    return ErasureSummary(
        referral_id=referral.pk, erased_at=erased_at, counts=counts, events=events
    )
