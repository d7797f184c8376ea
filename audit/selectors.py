"""Reads of the trail: auditors see every agency's; others see their own agency's part."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies import policy
from agencies.selectors import membership_of
from config.exceptions import NotFound

from . import chain
from .events import DECISION_VERBS, OWN_AGENCY_BASIS
from .models import ChainHead, Event, PendingSeal


def events_for(
    *,
    user,
    cases,
    referral_id=None,
    agency=None,
    actor=None,
    verb=None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Event]:
    """The trail filtered as asked, scoped to what the caller may read; sealed order first.

    `cases` are the ids of the cases the caller's agency may see now (the interface asks
    `referral.access.visible_case_ids`): a member who reads its own agency's part of the trail
    only (`reads_agency_part`) is shown only theirs; if it names a case, the interface has
    checked first that its agency may see it."""
    member = membership_of(user)
    if policy.may(member, "read_audit_trail"):
        events = Event.objects.all()
    elif policy.may(member, "read_agency_trail"):
        events = Event.objects.filter(agency_slug=member.agency.slug)
        if not policy.reads_trail_as_auditor(member):
            events = _as_case_reader(events, member, cases)
    else:
        raise NotFound
    if referral_id is not None:
        events = events.filter(referral_id=referral_id)
    if agency:
        events = events.filter(agency_slug=agency)
    if actor:
        events = events.filter(actor_username=actor)
    if verb:
        events = (
            events.filter(verb__startswith=verb) if verb.endswith(".") else events.filter(verb=verb)
        )
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    return events.select_related("seal").order_by("id")


def reads_agency_part(member) -> bool:
    """Whether the member reads its own agency's part of the trail, not every agency's."""
    return not policy.may(member, "read_audit_trail") and policy.may(member, "read_agency_trail")


def _as_case_reader(events: QuerySet[Event], member, cases) -> QuerySet[Event]:
    """The events a member who works with cases may be shown: of the cases its agency may see
    now (or of no case), each of a section it may read (`policy.EVENT_SECTIONS`)."""
    events = events.filter(Q(referral_id__isnull=True) | Q(referral_id__in=cases))
    for prefix in policy.hidden_event_prefixes(member):
        events = events.exclude(verb__startswith=prefix)
    if policy.hides_sharing_reasons(member):
        events = events.exclude(
            Q(verb__startswith="disclosure.") | (Q(verb="access.granted") & ~Q(reason=""))
        )
    readable = sorted(policy.readable_sections(member))
    for family in policy.SECTION_NAMED_EVENTS:
        # Kept only when the section its changes name is one the member may read.
        events = events.filter(
            ~Q(verb__startswith=f"{family}.") | Q(changes__section__in=readable)
        )
    return events


def access_report(*, user, cases, referral_id=None, actor=None,
                  section: str = "victim_contact"):
    """Who read a sensitive section (of a case, or by a person): every read, oldest first."""
    return events_for(
        user=user, cases=cases, referral_id=referral_id, actor=actor, verb="section.read"
    ).filter(changes__section=section)


# The disclosures report: which of them, by what they rest on.
DISCLOSURE_FILTERS = {
    "": "Every disclosure",
    "outside": "Outside an agreement",
    "awaiting": "Outside an agreement, awaiting a supervisor's reason",
    "authorised": "Outside an agreement, with a supervisor's reason",
}


def disclosure_report(*, user, cases, referral_id=None, actor=None,
                      outside: str = "") -> QuerySet[Event]:
    """Disclosures of cases to agencies other than their referrer: each `access.granted` event
    with its basis (the agreement and lawful basis, or outside any), oldest first, annotated
    `reason_given` for one outside an agreement that a supervisor has given the reason for
    since (`disclosure.authorised`, naming the same disclosure, whether or not its involvement
    has ended). `outside` narrows them (`DISCLOSURE_FILTERS`). Read from the trail alone: what
    the events recorded."""
    events = (
        events_for(user=user, cases=cases, referral_id=referral_id, actor=actor,
                   verb="access.granted")
        .exclude(changes__contains={"basis": "referrer"})
        .exclude(changes__contains={"lawful_basis": OWN_AGENCY_BASIS})
        .annotate(reason_given=Exists(Event.objects.filter(
            verb="disclosure.authorised", referral_id=OuterRef("referral_id"),
            changes__disclosure=OuterRef("changes__disclosure"),
        )))
    )
    if outside:
        events = events.filter(changes__contains={"outside_agreement": True})
    authorised = Q(changes__contains={"authorised": True}) | Q(reason_given=True)
    if outside == "awaiting":
        events = events.exclude(authorised)
    elif outside == "authorised":
        events = events.filter(authorised)
    return events


def decisions(events: QuerySet[Event]) -> QuerySet[Event]:
    """Of these events, the decisions (`events.DECISION_VERBS`)."""
    return events.filter(verb__in=DECISION_VERBS)


def decision_timeline(*, referral_ids) -> QuerySet[Event]:
    """Decisions with their reasons on these referrals, for the case timeline."""
    return decisions(Event.objects.filter(referral_id__in=list(referral_ids))).order_by("id")


def event_output(event: Event) -> dict:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor_username or None,
        "agency": event.agency_slug or None,
        "verb": event.verb,
        "referral": event.referral_id,
        "reason": event.reason,
        "changes": event.changes,
        "recipients": event.recipients,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "request_id": event.request_id,
        "hash": event.hash or None,
    }


def chain_state() -> dict:
    """The chain as it stands, without reading the trail: how many events are sealed (the
    head's number), how many wait for the sealer, and the last anchor exported. Two queries; a
    full check is `chain.verify`, which reads every event."""
    head = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    return {
        "sealed": head,
        "pending": PendingSeal.objects.count(),
        "anchor": chain.last_anchor(),
    }


def decisions_latest(*, user, cases, limit: int = 10) -> list[Event]:
    """The latest decisions of the trail the caller may read, newest first. One query."""
    return list(decisions(events_for(user=user, cases=cases)).order_by("-id")[:limit])
