"""Pages for tasks in the Material shell: the inbox, a task with its form, notifications.

Thin, like the task API: reads go through `selectors` (another agency's task is a 404), every
change through the same `services` the API calls, and the services' errors become messages or
errors beside the fields rather than error pages.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView, TemplateView
from viewflow.workflow.status import STATUS

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from agencies.models import Role
from agencies.selectors import agencies_by_slug, names_by_username, person_name
from config.exceptions import Conflict, DomainError, NotFound
from referral import selectors as referral_selectors
from referral import serializers as referral_serializers
from referral.models import RiskLevel
from referral.views import case_url

from . import labels, selectors, services, task_schemas
from .forms import ReassignForm, TaskFilterForm, TaskForm
from .models import AgencyTask, TaskType
from .nodes import may_take
from .services.completion import screened_risk

SCOPE_TABS = (
    ("mine", "My tasks"),
    ("queue", "Agency queue"),
    ("overdue", "Overdue"),
)
RISK = dict(RiskLevel.choices)
ROLE_LABELS = dict(Role.choices)
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


def _roles(roles) -> str:
    return ", ".join(ROLE_LABELS.get(r, r) for r in roles)


def case_card(referral, membership) -> dict:
    """The case a task is about, as the reader's agency may see it (`serializers.
    referral_summary` leaves out the people it may not read): reference, state, risk, who
    referred it, the people, the summary and the behaviours."""
    row = referral_serializers.referral_summary(referral, membership)
    return {
        **row,
        "status_label": labels.STATUS.get(referral.status, referral.status),
        "risk_label": labels.RISK.get(referral.risk_level, referral.risk_level),
        "referrer_agency_name": referral.referrer_agency.name,
        "summary": referral.summary,
        "stalking_since": referral.stalking_since,
        "behaviour_labels": [labels.BEHAVIOUR.get(b, b) for b in referral.behaviours or []],
    }


def _result_rows(task: AgencyTask) -> list[tuple[str, str]]:
    """The answers of a finished task, the cases and meetings it chose by name."""
    result = task.data.get("result") or {}
    named = {}
    if isinstance(result.get("into"), int):
        named["into"] = referral_selectors.references_of([result["into"]])
    if isinstance(result.get("conference"), int):
        named["conference"] = selectors.meeting_titles([result["conference"]])
    return labels.answer_pairs(task.task_type, result, agency_kind=task.agency.kind,
                               named=named)


def _may_claim(user, task: AgencyTask) -> bool:
    return (
        task.is_open
        and task.owner_id is None
        and task.status == STATUS.NEW
        and may_take(user, task)
    )


def task_subject(task: AgencyTask, context: dict, meetings: dict[int, str] | None = None) -> str:
    """What tells a task apart from others of its type beyond its case: the meeting whose
    minutes or action it is, the action's words."""
    parts = []
    meeting = context.get("conference")
    if meeting and meetings is not None:
        parts.append(meetings.get(int(meeting), ""))
    if task.task_type == "action" and context.get("description"):
        parts.append(context["description"])
    return ": ".join(p for p in parts if p)


def task_row(task: AgencyTask, *, user, membership, meetings: dict[int, str]) -> dict:
    """One line of the inbox, from a task of `selectors.task_list` (its case and owner joined,
    its meeting and action annotated)."""
    referral = task.referral
    context = {"conference": task.meeting_id, "description": task.action_text}
    return {
        "id": task.pk,
        "url": task_url(task.pk),
        "title": task.get_task_type_display(),
        "subject": task_subject(task, context, meetings),
        "reference": referral.reference if referral else "",
        "case_url": case_url(referral.pk)
        if referral and policy.sees_case_content(membership)
        else "",
        "risk_level": referral.risk_level if referral else "",
        "risk_label": RISK.get(referral.risk_level, referral.risk_level) if referral else "",
        "due": task.due,
        "overdue": task.is_overdue,
        "escalated": task.escalated_at is not None,
        "owner": person_name(task.owner) if task.owner_id else "",
        "can_claim": _may_claim(user, task),
    }


# --- The inbox ------------------------------------------------------------------------------


class TaskInboxView(MemberRequiredMixin, ListView):
    """My tasks, the agency's queue and its overdue tasks, 25 a page: overdue first, or as
    the filters ask."""

    template_name = "workflows/task_inbox.html"
    paginate_by = 25

    def get_queryset(self):
        self.scope = self.request.GET.get("scope", "mine")
        if self.scope not in selectors.SCOPES:
            self.scope = "mine"
        self.form = TaskFilterForm(
            self.request.GET if set(self.request.GET) - {"scope", "page"} else None,
            task_types=TaskType.choices, due_filters=selectors.DUE_FILTERS,
            sorts=selectors.TASK_SORTS, risks=RiskLevel.choices,
        )
        if self.form.is_bound and not self.form.is_valid():
            return AgencyTask.objects.none()
        query = selectors.TaskQuery(**self.form.cleaned_data) if self.form.is_bound else None
        return selectors.task_list(user=self.request.user, scope=self.scope, query=query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        tabs = []
        for scope, title in SCOPE_TABS:
            if scope == self.scope and not self.form.filtering:
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
        tasks = context["page_obj"].object_list
        meetings = selectors.meeting_titles(task.meeting_id for task in tasks)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            scope=self.scope,
            scope_title=dict(SCOPE_TABS)[self.scope],
            tabs=tabs,
            form=self.form,
            filtering=self.form.filtering,
            page_params=params.urlencode(),
            here=self.request.get_full_path(),
            rows=[
                task_row(task, user=user, membership=self.membership, meetings=meetings)
                for task in tasks
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
        """Every error in one answer: the form's, the task's rules, then (only once those
        pass) the service's, all in the page's error summary."""
        request = self.request
        if not self.may_work(task):
            messages.error(request, "Claim this task before completing it.")
            return redirect(task_url(task.pk))
        form = self.task_form(task, data=request.POST)
        check = functools.partial(
            task_schemas.check, task.task_type, agency_kind=task.agency.kind,
            screened_risk=screened_risk(task.referral) if task.referral else "standard",
        )
        if form.checked(check):
            try:
                services.task_complete(actor=request.user, task_id=task.pk, data=form.payload())
            except NotFound:
                raise
            except DomainError as exc:
                # The service's answer joins the form's errors while the task is still the
                # member's to finish; if it has moved on, the task page says why.
                task = selectors.task_get(user=request.user, task_id=task.pk)
                if not self.may_work(task):
                    messages.error(request, exc.message)
                    return redirect(task_url(task.pk))
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, f"{task.get_task_type_display()} on {_reference(task)} is done."
                )
                return redirect(inbox_url())
        return self.render_task(task, task_form=form)

    def reassign(self, task: AgencyTask):
        members = self.reassign_choices(task)
        form = ReassignForm(self.request.POST, members=members)
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
                name = dict(members).get(username, username).split(" \u2014 ")[0]
                messages.success(self.request, f"The task is now with {name}.")
                return redirect(task_url(task.pk))
        return self.render_task(task, reassign_form=form)

    def may_work(self, task: AgencyTask) -> bool:
        return (
            task.is_open
            and task.owner_id == self.request.user.pk
            and task.status in (STATUS.ASSIGNED, STATUS.STARTED)
        )

    def task_form(self, task: AgencyTask, data=None) -> TaskForm:
        return TaskForm(
            data,
            schema=task_schemas.schema_for(task.task_type, agency_kind=task.agency.kind),
            initial=selectors.task_form_initial(task=task),
            choices=selectors.task_form_choices(task=task),
        )

    def reassign_choices(self, task: AgencyTask) -> list[tuple[str, str]]:
        """Who may take the task, by name and role, valued by the username the service takes."""
        return [
            (m.user.get_username(), f"{person_name(m.user)} \u2014 {_roles(m.roles)}")
            for m in selectors.reassign_candidates(task=task)
        ]

    def render_task(self, task: AgencyTask, *, task_form=None, reassign_form=None):
        user = self.request.user
        referral = task.referral
        may_work = self.may_work(task)
        if may_work and task_form is None:
            task_form = self.task_form(task)
        may_reassign = task.is_open and policy.may(self.membership, "reassign_task")
        if may_reassign and reassign_form is None:
            reassign_form = ReassignForm(members=self.reassign_choices(task))
        process_data = task.process.coerced.data or {}
        work_context = process_data.get("context") or {}
        brief = selectors.task_brief(task=task, membership=self.membership)
        meetings = selectors.meeting_titles([work_context.get("conference")])
        shown = labels.ContextLabels(
            agencies={slug: a.name for slug, a in agencies_by_slug(
                labels.ContextLabels.slugs(work_context, brief)).items()},
            meetings=meetings,
            people=names_by_username([work_context.get("proposed_by"), brief.get("proposed_by")]),
        )
        readable = selectors.task_work_readable(task=task, membership=self.membership)
        services.task_read_record(task=task, actor=user, membership=self.membership)
        context = self.get_context_data(
            task=task,
            title=task.get_task_type_display(),
            subject=task_subject(task, work_context, meetings),
            status_label=STATUS_LABELS.get(task.status, task.status.title()),
            reference=referral.reference if referral else "",
            case_url=case_url(referral.pk)
            if referral and policy.sees_case_content(self.membership)
            else "",
            case=case_card(referral, self.membership) if referral else None,
            risk_level=referral.risk_level if referral else "",
            risk_label=RISK.get(referral.risk_level, "") if referral else "",
            owner=person_name(task.owner) if task.owner_id else "",
            overdue=task.is_overdue,
            context_rows=shown.pairs(work_context) if readable else [],
            brief_rows=shown.pairs(brief),
            result_rows=_result_rows(task) if readable and not task.is_open else [],
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
