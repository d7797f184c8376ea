"""The case page's forms of assessments and interventions (`referral.views.CaseRecordView`:
404 first, then 403, one round of checks, the API's services, back to the case)."""

from __future__ import annotations

from agencies import policy
from referral.views import CaseRecordView
from workflows import services as workflow_services

from . import services
from .forms import (
    InterventionForm,
    InterventionStatusForm,
    PerpetratorAssessmentForm,
    PsychiatricStepForm,
)


class PsychiatricStepView(CaseRecordView):
    form_class = PsychiatricStepForm
    title = "Record a psychiatric assessment's next step"
    intro = (
        "A psychiatric assessment for the court is sought, requested from a provider, done and "
        "put before the court, in that order; or not ordered, with the reason. No clinical "
        "content is kept here."
    )
    submit_label = "Record the step"

    def allowed(self) -> bool:
        return policy.can_track_psychiatric(self.membership)

    def record(self, form) -> str:
        data = form.validated
        assessment = services.psychiatric_assessment_record(
            referral=self.referral, assessment_id=form.cleaned_data["assessment"],
            actor=self.request.user, membership=self.membership, **data,
        )
        return (
            f"Psychiatric assessment {assessment.get_status_display().lower()} on "
            f"{self.referral.reference}."
        )


class _InterventionsView(CaseRecordView):
    def allowed(self) -> bool:
        return policy.can_write(self.membership, "interventions")


class InterventionCreateView(_InterventionsView):
    form_class = InterventionForm
    title = "Record an intervention"
    intro = (
        "An intervention offered to the perpetrator, on the case's intervention plan (opened "
        "if there is none). A requirement of an order or a sentence must rest on one of the "
        "case's orders or offences."
    )
    submit_label = "Record the intervention"

    def record(self, form) -> str:
        intervention = workflow_services.intervention_log(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            draft=form.draft(),
        )
        return f"{intervention.get_kind_display()} offered on {self.referral.reference}."


class InterventionStatusView(_InterventionsView):
    form_class = InterventionStatusForm
    title = "Update an intervention"
    intro = (
        "An intervention is started, then completed; or declined or stopped, with the reason."
    )
    submit_label = "Update the intervention"

    def record(self, form) -> str:
        intervention = services.intervention_status_set(
            referral=self.referral, intervention_id=form.cleaned_data["intervention"],
            actor=self.request.user, membership=self.membership, **form.validated,
        )
        return (
            f"{intervention.get_kind_display()} {intervention.get_status_display().lower()} on "
            f"{self.referral.reference}."
        )


class PerpetratorAssessmentView(_InterventionsView):
    form_class = PerpetratorAssessmentForm
    title = "Record an assessment of the perpetrator"
    intro = (
        "A structured assessment of the perpetrator's risks of persistence, recurrence and "
        "violence, on the case's intervention plan (opened if there is none)."
    )
    submit_label = "Record the assessment"

    def record(self, form) -> str:
        services.perpetrator_assessment_record(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            draft=services.PerpetratorAssessmentDraft(**form.validated),
        )
        return f"Assessment of the perpetrator recorded on {self.referral.reference}."
