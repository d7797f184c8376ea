"""Work handed to a worker: the domain names the function to run, the interface says how it runs.

Services and nodes call `after_commit(notifications.task_queued, task.pk)`; `workflows.tasks`
registers the Celery task that runs each such function (`register`), so the domain never imports
the Celery tasks. A function with no task registered is an error, not a silent inline call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.db import transaction


class Runner(Protocol):
    def delay(self, *args: Any) -> Any: ...


_runners: dict[Callable[..., Any], Runner] = {}


def register(function: Callable[..., Any], runner: Runner) -> None:
    """`runner.delay(*args)` runs `function(*args)` in a worker (a Celery task wrapping it)."""
    _runners[function] = runner


def enqueue(function: Callable[..., Any], *args: Any) -> None:
    """Hand `function(*args)` to a worker now."""
    try:
        runner = _runners[function]
    except KeyError:
        raise LookupError(f"No worker task runs {function.__qualname__}") from None
    runner.delay(*args)


def after_commit(function: Callable[..., Any], *args: Any) -> None:
    """Hand `function(*args)` to a worker once the transaction commits. Robust: a broker that
    is down must not turn the saved change into an error its sender would retry (the failure
    is logged)."""
    transaction.on_commit(lambda: enqueue(function, *args), robust=True)
