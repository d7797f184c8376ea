"""Assessments in the flow: before hearings, for the court, of the perpetrator."""

from __future__ import annotations

from ..models import TaskType
from .registry import Completion, flow_only

COMPLETION: dict[str, Completion] = {
    TaskType.PRE_SENTENCE_REPORT: flow_only,
    TaskType.PSYCHIATRIC_REPORT: flow_only,
    TaskType.PERPETRATOR_ASSESSMENT: flow_only,
}
