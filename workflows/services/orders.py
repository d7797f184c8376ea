"""Orders at work in the flow: breaches enforced, the notification duty checked."""

from __future__ import annotations

from ..models import TaskType
from .registry import Completion, flow_only

COMPLETION: dict[str, Completion] = {
    TaskType.NOTIFICATION_CHECK: flow_only,
}
