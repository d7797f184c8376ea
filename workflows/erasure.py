"""Erasing a case's task work: the free text its tasks' answers and its processes' data hold.

Called by `privacy.erasure.case_erase` through its registry (this app is above privacy in the
layers; `apps.WorkflowsConfig.ready` registers it). An answer a form offered as a choice (an
`enum` of the task's schema: a decision, a risk level, an outcome), a yes or no, a number, an id
or a date stays, so that the flow's record and the reports read as before; every other text is
emptied. `AgencyTask.outcome` (the decision, for the reports) stays as it is.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q

from referral.models import Referral

from . import task_schemas
from .models import AgencyTask, CaseProcess, Notification

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")

# The keys of a process's `context` whose text is a code, never free text (the context of each
# task type is written by `workflows.services`).
CONTEXT_CODES = frozenset(
    {
        "trigger",
        "duty_holder",
        "decision",
        "decided_by_kind",
        "proposed_risk_level",
        "current_risk_level",
        "screening_risk_level",
        "proposed_at",
        "proposed_by",
    }
)


def _is_choice(spec: dict | None) -> bool:
    if not spec:
        return False
    return "enum" in spec or "enum" in (spec.get("items") or {})


def _erased(value: Any, *, code: bool) -> Any:
    """`value` with its free text emptied: text kept only when it is a code (`code`) or a date;
    inside lists and objects the same, objects' texts never taken for codes."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if code or _ISO_DATE.match(value) else ""
    if isinstance(value, list):
        return [_erased(item, code=code) for item in value]
    if isinstance(value, dict):
        return {key: _erased(item, code=False) for key, item in value.items()}
    return None


def result_erased(task_type: str, result: dict) -> dict:
    """A task's answers with the free text emptied (choices of its form kept)."""
    properties = task_schemas.SCHEMAS.get(task_type, {}).get("properties", {})
    return {
        key: _erased(value, code=_is_choice(properties.get(key))) for key, value in result.items()
    }


def _process_data_erased(data: dict) -> dict:
    data = dict(data)
    if isinstance(data.get("results"), dict):
        data["results"] = {
            task_type: result_erased(task_type, result) if isinstance(result, dict) else {}
            for task_type, result in data["results"].items()
        }
    if isinstance(data.get("context"), dict):
        data["context"] = {
            key: _erased(value, code=key in CONTEXT_CODES) for key, value in data["context"].items()
        }
    return data


def case_work_erase(referral: Referral) -> dict[str, int]:
    """Empty the free text of the case's tasks' answers and processes' data, and reword its
    notices (which quote reasons); counts per kind of record. In the caller's transaction."""
    tasks = list(AgencyTask.objects.filter(referral_id=referral.pk).only("pk", "task_type", "data"))
    for task in tasks:
        if isinstance(task.data.get("result"), dict):
            task.data = {**task.data, "result": result_erased(task.task_type, task.data["result"])}
    AgencyTask.objects.bulk_update(tasks, ["data"], batch_size=500)
    processes = list(CaseProcess.objects.filter(referral_id=referral.pk).only("pk", "data"))
    for process in processes:
        process.data = _process_data_erased(process.data or {})
    CaseProcess.objects.bulk_update(processes, ["data"], batch_size=500)
    notices = Notification.objects.filter(
        Q(referral_id=referral.pk) | Q(task__referral_id=referral.pk)
    ).update(text=f"The personal data of {referral.reference} was erased.")
    return {
        "workflows.agencytask": len(tasks),
        "workflows.caseprocess": len(processes),
        "workflows.notification": notices,
    }
