"""The case page's forms of an order's life: apply for a stalking protection order, record the
court's decision, change an order, record service and the suspect's notification. Each checked
as the API checks it (`referral.forms.CaseRecordForm`: Django's fields, the API's serializer,
then the service)."""

from __future__ import annotations

from django import forms

from referral.forms import CaseRecordForm, DateInput
from workflows.services import orders as order_work

from . import serializers, services
from .models import OrderChange

_DATE_ERRORS = {"invalid": "Enter a real date."}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _text(label: str, *, rows: int = 3, help_text: str = "", max_length: int = 5000):
    return forms.CharField(
        label=label, max_length=max_length, required=False, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}) if rows else None,
    )


class ApplicationForm(CaseRecordForm):
    serializer_class = serializers.OrderApplicationInput

    applied_on = forms.DateField(
        label="Applied on", widget=DateInput(),
        error_messages={"required": "Enter the date of the application.", **_DATE_ERRORS},
    )
    court = forms.CharField(label="Magistrates' court", max_length=200, required=False,
                            help_text="For example: Leeds Magistrates' Court.")
    reason = _text("Grounds", help_text="Why the order is needed. It goes on the decision "
                                        "trail.")
    # The hearing the application is listed for (the API's `hearing`: its date and court).
    hearing = forms.DateField(
        label="Hearing date", widget=DateInput(), required=False,
        help_text="If the court has listed the application: the risk assessments for the "
                  "hearing fall due before it.",
        error_messages=_DATE_ERRORS,
    )
    hearing_court = forms.CharField(
        label="Hearing court", max_length=200, required=False,
        help_text="Left empty: the magistrates' court above.",
    )

    def payload(self, cleaned: dict) -> dict:
        listed = cleaned.get("hearing")
        return {"applied_on": _iso(cleaned.get("applied_on")),
                "court": cleaned.get("court", ""), "reason": cleaned.get("reason", ""),
                "hearing": {"date": _iso(listed), "court": cleaned.get("hearing_court", "")}
                if listed else None}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("hearing_court", "").strip() and not cleaned.get("hearing") and (
            not self.has_error("hearing")
        ):
            self.add_error("hearing", "Enter the hearing's date, or leave its court empty.")
        return cleaned

    def domain_checks(self, validated: dict) -> None:
        if validated["hearing"]:
            order_work.check_listed_hearing(self.listed())

    def listed(self):
        """The listed hearing of the checked input, or None."""
        listed = (self.validated or {}).get("hearing")
        return order_work.ListedHearing(on=listed["date"], court=listed["court"]) \
            if listed else None


class DecisionForm(CaseRecordForm):
    serializer_class = serializers.ApplicationDecisionInput

    decision = forms.ChoiceField(
        label="The court's decision", widget=forms.RadioSelect,
        choices=[("interim", "Interim order made while the application is decided"),
                 ("made", "Stalking protection order made"),
                 ("refused", "Refused"), ("withdrawn", "Withdrawn")],
        error_messages={"required": "Choose the court's decision."},
    )
    on = forms.DateField(label="Decided on", widget=DateInput(),
                         error_messages={"required": "Enter the date of the decision.",
                                         **_DATE_ERRORS})
    conditions = _text("Prohibitions", rows=4,
                       help_text="For an order made: what the suspect must not do.")
    requirements = _text("Requirements", help_text="What the suspect must do, if anything.")
    expires = forms.DateField(
        label="Expires on", widget=DateInput(), required=False,
        help_text="At least two years after it is made; leave empty for until further order.",
        error_messages=_DATE_ERRORS,
    )
    court = forms.CharField(label="Court", max_length=200, required=False)
    reason = _text("Reason", help_text="The court's reasons, if given.")

    def payload(self, cleaned: dict) -> dict:
        return {
            "decision": cleaned.get("decision", ""), "on": _iso(cleaned.get("on")),
            "conditions": cleaned.get("conditions", ""),
            "requirements": cleaned.get("requirements", ""),
            "expires": _iso(cleaned.get("expires")), "court": cleaned.get("court", ""),
            "reason": cleaned.get("reason", ""),
        }

    def decision_of(self) -> services.ApplicationDecision:
        return services.ApplicationDecision(**self.validated)


class ChangeForm(CaseRecordForm):
    serializer_class = serializers.OrderChangeInput

    kind = forms.ChoiceField(
        label="What changed", widget=forms.RadioSelect,
        choices=[(k, OrderChange.Kind(k).label) for k in services.CHANGE_KINDS],
        error_messages={"required": "Choose what changed."},
    )
    on = forms.DateField(label="On", widget=DateInput(),
                         error_messages={"required": "Enter the date of the change.",
                                         **_DATE_ERRORS})
    expires = forms.DateField(
        label="New expiry date", widget=DateInput(), required=False,
        help_text="For a renewal or extension; for a variation only if it changed.",
        error_messages=_DATE_ERRORS,
    )
    conditions = _text("New conditions", rows=4, help_text="For a variation: the conditions "
                                                           "as varied.")
    requirements = _text("New requirements")
    court = forms.CharField(label="Court", max_length=200, required=False)
    reason = _text("Reason", help_text="Why it changed. It goes on the decision trail.")

    def payload(self, cleaned: dict) -> dict:
        return {
            "kind": cleaned.get("kind", ""), "on": _iso(cleaned.get("on")),
            "expires": _iso(cleaned.get("expires")),
            "conditions": cleaned.get("conditions", ""),
            "requirements": cleaned.get("requirements", ""),
            "court": cleaned.get("court", ""), "reason": cleaned.get("reason", ""),
        }

    def draft(self) -> services.OrderChangeDraft:
        return services.OrderChangeDraft(**self.validated)


class ServeForm(CaseRecordForm):
    serializer_class = serializers.OrderServiceInput

    served_on = forms.DateField(label="Served on", widget=DateInput(),
                                error_messages={"required": "Enter the date it was served.",
                                                **_DATE_ERRORS})

    def payload(self, cleaned: dict) -> dict:
        return {"served_on": _iso(cleaned.get("served_on"))}


class NotificationForm(CaseRecordForm):
    serializer_class = serializers.OrderNotificationInput

    complied = forms.TypedChoiceField(
        label="Did the suspect notify the police within three days?", widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No, they failed to notify")],
        coerce=lambda v: v == "yes",
        error_messages={"required": "Answer whether the suspect notified the police."},
    )
    notified_on = forms.DateField(label="Notified on", widget=DateInput(), required=False,
                                  help_text="If they notified.", error_messages=_DATE_ERRORS)
    reason = _text("Note", help_text="It goes on the decision trail.")

    def payload(self, cleaned: dict) -> dict:
        return {"complied": cleaned.get("complied"),
                "notified_on": _iso(cleaned.get("notified_on")),
                "reason": cleaned.get("reason", "")}
