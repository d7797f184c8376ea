"""The orders app's API shapes: the input of each step of an order's life, and what an order's
row adds to the detail (its notification duty and breach summary) and its applications."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from config.rest import StrictBooleanField, StrictCharField, StrictSerializer
from referral.models import ProtectiveOrder

from . import services
from .models import NotificationDuty, OrderApplication, OrderChange

TEXT_MAX = 5000


def _not_future(value):
    if value > timezone.localdate():
        raise serializers.ValidationError("Not in the future.")
    return value


class OrderNotificationOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=NotificationDuty.Status.choices)
    served_on = serializers.DateField()
    due_on = serializers.DateField(help_text="Three days after service (SPA 2019 s.9).")
    notified_on = serializers.DateField(allow_null=True)


class BreachSummaryOutput(serializers.Serializer):
    breaches = serializers.IntegerField()
    offences = serializers.IntegerField(help_text="Breach offences recorded against the order.")
    enforcements = serializers.IntegerField()
    enforced_in_time = serializers.IntegerField()
    arrests = serializers.IntegerField()
    charged = serializers.IntegerField()
    convicted = serializers.IntegerField()
    fines_pence = serializers.IntegerField(help_text="Fines imposed for its breaches, in pence.")


class OrderApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrderApplication.Kind.choices)
    applied_on = serializers.DateField()
    court = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=OrderApplication.Status.choices)
    interim_order = serializers.IntegerField(allow_null=True)
    order = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    agency = serializers.SlugField()
    decided_at = serializers.DateTimeField(allow_null=True)


def application_row(row: Mapping[str, Any]) -> dict:
    """An application as the API shows it, from a row of `selectors.APPLICATION_COLUMNS`."""
    return {
        "id": row["id"],
        "kind": row["kind"],
        "applied_on": row["applied_on"],
        "court": row["court"],
        "status": row["status"],
        "interim_order": row["interim_order_id"],
        "order": row["order_id"],
        "reason": row["reason"],
        "agency": row["agency__slug"],
        "decided_at": row["decided_at"],
    }


def application_output(application: OrderApplication) -> dict:
    return {
        "id": application.pk,
        "kind": application.kind,
        "applied_on": application.applied_on,
        "court": application.court,
        "status": application.status,
        "interim_order": application.interim_order_id,
        "order": application.order_id,
        "reason": application.reason,
        "agency": application.agency.slug,
        "decided_at": application.decided_at,
    }


EMPTY_SUMMARY = {key: 0 for key in BreachSummaryOutput().fields}


class ListedHearingInput(StrictSerializer):
    date = serializers.DateField(help_text="The day of the hearing; from today on.")
    court = StrictCharField(max_length=200, required=False, allow_blank=True, default="",
                            help_text="Left empty: the application's court.")


class ListedHearingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[("order", "Order application or review")])
    date = serializers.DateField()
    court = serializers.CharField(allow_blank=True)


class OrderApplicationCreatedOutput(OrderApplicationOutput):
    hearing = ListedHearingOutput(
        allow_null=True, help_text="The order hearing recorded with the application, if any."
    )


def listed_hearing_output(hearing) -> dict | None:
    if hearing is None:
        return None
    return {"id": hearing.pk, "kind": hearing.kind, "date": hearing.date, "court": hearing.court}


class OrderApplicationInput(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=OrderApplication.Kind.choices, required=False,
        default=OrderApplication.Kind.STALKING_PROTECTION_ORDER,
    )
    applied_on = serializers.DateField(validators=[_not_future])
    court = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    hearing = ListedHearingInput(
        required=False, allow_null=True, default=None,
        help_text="The hearing the application is listed for: recorded as an order hearing, "
                  "whose risk assessments fall due before it.",
    )


class ApplicationDecisionInput(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=[("interim", "Interim order made"), ("made", "Order made"),
                 ("refused", "Refused"), ("withdrawn", "Withdrawn")],
    )
    on = serializers.DateField(validators=[_not_future])
    conditions = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True,
                                 default="", help_text="The order's prohibitions.")
    requirements = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True,
                                   default="")
    expires = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="Null: until further order. A full order lasts at least two years.",
    )
    court = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")

    def decision_of(self) -> services.ApplicationDecision:
        return services.ApplicationDecision(**self.validated_data)


class OrderChangeInput(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=[(k, OrderChange.Kind(k).label) for k in services.CHANGE_KINDS]
    )
    on = serializers.DateField(validators=[_not_future])
    expires = serializers.DateField(required=False, allow_null=True, default=None)
    conditions = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True,
                                 default="")
    requirements = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True,
                                   default="")
    court = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")

    def draft(self) -> services.OrderChangeDraft:
        return services.OrderChangeDraft(**self.validated_data)


class OrderChangeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=OrderChange.Kind.choices)
    on = serializers.DateField()
    expires_before = serializers.DateField(allow_null=True)
    expires_after = serializers.DateField(allow_null=True)
    order_status = serializers.ChoiceField(choices=ProtectiveOrder.Status.choices)


def change_output(change: OrderChange) -> dict:
    return {
        "id": change.pk,
        "order": change.order_id,
        "kind": change.kind,
        "on": change.on,
        "expires_before": change.expires_before,
        "expires_after": change.expires_after,
        "order_status": change.order.status,
    }


class OrderServiceInput(StrictSerializer):
    served_on = serializers.DateField(validators=[_not_future])


class OrderNotificationInput(StrictSerializer):
    complied = StrictBooleanField()
    notified_on = serializers.DateField(required=False, allow_null=True, default=None,
                                        validators=[_not_future])
    reason = StrictCharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")

    def validate(self, data):
        if not data["complied"] and data.get("notified_on"):
            raise serializers.ValidationError(
                {"notified_on": ["Only when they notified: leave it out for a failure."]}
            )
        return data


class OrderServiceOutput(serializers.Serializer):
    order = serializers.IntegerField()
    served_on = serializers.DateField()
    notification = OrderNotificationOutput(allow_null=True)


def notification_output(duty: NotificationDuty | None) -> dict | None:
    if duty is None:
        return None
    return {"status": duty.status, "served_on": duty.served_on, "due_on": duty.due_on,
            "notified_on": duty.notified_on}
