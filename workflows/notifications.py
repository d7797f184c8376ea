"""In-app notifications and emails about tasks, sent after the transaction commits.

Texts name the task type and the case reference, never a person: emails leave the system. A
decline's reason is shown in the app only; its email says where to read it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail

from agencies import policy
from agencies.models import AgencyKind
from agencies.selectors import agency_members
from conferences.models import JudgementReferral
from referral.models import Referral
from victims.models import AdvocateAssignment

from . import deferred
from .allocation import agency_of_kind
from .models import AgencyTask, Notification
from .selectors import triage_before


def notice_text(task: AgencyTask, kind: str) -> str:
    """A notice's text: the task type and the case reference, never a person."""
    what = task.get_task_type_display()
    ref = task.referral.reference if task.referral_id else "a case"
    return {
        Notification.Kind.QUEUED: f"{what} on {ref} is in your agency's queue.",
        Notification.Kind.ASSIGNED: f"{what} on {ref} has been assigned to you.",
        Notification.Kind.OVERDUE: f"{what} on {ref} is overdue.",
    }[kind]


def _notify(task: AgencyTask, kind: str, users) -> int:
    return _deliver(task, kind, users, text=notice_text(task, kind))


def _deliver(
    task: AgencyTask, kind: str, users, *, text: str, email_text: str | None = None
) -> int:
    """Tell each user once (per kind and task): in the app with `text`, by email with
    `email_text` (the same unless said otherwise: what an email carries leaves the system).
    The notice is about the task's case: a reader's list leaves it out once its agency may no
    longer see that case."""
    users = [u for u in users if u.is_active]
    email_text = text if email_text is None else email_text
    # Notifying is idempotent per user, kind and task: skip those already told, and let the
    # unique constraint absorb a race with another sender.
    told = set(
        Notification.objects.filter(task=task, kind=kind, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    created = [u for u in users if u.pk not in told]
    Notification.objects.bulk_create(
        [
            Notification(user=u, kind=kind, task=task, referral_id=task.referral_id, text=text)
            for u in created
        ],
        ignore_conflicts=True,
    )
    messages = [
        (
            f"Concord: {email_text}",
            f"{email_text}\n\nSign in to Concord to see it.",
            settings.DEFAULT_FROM_EMAIL,
            [u.email],
        )
        for u in created
        if u.email
    ]
    if messages:
        deferred.enqueue(send_mass, messages)
    return len(created)


def _task(task_id: int) -> AgencyTask | None:
    return (
        AgencyTask.objects.select_related("referral", "agency", "owner").filter(pk=task_id).first()
    )


def task_queued(task_id: int) -> int:
    task = _task(task_id)
    if task is None or task.agency is None:
        return 0
    if task.owner_id:
        return _assigned(task)
    members = [m.user for m in agency_members(agency=task.agency)
               if policy.may_take_task(m, task)]
    return _notify(task, Notification.Kind.QUEUED, members)


def task_assigned(task_id: int) -> int:
    task = _task(task_id)
    return 0 if task is None else _assigned(task)


def _assigned(task: AgencyTask) -> int:
    if task.owner is None:
        return 0
    return _notify(task, Notification.Kind.ASSIGNED, [task.owner])


def task_overdue(task_id: int) -> int:
    task = _task(task_id)
    if task is None or task.agency is None:
        return 0
    supervisors = [m.user for m in agency_members(agency=task.agency, role="supervisor")]
    if not supervisors:  # an agency without supervisors: its members must still hear of it
        supervisors = [m.user for m in agency_members(agency=task.agency)]
    return _notify(task, Notification.Kind.OVERDUE, supervisors)


def send_mass(messages) -> None:
    send_mass_mail([tuple(m) for m in messages], fail_silently=False)


# --- News of a case, for those who are not working on it -----------------------------------

TEXT_MAX = Notification._meta.get_field("text").max_length


def _clip(text: str) -> str:
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "\u2026"


def _referrer_members(referral) -> list:
    """Members of the referring agency who work with case content."""
    return [
        m.user for m in agency_members(agency=referral.referrer_agency)
        if policy.sees_case_content(m)
    ]


def referral_declined(task_id: int) -> int:
    """The referring agency hears its referral was declined, and why (after `approve_decline`
    approved it)."""
    task = _task(task_id)
    if task is None or task.referral is None:
        return 0
    referral = task.referral
    triage = triage_before(task)
    reason = (triage.data.get("result") or {}).get("reason", "") if triage else ""
    return _deliver(
        task,
        Notification.Kind.DECLINED,
        _referrer_members(referral),
        text=_clip(f"Your agency's referral {referral.reference} was declined: {reason}"),
        email_text=f"Your agency's referral {referral.reference} was declined.",
    )


def decline_refused(task_id: int) -> int:
    """Whoever proposed a decline hears it was refused, and why; the notice leads to the
    triage task the case is back in."""
    task = _task(task_id)
    if task is None or task.referral is None:
        return 0
    triage = triage_before(task)
    if triage is None or triage.owner is None:
        return 0
    referral = task.referral
    reason = (task.data.get("result") or {}).get("reason", "")
    back = (
        AgencyTask.objects.filter(referral=referral, task_type="triage", is_open=True)
        .order_by("-id")
        .first()
    )
    return _deliver(
        back or task,
        Notification.Kind.DECLINE_REFUSED,
        [triage.owner],
        text=_clip(
            f"Your decline of {referral.reference} was refused; it is back in triage: {reason}"
        ),
        email_text=f"Your decline of {referral.reference} was refused; it is back in triage.",
    )


def link_outcome(task_id: int) -> int:
    """The referring agency hears what the coordinator decided about its referral and others
    of the same people; another case is named only when a merge let the agency see it."""
    task = _task(task_id)
    if task is None or task.referral is None:
        return 0
    referral = task.referral
    result = task.data.get("result") or {}
    ref = referral.reference
    decision = result.get("decision")
    if decision == "merge":
        into = Referral.objects.filter(
            pk=result.get("into") or min(task.process.coerced.data["context"]["matches"])
        ).first()
        text = (
            f"Your agency's referral {ref} was merged into {into.reference}, which your agency "
            "can now see; the work goes on there."
        )
    elif decision == "link":
        text = (
            f"The coordinator linked your agency's referral {ref} with other records of the "
            "same people; it goes on as its own case."
        )
    else:
        text = f"The coordinator reviewed your agency's referral {ref}; it goes on as its own case."
    return _deliver(
        task, Notification.Kind.LINK_OUTCOME, _referrer_members(referral), text=_clip(text)
    )


def victim_updated(task_id: int) -> int:
    """The victim's named advocate (else the advocacy service's supervisors, or its members
    when it has none) hears that the
    duty holder updated the victim: the case reference and why, never what was said."""
    task = _task(task_id)
    if task is None or task.referral is None:
        return 0
    referral = task.referral
    named = (
        AdvocateAssignment.objects.filter(referral=referral, ended_on__isnull=True)
        .select_related("advocate").first()
    )
    if named is not None:
        users = [named.advocate]
    else:
        advocacy = agency_of_kind(AgencyKind.ADVOCACY, region=referral.referrer_agency.region)
        members = [] if advocacy is None else agency_members(agency=advocacy)
        # An advocacy service without supervisors: its members must still hear of it.
        users = [m.user for m in members if "supervisor" in m.roles] or [
            m.user for m in members if policy.sees_case_content(m)
        ]
    reason = (task.process.coerced.data.get("context") or {}).get("reason", "")
    why = f" ({reason})" if reason else ""
    return _deliver(
        task, Notification.Kind.VICTIM_UPDATED, users,
        text=_clip(f"The victim on {referral.reference} was updated{why}."),
    )


def conference_awaited(judgement_id: int) -> int:
    """The region's coordinator chairs hear that a case referred to a conference on
    professional judgement awaits one: no conference is scheduled and, past research, nothing
    else would put it on an agenda. The notice names the case, never the referrer's reason;
    each chair is told once per judgement referral."""
    judgement = (
        JudgementReferral.objects.select_related("referral__referrer_agency")
        .filter(pk=judgement_id).first()
    )
    if judgement is None:
        return 0
    referral = judgement.referral
    hub = agency_of_kind(AgencyKind.COORDINATOR, region=referral.referrer_agency.region)
    chairs = [m.user for m in agency_members(agency=hub, role="chair")]
    if not chairs:  # a hub without chairs: its supervisors schedule its conferences
        chairs = [m.user for m in agency_members(agency=hub, role="supervisor")]
    text = (
        f"{referral.reference} was referred to a conference on professional judgement and "
        "awaits one: no conference is scheduled. Schedule one and put the case on its agenda."
    )
    told = set(
        Notification.objects.filter(
            kind=Notification.Kind.CONFERENCE_AWAITED, referral=referral,
            created_at__gte=judgement.made_at,
        ).values_list("user_id", flat=True)
    )
    users = [u for u in chairs if u.is_active and u.pk not in told]
    Notification.objects.bulk_create([
        Notification(user=u, kind=Notification.Kind.CONFERENCE_AWAITED, task=None,
                     referral=referral, text=text)
        for u in users
    ])
    messages = [
        (f"Concord: {text}", f"{text}\n\nSign in to Concord to see it.",
         settings.DEFAULT_FROM_EMAIL, [u.email])
        for u in users if u.email
    ]
    if messages:
        deferred.enqueue(send_mass, messages)
    return len(users)
