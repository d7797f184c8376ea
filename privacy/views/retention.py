"""Retention's pages: the due reviews, a review with its decision form, the schedules and their
forms, and the legal hold forms. Thin, like `privacy.api.retention`: reads through the
selectors (404 outside the member's reach), changes through the same services; a role that
may not do something gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from config.exceptions import DomainError, NotFound
from referral import services as referral_services
from referral.selectors import referral_id_of

from .. import services
from ..forms.retention import DecisionForm, HoldForm, ScheduleForm
from ..models import RecordKind, RetentionReview
from ..selectors import retention as selectors


def _url(name: str, **kwargs) -> str:
    return reverse(f"workspace:retention:{name}", kwargs=kwargs)


def _case_url(referral_id: int) -> str:
    return reverse("workspace:referrals:detail", kwargs={"referral_id": referral_id})


class ReviewListView(MemberRequiredMixin, TemplateView):
    """The reviews due (and deferred) of the cases in the member's reach, oldest first."""

    template_name = "privacy/review_list.html"

    def get(self, request, *args, **kwargs):
        if not policy.may_read_retention(self.membership):
            raise PermissionDenied("Your role does not read retention reviews.")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reviews = selectors.review_list(membership=self.membership)
        context.update(
            due=[r for r in reviews if r.status == RetentionReview.Status.DUE],
            deferred=[r for r in reviews if r.status == RetentionReview.Status.DEFERRED],
            schedules_url=_url("schedules"),
        )
        return context


class _FormPage(MemberRequiredMixin, FormView):
    """A retention form page: `title`, `intro`, one form, its service in `record`."""

    template_name = "privacy/retention_form.html"
    title = ""
    intro = ""
    submit_label = "Save"
    back_url = ""

    def record(self, form) -> str:
        raise NotImplementedError

    def done_url(self) -> str:
        return self.back_url

    def form_valid(self, form):
        try:
            message = self.record(form)
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(self.done_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            intro=self.intro,
            submit_label=self.submit_label,
            back_url=self.back_url,
        )
        return context


class ReviewView(_FormPage):
    """A review: what it was opened on, the case's holds, and the decision form for a
    supervisor while it is due."""

    template_name = "privacy/review_detail.html"
    form_class = DecisionForm
    submit_label = "Record the decision"

    def setup_review(self):
        self.review = selectors.review_get(
            membership=self.membership, review_id=self.kwargs["review_id"]
        )
        if not policy.may_read_retention(self.membership):
            raise PermissionDenied("Your role does not read retention reviews.")
        self.may_decide = (
            policy.may_decide_retention(self.membership)
            and self.review.status == RetentionReview.Status.DUE
        )
        self.title = f"Retention review of {self.review.referral.reference}"
        if self.review.record_kind == RecordKind.EVIDENCE_FILE:
            self.title = (
                f"Retention review of the evidence files of {self.review.referral.reference}"
            )
        self.back_url = _url("index")

    def get(self, request, *args, **kwargs):
        self.setup_review()
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.review.record_kind == RecordKind.EVIDENCE_FILE:
            form.fields["decision"].choices = [
                ("erase", "Erase the case's evidence files now (the case is kept)"),
                ("defer", "Defer: review the files again on a later date"),
            ]
        return form

    def post(self, request, *args, **kwargs):
        self.setup_review()
        if not self.may_decide:
            raise PermissionDenied("Only a supervisor decides a due review.")
        return super().post(request, *args, **kwargs)

    def record(self, form) -> str:
        data = form.validated
        review = services.retention_review_decide(
            review=self.review, actor=self.request.user, membership=self.membership, **data
        )
        reference = self.review.referral.reference
        if review.status == RetentionReview.Status.ERASED:
            if review.record_kind == RecordKind.EVIDENCE_FILE:
                return f"The evidence files of {reference} were erased."
            return f"The personal data of {reference} was erased."
        return f"The review of {reference} was deferred to {review.deferred_until:%d %b %Y}."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        may_act = policy.may_decide_retention(self.membership)
        context.update(
            review=self.review,
            may_decide=self.may_decide,
            holds=[
                {
                    "hold": hold,
                    "lift_url": _url("hold_lift", hold_id=hold.pk)
                    if may_act and hold.is_active
                    else None,
                }
                for hold in selectors.holds_of(referral=self.review.referral)
            ],
            new_hold_url=_url("hold_new", referral_id=self.review.referral_id)
            if may_act and self.review.referral.erased_at is None
            else None,
        )
        return context


class ScheduleListView(MemberRequiredMixin, TemplateView):
    """The schedules (any member reads them), with the forms for those who set them."""

    template_name = "privacy/schedule_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        may_set = policy.may(self.membership, "set_retention")
        context.update(
            schedules=[
                {
                    "schedule": s,
                    "edit_url": _url("schedule_edit", schedule_id=s.pk) if may_set else None,
                }
                for s in selectors.schedule_list()
            ],
            new_url=_url("schedule_new") if may_set else None,
        )
        return context


class _ScheduleForm(_FormPage):
    form_class = ScheduleForm
    capability = "set_retention"

    def done_url(self) -> str:
        return _url("schedules")

    def get_context_data(self, **kwargs):
        self.back_url = _url("schedules")
        return super().get_context_data(**kwargs)


class ScheduleCreateView(_ScheduleForm):
    title = "Add a retention schedule"
    intro = "For an outcome that has no schedule yet. The longest schedule that applies wins."
    submit_label = "Add the schedule"

    def record(self, form) -> str:
        schedule = services.retention_schedule_create(
            actor=self.request.user, membership=self.membership, **form.validated
        )
        return f"Schedule added: {schedule}."


class ScheduleEditView(_ScheduleForm):
    intro = "The next daily sweep applies it; reviews already open keep their schedule."
    submit_label = "Save the schedule"

    def dispatch(self, request, *args, **kwargs):
        self.schedule = selectors.schedule_get(schedule_id=kwargs["schedule_id"])
        self.title = f"Change the schedule: {self.schedule.get_outcome_display()}"
        if self.schedule.record_kind == RecordKind.EVIDENCE_FILE:
            self.title = (
                f"Change the schedule: Evidence files, {self.schedule.get_outcome_display()}"
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "change": True}

    def get_initial(self):
        return {
            "years": self.schedule.years,
            "action": self.schedule.action,
            "description": self.schedule.description,
        }

    def record(self, form) -> str:
        schedule = services.retention_schedule_update(
            schedule=self.schedule,
            actor=self.request.user,
            membership=self.membership,
            **form.validated,
        )
        return f"Schedule saved: {schedule}."


class _HoldForm(_FormPage):
    form_class = HoldForm

    def allow(self):
        if not policy.may_decide_retention(self.membership):
            raise PermissionDenied("Only a supervisor places or lifts a legal hold.")

    def get(self, request, *args, **kwargs):
        self.setup_hold()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_hold()
        return super().post(request, *args, **kwargs)


class HoldCreateView(_HoldForm):
    title = "Place a legal hold"
    intro = (
        "While the hold is active the case is never listed as due for a retention review "
        "and its erasure is refused."
    )
    submit_label = "Place the hold"

    def setup_hold(self):
        referral_id = referral_id_of(self.kwargs["referral_id"])
        try:
            self.referral = selectors.hold_case_get(
                membership=self.membership, referral_id=referral_id
            )
        except NotFound:
            referral_services.refused_look_record(
                membership=self.membership, referral_id=referral_id
            )
            raise
        self.allow()
        self.title = f"Place a legal hold on {self.referral.reference}"
        self.back_url = _url("index")

    def record(self, form) -> str:
        services.legal_hold_place(
            referral=self.referral,
            actor=self.request.user,
            membership=self.membership,
            reason=form.validated["reason"],
        )
        return f"Legal hold placed on {self.referral.reference}."


class HoldLiftView(_HoldForm):
    intro = "The case is swept again from the next daily run."
    submit_label = "Lift the hold"

    def setup_hold(self):
        self.hold = selectors.hold_get(membership=self.membership, hold_id=self.kwargs["hold_id"])
        self.allow()
        self.title = f"Lift the legal hold on {self.hold.referral.reference}"
        self.back_url = _url("index")

    def record(self, form) -> str:
        services.legal_hold_lift(
            hold=self.hold,
            actor=self.request.user,
            membership=self.membership,
            reason=form.validated["reason"],
        )
        return f"Legal hold on {self.hold.referral.reference} lifted."
