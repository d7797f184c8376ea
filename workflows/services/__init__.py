"""Every change to the work on a case; workflows is the one orchestrator of the apps below it.

`intake`: into the flow; `starts`: single tasks and their deadlines; `work`: claiming and
completing; `completion`: what completing each task type does; `meetings`: what a case
conference starts in the flows; `privacy`: subject access requests as tasks; `timers`:
escalating overdue tasks.
"""

from .assessments import intervention_log, perpetrator_assessment_ask
from .completion import COMPLETION, task_result_apply
from .intake import (
    check_hearing_date,
    hearing_record,
    identifier_log,
    incident_log,
    order_log,
    referral_refer,
)
from .meetings import action_assign, agenda_item_hear, conference_finish, conference_refer
from .privacy import (
    subject_access_answer_close,
    subject_access_answer_disclose,
    subject_access_receive,
    subject_access_task,
)
from .starts import (
    case_task_start,
    downgrade_review_start,
    hearing_tasks_due,
    link_review_start,
    victim_update_due,
    victim_update_start,
)
from .timers import escalate_overdue
from .victims import victims_code_event
from .work import (
    notification_mark_read,
    notifications_mark_read,
    task_claim,
    task_complete,
    task_read_record,
    task_reassign,
    task_release,
)

__all__ = [
    "COMPLETION",
    "action_assign",
    "agenda_item_hear",
    "case_task_start",
    "check_hearing_date",
    "conference_finish",
    "conference_refer",
    "downgrade_review_start",
    "escalate_overdue",
    "hearing_record",
    "hearing_tasks_due",
    "identifier_log",
    "incident_log",
    "intervention_log",
    "link_review_start",
    "notification_mark_read",
    "notifications_mark_read",
    "order_log",
    "perpetrator_assessment_ask",
    "referral_refer",
    "subject_access_answer_close",
    "subject_access_answer_disclose",
    "subject_access_receive",
    "subject_access_task",
    "task_claim",
    "task_complete",
    "task_read_record",
    "task_reassign",
    "task_release",
    "task_result_apply",
    "victim_update_due",
    "victim_update_start",
    "victims_code_event",
]
