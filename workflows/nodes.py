"""Two small additions to viewflow 2.4's nodes.

* `AgencyView`: a human task owned by an agency (its queue), with a task type, a required role,
  a due date and the access policy deciding who may take and do it. Creating one involves the
  agency in the case; its `is_open` and `in_queue` mirrors keep the queue an indexed query.
* `DataSplit`: a parallel split whose branch may be created once per item of a data source
  (viewflow's `Split` documents `data_source` but ignores it), with a hook run once as it
  activates (where a hook on the branch's task would run once per item).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views import View as PageView
from viewflow import this
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.flow import End, Split, View
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.split import SplitActivation
from viewflow.workflow.nodes.view import ViewActivation

from agencies import policy
from agencies.selectors import membership_of
from referral.access import involvement_grant, involvements_revoke
from referral.models import Involvement, InvolvementBasis

from . import deferred, notifications
from .models import task_outcome


def may_take(user, task) -> bool:
    """The access policy's answer for this user (`policy.may_take_task`)."""
    return policy.may_take_task(membership_of(user), task)


class TaskPage(LoginRequiredMixin, PageView):
    """The view a viewflow human task names. Concord does not mount viewflow's own task pages
    (their forms would bypass the services' checks); anyone sent to one lands on Concord's task
    page instead."""

    def get(self, request, *args, task_pk=None, **kwargs):
        return redirect("workspace:tasks:detail", task_id=task_pk)


class AgencyViewActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task = flow_task.flow_class.task_class(
            process=prev_activation.process, flow_task=flow_task, token=token
        )
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        process = prev_activation.process
        task.referral_id = process.referral_id
        task.task_type = flow_task.agency_task_type
        task.agency = flow_task.agency_for(activation)
        task.role = flow_task.role_for(activation)
        task.due = flow_task.due_for(activation)
        task.excluded_user_id = flow_task.excluded_user_for(activation)
        task.is_open = task.in_queue = True
        if task.agency is None:
            raise FlowRuntimeError(f"No agency to route {task.task_type} to")
        task.save()
        task.previous.add(prev_activation.task)
        if process.referral_id is not None:
            involvement_grant(
                referral=process.referral,
                agency=task.agency,
                basis=InvolvementBasis.TASK,
                source=f"process:{process.pk}",
            )
        deferred.after_commit(notifications.task_queued, task.pk)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    # Every change of owner or status passes through here, viewflow's own task views' included:
    # each keeps the mirrors on the task row (`AgencyTask.is_open`, `in_queue`) in step.
    @Activation.status.super()
    def assign(self, user):
        self.task.in_queue = False
        super().assign.original(user)

    @Activation.status.super()
    def unassign(self):
        self.task.in_queue = True
        super().unassign.original()

    @Activation.status.super()
    def complete(self):
        self.task.is_open = self.task.in_queue = False
        self.task.outcome = task_outcome(self.task.data.get("result") or {})
        super().complete.original()
        # viewflow stamps `finished` as it saves; the mirror takes that same time.
        self.task.completed_at = self.task.finished
        self.task.save(update_fields=["completed_at"])

    @Activation.status.super()
    def cancel(self):
        self.task.is_open = self.task.in_queue = False
        super().cancel.original()


class AgencyView(View):
    """A human task for one agency's queue.

    `agency`, `due` and `excluded_user` are callables of the activation (or `this.` references).
    """

    activation_class = AgencyViewActivation

    def __init__(
        self,
        view=None,
        *,
        task_type: str,
        agency: Callable,
        due: Callable,
        role: str | Callable = "caseworker",
        excluded_user: Callable | None = None,
        **kwargs,
    ):
        super().__init__(view or TaskPage.as_view(), **kwargs)
        self.agency_task_type = task_type
        self._agency = agency
        self._due = due
        self._role = role
        self._excluded_user = excluded_user
        self.task_title = task_type.replace("_", " ").capitalize()

    def _resolve(self, instance):
        super()._resolve(instance)
        self._agency = this.resolve(instance, self._agency)
        self._due = this.resolve(instance, self._due)
        self._role = this.resolve(instance, self._role)
        self._excluded_user = this.resolve(instance, self._excluded_user)

    def agency_for(self, activation):
        return self._agency(activation)

    def due_for(self, activation):
        return self._due(activation)

    def role_for(self, activation) -> str:
        return self._role(activation) if callable(self._role) else self._role

    def excluded_user_for(self, activation) -> int | None:
        """The id of a user who may not take this task."""
        return self._excluded_user(activation) if self._excluded_user else None

    def can_assign(self, user, task):
        return task.owner_id is None and may_take(user, task)

    def can_execute(self, user, task):
        return task.owner_id == user.pk and may_take(user, task)

    def can_unassign(self, user, task):
        if task.owner_id is None:
            return False
        if task.owner_id == user.pk:
            return True
        member = membership_of(user)
        return (
            member is not None
            and member.agency_id == task.agency_id
            and policy.may(member, "reassign_task")
        )


class DataSplitActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        for node, cond, data_source in self.flow_task._branches:
            if cond and not cond(self):
                continue
            if data_source is None:
                self.next_tasks.append((node, None))
            else:
                self.next_tasks.extend((node, item) for item in data_source(self))
        if not self.next_tasks:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")
        if self.flow_task._on_activate is not None:
            self.flow_task._on_activate(self)


class DataSplit(Split):
    """A parallel split that can create one task of a branch per item of `data_source`;
    `on_activate(activation)`, if given, runs once before its branches are created."""

    activation_class = DataSplitActivation

    def __init__(self, *, on_activate: Callable | None = None, **kwargs):
        super().__init__(**kwargs)
        self._on_activate = on_activate

    def _resolve(self, instance):
        super()._resolve(instance)
        self._on_activate = this.resolve(instance, self._on_activate)

    def Next(self, node, case=None, data_source=None):  # noqa: N802 - viewflow's naming
        self._activate_next.append((node, case, data_source))
        return self


def process_involvements_end(process) -> None:
    """The agencies a process's tasks involved lose the access it gave them (it ended, or was
    cancelled)."""
    source = f"process:{process.pk}"
    involved = Involvement.objects.filter(
        referral_id=process.referral_id, basis=InvolvementBasis.TASK, source=source
    ).select_related("agency")
    involvements_revoke(
        referral=process.referral,
        agencies=[involvement.agency for involvement in involved],
        basis=InvolvementBasis.TASK,
        source=source,
    )


class CaseEndActivation(EndActivation):
    @Activation.status.super()
    def activate(self):
        super().activate.original()
        process_involvements_end(self.process)


class CaseEnd(End):
    """The end of a case process: the agencies it involved lose the access it gave them."""

    activation_class = CaseEndActivation
