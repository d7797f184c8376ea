"""The victims app's forms on the case page (`referral.views.CaseRecordView`: 404 first, then
403, one round of checks, the same service the API calls, back to the case)."""

from __future__ import annotations

from django.http import Http404
from django.urls import path

from agencies import policy
from agencies.models import Membership
from config.exceptions import DomainError
from referral.views import CaseRecordView
from workflows.services import victims as workflow_victims

from . import forms, selectors, services
from .models import RightToReview


class _VoiceView(CaseRecordView):
    section = "victim_voice"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, self.section)

    def _common(self) -> dict:
        return {"referral": self.referral, "actor": self.request.user,
                "membership": self.membership}


class WishesView(_VoiceView):
    form_class = forms.WishesForm
    title = "Record the victim's wishes"
    intro = ("What the victim wants and how they want to be contacted. Given under their "
             "consent, only the agencies it covers read it.")
    submit_label = "Record the wishes"

    def record(self, form) -> str:
        services.wishes_record(**self._common(), **form.validated)
        return f"The victim's wishes are recorded on {self.referral.reference}."


class ConsentView(_VoiceView):
    form_class = forms.ConsentForm
    title = "Record the victim's consent"
    intro = "Which agencies the victim agrees may be told what they said under consent."
    submit_label = "Record the consent"

    def record(self, form) -> str:
        services.consent_scope_record(**self._common(), **form.validated)
        return f"The victim's consent is recorded on {self.referral.reference}."


class AdvocateView(_VoiceView):
    form_class = forms.AdvocateForm
    title = "Name the victim's advocate"
    intro = "An advocate of a service involved in the case; the one before is ended."
    submit_label = "Name the advocate"

    def record(self, form) -> str:
        data = form.validated
        advocate = Membership.objects.select_related("agency", "user").filter(
            user__username=data["advocate"], user__is_active=True).first()
        if advocate is None:
            raise DomainError("Name an advocate by username.",
                              fields={"advocate": ["No active account has this username."]})
        services.advocate_name(**self._common(), advocate=advocate, role=data["role"],
                               started_on=data["started_on"])
        return f"The victim's advocate is named on {self.referral.reference}."


class EntitlementView(_VoiceView):
    form_class = forms.EntitlementForm
    title = "Set the victim's entitlement"
    intro = ("Enhanced rights under the Victims' Code shorten every update to 1 working day. "
             "A victim of stalking is persistently targeted, so entitled unless they opt out.")
    submit_label = "Save the entitlement"

    def record(self, form) -> str:
        services.entitlement_set(**self._common(), **form.validated)
        return f"The victim's entitlement is recorded on {self.referral.reference}."


class RightToReviewView(_VoiceView):
    form_class = forms.RightToReviewForm
    title = "Record the victim's request for a review"
    intro = ("The victim asks for a decision not to prosecute to be reviewed. The deciding "
             "agency is given the review, which whoever made the decision may not take.")
    submit_label = "Record the request"

    def get_initial(self):
        return {"review": self.request.GET.get("review", "")}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The reviews offered on the case that the victim has not asked for yet.
        kwargs["reviews"] = list(
            RightToReview.objects.filter(referral=self.referral, requested_on__isnull=True,
                                         outcome=RightToReview.Outcome.PENDING)
            .order_by("offered_on", "pk")
        )
        return kwargs

    def record(self, form) -> str:
        data = form.validated
        review = selectors.review_for(referral=self.referral, review_id=data["review"])
        if review is None:
            raise DomainError("Name a review offered on this case.",
                              fields={"review": ["No review with this id on this case."]})
        workflow_victims.right_to_review_ask(review=review, actor=self.request.user,
                                             membership=self.membership,
                                             requested_on=data["requested_on"])
        return (f"The victim's request for a review is recorded on {self.referral.reference}; "
                "the deciding agency is given the review.")


class SafetyPlanView(_VoiceView):
    form_class = forms.SafetyPlanForm
    title = "Agree a safety plan"
    intro = "The advocate's service is given the plan's review, due at the end of the review day."
    submit_label = "Record the plan"

    def record(self, form) -> str:
        workflow_victims.safety_plan_make(**self._common(), **form.validated)
        return f"The safety plan is recorded on {self.referral.reference}."


class StatementView(_VoiceView):
    form_class = forms.StatementForm
    title = "Record a victim personal statement"
    intro = "The victim is offered the chance to say, in their words, how the crime affected them."
    submit_label = "Record the statement"

    def record(self, form) -> str:
        services.statement_offer_record(**self._common(), **form.validated)
        return f"The personal statement is recorded on {self.referral.reference}."


class ContactView(_VoiceView):
    section = "victim_contact"
    form_class = forms.ContactForm
    title = "Log contact with the victim"
    intro = "Each contact goes in the case's contact log."
    submit_label = "Log the contact"

    def record(self, form) -> str:
        data = form.validated
        services.contact_record(**self._common(), draft=services.ContactDraft(
            method=data["method"], reached=data["reached"], note=data["note"], at=data["at"]))
        return f"Contact with the victim is logged on {self.referral.reference}."


class PersonAtRiskView(_VoiceView):
    section = "safeguarding"
    form_class = forms.PersonAtRiskForm
    title = "Record someone else at risk"
    intro = "A child, a new partner, family, friends or colleagues the suspect puts at risk."
    submit_label = "Record the person"

    def record(self, form) -> str:
        services.person_at_risk_record(**self._common(), **form.validated)
        return f"Someone else at risk is recorded on {self.referral.reference}."


class SafeguardingView(_VoiceView):
    section = "safeguarding"
    form_class = forms.SafeguardingForm
    title = "Record a safeguarding referral"
    intro = "A referral made to protect someone else at risk."
    submit_label = "Record the referral"

    def setup_case(self):
        super().setup_case()
        self.person = selectors.person_for(referral=self.referral,
                                           person_id=self.kwargs["person_id"])
        if self.person is None:
            raise Http404

    def record(self, form) -> str:
        data = form.validated
        services.safeguarding_referral_record(
            person=self.person, actor=self.request.user, membership=self.membership,
            referred_on=data["referred_on"], to=data["to"], outcome=data["outcome"],
        )
        return f"The safeguarding referral is recorded on {self.referral.reference}."


page_urlpatterns: list = [
    path("victim-voice/wishes/", WishesView.as_view(), name="victims_wishes"),
    path("victim-voice/consent/", ConsentView.as_view(), name="victims_consent"),
    path("victim-voice/advocate/", AdvocateView.as_view(), name="victims_advocate"),
    path("victim-voice/entitlement/", EntitlementView.as_view(), name="victims_entitlement"),
    path("victim-voice/right-to-review/", RightToReviewView.as_view(),
         name="victims_right_to_review"),
    path("victim-voice/safety-plan/", SafetyPlanView.as_view(), name="victims_safety_plan"),
    path("victim-voice/statement/", StatementView.as_view(), name="victims_statement"),
    path("contacts/new/", ContactView.as_view(), name="victims_contact"),
    path("others-at-risk/new/", PersonAtRiskView.as_view(), name="victims_person_at_risk"),
    path("others-at-risk/<int:person_id>/safeguarding/", SafeguardingView.as_view(),
         name="victims_safeguarding"),
]
