"""The case page's forms of the justice records (`referral.views.CaseRecordView`: the case
first, 404; then the policy, 403; one round of checks; back to the case with one message)."""

from __future__ import annotations

from django.http import Http404

from agencies import policy
from referral.models import CourtHearing
from referral.views import CaseRecordView
from workflows.services import justice as justice_flow

from . import selectors, services
from .forms import (
    ChargingDecisionForm,
    HearingOutcomeForm,
    OffenceAmendForm,
    OffenceForm,
    PoliceDecisionForm,
    SentenceForm,
    WarningSignsForm,
)
from .models import Offence, WarningSigns


class WarningSignsView(CaseRecordView):
    form_class = WarningSignsForm
    title = "Record the warning signs"
    intro = (
        "Stalking is fixated, obsessive, unwanted and repeated behaviour. Answer what you know; "
        "\u201cnot known\u201d is recorded as such, never as no."
    )
    submit_label = "Record the warning signs"

    def allowed(self) -> bool:
        return bool(policy.writable_sections(self.membership))

    def record(self, form) -> str:
        services.warning_signs_record(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            stage=WarningSigns.Stage.TRIAGE
            if self.membership.agency.kind == "coordinator" else WarningSigns.Stage.REFERRAL,
            draft=WarningSignsForm.serializer_class().draft(form.validated),
        )
        return f"Warning signs recorded on {self.referral.reference}."


class OffenceCreateView(CaseRecordView):
    form_class = OffenceForm
    title = "Record an offence"
    intro = "An offence as the police recorded it, with its crime reference."
    submit_label = "Record the offence"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "offences")

    def record(self, form) -> str:
        offence = services.offence_record(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            draft=OffenceForm.serializer_class().draft(form.validated),
        )
        return f"{offence.title} recorded on {self.referral.reference}."


class _OffenceView(CaseRecordView):
    """A form about one of the case's offences (404 when the case holds no such offence)."""

    def setup_case(self):
        super().setup_case()
        self.offence: Offence | None = selectors.offence_on_case(
            referral=self.referral, offence_id=self.kwargs["offence_id"]
        )
        if self.offence is None:
            raise Http404("No such offence on this case.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = f"{self.offence.title}. {self.intro}"
        return context


# The domestic-abuse flag as the amend form's radios show it.
_KNOWN_CHOICE = {True: "yes", False: "no", None: "unknown"}


class OffenceAmendView(_OffenceView):
    form_class = OffenceAmendForm
    title = "Amend an offence"
    intro = (
        "Correct the offence as recorded. The reason goes on the decision trail; a charge "
        "CPS alters is news the victim is told by CPS's letter."
    )
    submit_label = "Amend the offence"

    def allowed(self) -> bool:
        return policy.can_amend_offence(self.membership)

    def get_initial(self):
        return {
            "kind": self.offence.kind, "label": self.offence.label,
            "domestic_abuse": _KNOWN_CHOICE[self.offence.domestic_abuse],
            "crime_reference": self.offence.crime_reference,
        }

    def record(self, form) -> str:
        offence = justice_flow.offence_amend_log(
            offence=self.offence, actor=self.request.user, membership=self.membership,
            amendment=OffenceAmendForm.serializer_class().amendment(form.validated),
        )
        return f"{offence.title} amended on {self.referral.reference}."


class PoliceDecisionView(_OffenceView):
    form_class = PoliceDecisionForm
    title = "Record a police decision"
    intro = (
        "An arrest, interview, bail or release, charge or no further action is news the "
        "victim is told. No further action needs its outcome reason."
    )
    submit_label = "Record the decision"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "offences")

    def record(self, form) -> str:
        decision = justice_flow.police_decision_log(
            offence=self.offence, actor=self.request.user, membership=self.membership,
            draft=PoliceDecisionForm.serializer_class().draft(form.validated),
        )
        return f"{decision.get_kind_display()} recorded on {self.referral.reference}."


class ChargingDecisionView(_OffenceView):
    form_class = ChargingDecisionForm
    title = "Record a CPS decision"
    intro = "The victim is told of every charging decision."
    submit_label = "Record the decision"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "charging")

    def record(self, form) -> str:
        decision = justice_flow.charging_decision_log(
            referral=self.referral, offence=self.offence, actor=self.request.user,
            membership=self.membership,
            draft=ChargingDecisionForm.serializer_class().draft(form.validated),
        )
        return f"{decision.get_decision_display()} recorded on {self.referral.reference}."


class SentenceView(_OffenceView):
    form_class = SentenceForm
    title = "Record a sentence"
    intro = (
        "Requirements come with a community order or a suspended sentence; a treatment "
        "requirement becomes the perpetrator's intervention."
    )
    submit_label = "Record the sentence"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "court")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["hearings"] = list(
            CourtHearing.objects.filter(referral_id=self.referral.pk).order_by("date", "id")
        )
        return kwargs

    def record(self, form) -> str:
        data = form.validated
        hearing = (
            selectors.hearing_on_case(referral=self.referral, hearing_id=data["hearing"])
            if data["hearing"] else None
        )
        sentence = justice_flow.sentence_log(
            offence=self.offence, actor=self.request.user, membership=self.membership,
            draft=SentenceForm.serializer_class().draft(data, hearing=hearing),
        )
        return f"{sentence.get_disposal_display()} recorded on {self.referral.reference}."


class HearingOutcomeView(CaseRecordView):
    form_class = HearingOutcomeForm
    title = "Record a hearing's outcome"
    intro = (
        "A plea, a verdict or a discontinuance is about one offence. Bail with conditions "
        "records the conditions as an order."
    )
    submit_label = "Record the outcome"

    def allowed(self) -> bool:
        return policy.can_record_hearing(self.membership)

    def setup_case(self):
        super().setup_case()
        self.hearing = selectors.hearing_on_case(
            referral=self.referral, hearing_id=self.kwargs["hearing_id"]
        )
        if self.hearing is None:
            raise Http404("No such hearing on this case.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["offences"] = list(Offence.objects.filter(referral_id=self.referral.pk))
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["intro"] = (
            f"{self.hearing.get_kind_display()}, {self.hearing.date:%-d %b %Y}. {self.intro}"
        )
        return context

    def record(self, form) -> str:
        data = form.validated
        offence = (
            selectors.offence_on_case(referral=self.referral, offence_id=data["offence"])
            if data["offence"] else None
        )
        outcome = justice_flow.hearing_outcome_log(
            hearing=self.hearing, actor=self.request.user, membership=self.membership,
            draft=services.OutcomeDraft(
                result=data["result"], offence=offence, note=data["note"],
                bail_conditions=data["bail_conditions"], bail_expires=data["bail_expires"],
            ),
        )
        return f"{outcome.get_result_display()} recorded on {self.referral.reference}."
