"""The victims app's forms on the case page. Their rules are the API's serializers'
(`referral.forms.CaseRecordForm`: Django's checks, the serializer, then the service's)."""

from __future__ import annotations

from django import forms

from agencies.models import AgencyKind
from referral.forms import CaseRecordForm, DateInput, DateTimeInput

from . import serializers
from .models import AdvocateAssignment, ContactEntry, Entitlement, PersonAtRisk, RightToReview

TEXT_MAX = serializers.TEXT_MAX
YES_NO_UNKNOWN = [("", "Not known"), ("yes", "Yes"), ("no", "No")]
TRI = {"yes": True, "no": False, "": None}


def _text(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=TEXT_MAX, required=required,
                           help_text=help_text, widget=forms.Textarea(attrs={"rows": 3}))


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(),
                           help_text=help_text)


def _tri(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO_UNKNOWN, required=False,
                             widget=forms.RadioSelect, help_text=help_text)


def _compact(cleaned: dict) -> dict:
    """The cleaned values the serializer takes (empty optional ones left to its defaults)."""
    return {k: v for k, v in cleaned.items() if v not in (None, "")}


class WishesForm(CaseRecordForm):
    serializer_class = serializers.WishesInput

    supports_prosecution = _tri("Does the victim support a prosecution?")
    wishes = _text("What the victim wants")
    contact_preferences = _text("How the victim wants to be contacted",
                                help_text="Never the contact details themselves.")
    given_under_consent = forms.BooleanField(
        label="Given under the victim's consent", required=False,
        help_text="Only the agencies the consent covers (and police and advocacy) will read it.",
    )

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        data["supports_prosecution"] = TRI[cleaned.get("supports_prosecution") or ""]
        data["given_under_consent"] = bool(cleaned.get("given_under_consent"))
        return data


class ConsentForm(CaseRecordForm):
    serializer_class = serializers.ConsentInput

    agency_kinds = forms.MultipleChoiceField(
        label="Agencies the victim agrees may be told", required=False,
        choices=[(k.value, k.label) for k in AgencyKind if k != AgencyKind.OVERSIGHT],
        widget=forms.CheckboxSelectMultiple,
    )
    covers = _text("What the consent covers")
    given_on = _date("Given on")
    withdrawn_on = _date("Withdrawn on", required=False)

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        data["agency_kinds"] = list(cleaned.get("agency_kinds") or [])
        for key in ("given_on", "withdrawn_on"):
            if cleaned.get(key):
                data[key] = cleaned[key].isoformat()
        return data


class AdvocateForm(CaseRecordForm):
    serializer_class = serializers.AdvocateInput

    advocate = forms.CharField(label="Advocate's username", max_length=150,
                               help_text="A member of an advocacy service involved in the case.")
    role = forms.ChoiceField(label="Kind of advocate", choices=AdvocateAssignment.Role.choices)
    started_on = _date("Started on", required=False)

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        if cleaned.get("started_on"):
            data["started_on"] = cleaned["started_on"].isoformat()
        return data


class EntitlementForm(CaseRecordForm):
    serializer_class = serializers.EntitlementInput

    enhanced = forms.BooleanField(
        label="Entitled to enhanced rights under the Victims' Code", required=False,
        help_text="A victim of stalking is persistently targeted: updates within 1 working day.",
    )
    basis = forms.ChoiceField(label="Why", required=False,
                              choices=[("", "-"), *Entitlement.Basis.choices])
    opt_out_reason = _text("Why enhanced rights do not apply",
                           help_text="Required when you untick the box.")

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        data["enhanced"] = bool(cleaned.get("enhanced"))
        return data

    def clean(self):
        cleaned = super().clean()
        if (not cleaned.get("enhanced") and not (cleaned.get("opt_out_reason") or "").strip()
                and "opt_out_reason" not in self.errors):
            self.add_error("opt_out_reason", "Say why enhanced rights do not apply.")
        return cleaned


def review_choice_label(review: RightToReview) -> str:
    return (f"{review.get_decided_by_kind_display()}'s decision of "
            f"{review.decision_on.day} {review.decision_on:%b %Y}, offered "
            f"{review.offered_on.day} {review.offered_on:%b %Y}")


class RightToReviewForm(CaseRecordForm):
    """The victim asks for a decision not to prosecute to be reviewed: one of the case's
    reviews offered and not yet asked for."""

    serializer_class = serializers.RightToReviewInput

    review = forms.TypedChoiceField(label="The decision the victim wants reviewed", coerce=int,
                                    empty_value=None)
    requested_on = _date("Asked on", required=False, help_text="Leave empty for today.")

    def __init__(self, *args, reviews=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].choices = [("", "Choose a decision"), *(
            (review.pk, review_choice_label(review)) for review in reviews)]
        if not reviews:
            self.fields["review"].help_text = (
                "No review of a decision not to prosecute is awaiting the victim's request on "
                "this case.")

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        if cleaned.get("requested_on"):
            data["requested_on"] = cleaned["requested_on"].isoformat()
        return data


class SafetyPlanForm(CaseRecordForm):
    serializer_class = serializers.SafetyPlanInput

    agreed_on = _date("Agreed on")
    review_on = _date("Review on", help_text="The advocate's service gets the review that day.")
    summary = _text("What the plan is", help_text="Never the victim's address or routines.")

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        for key in ("agreed_on", "review_on"):
            if cleaned.get(key):
                data[key] = cleaned[key].isoformat()
        return data


class StatementForm(CaseRecordForm):
    serializer_class = serializers.StatementInput

    offered_on = _date("Offered on")
    made = _tri("Did the victim make a statement?", help_text="Not known: only offered so far.")
    made_on = _date("Made on", required=False)
    declined_reason = _text("Why the victim declined")

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        data["made"] = TRI[cleaned.get("made") or ""]
        for key in ("offered_on", "made_on"):
            if cleaned.get(key):
                data[key] = cleaned[key].isoformat()
        return data


class ContactForm(CaseRecordForm):
    serializer_class = serializers.ContactInput

    method = forms.ChoiceField(label="How", choices=ContactEntry.Method.choices)
    reached = forms.BooleanField(label="The victim was reached", required=False)
    at = forms.DateTimeField(label="When", required=False, widget=DateTimeInput(),
                             input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                             help_text="Leave empty for now.")
    note = _text("Note")

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        data["reached"] = bool(cleaned.get("reached"))
        if cleaned.get("at"):
            data["at"] = cleaned["at"].isoformat()
        return data


class PersonAtRiskForm(CaseRecordForm):
    serializer_class = serializers.PersonAtRiskInput

    relation = forms.ChoiceField(label="Who they are to the victim",
                                 choices=PersonAtRisk.Relation.choices)
    name = forms.CharField(label="Name", max_length=200, required=False)
    born = _date("Date of birth", required=False)
    notes = _text("Why they are at risk")

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        if cleaned.get("born"):
            data["born"] = cleaned["born"].isoformat()
        return data


class SafeguardingForm(CaseRecordForm):
    serializer_class = serializers.SafeguardingInput

    referred_on = _date("Referred on")
    to = forms.CharField(label="Referred to", max_length=200,
                         help_text="Children's services, adult social care, another area.")
    outcome = _text("Outcome")

    def payload(self, cleaned: dict) -> dict:
        data = _compact(cleaned)
        if cleaned.get("referred_on"):
            data["referred_on"] = cleaned["referred_on"].isoformat()
        return data
