"""The referral form of the HTML pages. Its rules are the API's: `serializers.ReferralInput`.

Django fields parse what the browser sends (text, dates, ticked boxes); the serializer then
judges the whole referral exactly as it judges an API request, and its errors are put back
next to the fields they are about. Nothing is saved here.
"""

from __future__ import annotations

import json

from django import forms

from agencies import policy
from config.exceptions import DomainError
from workflows import services as workflow_services

from . import services
from .models import (
    Behaviour,
    Classification,
    CourtHearing,
    LocalPolicy,
    PersonIdentifier,
    PersonName,
    ProtectiveOrder,
    Referral,
    Relationship,
    RiskLevel,
    ScreeningInstrument,
)
from .serializers import (
    NAME_MAX,
    TEXT_MAX,
    ConferenceReferralInput,
    HearingInput,
    IdentifierInput,
    IncidentInput,
    LocalPolicyInput,
    OrderInput,
    ReferralInput,
    ScreeningAnswersInput,
)
from .services import IncidentDraft, OrderDraft, ReferralDraft

# A screening answer: not known is an answer of its own (sent as null), never a no.
SCREENING_ANSWERS = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
SCREENING_VALUES = {"yes": True, "no": False, "not_known": None}
QUESTION_PREFIX = "q_"
SIGN_PREFIX = "sign_"
SIGN_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
_SIGN_VALUES = {"yes": True, "no": False, "unknown": None}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

# How many incidents the referral form takes; more are logged from the case page.
REFERRAL_INCIDENTS = 3


def _text(label: str, *, rows: int = 3, max_length: int = TEXT_MAX, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _choices(label: str, choices, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one."},
        **kwargs,
    )


# Where each serializer error path lands on the form (the longest matching prefix wins).
ERROR_FIELDS: dict[tuple[str, ...], str] = {
    ("victim", "name"): "victim_name",
    ("victim", "date_of_birth"): "victim_date_of_birth",
    ("victim", "enhanced_rights"): "victim_enhanced_rights",
    ("victim", "enhanced_rights_opt_out_reason"): "victim_enhanced_rights_opt_out_reason",
    ("victim_contact", "phone"): "contact_phone",
    ("victim_contact", "email"): "contact_email",
    ("victim_contact", "address"): "contact_address",
    ("victim_contact", "safe_contact_method"): "contact_safe_method",
    ("suspect", "name"): "suspect_name",
    ("suspect", "date_of_birth"): "suspect_date_of_birth",
    ("suspect", "address"): "suspect_address",
    ("suspect", "aliases"): "suspect_aliases",
    **{
        (name,): name
        for name in (
            "relationship",
            "behaviours",
            "stalking_since",
            "consent",
            "summary",
            "risk_level",
            "risk_reason",
            "classification",
            "not_stalking_reason",
            "confirm_new",
            "confirm_reason",
        )
    },
}

CONTACT_FIELDS = {
    "contact_phone": "phone",
    "contact_email": "email",
    "contact_address": "address",
    "contact_safe_method": "safe_contact_method",
}


def _error_paths(detail, path: tuple[str, ...] = ()):
    """DRF's nested error detail as (path, messages) pairs."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _error_paths(value, (*path, str(key)))
    elif isinstance(detail, list) and all(not isinstance(v, (dict, list)) for v in detail):
        yield path, [str(v) for v in detail]
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            yield from _error_paths(value, (*path, str(index)))
    else:
        yield path, [str(detail)]


class ReferralForm(forms.Form):
    victim_name = forms.CharField(label="Name", max_length=NAME_MAX)
    victim_date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=DateInput()
    )
    victim_enhanced_rights = forms.BooleanField(
        label="Entitled to enhanced rights under the Victims' Code",
        required=False,
        initial=True,
        help_text="Keeps the victim informed within 1 working day instead of 5. A stalking "
                  "victim is persistently targeted and has them unless you say why not.",
    )
    victim_enhanced_rights_opt_out_reason = _text(
        "Why enhanced rights do not apply", rows=2, max_length=2000,
        help_text="Only if you untick enhanced rights.",
    )

    contact_phone = forms.CharField(label="Phone", max_length=40, required=False)
    contact_email = forms.EmailField(label="Email", required=False)
    contact_address = _text("Address for contact", rows=2, max_length=1000)
    contact_safe_method = _text(
        "Safe way to make contact", rows=2, max_length=1000, help_text="When and how not to."
    )

    suspect_name = forms.CharField(label="Name", max_length=NAME_MAX)
    suspect_date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=DateInput()
    )
    suspect_address = _text("Address", rows=2, max_length=1000)
    suspect_aliases = _text(
        "Other names", rows=2, help_text="One per line: aliases, former names, online handles."
    )

    relationship = _choices("How the suspect knows the victim", Relationship.choices)
    behaviours = _choices("Behaviours", Behaviour.choices)
    stalking_since = forms.DateField(
        label="Stalking since",
        required=False,
        widget=DateInput(),
        help_text="The first unwanted contact, as far as it is known.",
    )
    consent = forms.BooleanField(label="The victim consents to this referral", required=False)
    summary = _text("Summary", rows=4, help_text="What has happened, in a few sentences.")

    risk_level = forms.ChoiceField(
        label="Professional judgement of risk",
        choices=[("", "No judgement: use the screening's level"), *RiskLevel.choices],
        required=False,
    )
    risk_reason = _text(
        "Reason for the judgement", help_text="Needed when it is lower than the screening gives."
    )
    classification = forms.ChoiceField(
        label="Classification",
        choices=Classification.choices,
        initial=Classification.STALKING,
        widget=forms.RadioSelect,
    )
    not_stalking_reason = _text(
        "Why is this not stalking?",
        help_text="Needed when the classification is harassment or other.",
    )
    # The four warning signs of stalking, each yes, no or not known (`SIGN_PREFIX` + name).
    sign_fixated = forms.ChoiceField(
        label="Fixated?", choices=SIGN_CHOICES, required=False, widget=forms.RadioSelect,
        help_text="Is the suspect fixated on the victim?",
    )
    sign_obsessive = forms.ChoiceField(
        label="Obsessive?", choices=SIGN_CHOICES, required=False, widget=forms.RadioSelect,
        help_text="Is the behaviour obsessive?",
    )
    sign_unwanted = forms.ChoiceField(
        label="Unwanted?", choices=SIGN_CHOICES, required=False, widget=forms.RadioSelect,
        help_text="Is the attention unwanted?",
    )
    sign_repeated = forms.ChoiceField(
        label="Repeated?", choices=SIGN_CHOICES, required=False, widget=forms.RadioSelect,
        help_text="Is the behaviour repeated?",
    )

    confirm_new = forms.BooleanField(
        label="This is a new matter, not an update of the open referral", required=False
    )

    # Incidents so far (`incident_<n>_<field>`, n from 1), added in __init__ for an agency that
    # may record them.
    confirm_reason = _text("Why a new referral?")

    def __init__(self, *args, instrument: ScreeningInstrument | None, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.show_confirm = False
        self._input: ReferralInput | None = None
        if not policy.can_write(membership, "victim_contact"):
            for name in CONTACT_FIELDS:
                del self.fields[name]
        if policy.can_write(membership, "incidents"):
            for n in range(1, REFERRAL_INCIDENTS + 1):
                self.fields.update(_incident_row_fields(n))
        for question in instrument.questions if instrument else []:
            self.fields[QUESTION_PREFIX + question["key"]] = forms.ChoiceField(
                label=question["text"],
                choices=SCREENING_ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": "Answer yes, no or not known."},
            )
        if self.is_bound and (
            self.data.get("confirm_new") or self.data.get("confirm_reason", "").strip()
        ):
            self.show_confirm = True

    # --- What the template lays out -------------------------------------------------------

    @property
    def has_contact_fields(self) -> bool:
        return "contact_phone" in self.fields

    def incident_rows(self) -> list[dict]:
        """The incident rows as the template lays them out: [{"number", "fields"}]."""
        return [
            {"number": n, "fields": [self[f"incident_{n}_{key}"] for key in INCIDENT_KEYS]}
            for n in range(1, REFERRAL_INCIDENTS + 1)
            if f"incident_{n}_occurred_at" in self.fields
        ]

    def questions(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(QUESTION_PREFIX)]

    def confirm_visible(self) -> bool:
        return self.show_confirm or bool(
            self["confirm_new"].errors or self["confirm_reason"].errors
        )

    # --- Validation: the API's serializer decides -----------------------------------------

    def clean(self):
        cleaned = super().clean()
        if self.instrument is None:
            raise forms.ValidationError("The screening questionnaire is not available.")
        self._input = ReferralInput(data=self._payload(cleaned))
        if not self._input.is_valid():
            self._add_serializer_errors(self._input.errors)
        return cleaned

    def _payload(self, cleaned: dict) -> dict:
        aliases = [line.strip() for line in cleaned.get("suspect_aliases", "").splitlines()]
        answers = {
            name.removeprefix(QUESTION_PREFIX): SCREENING_VALUES[cleaned[name]]
            for name in self.fields
            if name.startswith(QUESTION_PREFIX) and cleaned.get(name)
        }
        payload = {
            "victim": {
                "name": cleaned.get("victim_name", ""),
                "date_of_birth": cleaned.get("victim_date_of_birth"),
                "enhanced_rights": bool(cleaned.get("victim_enhanced_rights")),
                "enhanced_rights_opt_out_reason": cleaned.get(
                    "victim_enhanced_rights_opt_out_reason", ""
                ),
            },
            "suspect": {
                "name": cleaned.get("suspect_name", ""),
                "date_of_birth": cleaned.get("suspect_date_of_birth"),
                "address": cleaned.get("suspect_address", ""),
                "aliases": [a for a in aliases if a],
            },
            "relationship": cleaned.get("relationship", []),
            "behaviours": cleaned.get("behaviours", []),
            "stalking_since": cleaned.get("stalking_since"),
            "consent": bool(cleaned.get("consent")),
            "screening": {"instrument": self.instrument.slug, "answers": answers},
            "summary": cleaned.get("summary", ""),
            "risk_level": cleaned.get("risk_level") or None,
            "risk_reason": cleaned.get("risk_reason", ""),
            "classification": cleaned.get("classification") or Classification.STALKING,
            "not_stalking_reason": cleaned.get("not_stalking_reason", ""),
            "confirm_new": bool(cleaned.get("confirm_new")),
            "confirm_reason": cleaned.get("confirm_reason", ""),
        }
        incidents, self._incident_numbers = [], []
        for row in self.incident_rows():
            n = row["number"]
            values = {key: cleaned.get(f"incident_{n}_{key}") for key in INCIDENT_KEYS}
            raw = [self.data.get(f"incident_{n}_{key}") for key in INCIDENT_KEYS]
            if not any(values.values()) and not any(raw):
                continue  # a row left empty
            incidents.append({
                "occurred_at": values["occurred_at"].isoformat() if values["occurred_at"] else None,
                "behaviours": values["behaviours"] or [],
                "description": values["description"] or "",
            })
            self._incident_numbers.append(n)
        if incidents:
            payload["incidents"] = incidents
        signs = {
            name.removeprefix(SIGN_PREFIX): _SIGN_VALUES[cleaned[name]]
            for name in self.fields if name.startswith(SIGN_PREFIX) and cleaned.get(name)
        }
        if signs:
            payload["warning_signs"] = signs
        contact = {key: cleaned.get(name, "") for name, key in CONTACT_FIELDS.items()}
        if self.has_contact_fields and any(contact.values()):
            payload["victim_contact"] = contact
        return payload

    def _field_for(self, path: tuple[str, ...]) -> str | None:
        if path[:1] == ("incidents",) and len(path) > 2 and path[1].isdigit():
            numbers = getattr(self, "_incident_numbers", [])
            index = int(path[1])
            if index < len(numbers):
                name = f"incident_{numbers[index]}_{path[2]}"
                return name if name in self.fields else None
            return None
        if path[:2] == ("screening", "answers") and len(path) > 2:
            name = QUESTION_PREFIX + path[2]
            return name if name in self.fields else None
        for end in range(len(path), 0, -1):
            name = ERROR_FIELDS.get(path[:end])
            if name is not None:
                return name if name in self.fields else None
        return None

    def _add_serializer_errors(self, detail) -> None:
        for path, messages in _error_paths(detail):
            name = self._field_for(path)
            if name is not None and self.has_error(name):
                continue  # the field's own parsing already said what is wrong
            for message in messages:
                self.add_error(name, message)

    def draft(self) -> ReferralDraft:
        """The validated referral, as `services.referral_submit` takes it."""
        assert self._input is not None and not self.errors
        return self._input.draft()

    def add_domain_error(self, exc: DomainError) -> None:
        """Show what the service refused: its message on top, its field errors by the fields."""
        if exc.code == "duplicate_referral":
            self.show_confirm = True
            self.add_error(
                None,
                "An open referral for the same victim and suspect already exists. Log the new "
                "incident on it, or confirm below that this is a new matter and say why.",
            )
        else:
            self.add_error(None, exc.message)
        for path, messages in _error_paths(exc.fields):
            name = self._field_for(path)
            for message in messages:
                self.add_error(name, message)


# --- Incidents, breaches, orders and hearings, recorded from the case page -------------------

INCIDENT_KEYS = ("occurred_at", "behaviours", "description")


def _incident_row_fields(n: int) -> dict[str, forms.Field]:
    """One incident of the referral form: none of it required, an empty row is left out; a row
    begun is judged as the API judges an incident."""
    return {
        f"incident_{n}_occurred_at": forms.DateTimeField(
            label="When it happened",
            required=False,
            widget=DateTimeInput(),
            input_formats=DATETIME_FORMATS,
            help_text="Date and time, as near as is known.",
        ),
        f"incident_{n}_behaviours": forms.MultipleChoiceField(
            label="What the suspect did",
            choices=Behaviour.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        ),
        f"incident_{n}_description": _text(
            "What happened", help_text="In a few sentences, in the victim's words if you can."
        ),
    }


def _apply_errors(form: forms.Form, detail, *, skip_fields_with_errors: bool = True) -> None:
    """Put a serializer's or a service's field errors next to the form's fields (the form's own
    field names are the API's), the rest on top."""
    for path, messages in _error_paths(detail):
        name = path[0] if path and path[0] in form.fields else None
        if skip_fields_with_errors and name is not None and form.has_error(name):
            continue  # the field's own parsing already said what is wrong
        for message in messages:
            form.add_error(name, message)


class CaseRecordForm(forms.Form):
    """A form of the case page: Django's field checks, then the API's serializer, then the
    service's own rules, all in one round (`clean`), so every problem is listed at once."""

    serializer_class: type = None

    def __init__(self, *args, referral: Referral, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.membership = membership
        self.validated: dict | None = None

    def payload(self, cleaned: dict) -> dict:
        raise NotImplementedError

    def domain_checks(self, validated: dict) -> None:
        """The service's rules that can be asked before recording (raise `DomainError`)."""

    def clean(self):
        cleaned = super().clean()
        serializer = self.serializer_class(data=self.payload(cleaned))
        if not serializer.is_valid():
            _apply_errors(self, serializer.errors)
            return cleaned
        if self.errors:
            return cleaned
        self.validated = serializer.validated_data
        try:
            self.domain_checks(self.validated)
        except DomainError as exc:
            self.add_domain_error(exc)
        return cleaned

    def add_domain_error(self, exc: DomainError) -> None:
        """What the service refused: its field errors by the fields, or its message on top."""
        if exc.fields:
            _apply_errors(self, exc.fields, skip_fields_with_errors=False)
        else:
            self.add_error(None, exc.message)


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}"


def order_choice_label(order: ProtectiveOrder) -> str:
    expires = _day(order.expires) if order.expires else "no end date"
    ended = (
        f", {order.get_status_display().lower()} {_day(order.ended_on)}" if order.ended_on else ""
    )
    return (
        f"{order.get_kind_display()}, {_day(order.starts)} to {expires}{ended} "
        f"({order.referral.reference})"
    )


class IncidentForm(CaseRecordForm):
    """Log an incident; on the breach page, the order it breaches is required."""

    serializer_class = IncidentInput

    occurred_at = forms.DateTimeField(
        label="When did it happen?",
        widget=DateTimeInput(),
        input_formats=DATETIME_FORMATS,
        help_text="Date and time, as near as the victim or witness knows. Not in the future.",
        error_messages={"required": "Enter when it happened.",
                        "invalid": "Enter a date and time, such as 14/03/2026 21:30."},
    )
    behaviours = _choices(
        "What did the suspect do?", Behaviour.choices, help_text="Tick every one that applies."
    )
    description = forms.CharField(
        label="What happened",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In a few sentences, in the victim's words if you can.",
        error_messages={"required": "Describe what happened."},
    )
    breach_of_order = forms.TypedChoiceField(
        label="Order it breaches",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Only if the incident broke the conditions of an order or of bail.",
    )

    def __init__(self, *args, orders=(), breach: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.breach = breach
        choices = [(o.pk, order_choice_label(o)) for o in orders]
        field = self.fields["breach_of_order"]
        if breach:
            field.required = True
            field.label = "Which order was breached?"
            field.help_text = "The order or bail conditions in force when it happened."
            field.error_messages["required"] = "Choose the order that was breached."
            field.choices = [("", "Choose an order"), *choices]
        elif choices:
            field.choices = [("", "Not a breach of an order"), *choices]
        else:
            del self.fields["breach_of_order"]

    def payload(self, cleaned: dict) -> dict:
        occurred = cleaned.get("occurred_at")
        return {
            "occurred_at": occurred.isoformat() if occurred else None,
            "behaviours": cleaned.get("behaviours") or [],
            "description": cleaned.get("description", ""),
            "breach_of_order": cleaned.get("breach_of_order"),
        }

    def clean(self):
        cleaned = super().clean()
        # The breach rule needs only the date and the order: asked even when another field is
        # wrong, so it is listed with the rest.
        order, occurred = cleaned.get("breach_of_order"), cleaned.get("occurred_at")
        if self.validated is None and order and occurred and not self.has_error("breach_of_order"):
            try:
                services.check_breach(referral=self.referral, membership=self.membership,
                                      order_id=order, occurred_at=occurred)
            except DomainError as exc:
                self.add_domain_error(exc)
        return cleaned

    def domain_checks(self, validated: dict) -> None:
        if validated.get("breach_of_order"):
            services.check_breach(
                referral=self.referral, membership=self.membership,
                order_id=validated["breach_of_order"], occurred_at=validated["occurred_at"],
            )

    def draft(self) -> IncidentDraft:
        return IncidentInput().draft(self.validated)


class OrderForm(CaseRecordForm):
    serializer_class = OrderInput

    kind = forms.ChoiceField(
        label="Kind of order",
        choices=[("", "Choose the kind of order"), *ProtectiveOrder.Kind.choices],
        error_messages={"required": "Choose the kind of order."},
    )
    conditions = forms.CharField(
        label="Conditions",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="As the court or custody officer set them: who, where, what is prohibited.",
        error_messages={"required": "Enter the order's conditions."},
    )
    starts = forms.DateField(
        label="In force from", widget=DateInput(),
        error_messages={"required": "Enter the date the order starts.",
                        "invalid": "Enter a real date."},
    )
    expires = forms.DateField(
        label="Expires on", widget=DateInput(), required=False,
        help_text="Leave empty for an order until further order.",
        error_messages={"invalid": "Enter a real date."},
    )
    made_by = forms.ChoiceField(
        label="Made by", required=False,
        choices=[("", "Not recorded"), *ProtectiveOrder.MadeBy.choices],
    )
    court = forms.CharField(
        label="Court", max_length=200, required=False,
        help_text="For example: Leeds Magistrates' Court.",
    )
    requirements = forms.CharField(
        label="Positive requirements", max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the suspect must do (a stalking protection order's or a licence's "
                  "requirements), if any.",
    )
    served_on = forms.DateField(
        label="Served on the suspect", widget=DateInput(), required=False,
        help_text="A stalking protection order's service starts the three days to notify the "
                  "police.",
        error_messages={"invalid": "Enter a real date."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds the member may record (`policy.can_record_order`).
        self.fields["kind"].choices = [
            ("", "Choose the kind of order"),
            *((kind, label) for kind, label in ProtectiveOrder.Kind.choices
              if policy.can_record_order(self.membership, kind)),
        ]

    def payload(self, cleaned: dict) -> dict:
        starts, expires = cleaned.get("starts"), cleaned.get("expires")
        served_on = cleaned.get("served_on")
        return {
            "kind": cleaned.get("kind", ""),
            "conditions": cleaned.get("conditions", ""),
            "starts": starts.isoformat() if starts else None,
            "expires": expires.isoformat() if expires else None,
            "made_by": cleaned.get("made_by", ""),
            "court": cleaned.get("court", ""),
            "requirements": cleaned.get("requirements", ""),
            "served_on": served_on.isoformat() if served_on else None,
        }

    def draft(self) -> OrderDraft:
        return OrderInput().draft(self.validated)


class HearingForm(CaseRecordForm):
    serializer_class = HearingInput

    kind = forms.ChoiceField(
        label="Kind of hearing",
        choices=[("", "Choose the kind of hearing"), *CourtHearing.Kind.choices],
        error_messages={"required": "Choose the kind of hearing."},
    )
    date = forms.DateField(
        label="Date of the hearing", widget=DateInput(),
        help_text="Risk assessments fall due two working days before it.",
        error_messages={"required": "Enter the date of the hearing.",
                        "invalid": "Enter a real date."},
    )
    court = forms.CharField(
        label="Court", max_length=200, required=False,
        help_text="For example: Leeds Magistrates' Court.",
    )

    def payload(self, cleaned: dict) -> dict:
        on = cleaned.get("date")
        return {
            "kind": cleaned.get("kind", ""),
            "date": on.isoformat() if on else None,
            "court": cleaned.get("court", ""),
        }

    def clean(self):
        cleaned = super().clean()
        on = cleaned.get("date")
        if self.validated is None and on and not self.has_error("date"):
            try:
                workflow_services.check_hearing_date(on)
            except DomainError as exc:
                self.add_domain_error(exc)
        return cleaned

    def domain_checks(self, validated: dict) -> None:
        workflow_services.check_hearing_date(validated["date"])
# --- Finding cases ----------------------------------------------------------------------------


def region_label(region: str) -> str:
    """A region as people name it ("avon-somerset" -> "Avon Somerset")."""
    return region.replace("-", " ").replace("_", " ").title()


class CaseFilterForm(forms.Form):
    """The referrals list's search box, filters and sort; `query()` is what `search` takes."""

    q = forms.CharField(
        label="Search", required=False, max_length=200,
        help_text="A case reference, or the victim's or suspect's name or alias.",
    )
    status = forms.ChoiceField(label="Status", required=False)
    risk_level = forms.ChoiceField(
        label="Risk", required=False, choices=[("", "Any risk"), *RiskLevel.choices]
    )
    region = forms.ChoiceField(label="Region", required=False)
    agency = forms.ChoiceField(label="Referred by", required=False)
    created_from = forms.DateField(label="Referred from", required=False, widget=DateInput())
    created_to = forms.DateField(label="Referred to", required=False, widget=DateInput())
    sort = forms.ChoiceField(label="Sort by", required=False)

    def __init__(self, *args, agencies=(), sorts: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any status"), *Referral.Status.choices]
        self.fields["agency"].choices = [("", "Any agency")] + [(a.slug, a.name) for a in agencies]
        regions = sorted({a.region for a in agencies if a.region})
        if regions:
            self.fields["region"].choices = [("", "Any region")] + [
                (r, region_label(r)) for r in regions
            ]
        else:
            del self.fields["region"]
        self.fields["sort"].choices = list(sorts.items())

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", "Cannot be before the start date.")
        return data

    @property
    def filtering(self) -> bool:
        """Whether anything but the sort is asked (the page then says what it found)."""
        return self.is_bound and any(
            self.data.get(name) for name in self.fields if name != "sort"
        )


class ConferenceReferralForm(CaseRecordForm):
    """A referral to a conference on professional judgement: the reason is all it asks."""

    serializer_class = ConferenceReferralInput

    reason = forms.CharField(
        label="Why does this case need a conference?", max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you know that the screen and the incidents do not show.",
        error_messages={"required": "Say why the case needs a conference."},
    )

    def payload(self, cleaned: dict) -> dict:
        return {"reason": cleaned.get("reason", "")}


# Whose keys a member may record: the victim's with their contact details, the suspect's with
# the suspect section.
IDENTIFIER_SECTIONS = {PersonName.Role.VICTIM: "victim_contact", PersonName.Role.SUSPECT: "suspect"}


def identifier_roles(membership) -> list[tuple[str, str]]:
    """The people whose identifiers the member may record, as (role, label)."""
    return [
        (role, PersonName.Role(role).label) for role, section in IDENTIFIER_SECTIONS.items()
        if policy.can_write(membership, section)
    ]


class IdentifierForm(CaseRecordForm):
    """A key the agency holds for the victim or the suspect: what links referrals of the same
    person beyond a name and a date of birth."""

    serializer_class = IdentifierInput

    role = forms.ChoiceField(label="Whose is it?", widget=forms.RadioSelect,
                             error_messages={"required": "Choose whose identifier it is."})
    kind = forms.ChoiceField(
        label="Kind of identifier", choices=[("", "Choose")] + PersonIdentifier.Kind.choices,
        error_messages={"required": "Choose the kind of identifier."},
    )
    value = forms.CharField(
        label="Identifier", max_length=200,
        help_text="As your agency holds it: a PNC id, a phone number, an email address or an "
                  "account name.",
        error_messages={"required": "Enter the identifier."},
    )
    platform = forms.CharField(
        label="Platform", max_length=40, required=False,
        help_text="For an online account: where it is (for example Instagram).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = identifier_roles(self.membership)

    def payload(self, cleaned: dict) -> dict:
        return {key: cleaned.get(key, "") for key in ("role", "kind", "value", "platform")}


ANSWER_CHOICE = {True: "yes", False: "no", None: "not_known"}


class ScreeningForm(CaseRecordForm):
    """The case's screen answered again, question by question: yes, no or not known."""

    serializer_class = ScreeningAnswersInput

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        screening = getattr(self.referral, "screening", None)
        answers = screening.answers if screening else {}
        for question in screening.instrument.questions if screening else []:
            self.fields[QUESTION_PREFIX + question["key"]] = forms.ChoiceField(
                label=question["text"],
                choices=SCREENING_ANSWERS,
                widget=forms.RadioSelect,
                initial=ANSWER_CHOICE.get(answers.get(question["key"])),
                error_messages={"required": "Answer yes, no or not known."},
            )

    def payload(self, cleaned: dict) -> dict:
        return {"answers": {
            name.removeprefix(QUESTION_PREFIX): SCREENING_VALUES[cleaned[name]]
            for name in self.fields if cleaned.get(name)
        }}


class LocalPolicyForm(forms.Form):
    """A new version of one of the region's local policies: the value as JSON, and why."""

    key = forms.ChoiceField(
        label="Policy", choices=[("", "Choose")] + LocalPolicy.Key.choices,
        error_messages={"required": "Choose the policy to set."},
    )
    value = forms.CharField(
        label="Value (JSON)", widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text='For example {"default": {"hours": 24}} for the enforcement deadline, or '
                  '{"stalking-screen-v1": {"medium": 3, "high": 6}} for the thresholds.',
        error_messages={"required": "Enter the value."},
    )
    reason = forms.CharField(
        label="Why the region sets this", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the region sets this version."},
    )

    def clean(self):
        cleaned = super().clean()
        try:
            value = json.loads(cleaned.get("value") or "null")
        except json.JSONDecodeError:
            self.add_error("value", "Not valid JSON: check the brackets and quotes.")
            return cleaned
        serializer = LocalPolicyInput(data={**cleaned, "value": value})
        if not serializer.is_valid():
            _apply_errors(self, serializer.errors)
            return cleaned
        self.validated = serializer.validated_data
        return cleaned
