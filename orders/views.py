"""The case page's forms of an order's life (`referral.views.CaseRecordView`: the case first,
404 if the agency may not see it; then the order or application, 404 if not the case's; then
the policy, 403; one round of checks, one message, back to the case)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.formats import date_format

from agencies import policy
from config.exceptions import NotFound
from referral import services as referral_services
from referral.models import ProtectiveOrder
from referral.views import CaseRecordView
from workflows.services import orders as order_work

from . import forms
from .models import OrderApplication


def _day(value) -> str:
    return date_format(value, "j M Y")


class _ThingRecordView(CaseRecordView):
    """A form about one record of the case (`thing()`): 404 before 403."""

    def thing(self):
        raise NotImplementedError

    def setup_case(self):
        self.referral = referral_services.referral_look(
            membership=self.membership, referral_id=self.kwargs["referral_id"]
        )
        self.thing()
        if not self.allowed():
            raise PermissionDenied("Your agency or role may not record this on a case.")


class _OrderRecordView(_ThingRecordView):
    def thing(self):
        self.order = ProtectiveOrder.objects.filter(
            pk=self.kwargs["order_id"], referral_id=self.referral.pk
        ).first()
        if self.order is None:
            raise NotFound("No such order on this case.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = (
            f"{self.order.get_kind_display()} from {_day(self.order.starts)}. {self.intro}"
        )
        return context


class ApplicationCreateView(CaseRecordView):
    form_class = forms.ApplicationForm
    title = "Apply for a stalking protection order"
    intro = (
        "The police apply to a magistrates' court (Stalking Protection Act 2019 s.1). The court "
        "may make an interim order while it decides; an order lasts at least two years or "
        "until further order."
    )
    submit_label = "Record the application"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "orders")

    def record(self, form) -> str:
        data = form.validated
        _, hearing = order_work.order_application_log(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            applied_on=data["applied_on"], court=data["court"], reason=data["reason"],
            hearing=form.listed(),
        )
        said = f"Application for a stalking protection order recorded on {self.referral.reference}."
        if hearing is not None:
            said += f" Order hearing recorded for {_day(hearing.date)}."
        return said


class ApplicationDecideView(_ThingRecordView):
    form_class = forms.DecisionForm
    title = "Record the court's decision on the application"
    intro = (
        "An interim order or the order itself becomes an order of the case, against which "
        "breaches are recorded; the order replaces an interim one, and a refusal or withdrawal "
        "ends it."
    )
    submit_label = "Record the decision"

    def thing(self):
        self.application = OrderApplication.objects.filter(
            pk=self.kwargs["application_id"], referral_id=self.referral.pk
        ).first()
        if self.application is None:
            raise NotFound("No such application on this case.")

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "orders")

    def record(self, form) -> str:
        application = order_work.order_application_decide_log(
            referral=self.referral, application_id=self.application.pk,
            actor=self.request.user, membership=self.membership, decision=form.decision_of(),
        )
        return (
            f"Application {application.get_status_display().lower()} on "
            f"{self.referral.reference}."
        )


class OrderChangeView(_OrderRecordView):
    form_class = forms.ChangeForm
    title = "Vary, renew or discharge an order"
    intro = "Only an order in force can change; a discharged order is no longer breached."
    submit_label = "Record the change"

    def allowed(self) -> bool:
        return policy.can_record_order(self.membership, self.order.kind)

    def record(self, form) -> str:
        change = order_work.order_change_log(
            referral=self.referral, order_id=self.order.pk, actor=self.request.user,
            membership=self.membership, draft=form.draft(),
        )
        return (
            f"{self.order.get_kind_display()} {change.get_kind_display().lower()} on "
            f"{self.referral.reference}."
        )


class OrderServeView(_OrderRecordView):
    form_class = forms.ServeForm
    title = "Record service of an order"
    intro = (
        "Once a stalking protection order is served the suspect must notify the police of "
        "their name and address within three days (s.9): the police get a task to check."
    )
    submit_label = "Record service"

    def allowed(self) -> bool:
        return policy.can_record_order(self.membership, self.order.kind)

    def record(self, form) -> str:
        _, duty = order_work.order_serve_log(
            referral=self.referral, order_id=self.order.pk, actor=self.request.user,
            membership=self.membership, served_on=form.validated["served_on"],
        )
        said = f"Service recorded on {self.referral.reference}."
        if duty is not None:
            said += f" The suspect must notify the police by {_day(duty.due_on)}."
        return said


class NotificationView(_OrderRecordView):
    form_class = forms.NotificationForm
    title = "Record the suspect's notification"
    intro = (
        "Failing to notify within three days of service is an offence: it is recorded and the "
        "police get an enforcement task."
    )
    submit_label = "Record the notification"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "orders")

    def record(self, form) -> str:
        data = form.validated
        duty = order_work.notification_log(
            referral=self.referral, order_id=self.order.pk, actor=self.request.user,
            membership=self.membership, complied=data["complied"],
            notified_on=data.get("notified_on"), reason=data.get("reason", ""),
        )
        if duty.status == duty.Status.FAILED:
            return (
                f"Failure to notify recorded on {self.referral.reference}: an offence, with an "
                "enforcement task for the police."
            )
        return f"Notification recorded on {self.referral.reference}."
