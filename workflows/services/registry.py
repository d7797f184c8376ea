"""The shape of a task type's completion entry (`completion.COMPLETION`)."""

from __future__ import annotations

from collections.abc import Callable

from agencies.models import Membership

from ..models import AgencyTask

Completion = Callable[..., None]  # (*, task, actor, membership, data) -> None


def flow_only(*, task: AgencyTask, actor, membership: Membership, data: dict) -> None:
    """Nothing beyond the flow: the result, stored on the process, decides where it goes."""
