"""Subject access requests as work: receiving one starts a `subject_access` task in the DPO
agency's queue, due on the request's deadline (one calendar month); disclosing the bundle or
closing the request completes it. Workflows orchestrates; `privacy.services` does the rest."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.status import STATUS

from agencies.models import Membership
from audit import events
from privacy import services as privacy_services
from privacy.models import SubjectAccessDisclosure, SubjectAccessRequest

from .. import calendar
from ..models import AgencyTask
from .starts import case_task_start


def subject_access_task(request: SubjectAccessRequest) -> AgencyTask | None:
    """The open task of this request, if any."""
    return AgencyTask.objects.filter(
        task_type="subject_access",
        is_open=True,
        agency_id=request.agency_id,
        process__data__context__request=request.pk,
    ).first()


@transaction.atomic
def subject_access_receive(
    *, actor, membership: Membership, draft: privacy_services.RequestDraft
) -> SubjectAccessRequest:
    """Record the request, search for the person's records, and start its task."""
    request = privacy_services.subject_access_create(
        actor=actor, membership=membership, draft=draft
    )
    privacy_services.subject_access_search(actor=actor, membership=membership, request=request)
    case_task_start(
        referral=None,
        task_type="subject_access",
        agency=request.agency,
        due=calendar.end_of_day(request.due_on),
        context={"request": request.pk},
    )
    return request


@transaction.atomic
def subject_access_answer_disclose(
    *, actor, membership: Membership, request: SubjectAccessRequest
) -> SubjectAccessDisclosure:
    """Disclose the bundle and complete the request's task."""
    disclosure = privacy_services.subject_access_disclose(
        actor=actor, membership=membership, request=request
    )
    _task_finish(request=request, actor=actor, outcome="disclosed")
    return disclosure


@transaction.atomic
def subject_access_answer_close(
    *, actor, membership: Membership, request: SubjectAccessRequest, reason: str
) -> SubjectAccessRequest:
    """Close the request without disclosure and complete its task."""
    request = privacy_services.subject_access_close(
        actor=actor, membership=membership, request=request, reason=reason
    )
    _task_finish(request=request, actor=actor, outcome="closed")
    return request


def _task_finish(*, request: SubjectAccessRequest, actor, outcome: str) -> None:
    """Complete the request's open task as the DPO who answered it (taking it from the queue,
    or from another DPO who had claimed it)."""
    task = subject_access_task(request)
    if task is None:
        return
    result = {"request": request.pk, "answer": outcome}
    with task.activation() as activation:
        if task.status == STATUS.NEW:
            task.assigned = timezone.now()
            activation.assign(actor)
        elif task.owner_id != actor.pk:
            task.assigned = timezone.now()
            activation.reassign(actor)
        task.data = {**task.data, "result": result}
        process = task.process.coerced
        process.data.setdefault("results", {})[task.task_type] = result
        process.data.setdefault("actors", {})[task.task_type] = actor.pk
        process.save(update_fields=["data"])
        events.task_completed_event(task=task, actor=actor, result=result)
        activation.start(None)
        activation.execute()
