"""Pages for tasks in the Material shell: the inbox, a task with its form, notifications.

Thin, like the task API: reads go through `selectors` (another agency's task is a 404), every
change through the same `services` the API calls, and the services' errors become messages or
errors beside the fields rather than error pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView, TemplateView
from viewflow.workflow.status import STATUS

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from conferences import selectors as conference_selectors
from config.exceptions import Conflict, DomainError, NotAllowed, NotFound
from referral.models import RiskLevel
from referral.views import case_url

from . import selectors, services, task_schemas
from .forms import ReassignForm, TaskForm, readable
from .models import AgencyTask
from .nodes import may_take

SCOPE_TABS = (
    ("mine", "My tasks"),
    ("queue", "Agency queue"),
    ("overdue", "Overdue"),
)
RISK = dict(RiskLevel.choices)
STATUS_LABELS = {
    STATUS.NEW: "In the queue",
    STATUS.ASSIGNED: "Claimed",
    STATUS.STARTED: "Claimed",
    STATUS.DONE: "Done",
    STATUS.CANCELED: "Cancelled",
}


def inbox_url(scope: str = "mine") -> str:
    url = reverse("workspace:tasks:index")
    return url if scope == "mine" else f"{url}?scope={scope}"


def task_url(task_id: int) -> str:
    return reverse("workspace:tasks:detail", kwargs={"task_id": task_id})


def _next_or(request, default: str) -> str:
    """Where a button asked to go back to, if it is on this site; else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _person(user) -> str:
    """The full name with the username, which is what reassigning asks for."""
    if user is None:
        return ""
    name, username = user.get_full_name(), user.get_username()
    return f"{name} ({username})" if name else username


def _display(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ("; " if any(isinstance(v, dict) for v in value) else ", ").join(
            _display(v) for v in value
        ) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{readable(str(k))}: {_display(v)}" for k, v in value.items())
    return str(value)


def _pairs(data: dict | None) -> list[tuple[str, str]]:
    return [(readable(str(k)), _display(v)) for k, v in (data or {}).items()]


def _may_claim(user, task: AgencyTask) -> bool:
    return (
        task.is_open
        and task.owner_id is None
        and task.status == STATUS.NEW
        and may_take(user, task)
    )


def task_row(task: AgencyTask, *, user, membership) -> dict:
    """One line of the inbox, from a task of `selectors.task_list` (its case and owner joined)."""
    referral = task.referral
    return {
        "id": task.pk,
        "url": task_url(task.pk),
        "title": task.get_task_type_display(),
        "reference": referral.reference if referral else "",
        "case_url": case_url(referral.pk)
        if referral and policy.sees_case_content(membership)
        else "",
        "risk_level": referral.risk_level if referral else "",
        "risk_label": RISK.get(referral.risk_level, referral.risk_level) if referral else "",
        "due": task.due,
        "overdue": task.is_overdue,
        "escalated": task.escalated_at is not None,
        "owner": _person(task.owner) if task.owner_id else "",
        "can_claim": _may_claim(user, task),
    }


# --- The inbox ------------------------------------------------------------------------------


class TaskInboxView(MemberRequiredMixin, ListView):
    """My tasks, the agency's queue and its overdue tasks; overdue first, 50 a page."""

    template_name = "workflows/task_inbox.html"
    paginate_by = 50

    def get_queryset(self):
        self.scope = self.request.GET.get("scope", "mine")
        if self.scope not in selectors.SCOPES:
            self.scope = "mine"
        return selectors.task_list(user=self.request.user, scope=self.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        tabs = []
        for scope, title in SCOPE_TABS:
            if scope == self.scope:
                count = context["paginator"].count
            else:
                count = selectors.task_list(user=user, scope=scope).count()
            tabs.append(
                {
                    "scope": scope,
                    "title": title,
                    "url": inbox_url(scope),
                    "count": count,
                    "active": scope == self.scope,
                }
            )
        context.update(
            scope=self.scope,
            scope_title=dict(SCOPE_TABS)[self.scope],
            tabs=tabs,
            here=self.request.get_full_path(),
            rows=[
                task_row(task, user=user, membership=self.membership)
                for task in context["page_obj"].object_list
            ],
        )
        return context


class TaskClaimView(MemberRequiredMixin, View):
    """Take a task from the agency's queue; if someone was quicker, say so and go back."""

    def post(self, request, task_id: int):
        back = _next_or(request, inbox_url("queue"))
        try:
            task = services.task_claim(actor=request.user, task_id=task_id)
        except NotFound:
            raise
        except Conflict as exc:
            if exc.code == "already_claimed":
                messages.error(
                    request,
                    "Someone else took this task before you did; it is no longer in the queue.",
                )
            else:
                messages.error(request, exc.message)
            return redirect(back)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(back)
        messages.success(
            request, f"You have claimed {task.get_task_type_display()} on {_reference(task)}."
        )
        return redirect(task_url(task.pk))


class TaskReleaseView(MemberRequiredMixin, View):
    """Put a claimed task back in the agency's queue (its owner, or a supervisor)."""

    def post(self, request, task_id: int):
        try:
            task = services.task_release(actor=request.user, task_id=task_id)
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(task_url(task_id))
        messages.success(
            request,
            f"{task.get_task_type_display()} on {_reference(task)} is back in the queue.",
        )
        return redirect(inbox_url())


def _reference(task: AgencyTask) -> str:
    return task.referral.reference if task.referral_id else "a case"


# --- One task -------------------------------------------------------------------------------


class TaskDetailView(MemberRequiredMixin, TemplateView):
    """The task, its case and context; its form for the owner, claim, release and reassign.

    POST with `action=reassign` gives the task to someone (supervisors); any other POST is the
    task's form, completed through `services.task_complete`.
    """

    template_name = "workflows/task_detail.html"

    def get(self, request, task_id: int):
        task = selectors.task_get(user=request.user, task_id=task_id)
        return self.render_task(task)

    def post(self, request, task_id: int):
        task = selectors.task_get(user=request.user, task_id=task_id)
        if request.POST.get("action") == "reassign":
            return self.reassign(task)
        return self.complete(task)

    def complete(self, task: AgencyTask):
        request = self.request
        if not self.may_work(task):
            messages.error(request, "Claim this task before completing it.")
            return redirect(task_url(task.pk))
        form = TaskForm(request.POST, schema=self.schema(task), choices=self.choices(task))
        if form.is_valid():
            try:
                services.task_complete(actor=request.user, task_id=task.pk, data=form.payload())
            except NotFound:
                raise
            except (Conflict, NotAllowed) as exc:
                messages.error(request, exc.message)
                return redirect(task_url(task.pk))
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, f"{task.get_task_type_display()} on {_reference(task)} is done."
                )
                return redirect(inbox_url())
        return self.render_task(task, task_form=form)

    def reassign(self, task: AgencyTask):
        form = ReassignForm(self.request.POST)
        if form.is_valid():
            username = form.cleaned_data["username"]
            try:
                services.task_reassign(
                    actor=self.request.user, task_id=task.pk, to_username=username
                )
            except NotFound:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(self.request, f"The task is now with {username}.")
                return redirect(task_url(task.pk))
        return self.render_task(task, reassign_form=form)

    def may_work(self, task: AgencyTask) -> bool:
        return (
            task.is_open
            and task.owner_id == self.request.user.pk
            and task.status in (STATUS.ASSIGNED, STATUS.STARTED)
        )

    def schema(self, task: AgencyTask) -> dict:
        return task_schemas.schema_for(task.task_type, agency_kind=task.agency.kind)

    def choices(self, task: AgencyTask) -> dict[str, list[tuple]]:
        """Fields the page offers as a choice rather than typed: the meeting a case goes on is
        chosen by its title and date among those the member may choose (the API takes its id)."""
        if task.task_type != "schedule_conference":
            return {}
        meetings = conference_selectors.conferences_open_for_cases(membership=self.membership)
        return {
            "conference": [
                (c.pk, f"{c.title}, {date_format(timezone.localtime(c.starts_at), 'j M Y H:i')}")
                for c in meetings[:100]
            ]
        }

    def render_task(self, task: AgencyTask, *, task_form=None, reassign_form=None):
        user = self.request.user
        referral = task.referral
        may_work = self.may_work(task)
        if may_work and task_form is None:
            task_form = TaskForm(schema=self.schema(task), choices=self.choices(task))
        may_reassign = task.is_open and policy.may(self.membership, "reassign_task")
        if may_reassign and reassign_form is None:
            reassign_form = ReassignForm()
        process_data = task.process.coerced.data or {}
        readable = selectors.task_work_readable(task=task, membership=self.membership)
        services.task_read_record(task=task, actor=user, membership=self.membership)
        context = self.get_context_data(
            task=task,
            title=task.get_task_type_display(),
            status_label=STATUS_LABELS.get(task.status, task.status.title()),
            reference=referral.reference if referral else "",
            case_url=case_url(referral.pk)
            if referral and policy.sees_case_content(self.membership)
            else "",
            risk_level=referral.risk_level if referral else "",
            risk_label=RISK.get(referral.risk_level, "") if referral else "",
            owner=_person(task.owner) if task.owner_id else "",
            overdue=task.is_overdue,
            context_rows=_pairs(process_data.get("context")) if readable else [],
            brief_rows=_pairs(selectors.task_brief(task=task, membership=self.membership)),
            result_rows=_pairs(task.data.get("result")) if readable and not task.is_open else [],
            may_claim=_may_claim(user, task),
            may_release=task.is_open
            and task.status == STATUS.ASSIGNED
            and task.flow_task.can_unassign(user, task),
            task_form=task_form if may_work else None,
            reassign_form=reassign_form if may_reassign else None,
            inbox_url=inbox_url("mine" if task.owner_id == user.pk else "queue"),
        )
        return self.render_to_response(context)


# --- Notifications --------------------------------------------------------------------------


class NotificationListView(MemberRequiredMixin, ListView):
    """The member's notifications, newest first, 50 a page."""

    template_name = "workflows/notifications.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            {
                "id": n.pk,
                "text": n.text,
                "kind": n.kind,
                "kind_label": n.get_kind_display(),
                "created_at": n.created_at,
                "unread": n.read_at is None,
                "url": self.url_of(n),
            }
            for n in context["page_obj"].object_list
        ]
        return context


    def url_of(self, notification) -> str:
        """The task if it is the reader's agency's, else the case it is about (news of a case
        decided by another agency)."""
        if notification.task_id and notification.task_agency_id == self.membership.agency_id:
            return task_url(notification.task_id)
        if notification.referral_id and policy.sees_case_content(self.membership):
            return case_url(notification.referral_id)
        return ""


class NotificationReadView(MemberRequiredMixin, View):
    """Mark one notice read, and go back to the page of notices it was on."""

    def post(self, request, notification_id: int):
        try:
            services.notification_mark_read(user=request.user, notification_id=notification_id)
        except NotFound:
            raise Http404 from None
        messages.success(request, "Notification marked as read.")
        return redirect(_next_or(request, reverse("workspace:tasks:notifications")))


class NotificationsReadView(MemberRequiredMixin, View):
    def post(self, request):
        marked = services.notifications_mark_read(user=request.user)
        if marked:
            messages.success(
                request, f"{marked} notification{'' if marked == 1 else 's'} marked as read."
            )
        return redirect("workspace:tasks:notifications")
