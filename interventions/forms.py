"""The case page's forms of assessments and interventions. Their rules are the API's: each
form's payload goes through the API's serializer, then the service's checks, in one round."""

from __future__ import annotations

from django import forms

from justice.models import Offence
from referral.forms import CaseRecordForm, DateInput
from referral.models import ProtectiveOrder

from . import services
from .models import (
    Intervention,
    Level,
    PerpetratorAssessment,
    PsychiatricAssessment,
)
from .serializers import (
    TEXT_MAX,
    InterventionInput,
    InterventionStatusInput,
    PerpetratorAssessmentInput,
    PsychiatricStepInput,
)


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=TEXT_MAX, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _choice(label: str, choices, prompt: str, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=required, choices=[("", prompt), *choices],
        error_messages={"required": f"{prompt}."},
    )


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}"


class PsychiatricStepForm(CaseRecordForm):
    serializer_class = PsychiatricStepInput

    assessment = forms.TypedChoiceField(
        label="Psychiatric assessment", coerce=int,
        error_messages={"required": "Choose the assessment."},
    )
    status = _choice(
        "Next step",
        [c for c in PsychiatricAssessment.Status.choices if c[0] != "sought"],
        "Choose the next step",
    )
    on = forms.DateField(
        label="On", required=False, widget=DateInput(), help_text="Today if left empty.",
        error_messages={"invalid": "Enter a real date."},
    )
    provider = forms.CharField(label="Provider", max_length=200, required=False,
                               help_text="Who was asked to assess, or who assessed.")
    reason = _text("Reason", "Required if the assessment was not ordered.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = PsychiatricAssessment.objects.filter(referral=self.referral).exclude(
            status__in=["before_court", "not_ordered"]
        ).order_by("sought_on", "id")
        self.fields["assessment"].choices = [("", "Choose the assessment")] + [
            (a.pk, f"Sought {_day(a.sought_on)}: {a.get_status_display().lower()}") for a in rows
        ]

    def payload(self, cleaned: dict) -> dict:
        on = cleaned.get("on")
        return {
            "status": cleaned.get("status", ""),
            "on": on.isoformat() if on else None,
            "provider": cleaned.get("provider", ""),
            "reason": cleaned.get("reason", ""),
        }


class InterventionForm(CaseRecordForm):
    serializer_class = InterventionInput

    kind = _choice("Intervention", Intervention.Kind.choices, "Choose the intervention")
    vehicle = _choice("How it is given", Intervention.Vehicle.choices, "Choose how it is given")
    fit_reason = _text(
        "Why it fits",
        "Required for a domestic abuse programme: it is not a stalking intervention, so say "
        "why it fits this perpetrator.",
    )
    order = forms.TypedChoiceField(
        label="Order", coerce=int, required=False, empty_value=None,
        help_text="For a requirement of an SPO or a licence condition.",
    )
    offence = forms.TypedChoiceField(
        label="Offence sentenced", coerce=int, required=False, empty_value=None,
        help_text="For a requirement of a community order or a suspended sentence.",
    )
    provider = forms.CharField(label="Provider", max_length=200, required=False)
    offered_on = forms.DateField(
        label="Offered on", required=False, widget=DateInput(), help_text="Today if left empty.",
        error_messages={"invalid": "Enter a real date."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [k for kinds in services.ORDER_VEHICLES.values() for k in kinds]
        orders = ProtectiveOrder.objects.filter(referral=self.referral, kind__in=kinds)
        self.fields["order"].choices = [("", "None")] + [
            (o.pk, f"{o.get_kind_display()} from {_day(o.starts)}") for o in orders
        ]
        offences = Offence.objects.filter(
            referral=self.referral, disposal__in=list(services.OFFENCE_VEHICLES.values())
        )
        self.fields["offence"].choices = [("", "None")] + [
            (o.pk, f"{o.title}: {o.get_disposal_display().lower()}") for o in offences
        ]

    def payload(self, cleaned: dict) -> dict:
        on = cleaned.get("offered_on")
        return {
            "kind": cleaned.get("kind", ""),
            "vehicle": cleaned.get("vehicle", ""),
            "fit_reason": cleaned.get("fit_reason", ""),
            "order": cleaned.get("order"),
            "offence": cleaned.get("offence"),
            "provider": cleaned.get("provider", ""),
            "offered_on": on.isoformat() if on else None,
        }

    def draft(self) -> services.InterventionDraft:
        data = dict(self.validated)
        return services.InterventionDraft(
            order_id=data.pop("order"), offence_id=data.pop("offence"), **data
        )

    def domain_checks(self, validated: dict) -> None:
        data = dict(validated)
        services.check_intervention(self.referral, services.InterventionDraft(
            order_id=data.pop("order"), offence_id=data.pop("offence"), **data
        ))


class InterventionStatusForm(CaseRecordForm):
    serializer_class = InterventionStatusInput

    intervention = forms.TypedChoiceField(
        label="Intervention", coerce=int, error_messages={"required": "Choose the intervention."}
    )
    status = _choice(
        "Now", [c for c in Intervention.Status.choices if c[0] != "offered"], "Choose the status"
    )
    on = forms.DateField(
        label="On", required=False, widget=DateInput(), help_text="Today if left empty.",
        error_messages={"invalid": "Enter a real date."},
    )
    reason = _text("Reason", "Required if it was declined or stopped.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = Intervention.objects.filter(
            referral=self.referral, status__in=list(services.INTERVENTION_NEXT)
        ).order_by("offered_on", "id")
        self.fields["intervention"].choices = [("", "Choose the intervention")] + [
            (i.pk, f"{i.get_kind_display()} ({i.get_status_display().lower()})") for i in rows
        ]

    def payload(self, cleaned: dict) -> dict:
        on = cleaned.get("on")
        return {
            "status": cleaned.get("status", ""),
            "on": on.isoformat() if on else None,
            "reason": cleaned.get("reason", ""),
        }


class PerpetratorAssessmentForm(CaseRecordForm):
    serializer_class = PerpetratorAssessmentInput

    instrument = _choice(
        "Instrument", PerpetratorAssessment.Instrument.choices, "Choose the instrument"
    )
    assessor_trained = forms.TypedChoiceField(
        label="Is the assessor trained in the instrument?",
        choices=[("", "Choose yes or no"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        error_messages={"required": "Say whether the assessor is trained in it."},
    )
    assessor = forms.CharField(label="Assessor", max_length=200, required=False)
    done_on = forms.DateField(
        label="Done on", required=False, widget=DateInput(), help_text="Today if left empty.",
        error_messages={"invalid": "Enter a real date."},
    )
    persistence = _choice("Risk of persistence", Level.choices, "Choose the risk of persistence")
    recurrence = _choice("Risk of recurrence", Level.choices, "Choose the risk of recurrence")
    violence = _choice("Risk of violence", Level.choices, "Choose the risk of violence")
    summary = _text("Summary")

    def payload(self, cleaned: dict) -> dict:
        on = cleaned.get("done_on")
        return {
            "instrument": cleaned.get("instrument", ""),
            "assessor_trained": cleaned.get("assessor_trained"),
            "assessor": cleaned.get("assessor", ""),
            "done_on": on.isoformat() if on else None,
            "persistence": cleaned.get("persistence", ""),
            "recurrence": cleaned.get("recurrence", ""),
            "violence": cleaned.get("violence", ""),
            "summary": cleaned.get("summary", ""),
        }
