"""Typed constructors for the trail, called inside the transaction of the change they describe."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from agencies import policy
from config.request_context import current_request_id

from .chain import seal_after_commit
from .models import Event

MASK = "***"


def record(**fields: Any) -> Event:
    """`event`, inserted now (the fields are `_new_event`'s)."""
    new = event(**fields)
    new.save(force_insert=True)
    return new


def event(**fields: Any) -> Event:
    """`_new_event`, to insert in the caller's transaction (sealed once it commits)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"audit event {fields['verb']!r} written outside a transaction")
    seal_after_commit()
    return _new_event(**fields)


def _new_event(
    *,
    verb: str,
    actor=None,
    agency=None,
    obj=None,
    referral_id: int | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    recipients: list[str] | None = None,
) -> Event:
    """An event of the trail, not yet inserted."""
    if agency is None and actor is not None:
        membership = getattr(actor, "membership", None)
        agency = membership.agency if membership is not None else None
    return Event(
        at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        agency=agency,
        agency_slug=agency.slug if agency is not None else "",
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        referral_id=referral_id,
        reason=reason,
        changes=changes or {},
        recipients=recipients or [],
        request_id=current_request_id(),
    )


# An `access.granted` event's `lawful_basis` for the referrer's own access: not a disclosure.
OWN_AGENCY_BASIS = "own"


def involvements_granted_events(*, referral, agencies, disclosures, basis: str, source: str,
                                actor=None, reason: str = "") -> list[Event]:
    """An `access.granted` event for each agency newly involved (to it), in one INSERT, with
    the disclosure it is (`disclosures`, one per agency but the referrer) and its basis
    (`disclosure_basis`); the referrer's own access records `OWN_AGENCY_BASIS`."""
    by_agency = {disclosure.agency_id: disclosure for disclosure in disclosures}
    return Event.objects.bulk_create([
        event(
            verb="access.granted",
            actor=actor,
            obj=referral,
            referral_id=referral.pk,
            reason=reason,
            changes={"agency": agency.slug, "basis": basis, "source": source,
                     **(disclosure_basis(by_agency[agency.pk]) if agency.pk in by_agency
                        else own_access_basis(agency))},
            recipients=[agency.slug],
        )
        for agency in agencies
    ])


def disclosure_basis(disclosure) -> dict[str, Any]:
    """What an `access.granted` event records of its disclosure, named by `disclosure`."""
    agreement = disclosure.agreement
    return {
        "disclosure": disclosure.pk,
        "agreement": agreement.pk if agreement is not None else None,
        "agreement_title": agreement.title if agreement is not None else "",
        "lawful_basis": disclosure.lawful_basis,
        "sections": list(disclosure.sections),
        "outside_agreement": disclosure.outside_agreement,
        "authorised": disclosure.authorised_by_id is not None,
    }


def own_access_basis(agency) -> dict[str, Any]:
    """What an `access.granted` event records of the referrer's own access: no disclosure."""
    return {
        "disclosure": None, "agreement": None, "agreement_title": "",
        "lawful_basis": OWN_AGENCY_BASIS,
        "sections": sorted(policy.kind_readable_sections(agency.kind)),
        "outside_agreement": False, "authorised": False,
    }


def disclosure_authorised_event(*, disclosure, actor, reason: str) -> Event:
    """A supervisor gave the reason for a disclosure outside any agreement, after the
    workflow made it (while its involvement lasts or after it ended). `changes["disclosure"]`
    names it, as its `access.granted` event does."""
    return record(
        verb="disclosure.authorised",
        actor=actor,
        obj=disclosure,
        referral_id=disclosure.referral_id,
        reason=reason,
        changes={"disclosure": disclosure.pk, "agency": disclosure.agency.slug,
                 "basis": disclosure.basis, "source": disclosure.source,
                 "ended": disclosure.ended_at is not None},
    )


def involvements_revoked_events(*, pairs, basis: str, source: str, actor=None) -> list[Event]:
    """An `access.revoked` event for each (case, agency) pair, in one INSERT."""
    return _access_events("access.revoked", pairs, basis=basis, source=source, actor=actor)


def _access_events(verb: str, pairs, *, basis: str, source: str, actor) -> list[Event]:
    return Event.objects.bulk_create([
        event(
            verb=verb,
            actor=actor,
            obj=referral,
            referral_id=referral.pk,
            changes={"agency": agency.slug, "basis": basis, "source": source},
        )
        for referral, agency in pairs
    ])


def sharing_agreement_created_event(*, agreement, actor) -> Event:
    """An information-sharing agreement recorded: its parties, lawful basis and dates."""
    return record(
        verb="sharing_agreement.created",
        actor=actor,
        obj=agreement,
        changes={
            "title": agreement.title,
            "parties": sorted(agreement.parties.values_list("slug", flat=True)),
            "lawful_basis": agreement.lawful_basis,
            "starts_on": agreement.starts_on.isoformat(),
            "review_on": agreement.review_on.isoformat(),
        },
    )


def sharing_agreement_updated_event(*, agreement, actor, changes: dict) -> Event:
    """An agreement's review date moved or its end set: each change, before and after."""
    return record(
        verb="sharing_agreement.updated", actor=actor, obj=agreement,
        changes={"title": agreement.title, **changes},
    )


def member_created_event(*, membership, actor=None) -> Event:
    return record(
        verb="member.created",
        actor=actor,
        agency=membership.agency,
        obj=membership,
        changes={"username": membership.user.get_username(), "roles": membership.roles},
    )


def second_factor_enrolled_event(*, user, method: str) -> Event:
    """A member set up a second factor (`totp`: an authenticator app; `webauthn`: a passkey)."""
    return record(verb="second_factor.enrolled", actor=user, obj=user,
                   changes={"method": method})


def recovery_codes_issued_event(*, user) -> Event:
    """A member was given a fresh set of recovery codes (the codes are not on the trail)."""
    return record(verb="second_factor.recovery_codes_issued", actor=user, obj=user)


def second_factor_reset_event(*, membership, actor, reason: str, devices: int) -> Event:
    """An agency administrator removed a member's second factor; it enrols again at sign-in."""
    return record(
        verb="second_factor.reset",
        actor=actor,
        agency=membership.agency,
        obj=membership,
        reason=reason,
        changes={"username": membership.user.get_username(), "devices_removed": devices},
    )


def api_token_issued_event(*, token, actor) -> Event:
    """A member signed in to the API: a new token, by its public id (never the token)."""
    return record(
        verb="api_token.issued",
        actor=actor,
        obj=token,
        changes={"token": token.pk, "expiry": token.expiry.isoformat()},
    )


def api_tokens_ended_event(*, user, tokens: list[int], why: str, actor=None) -> Event:
    """API tokens ended before their expiry: `why` is `logout`, `revoked` (by the member),
    `logout_all`, `password_changed`, `deactivated` or `limit` (the oldest beyond the limit)."""
    return record(
        verb="api_token.ended",
        actor=actor,
        changes={"member": user.get_username(), "tokens": tokens, "why": why},
    )


# --- Which events are decisions ---------------------------------------------------------------

# A decision is an event a case's timeline shows with its reason, and the trail's "decisions
# only" view keeps. It is known when the event is written, by its exact verb (which the chain's
# hash covers): each writer below that records a decision names its verbs here.

# `task_completed_event` writes `<task type>.<outcome>`: the task types whose completion is a
# decision, with every outcome their form allows.
TASK_DECISIONS: dict[str, tuple[str, ...]] = {
    "triage": ("accept", "request_info", "decline"),
    "approve_decline": ("approved", "refused"),
    "approve_downgrade": ("approved", "refused"),
    "link_referrals": ("link", "merge", "separate"),
    "provide_info": ("completed",),
    "charging_review": ("charge", "no_further_action", "more_evidence"),
    "review": ("continue", "close"),
    "closure": ("completed",),
    "approve_closure": ("approved", "refused"),
    "action": ("done", "not_possible", "not_done"),
    "pre_sentence_report": ("completed",),
    "psychiatric_report": ("completed",),
    "perpetrator_assessment": ("completed",),
    "victim_letter": ("completed",),
}

# What happened after referral (the justice, orders, interventions and victims apps write these
# through `record`): each family with every outcome its writer may record.
PRACTICE_DECISIONS: dict[str, tuple[str, ...]] = {
    "offence": ("recorded", "amended"),
    "warning_signs": ("recorded",),
    "police_decision": (
        "arrested", "voluntary_interview", "bailed", "released_under_investigation",
        "referred_to_cps", "charged", "summonsed", "cautioned", "community_resolution",
        "no_further_action",
    ),
    "charging_decision": (
        "charge", "no_further_action", "more_evidence", "out_of_court_disposal", "discontinued",
        "charge_altered",
    ),
    "hearing_outcome": (
        "remanded_in_custody", "bail_unconditional", "bail_with_conditions", "plea_guilty",
        "plea_not_guilty", "convicted", "acquitted", "adjourned", "sentenced", "discontinued",
        "order_made", "order_refused",
    ),
    "sentence": ("recorded",),
    "order": (
        "varied", "renewed", "extended", "discharged", "served", "notified", "notification_failed",
    ),
    "order_application": ("made", "interim_made", "granted", "refused", "withdrawn"),
    "notification_check": ("complied", "failed"),
    "enforcement": (
        "arrested", "voluntary_interview", "warned", "recalled", "no_action", "not_traced",
    ),
    "psychiatric_assessment": ("sought", "requested", "done", "before_court", "not_ordered"),
    "threat_recommendations": ("shared",),
    "intervention_plan": ("opened",),
    "intervention": ("offered", "declined", "started", "completed", "stopped"),
    "perpetrator_assessment": ("completed",),
    "advocate": ("named", "ended"),
    "wishes": ("recorded",),
    "consent": ("recorded",),
    "safety_plan": ("agreed", "reviewed"),
    "statement": ("offered", "made", "declined"),
    "entitlement": ("enhanced", "opted_out"),
    "right_to_review": ("offered", "requested", "upheld", "overturned"),
    "person_at_risk": ("recorded",),
    "safeguarding": ("referred",),
    "victim_identifier": ("recorded",),
    "suspect_identifier": ("recorded",),
    "screening": ("updated",),
    "conference_referral": ("made",),
    "local_policy": ("set",),
    "legal_hold": ("placed", "lifted"),  # privacy.events.retention
    "retention": ("deferred", "erased"),
}

DECISION_VERBS: frozenset[str] = frozenset({
    "referral.submitted",  # referral_submitted_event
    "referral.linked",  # referral_linked_event
    "risk.raised", "risk.overridden",  # risk_changed_event, risk_changed_by_approval_event
    "risk.downgrade_proposed",  # risk_downgrade_proposed_event
    "risk.downgrade_refused",  # risk_downgrade_refused_event
    "referral.declined",  # referral_declined_event
    "referrals.linked",  # referrals_linked_events
    "referral.merged", "referral.merged_into",  # referral_merged_events
    "referrals.kept_separate",  # referrals_kept_separate_event
    "disclosure.authorised",  # disclosure_authorised_event
    "referral.classified",  # classification_changed_event
    "breach.recorded",  # incidents_recorded_events (an incident alone is not a decision)
    "order.recorded",  # order_recorded_event
    "conference.decision",  # decision_recorded_event
    "conference.action",  # action_recorded_event
    *(f"{task_type}.{outcome}" for task_type, outcomes in TASK_DECISIONS.items()
      for outcome in outcomes),  # task_completed_event
    *(f"{family}.{outcome}" for family, outcomes in PRACTICE_DECISIONS.items()
      for outcome in outcomes),  # the practice apps' events
})


def referral_submitted_event(*, referral, actor) -> Event:
    return record(
        verb="referral.submitted",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        changes={
            "reference": referral.reference,
            "risk_level": referral.risk_level,
            "risk_source": referral.risk_source,
            "classification": referral.classification,
        },
        reason=referral.not_stalking_reason,
    )


def referral_linked_event(*, referral, linked_references: list[str], actor) -> Event:
    return record(
        verb="referral.linked",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        changes={"linked": linked_references},
    )


def risk_changed_event(
    *, referral, before: str, after: str, source: str, reason: str, actor
) -> Event:
    return record(
        verb="risk.overridden" if source == "judgement" else "risk.raised",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        reason=reason,
        changes={"risk_level": {"before": before, "after": after}, "source": source},
    )


def risk_changed_by_approval_event(
    *, referral, before: str, after: str, reason: str, approval_reason: str, proposed_by: str,
    actor,
) -> Event:
    """A lower risk taking effect: `reason` is its proposer's, the actor the supervisor who
    approved it."""
    return record(
        verb="risk.overridden",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        reason=reason,
        changes={
            "risk_level": {"before": before, "after": after},
            "source": "judgement",
            "proposed_by": proposed_by,
            "approved_by": actor.get_username(),
            "approval_reason": approval_reason,
        },
    )


def risk_downgrade_proposed_event(*, referral, current: str, proposed: str, reason: str,
                                  stage: str, actor) -> Event:
    """A judgement below the screening's level: recorded, not applied (it waits for approval)."""
    return record(
        verb="risk.downgrade_proposed",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        reason=reason,
        changes={"risk_level": {"current": current, "proposed": proposed}, "stage": stage},
    )


def risk_downgrade_refused_event(*, referral, kept: str, proposed: str, proposed_by: str,
                                 reason: str, actor) -> Event:
    return record(
        verb="risk.downgrade_refused",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        reason=reason,
        changes={
            "risk_level": {"kept": kept, "proposed": proposed},
            "proposed_by": proposed_by,
        },
    )


def referral_declined_event(*, referral, actor, reason: str) -> Event:
    """A decline approved, and the referring agency told of it with its reason."""
    return record(
        verb="referral.declined",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        reason=reason,
        changes={"reference": referral.reference},
        recipients=[referral.referrer_agency.slug],
    )


def referrals_linked_events(*, referrals, timeline_id: int, actor, reason: str) -> list[Event]:
    """Referrals put on one timeline by a person's decision: an event on each of them."""
    return Event.objects.bulk_create([
        event(
            verb="referrals.linked",
            actor=actor,
            obj=referral,
            referral_id=referral.pk,
            reason=reason,
            changes={
                "linked": [r.reference for r in referrals if r.pk != referral.pk],
                "timeline_id": timeline_id,
            },
        )
        for referral in referrals
    ])


def referral_merged_events(*, referral, into, actor, reason: str) -> list[Event]:
    """A referral closed as merged into another (`referral.merged`), and the surviving one's
    record of it (`referral.merged_into`), whose existence its referrer is now told."""
    return Event.objects.bulk_create([
        event(
            verb="referral.merged",
            actor=actor,
            obj=referral,
            referral_id=referral.pk,
            reason=reason,
            changes={"into": into.reference, "status": referral.status},
            recipients=[referral.referrer_agency.slug],
        ),
        event(
            verb="referral.merged_into",
            actor=actor,
            obj=into,
            referral_id=into.pk,
            reason=reason,
            changes={"merged": referral.reference},
        ),
    ])


def referrals_kept_separate_event(*, referral, others, actor, reason: str) -> Event:
    return record(
        verb="referrals.kept_separate",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        reason=reason,
        changes={"others": [r.reference for r in others]},
    )


def classification_changed_event(*, referral, before: str, after: str, reason: str, actor) -> Event:
    return record(
        verb="referral.classified",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        reason=reason,
        changes={"classification": {"before": before, "after": after}},
    )


def incidents_recorded_events(*, incidents, actor) -> list[Event]:
    """An `incident.recorded` (or `breach.recorded`) event for each incident, in one INSERT."""
    return Event.objects.bulk_create([
        event(
            verb="breach.recorded" if incident.breach_of_order_id else "incident.recorded",
            actor=actor,
            obj=incident,
            referral_id=incident.referral_id,
            changes={
                "occurred_at": incident.occurred_at.isoformat(),
                "behaviours": incident.behaviours,
                "severity": incident.severity,
                "breach_of_order": incident.breach_of_order_id,
                "description": MASK,
            },
        )
        for incident in incidents
    ])


def order_recorded_event(*, order, actor) -> Event:
    return record(
        verb="order.recorded",
        actor=actor,
        obj=order,
        referral_id=order.referral_id,
        changes={
            "kind": order.kind,
            "starts": order.starts.isoformat(),
            "expires": order.expires.isoformat() if order.expires else None,
            "conditions": MASK,
        },
    )


def case_file_exported_event(*, referral, actor, sections: list[str], file_format: str) -> Event:
    """A member exported the case file (`file_format`: "pdf") holding these sections."""
    return record(
        verb="case_file.exported",
        actor=actor,
        obj=referral,
        referral_id=referral.pk,
        changes={"format": file_format, "sections": list(sections)},
    )


def report_read_event(*, actor, report: str, cohort: dict, file_format: str = "") -> Event:
    """A member read an outcome report (`report.read`) or exported it (`report.exported`, in
    `file_format`): the report's key and the cohort it asked for, never a case (the figures
    are aggregates; no referral is named)."""
    changes = {"report": report, **cohort}
    if file_format:
        changes["format"] = file_format
    return record(
        verb="report.exported" if file_format else "report.read", actor=actor, changes=changes
    )


def sections_read_events(*, referral, sections, actor) -> None:
    """Reads of sensitive material (victim contact details, threat assessment, charging): one
    event per section, in one INSERT of their own, before the caller answers.

    A read changes nothing else, so the INSERT needs no transaction around it: on its own it is
    atomic, and committed when it returns. Inside a caller's transaction it is part of that
    transaction, as every other event is.
    """
    case_sections_read_events(reads={referral.pk: sections}, actor=actor)


def case_sections_read_events(*, reads: dict[int, Iterable[str]], actor) -> None:
    """`sections_read_events` by referral id, for sections shown elsewhere than on the case (a
    task's work, the trail): {referral id: sections}, one INSERT per referral."""
    written = False
    for referral_id, sections in sorted(reads.items()):
        sections = list(dict.fromkeys(sections))
        if not sections:
            continue
        read = functools.partial(_new_event, verb="section.read", actor=actor, obj=None,
                                 referral_id=referral_id)
        if connection.vendor == "postgresql":
            _insert_section_reads(_of_case(read()), sections)
        else:
            Event.objects.bulk_create(
                [_of_case(read(changes={"section": section})) for section in sections]
            )
        written = True
    if written:
        seal_after_commit()  # outside a transaction: now


def trail_reads_events(*, shown: Iterable[Event], member, actor) -> None:
    """A member who works with cases was shown these trail events: each of a sensitive section
    (`policy.EVENT_SECTIONS`) is a read of that section of its case. An auditor reads the trail
    itself, whose reads are not case reads."""
    if policy.reads_trail_as_auditor(member):
        return
    reads: dict[int, set[str]] = {}
    for event in shown:
        section = policy.event_section(event.verb, event.changes)
        if section in policy.SENSITIVE_SECTIONS and event.referral_id is not None:
            reads.setdefault(event.referral_id, set()).add(section)
    case_sections_read_events(reads=reads, actor=actor)


def _of_case(event: Event) -> Event:
    event.object_type, event.object_id = "referral.referral", str(event.referral_id)
    return event


# Every case detail writes these: one statement with the sections as an array, outside any
# transaction (a bulk_create would open one). The columns are those `_new_event` fills; a test
# compares the rows with what the ORM writes.
_SECTION_READS = (
    'INSERT INTO "audit_event" (at, actor_id, actor_username, agency_id, agency_slug, verb,'
    " object_type, object_id, referral_id, reason, changes, recipients, request_id)"
    " SELECT %s, %s, %s, %s, %s, %s, %s, %s, %s, '',"
    " jsonb_build_object('section', section), '[]'::jsonb, %s FROM unnest(%s::text[]) AS section"
)


def _insert_section_reads(read: Event, sections: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_SECTION_READS, [
            read.at, read.actor_id, read.actor_username, read.agency_id, read.agency_slug,
            read.verb, read.object_type, read.object_id, read.referral_id, read.request_id,
            sections,
        ])


# Result fields that are decisions (kept on the trail); other free text is case content (masked).
DECISION_FIELDS = (
    "decision", "risk_level", "approved", "outcome", "withheld", "request_charging_advice",
    "classification", "charged", "convicted", "protective_order", "victim_informed", "request",
    "arrested", "contacted", "sent", "conference", "offence", "share_recommendations",
    "vrr_offered", "views_sought", "test", "complied", "offences", "offences_considered",
)


def _decision_verb(task_type: str, result: dict) -> str:
    for key in ("decision", "outcome"):
        if key in result:
            return f"{task_type}.{result[key]}"
    if "approved" in result:
        return f"{task_type}.{'approved' if result['approved'] else 'refused'}"
    return f"{task_type}.completed"


def task_completed_event(*, task, actor, result: dict) -> Event:
    changes = {k: result[k] for k in DECISION_FIELDS if k in result}
    changes.update({k: MASK for k in result if k not in DECISION_FIELDS and "reason" not in k})
    reasons = [str(result[k]) for k in result if "reason" in k and result[k]]
    return record(
        verb=_decision_verb(task.task_type, result),
        actor=actor,
        obj=task,
        referral_id=task.referral_id,
        reason="\n".join(reasons),
        changes={"task_type": task.task_type, **changes},
    )


def task_claimed_event(*, task, actor) -> Event:
    return record(verb="task.claimed", actor=actor, obj=task, referral_id=task.referral_id,
                   changes={"task_type": task.task_type})


def task_released_event(*, task, actor) -> Event:
    return record(verb="task.released", actor=actor, obj=task, referral_id=task.referral_id,
                   changes={"task_type": task.task_type})


def task_reassigned_event(*, task, actor, to_username: str) -> Event:
    return record(verb="task.reassigned", actor=actor, obj=task, referral_id=task.referral_id,
                   changes={"task_type": task.task_type, "to": to_username})


def task_escalated_event(*, task) -> Event:
    return record(verb="task.escalated", agency=task.agency, obj=task,
                   referral_id=task.referral_id,
                   changes={"task_type": task.task_type, "due": task.due.isoformat()})


def hearing_recorded_event(*, hearing, actor) -> Event:
    return record(verb="hearing.recorded", actor=actor, obj=hearing,
                   referral_id=hearing.referral_id,
                   changes={"kind": hearing.kind, "date": hearing.date.isoformat()})


def conference_event(*, conference, actor, verb: str, changes: dict | None = None,
                     reason: str = "") -> Event:
    return record(verb=verb, actor=actor, obj=conference, reason=reason,
                   changes={"conference": conference.pk, **(changes or {})})


def decision_recorded_event(*, decision, actor) -> Event:
    return record(verb="conference.decision", actor=actor, obj=decision,
                   referral_id=decision.item.referral_id, reason=decision.reason,
                   changes={"conference": decision.item.conference_id, "decision": decision.text})


def action_recorded_event(*, action, actor) -> Event:
    return record(verb="conference.action", actor=actor, obj=action,
                   referral_id=action.item.referral_id,
                   changes={"conference": action.item.conference_id, "agency": action.agency.slug,
                            "due": action.due.isoformat(), "description": action.description},
                   recipients=[action.agency.slug])


def addendum_recorded_event(*, note, actor) -> Event:
    """An addendum to signed minutes: who corrected them, where, and which note it corrects
    (its text stays in the minutes, like every note's)."""
    return record(verb="minutes.addendum", actor=actor, obj=note,
                   referral_id=note.agenda_item.referral_id if note.agenda_item_id else None,
                   changes={"conference": note.conference_id, "seq": note.seq,
                            "addendum_to": note.addendum_to_id})


def minutes_sent_event(*, conference, actor, recipients: list[str]) -> Event:
    """A disclosure: the minutes went to these agencies (DPA 2018 s.62 logging)."""
    return record(verb="minutes.sent", actor=actor, obj=conference,
                   changes={"conference": conference.pk}, recipients=recipients)


def access_refused_event(*, actor, object_type: str, object_id, referral_id=None) -> Event:
    """Someone asked for something their agency may not see (they were answered 404)."""
    return record(verb="access.refused", actor=actor, referral_id=referral_id,
                   changes={"object_type": object_type, "object_id": str(object_id)})


def agenda_event(*, item, actor, verb: str, changes: dict | None = None) -> Event:
    """A change to a meeting's agenda: a case added, removed, closed (heard)."""
    return record(verb=verb, actor=actor, obj=item, referral_id=item.referral_id,
                   changes={"conference": item.conference_id, **(changes or {})})


def case_erased_event(*, referral_id: int, actor, reason: str, counts: dict[str, int]) -> Event:
    """`case.erased`: a case's personal data was erased, how much of it (counts per kind of
    record, and of events), and why. Names no one, and is never erased itself."""
    return record(verb="case.erased", actor=actor, referral_id=referral_id, reason=reason,
                  changes={"counts": counts})
