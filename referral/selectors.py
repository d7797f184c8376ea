"""Reads of cases, already scoped to what the caller's agency may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from agencies import policy
from agencies.models import Membership
from audit.selectors import decision_timeline
from config.exceptions import NotFound

from . import access, escalation
from .models import (
    CourtHearing,
    Incident,
    PersonName,
    ProtectiveOrder,
    Referral,
    ReferralAgencyPermission,
    ScreeningInstrument,
)

# What a list shows of each case (`serializers.referral_summary`, the list page).
LIST_FIELDS = (
    "reference", "status", "risk_level", "classification", "created_at",
    "referrer_agency__slug", "referrer_agency__name", "victim__name", "suspect__name",
)


def referral_list(*, membership: Membership | None) -> QuerySet[Referral]:
    """The referrals the member's agency may see, newest first, with the columns a list shows
    (`serializers.referral_summary`)."""
    return (
        _visible(membership)
        .select_related("referrer_agency", "victim", "suspect")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")
    )


def referral_permissions(*, membership: Membership | None) -> QuerySet[ReferralAgencyPermission]:
    """The agency's `view_referral` rows: one for each case `referral_list` holds (unique on
    group, permission and case), so counting them counts the cases without reading any."""
    group = policy.case_group(membership)
    if group is None:
        return ReferralAgencyPermission.objects.none()
    return access.group_case_permissions(group)


def referral_get(*, membership: Membership | None, referral_id) -> Referral:
    """One referral, or `NotFound` when it does not exist *or* the agency may not see it."""
    referral = (
        _visible(membership)
        .select_related("referrer_agency", "victim", "suspect")
        .filter(pk=referral_id_of(referral_id))
        .first()
    )
    if referral is None:
        raise NotFound
    return referral


def referral_id_of(value) -> int:
    """A referral id from a URL or a payload, or `NotFound` (never a database error)."""
    try:
        referral_id = int(value)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 0 < referral_id < 2**63:
        raise NotFound
    return referral_id


def _visible(membership: Membership | None) -> QuerySet[Referral]:
    return Referral.objects.filter(access.case_visibility(membership))


# What the detail shows of an incident and of an order, read as rows (`serializers.incident_row`,
# `order_row`, `escalation.facts_of`): a timeline holds dozens of incidents, each read without a
# model object for it and its agency. The timeline page also shows each one's referral and
# order, and reads them as objects.
DETAIL_RELATED = ("referrer_agency", "victim", "suspect", "victim_contact", "screening__instrument",
                  "screening__thresholds_policy")
DETAIL_INCIDENT_COLUMNS = ("id", "referral_id", "occurred_at", "behaviours", "description",
                           "severity", "breach_of_order_id", "reporting_agency__slug")
DETAIL_ORDER_COLUMNS = ("id", "kind", "conditions", "starts", "expires", "agency__slug",
                        "breach_count", "status", "made_by", "court", "requirements",
                        "served_on", "ended_on")


def _incidents(where: Q) -> QuerySet[Incident]:
    """Incidents oldest first."""
    return Incident.objects.filter(where).order_by("occurred_at", "id")


def _orders(where: Q) -> QuerySet[ProtectiveOrder]:
    """Orders by start, with their breach counts (`breach_count`)."""
    return (
        ProtectiveOrder.objects.filter(where)
        .annotate(breach_count=Count("breaches"))
        .order_by("starts", "id")
    )


def case_order_rows(*, referral: Referral) -> list[dict]:
    """The case's own orders by start, as rows of `DETAIL_ORDER_COLUMNS`. One query."""
    return list(_orders(Q(referral_id=referral.pk)).values(*DETAIL_ORDER_COLUMNS))


def referral_detail(*, membership: Membership | None, referral_id) -> Referral:
    """`referral_get` with what the detail page shows: the case with its people and screening;
    who is on its timeline and which of them the member's agency may see (`scope`); the
    incidents of its whole timeline (`timeline_incident_rows`, which the escalation signal
    reads), of which its own are `incident_rows`; its orders with their breach counts
    (`order_rows`). Rows of `DETAIL_INCIDENT_COLUMNS` and `DETAIL_ORDER_COLUMNS`."""
    referral = (
        _visible(membership)
        .select_related(*DETAIL_RELATED)
        .filter(pk=referral_id_of(referral_id))
        .first()
    )
    if referral is None:
        raise NotFound
    referral.scope = timeline_scope(membership=membership, referral=referral)
    referral.timeline_incident_rows = timeline_incident_rows(referral=referral)
    referral.incident_rows = [
        row for row in referral.timeline_incident_rows if row["referral_id"] == referral.pk
    ]
    referral.order_rows = case_order_rows(referral=referral)
    return referral


def timeline_incident_rows(*, referral: Referral) -> list[dict]:
    """The incidents of the referral's whole timeline, oldest first, as rows of
    `DETAIL_INCIDENT_COLUMNS` (what the detail shows and the escalation signal reads)."""
    incidents = _incidents(_on_timeline(referral, "referral__"))
    return list(incidents.values(*DETAIL_INCIDENT_COLUMNS))


def breachable_orders(*, membership: Membership | None, referral: Referral
                      ) -> QuerySet[ProtectiveOrder]:
    """The orders an incident on this case may breach: those of its timeline's referrals that
    the member's agency may see, by start."""
    return (
        ProtectiveOrder.objects.filter(
            _on_timeline(referral, "referral__"), referral__in=_visible(membership)
        )
        .select_related("referral")
        .order_by("starts", "id")
    )


def case_hearings(*, referral: Referral) -> QuerySet[CourtHearing]:
    """The case's court hearings, soonest first."""
    return CourtHearing.objects.filter(referral_id=referral.pk).order_by("date", "id")


def linked_referrals(*, referral: Referral) -> QuerySet[Referral]:
    """Every referral on the same timeline (the same victim and suspect), including this one."""
    return Referral.objects.filter(_on_timeline(referral)).order_by("created_at", "id")


@dataclass(frozen=True)
class TimelineScope:
    """Who is on a case's timeline, oldest first, and which of them a reader's agency may see.

    The reader is shown the content of the visible ones only; of the others it learns how many
    there are (`hidden`) and their effect on the escalation signal's level (`agencies.policy`)."""

    references: dict[int, str]
    visible: frozenset[int]
    suspect_elsewhere: int | None = None

    @property
    def hidden(self) -> int:
        return len(self.references) - len(self.visible)

    def linked_references(self, referral: Referral) -> list[str]:
        """The visible referrals on the timeline other than `referral`."""
        return [ref for pk, ref in self.references.items() if pk in self.visible
                and pk != referral.pk]


def timeline_scope(*, membership: Membership | None, referral: Referral) -> TimelineScope:
    """`TimelineScope` of the referral's timeline for the member, in one query; with the count
    of other timelines naming the same suspect for the agencies the policy tells."""
    group = policy.case_group(membership)
    visible = (
        Value(False) if group is None
        else Exists(access.group_case_permissions(group).filter(content_object=OuterRef("pk")))
    )
    rows = linked_referrals(referral=referral).values_list("pk", "reference", visible)
    references, seen = {}, set()
    for pk, reference, is_visible in rows:
        references[pk] = reference
        if is_visible:
            seen.add(pk)
    elsewhere = (
        suspect_elsewhere_count(referral=referral)
        if policy.sees_suspect_elsewhere(membership) else None
    )
    return TimelineScope(references=references, visible=frozenset(seen),
                         suspect_elsewhere=elsewhere)


def suspect_elsewhere_count(*, referral: Referral) -> int:
    """How many referrals on other timelines name the same suspect (a name or alias, and the
    date of birth)."""
    own = PersonName.objects.filter(referral_id=referral.pk, role=PersonName.Role.SUSPECT)
    return (
        PersonName.objects.filter(
            role=PersonName.Role.SUSPECT,
            normalised__in=own.values("normalised"),
            date_of_birth__in=own.values("date_of_birth"),
        )
        .exclude(_on_timeline(referral, "referral__"))
        .values("referral_id")
        .distinct()
        .count()
    )


def _on_timeline(referral: Referral, through: str = ""):
    """The rows on this referral's timeline. A referral not linked yet (no timeline id: only
    rows written outside `referral_refer`) is its own timeline: `timeline_id IS NULL` would
    match every other unlinked case."""
    if referral.timeline_id is None:
        return Q(**{f"{through}pk": referral.pk})
    return Q(**{f"{through}timeline_id": referral.timeline_id})


def escalation_signal(*, referral: Referral,
                      incident_rows: list[dict] | None = None) -> escalation.EscalationSignal:
    """The escalation signal across the referral's whole timeline; from `incident_rows` when
    they were read already (`referral_detail`'s `timeline_incident_rows`). For the system's own
    decisions; a reader is shown `escalation_as_seen`."""
    if incident_rows is None:
        incident_rows = timeline_incident_rows(referral=referral)
    return escalation.evaluate(map(escalation.facts_of, incident_rows), now=timezone.now())


HIDDEN_SIGNAL_REASON = "linked referrals your agency cannot see add to this level"


def escalation_as_seen(*, referral: Referral, scope: TimelineScope,
                       incident_rows: list[dict] | None = None) -> escalation.EscalationSignal:
    """The signal as a reader whose timeline is `scope` may see it: its level and whether it is
    escalating come from every linked case; its reasons and figures only from the cases the
    reader may see (the inputs of a case it may not see are not its to read)."""
    if incident_rows is None:
        incident_rows = timeline_incident_rows(referral=referral)
    whole = escalation_signal(referral=referral, incident_rows=incident_rows)
    if not scope.hidden:
        return whole
    shown = escalation_signal(
        referral=referral,
        incident_rows=[row for row in incident_rows if row["referral_id"] in scope.visible],
    )
    reasons = list(shown.reasons)
    if (whole.level, whole.escalating) != (shown.level, shown.escalating):
        reasons.append(HIDDEN_SIGNAL_REASON)
    return escalation.EscalationSignal(
        level=whole.level, escalating=whole.escalating, reasons=reasons, figures=shown.figures
    )


def timeline(*, membership: Membership | None, referral: Referral,
             scope: TimelineScope | None = None) -> list[dict]:
    """Everything that happened on the case's timeline, oldest first, as the member may see it:
    of the linked referrals its agency may see, the sections it may read (`agencies.policy`);
    of the others, nothing (`TimelineScope.hidden` counts them).

    Each entry: {"at", "kind", "referral", ...}. Kinds: `referral` (submitted), `order`,
    `incident`, `breach`, `decision` (from the trail, each cut by its event's section).
    """
    if scope is None:
        scope = timeline_scope(membership=membership, referral=referral)
    visible = scope.visible
    entries: list[dict] = []
    for r in Referral.objects.filter(pk__in=visible).select_related("referrer_agency"):
        entries.append(
            {
                "at": r.created_at,
                "kind": "referral",
                "referral": r.reference,
                "agency": r.referrer_agency.slug,
                "risk_level": r.risk_level,
                "status": r.status,
            }
        )
    if policy.can_read(membership, "orders"):
        for order in _orders(Q(referral_id__in=visible)).select_related("referral", "agency"):
            entries.append(
                {
                    "at": order.created_at,
                    "kind": "order",
                    "referral": order.referral.reference,
                    "agency": order.agency.slug,
                    "order": order.pk,
                    "order_kind": order.kind,
                    "starts": order.starts,
                    "expires": order.expires,
                    "breaches": order.breach_count,
                }
            )
    if policy.can_read(membership, "incidents"):
        incidents = _incidents(Q(referral_id__in=visible)).select_related(
            "referral", "reporting_agency", "breach_of_order"
        )
        for incident in incidents:
            entry = {
                "at": incident.occurred_at,
                "kind": "breach" if incident.breach_of_order_id else "incident",
                "referral": incident.referral.reference,
                "agency": incident.reporting_agency.slug,
                "incident": incident.pk,
                "behaviours": incident.behaviours,
                "severity": incident.severity,
                "description": incident.description,
            }
            if incident.breach_of_order_id:
                entry["breach_of_order"] = incident.breach_of_order_id
                entry["order_kind"] = incident.breach_of_order.kind
            entries.append(entry)
    for event in decision_timeline(referral_ids=visible):
        if not policy.sees_event(membership, event.verb):
            continue
        entries.append(
            {
                "at": event.at,
                "kind": "decision",
                "referral": scope.references[event.referral_id],
                "agency": event.agency_slug,
                "actor": event.actor_username,
                "verb": event.verb,
                "reason": event.reason,
            }
        )
    entries.sort(key=lambda e: (e["at"], e["kind"]))
    return entries


def active_instrument(slug: str) -> ScreeningInstrument | None:
    return ScreeningInstrument.objects.filter(slug=slug, is_active=True).first()


def referral_id_by_reference(reference: str) -> int | None:
    """The id of the case with this reference, whoever may see it (the caller checks that:
    `services.referral_look`), or None."""
    return Referral.objects.filter(reference=reference.strip().upper()).values_list(
        "pk", flat=True
    ).first()


def references_of(referral_ids) -> dict[int, str]:
    """The references of these cases, by id (a list of events shows them, not ids)."""
    wanted = {i for i in referral_ids if i}
    if not wanted:
        return {}
    return dict(Referral.objects.filter(pk__in=wanted).values_list("pk", "reference"))
