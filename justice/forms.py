"""The case page's forms of the justice records: each checks with the API's serializer and the
service's rules in one round (`referral.forms.CaseRecordForm`); labels, never codes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from referral.forms import CaseRecordForm, DateInput
from referral.models import ProtectiveOrder

from .models import (
    ChargingDecision,
    HearingOutcome,
    Offence,
    OffenceKind,
    PoliceDecision,
    SentenceRequirement,
)
from .serializers import (
    ChargingDecisionInput,
    HearingOutcomeInput,
    OffenceAmendInput,
    OffenceInput,
    PoliceDecisionInput,
    SentenceInput,
    WarningSignsInput,
)

KNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
_KNOWN_VALUE = {"yes": True, "no": False, "unknown": None, "": None}
# How many requirements the sentence form takes.
SENTENCE_REQUIREMENTS = 3


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, widget=DateInput(), required=required, help_text=help_text,
        error_messages={"required": f"Enter the {label[0].lower()}{label[1:]}.",
                        "invalid": "Enter a real date."},
    )


def _choice(label: str, choices, *, required: bool = True, blank: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=required,
        choices=[("", blank or f"Choose the {label[0].lower()}{label[1:]}"), *choices],
        error_messages={"required": f"Choose the {label[0].lower()}{label[1:]}."},
    )


def _text(label: str, *, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=10000, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _known(label: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=KNOWN, widget=forms.RadioSelect,
        help_text=help_text,
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _pence(pounds: Decimal | None) -> int | None:
    return int((pounds * 100).to_integral_value()) if pounds is not None else None


def _pounds(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=Decimal("0.01"), max_digits=9, decimal_places=2,
        help_text=help_text, error_messages={"invalid": "Enter an amount in pounds, like 80.00."},
    )


def _days(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, help_text=help_text,
        error_messages={"invalid": "Enter a whole number of days."},
    )


class WarningSignsForm(CaseRecordForm):
    serializer_class = WarningSignsInput

    fixated = _known("Fixated?", "Is the suspect fixated on the victim?")
    obsessive = _known("Obsessive?", "Is the behaviour obsessive?")
    unwanted = _known("Unwanted?", "Is the attention unwanted?")
    repeated = _known("Repeated?", "Is the behaviour repeated?")

    def payload(self, cleaned: dict) -> dict:
        return {name: _KNOWN_VALUE[cleaned.get(name) or ""] for name in
                ("fixated", "obsessive", "unwanted", "repeated")}


class OffenceForm(CaseRecordForm):
    serializer_class = OffenceInput

    kind = _choice("Offence", OffenceKind.choices)
    label = forms.CharField(
        label="Name of the offence", max_length=200, required=False,
        help_text="Required for an offence not in the list.",
    )
    crime_reference = forms.CharField(label="Crime reference", max_length=40, required=False)
    domestic_abuse = _known("Domestic abuse?", "Is the offence flagged as domestic abuse?")
    committed_from = _date("Committed from", required=False)
    committed_to = _date("Committed to", required=False)

    def payload(self, cleaned: dict) -> dict:
        return {
            "kind": cleaned.get("kind", ""),
            "label": cleaned.get("label", ""),
            "crime_reference": cleaned.get("crime_reference", ""),
            "domestic_abuse": _KNOWN_VALUE[cleaned.get("domestic_abuse") or ""],
            "committed_from": _iso(cleaned.get("committed_from")),
            "committed_to": _iso(cleaned.get("committed_to")),
        }


class OffenceAmendForm(CaseRecordForm):
    """The offence as recorded, to correct: what differs is amended, with the reason."""

    serializer_class = OffenceAmendInput

    kind = _choice("Offence", OffenceKind.choices)
    label = forms.CharField(
        label="Name of the offence", max_length=200, required=False,
        help_text="Required for an offence not in the list.",
    )
    domestic_abuse = _known("Domestic abuse?", "Is the offence flagged as domestic abuse?")
    crime_reference = forms.CharField(label="Crime reference", max_length=40, required=False)
    reason = forms.CharField(
        label="Reason for the amendment", max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="It goes on the decision trail.",
        error_messages={"required": "Say why the offence is amended."},
    )

    def payload(self, cleaned: dict) -> dict:
        return {
            "kind": cleaned.get("kind", ""),
            "label": cleaned.get("label", ""),
            "domestic_abuse": _KNOWN_VALUE[cleaned.get("domestic_abuse") or ""],
            "crime_reference": cleaned.get("crime_reference", ""),
            "reason": cleaned.get("reason", ""),
        }


class PoliceDecisionForm(CaseRecordForm):
    serializer_class = PoliceDecisionInput

    kind = _choice("Decision", PoliceDecision.Kind.choices)
    decided_on = _date("Date of the decision")
    nfa_reason = _choice(
        "Reason for no further action", PoliceDecision.NfaReason.choices, required=False,
        blank="Only for no further action",
    )
    reason = _text("Reason", help_text="Required for another reason for no further action.")
    bail_conditions = _text(
        "Bail conditions", help_text="Only for police bail: the conditions set, if any."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()

    def payload(self, cleaned: dict) -> dict:
        return {
            "kind": cleaned.get("kind", ""),
            "decided_on": _iso(cleaned.get("decided_on")),
            "nfa_reason": cleaned.get("nfa_reason", ""),
            "reason": cleaned.get("reason", ""),
            "bail_conditions": cleaned.get("bail_conditions", ""),
        }


class ChargingDecisionForm(CaseRecordForm):
    serializer_class = ChargingDecisionInput

    decision = _choice("Charging decision", ChargingDecision.Decision.choices)
    decided_on = _date("Date of the decision")
    test = _choice("Test applied", ChargingDecision.Test.choices, required=False,
                   blank="Not stated")
    charged_as = _choice("Charged as", OffenceKind.choices, required=False,
                         blank="As recorded", )
    reason = _text("Reason", help_text="Why: the victim may ask for a review of a decision "
                   "not to charge.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()

    def payload(self, cleaned: dict) -> dict:
        return {
            "decision": cleaned.get("decision", ""),
            "decided_on": _iso(cleaned.get("decided_on")),
            "test": cleaned.get("test", ""),
            "charged_as": cleaned.get("charged_as", ""),
            "reason": cleaned.get("reason", ""),
        }


class HearingOutcomeForm(CaseRecordForm):
    serializer_class = HearingOutcomeInput

    result = _choice("Result", HearingOutcome.Result.choices)
    offence = forms.TypedChoiceField(
        label="Offence", required=False, coerce=int, empty_value=None,
        help_text="Required for a plea, a verdict or a discontinuance.",
    )
    bail_conditions = _text(
        "Bail conditions", help_text="Required for bail with conditions: recorded as an order."
    )
    note = _text("Note")

    def __init__(self, *args, offences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offence"].choices = [
            ("", "The whole case"), *[(o.pk, o.title) for o in offences]
        ]

    def payload(self, cleaned: dict) -> dict:
        return {
            "result": cleaned.get("result", ""),
            "offence": cleaned.get("offence"),
            "bail_conditions": cleaned.get("bail_conditions", ""),
            "note": cleaned.get("note", ""),
        }


def _requirement(n: int) -> forms.ChoiceField:
    return _choice(
        f"Requirement {n}", SentenceRequirement.Kind.choices, required=False, blank="None",
    )


def _requirement_detail(n: int) -> forms.CharField:
    return forms.CharField(label=f"Requirement {n}: detail", required=False, max_length=500)


class SentenceForm(CaseRecordForm):
    serializer_class = SentenceInput

    disposal = _choice("Sentence", Offence.Disposal.choices)
    sentenced_on = _date("Date of sentence")
    hearing = forms.TypedChoiceField(label="Hearing", required=False, coerce=int,
                                     empty_value=None)
    custody_days = _days("Custody (days)", "For immediate custody or a suspended sentence.")
    suspended_for_days = _days("Suspended for (days)", "For a suspended sentence.")
    fine_pence = _pounds("Fine (£)", "For a fine.")
    compensation_pence = _pounds("Compensation (£)")
    requirement_1 = _requirement(1)
    requirement_1_detail = _requirement_detail(1)
    requirement_2 = _requirement(2)
    requirement_2_detail = _requirement_detail(2)
    requirement_3 = _requirement(3)
    requirement_3_detail = _requirement_detail(3)
    restraining_order = _text(
        "Restraining order on conviction: conditions",
        help_text="If the court made a restraining order, its terms.",
    )
    restraining_order_expires = _date("Restraining order expires", required=False,
                                      help_text="Leave empty for an order until further order.")

    def __init__(self, *args, hearings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sentenced_on"].initial = timezone.localdate()
        self.fields["hearing"].choices = [
            ("", "Not recorded"),
            *[(h.pk, f"{h.get_kind_display()}, {h.date:%-d %b %Y}") for h in hearings],
        ]

    def payload(self, cleaned: dict) -> dict:
        sentenced_on = cleaned.get("sentenced_on")
        requirements = [
            {"kind": cleaned[f"requirement_{n}"],
             "detail": cleaned.get(f"requirement_{n}_detail", "")}
            for n in range(1, SENTENCE_REQUIREMENTS + 1) if cleaned.get(f"requirement_{n}")
        ]
        orders = []
        if (cleaned.get("restraining_order") or "").strip():
            orders.append({
                "kind": ProtectiveOrder.Kind.RESTRAINING_ORDER,
                "conditions": cleaned["restraining_order"],
                "starts": _iso(sentenced_on),
                "expires": _iso(cleaned.get("restraining_order_expires")),
            })
        return {
            "disposal": cleaned.get("disposal", ""),
            "sentenced_on": _iso(sentenced_on),
            "hearing": cleaned.get("hearing"),
            "custody_days": cleaned.get("custody_days"),
            "suspended_for_days": cleaned.get("suspended_for_days"),
            "fine_pence": _pence(cleaned.get("fine_pence")),
            "compensation_pence": _pence(cleaned.get("compensation_pence")),
            "requirements": requirements,
            "orders": orders,
        }
