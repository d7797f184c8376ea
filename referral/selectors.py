"""Reads of cases, already scoped to what the caller's agency may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from agencies import policy
from agencies.models import Membership

from . import escalation
from .models import Incident, ProtectiveOrder, Referral, ScreeningInstrument


def referral_list(*, membership: Membership | None) -> QuerySet[Referral]:
    """The referrals the member's agency is involved in, newest first."""
    return (
        Referral.objects.filter(policy.case_visibility(membership))
        .select_related("referrer_agency", "victim", "suspect")
        .order_by("-created_at", "-id")
    )


SUMMARY_COLUMNS = (
    "id", "reference", "status", "risk_level", "classification", "created_at",
    "referrer_agency__slug", "victim__name", "suspect__name",
)


def referral_summaries(*, membership: Membership | None) -> QuerySet:
    """`referral_list` as plain rows of the columns a list shows (`serializers.referral_row`):
    no model objects, no free text or JSON to decode, no address or aliases read for a list."""
    return referral_list(membership=membership).values(*SUMMARY_COLUMNS)


def referral_count(*, membership: Membership | None) -> int:
    """How many referrals `referral_list` holds, from the permission index alone."""
    if membership is None or not policy.sees_case_content(membership):
        return 0
    return policy.case_permissions(membership).count()


def referral_get(*, membership: Membership | None, referral_id, queryset=None) -> Referral:
    """One referral, or 404 when it does not exist *or* the agency may not see it.

    `queryset`: `referral_list` with what the caller needs loaded alongside, read in the same
    query (the detail's sections).
    """
    try:
        referral_id = int(referral_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if queryset is None:
        queryset = referral_list(membership=membership)
    referral = queryset.filter(pk=referral_id).first()
    if referral is None:
        _record_refusal(membership, referral_id)
        raise Http404
    return referral


def _record_refusal(membership: Membership | None, referral_id: int) -> None:
    """A refused look at a case that exists goes on the access log (the caller still gets 404)."""
    from django.db import transaction

    from audit.events import access_refused_event

    if membership is None or not Referral.objects.filter(pk=referral_id).exists():
        return
    with transaction.atomic():
        access_refused_event(actor=membership.user, object_type="referral.referral",
                             object_id=referral_id, referral_id=referral_id)


def referral_detail(*, membership: Membership | None, referral_id) -> Referral:
    """One referral with what its detail page shows loaded in a fixed number of queries."""
    return referral_get(
        membership=membership,
        referral_id=referral_id,
        queryset=referral_list(membership=membership)
        .select_related(
            "referrer_agency", "victim", "suspect", "victim_contact", "screening__instrument"
        )
        .prefetch_related(
            Prefetch("incidents", queryset=Incident.objects.select_related("reporting_agency")),
            Prefetch(
                "orders",
                queryset=ProtectiveOrder.objects.select_related("agency").annotate(
                    breach_count=Count("breaches")
                ),
            ),
        ),
    )


def linked_referrals(*, referral: Referral) -> QuerySet[Referral]:
    """Every referral on the same timeline (same victim or suspect), including this one."""
    return Referral.objects.filter(timeline_id=referral.timeline_id).order_by("created_at", "id")


def timeline_incidents(*, referral: Referral) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(referral__timeline_id=referral.timeline_id)
        .select_related("referral", "reporting_agency", "breach_of_order")
        .order_by("occurred_at", "id")
    )


def timeline_orders(*, referral: Referral) -> QuerySet[ProtectiveOrder]:
    return (
        ProtectiveOrder.objects.filter(referral__timeline_id=referral.timeline_id)
        .select_related("referral", "agency")
        .annotate(breach_count=Count("breaches"))
        .order_by("starts", "id")
    )


def escalation_signal(*, referral: Referral, incidents=None) -> escalation.EscalationSignal:
    """The escalation signal across the referral's whole timeline."""
    if incidents is None:
        incidents = timeline_incidents(referral=referral)
    return escalation.evaluate((escalation.facts_of(i) for i in incidents), now=timezone.now())


def timeline(*, membership: Membership | None, referral: Referral) -> list[dict]:
    """Everything that happened across linked referrals, oldest first, filtered by the policy.

    Each entry: {"at", "kind", "referral", ...}. Kinds: `referral` (submitted), `order`,
    `incident`, `breach`; decisions join once the workflow records them.
    """
    entries: list[dict] = []
    for r in linked_referrals(referral=referral).select_related("referrer_agency"):
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
        for order in timeline_orders(referral=referral):
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
        for incident in timeline_incidents(referral=referral):
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
    from audit.selectors import decision_timeline

    references = {r.pk: r.reference for r in linked_referrals(referral=referral)}
    for event in decision_timeline(referral_ids=references):
        entries.append(
            {
                "at": event.at,
                "kind": "decision",
                "referral": references[event.referral_id],
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


def workflow_sections(referral: Referral) -> dict:
    """The sections the agencies' own work fills: research, threat assessment, charging."""
    from workflows.selectors import case_sections

    return case_sections(referral=referral)
