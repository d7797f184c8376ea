"""What a case conference starts or moves on in the flows. The conference's own records are
`conferences.services`; these call them, then do the flow's part in the same transaction."""

from __future__ import annotations

import uuid
from datetime import date

from django.db import transaction
from viewflow.workflow.status import STATUS

from agencies.models import Agency
from conferences import services as conference_services
from conferences.models import AgendaItem, Conference, ConferenceAction, JudgementReferral
from referral.models import Referral

from .. import calendar, notifications
from ..flows import ReferralFlow
from ..models import AgencyTask, CaseProcess
from .starts import case_task_start


@transaction.atomic
def conference_refer(
    *, referral: Referral, actor, membership, reason: str
) -> tuple[JudgementReferral, AgendaItem | None]:
    """Refer a case to a conference on professional judgement
    (`conferences.services.conference_referral_make`). When no conference is scheduled and the
    case is past research, nothing would weigh it again: the region's coordinator chairs are
    told that it awaits a conference (after commit)."""
    judgement, item = conference_services.conference_referral_make(
        referral=referral, actor=actor, membership=membership, reason=reason
    )
    if conference_services.awaits_the_chairs(referral=judgement.referral, item=item):
        transaction.on_commit(
            lambda: notifications.conference_awaited(judgement.pk), robust=True
        )
    return judgement, item


@transaction.atomic
def conference_finish(*, actor, conference: Conference) -> Conference:
    """Close the meeting (`conferences.services.conference_close`); the coordinator's
    `minutes_distribution` task falls due within three working days."""
    conference = conference_services.conference_close(actor=actor, conference=conference)
    case_task_start(
        referral=None,
        task_type="minutes_distribution",
        agency=conference.coordinator,
        due=calendar.due_in_working_days(3),
        context={"conference": conference.pk},
    )
    return conference


@transaction.atomic
def action_assign(
    *, actor, conference: Conference, item_id: int, agency: Agency, description: str,
    due: date, client_id: uuid.UUID | None = None,
) -> tuple[ConferenceAction, bool]:
    """Record an action (`conferences.services.action_record`) and give it to its agency as an
    `action` task due at close of business on its date. Returns (action, created): a resend of
    the same client id is answered with the stored action and starts no second task (the
    meeting's lock makes it wait for the request it repeats)."""
    action, created = conference_services.action_record(
        actor=actor, conference=conference, item_id=item_id, agency=agency,
        description=description, due=due, client_id=client_id,
    )
    if created:
        action.task = case_task_start(
            referral=action.item.referral,
            task_type="action",
            agency=agency,
            due=calendar.end_of_day(due),
            context={
                "action": action.pk, "conference": action.item.conference_id,
                "description": description,
            },
        )
        action.save(update_fields=["task"])
    return action, created


@transaction.atomic
def agenda_item_hear(*, actor, item: AgendaItem) -> AgendaItem:
    """Close an agenda item (`conferences.services.agenda_item_close`): the case was heard, its
    referral flow moves on to review."""
    item = conference_services.agenda_item_close(item=item, actor=actor)
    _case_heard(referral=item.referral)
    return item


def _case_heard(*, referral: Referral) -> bool:
    """The flow waiting for the case to be heard moves on (none waiting: nothing to do)."""
    heard = AgencyTask.objects.filter(
        process__in=CaseProcess.objects.filter(referral=referral),
        flow_task=ReferralFlow.heard,
        status=STATUS.NEW,
    ).first()
    if heard is None:
        return False
    ReferralFlow.heard.run(heard)
    return True
