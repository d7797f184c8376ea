"""Reads of a case's justice records, each in a fixed number of queries whatever the number of
rows; the caller has decided which sections the reader may read."""

from __future__ import annotations

from collections import defaultdict

from referral.models import CourtHearing, Referral

from .models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    PoliceDecision,
    Sentence,
    SentenceRequirement,
    WarningSigns,
)

OFFENCE_COLUMNS = (
    "id", "kind", "label", "crime_reference", "domestic_abuse", "committed_from",
    "committed_to", "breach_of_order_id", "incident_id", "agency__slug", "created_at", "status",
    "police_outcome", "cps_decision", "disposal", "custody_days", "fine_pence",
    "treatment_required", "charged_on", "convicted_on", "sentenced_on", "closed_on",
)
POLICE_COLUMNS = (
    "id", "offence_id", "kind", "nfa_reason", "reason", "decided_on", "bail_conditions_id",
    "agency__slug",
)
CHARGING_COLUMNS = (
    "id", "offence_id", "decision", "charged_as", "test", "offence_named", "reason", "decided_on",
    "agency__slug",
)
OUTCOME_COLUMNS = (
    "id", "hearing_id", "offence_id", "result", "bail_conditions_id", "note", "agency__slug",
    "created_at",
)
SENTENCE_COLUMNS = (
    "id", "offence_id", "hearing_id", "sentenced_on", "disposal", "custody_days",
    "suspended_for_days", "fine_pence", "compensation_pence", "agency__slug",
)


def latest_warning_signs(*, referral: Referral) -> dict | None:
    """The warning signs as last recorded on the case (one query)."""
    return (
        WarningSigns.objects.filter(referral_id=referral.pk)
        .order_by("-created_at", "-id")
        .values(
            "stage", "fixated", "obsessive", "unwanted", "repeated", "offences_considered",
            "agency__slug", "created_at",
        )
        .first()
    )


def _sentences(offence_filter: dict) -> list[dict]:
    """Sentences with their requirements and orders (three queries)."""
    rows = list(
        Sentence.objects.filter(**offence_filter).order_by("sentenced_on", "id")
        .values(*SENTENCE_COLUMNS)
    )
    ids = [row["id"] for row in rows]
    requirements = defaultdict(list)
    orders = defaultdict(list)
    if ids:
        for requirement in SentenceRequirement.objects.filter(sentence_id__in=ids).values(
            "sentence_id", "kind", "detail", "length_days"
        ):
            requirements[requirement.pop("sentence_id")].append(requirement)
        for link in Sentence.orders.through.objects.filter(sentence_id__in=ids).values(
            "sentence_id", "protectiveorder_id"
        ).order_by("protectiveorder_id"):
            orders[link["sentence_id"]].append(link["protectiveorder_id"])
    for row in rows:
        row["requirements"] = requirements[row["id"]]
        row["orders"] = orders[row["id"]]
    return rows


def offence_rows(*, referral: Referral, charging: bool, court: bool) -> list[dict]:
    """The case's offences, oldest first, each with its police decisions; its CPS decisions
    (those on it and those on the whole case) when `charging`; its hearings' outcomes and
    sentence when `court` (`case_records`)."""
    return case_records(
        referral=referral, offences=True, charging=charging, court=court
    ).get("offences", [])


def court_rows(*, referral: Referral) -> dict:
    """The case's hearings with their outcomes, and its sentences (`case_records`)."""
    return case_records(referral=referral, offences=False, charging=False, court=True)["court"]


def case_records(*, referral: Referral, offences: bool, charging: bool, court: bool) -> dict:
    """What the case's detail and page show of its justice records, each table read once for
    both sections: `offences` as `offence_rows` gives them (when `offences`), `court` as
    `court_rows` (when `court`). A hearing's outcomes and the sentences, read once, serve both.
    At most nine queries, whatever the number of rows; none for a table the case cannot hold
    rows of (no hearing, no offence) or the reader may not read."""
    records: dict = {}
    offence_list: list[dict] = []
    if offences or court:
        offence_list = list(
            Offence.objects.filter(referral_id=referral.pk).order_by("created_at", "id")
            .values(*OFFENCE_COLUMNS)
        )
    hearings: list[dict] = []
    outcome_list: list[dict] = []
    sentence_list: list[dict] = []
    if court:
        hearings = list(
            CourtHearing.objects.filter(referral_id=referral.pk).order_by("date", "id")
            .values("id", "kind", "date", "court")
        )
        if hearings:
            # An outcome's offence is on its hearing's case (`offence_on_case`).
            outcome_list = list(
                HearingOutcome.objects.filter(hearing__referral_id=referral.pk)
                .order_by("hearing__date", "id")
                .values(*OUTCOME_COLUMNS, "hearing__date", "hearing__kind")
            )
        if offence_list:
            sentence_list = _sentences({"offence__referral_id": referral.pk})
        by_hearing = defaultdict(list)
        for row in sorted(outcome_list, key=lambda r: (r["created_at"], r["id"])):
            by_hearing[row["hearing_id"]].append(row)
        records["court"] = {
            "hearings": [{**h, "outcomes": by_hearing[h["id"]]} for h in hearings],
            "sentences": sentence_list,
        }
    if not offences:
        return records
    records["offences"] = offence_list
    if not offence_list:
        return records
    police = defaultdict(list)
    for row in PoliceDecision.objects.filter(offence__referral_id=referral.pk).order_by(
        "decided_on", "id"
    ).values(*POLICE_COLUMNS):
        police[row["offence_id"]].append(row)
    charging_rows: list[dict] = []
    if charging:
        charging_rows = list(
            ChargingDecision.objects.filter(referral_id=referral.pk).order_by("decided_on", "id")
            .values(*CHARGING_COLUMNS)
        )
    by_offence = defaultdict(list)
    for row in outcome_list:
        by_offence[row["offence_id"]].append(row)
    sentences = {row["offence_id"]: row for row in sentence_list}
    for offence in offence_list:
        pk = offence["id"]
        offence["police_decisions"] = police[pk]
        if charging:
            offence["charging_decisions"] = [
                row for row in charging_rows if row["offence_id"] in (pk, None)
            ]
        if court:
            offence["hearing_outcomes"] = by_offence[pk]
            offence["sentence"] = sentences.get(pk)
    return records


def offence_on_case(*, referral: Referral, offence_id) -> Offence | None:
    """One of the case's offences by id (None when the case holds no such offence)."""
    try:
        return Offence.objects.select_related("referral").get(
            pk=int(offence_id), referral_id=referral.pk
        )
    except (Offence.DoesNotExist, TypeError, ValueError):
        return None


def hearing_on_case(*, referral: Referral, hearing_id) -> CourtHearing | None:
    try:
        return CourtHearing.objects.select_related("referral").get(
            pk=int(hearing_id), referral_id=referral.pk
        )
    except (CourtHearing.DoesNotExist, TypeError, ValueError):
        return None


def _pounds(pence: int) -> str:
    return f"\u00a3{pence / 100:,.2f}".removesuffix(".00")


def outcome_lines(*, referral: Referral, court: bool) -> list[str]:
    """Each offence's outcome in a line, for whoever closes the case: the offence, its status,
    and (when `court`) its sentence with amounts and requirements. Three queries at most."""
    offences = list(
        Offence.objects.filter(referral_id=referral.pk).order_by("created_at", "id")
        .only("kind", "label", "status")
    )
    sentences = {}
    if court and offences:
        sentences = {
            s.offence_id: s for s in Sentence.objects.filter(offence__referral_id=referral.pk)
            .prefetch_related("requirements")
        }
    lines = []
    for offence in offences:
        line = f"{offence.title}: {offence.get_status_display().lower()}"
        sentence = sentences.get(offence.pk)
        if sentence is not None:
            parts = [sentence.get_disposal_display().lower()]
            if sentence.custody_days:
                parts.append(f"{sentence.custody_days} days")
            if sentence.fine_pence:
                parts.append(_pounds(sentence.fine_pence))
            requirements = [r.get_kind_display().lower() for r in sentence.requirements.all()]
            if requirements:
                parts.append(f"requirements: {', '.join(requirements)}")
            line += f"; sentence: {', '.join(parts)}"
        lines.append(line)
    return lines
