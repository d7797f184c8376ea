"""The case's sharing pages: its disclosures with their basis, a supervisor's reason for one
made outside an agreement, and "Share with an agency". Thin: the case first (404), then the
policy (403), then the services of `referral.disclosures`, which the API calls too."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from agencies.models import Agency
from config.exceptions import DomainError, NotAllowed, NotFound
from config.forms import DomainErrorsMixin

from . import disclosures
from .views import CaseRecordView, case_url

REASON_HELP = "Why sharing was necessary and proportionate, in a few words. It goes on the trail."


def sharing_url(referral_id: int) -> str:
    return reverse("workspace:referrals:sharing", kwargs={"referral_id": referral_id})


class ShareForm(DomainErrorsMixin, forms.Form):
    """The agency to share the case with, and the reason (needed outside an agreement)."""

    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.none(), empty_label="Choose an agency"
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=REASON_HELP + " Needed where no agreement covers it.",
    )

    def __init__(self, *args, referral, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = disclosures.share_candidates(referral=referral)



class AuthoriseForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ShareView(CaseRecordView):
    """Share with an agency: a supervisor of the referrer or coordinator."""

    form_class = ShareForm
    title = "Share with an agency"
    intro = (
        "The agency is involved in the case and reads what its kind may read. Where a sharing "
        "agreement between the referrer and the agency is in force, the disclosure relies on "
        "it; otherwise give the reason it is necessary."
    )
    submit_label = "Share the case"

    def allowed(self) -> bool:
        return policy.may_share_case(
            self.membership, referrer_agency_id=self.referral.referrer_agency_id
        )

    def record(self, form) -> str:
        disclosure = disclosures.case_disclose(
            referral=self.referral,
            agency=form.cleaned_data["agency"],
            actor=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        basis = (
            f"under “{disclosure.agreement.title}”"
            if disclosure.agreement_id
            else "outside any agreement, with your reason"
        )
        return f"{self.referral.reference} shared with {disclosure.agency.name} {basis}."


class SharingView(MemberRequiredMixin, TemplateView):
    """The case's disclosures, running and ended, each with its agreement and lawful basis or,
    outside one, its reason or a form for it (404 if the agency may not see the case, 403 for a
    role that may not read its sharing)."""

    template_name = "referral/sharing.html"

    def setup_case(self):
        try:
            self.referral = disclosures.sharing_look(
                membership=self.membership, referral_id=self.kwargs["referral_id"]
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        self.may_share = policy.may_share_case(
            self.membership, referrer_agency_id=self.referral.referrer_agency_id
        )

    def get(self, request, *args, **kwargs):
        self.setup_case()
        return super().get(request, *args, **kwargs)

    def post(self, request, referral_id: int, disclosure_id: int):
        """A supervisor's reason for one disclosure made outside an agreement."""
        self.setup_case()
        disclosure = disclosures.disclosure_look(
            membership=self.membership, disclosure_id=disclosure_id
        )
        if disclosure.referral_id != self.referral.pk:
            raise NotFound("No such disclosure on this case.")
        form = AuthoriseForm(request.POST, auto_id=f"%s-{disclosure.pk}")
        if form.is_valid():
            try:
                disclosures.disclosure_authorise(
                    disclosure=disclosure,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                form.add_error(
                    "reason" if exc.fields else None, exc.fields.get("reason", [exc.message])[0]
                )
            else:
                messages.success(
                    request, f"Reason recorded for sharing with {disclosure.agency.name}."
                )
                return redirect(sharing_url(self.referral.pk))
        context = self.get_context_data(form=form, target=disclosure.pk)
        return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            reference=self.referral.reference,
            case_url=case_url(self.referral.pk),
            may_share=self.may_share,
            share_url=reverse(
                "workspace:referrals:share_new", kwargs={"referral_id": self.referral.pk}
            ),
            disclosures=list(disclosures.case_disclosures(referral=self.referral)),
        )
        return context
