"""The auditor's filters: what the trail and access report pages accept, and nothing else."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from agencies import policy

from .selectors import DISCLOSURE_FILTERS

ORDER_CHOICES = [("oldest", "Oldest first"), ("newest", "Newest first")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class PersonByNameMixin:
    """A form's `person`, typed as a name or a username, cleaned to the username of the one
    person it means. `find_people(text)` gives the candidates as (username, name) pairs;
    `people_in` names the agency they are looked for in (None: everyone)."""

    MATCHES_SHOWN = 5

    def setup_person(self, find_people, people_in: str | None) -> None:
        self.find_people = find_people
        self.people_in = people_in

    def clean_person(self) -> str:
        text = " ".join(self.cleaned_data["person"].split())
        if not text:
            return ""
        found = self.find_people(text)
        if not found:
            where = f" in {self.people_in}" if self.people_in else ""
            raise forms.ValidationError(f"No one{where} is called “{text}”.")
        if len(found) > 1:
            shown = "; ".join(
                f"{name} ({username})" for username, name in found[: self.MATCHES_SHOWN]
            )
            more = ", among others" if len(found) > self.MATCHES_SHOWN else ""
            raise forms.ValidationError(
                f"Several people match “{text}”{more}: {shown}. "
                "Type the username of the one you mean."
            )
        return found[0][0]


def person_field() -> forms.CharField:
    return forms.CharField(
        label="Person", required=False, max_length=150,
        help_text="A name or a username, for example Sam Patel.",
    )


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone (Europe/London)."""
    return timezone.make_aware(datetime.combine(day, time.min))


class TrailFilterForm(PersonByNameMixin, forms.Form):
    """Filters on the trail, each chosen as people know it: a case by its reference, an agency
    and a person by name, a kind of event by what it is; `filters()` gives them as
    `selectors.events_for` takes them (the case's reference, which the page looks up).

    Dates are whole days in the site's time zone, both ends included.
    """

    case = forms.CharField(
        label="Case reference", required=False, max_length=20,
        help_text="For example STK-2026-000123.",
    )
    agency = forms.ChoiceField(label="Agency", required=False)
    person = person_field()
    kind = forms.ChoiceField(label="Kind of event", required=False)
    since = forms.DateField(label="From", required=False, widget=DateInput())
    until = forms.DateField(label="To", required=False, widget=DateInput())
    order = forms.ChoiceField(label="Order", required=False, choices=ORDER_CHOICES)

    def __init__(self, *args, agencies=(), all_agencies: bool = True, find_people=None,
                 people_in: str | None = None, kinds: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_person(find_people, people_in)
        if all_agencies:
            self.fields["agency"].choices = [("", "Every agency")] + [
                (a.slug, a.name) for a in agencies
            ]
        else:
            # A member outside oversight reads only their own agency's part: nothing to choose.
            del self.fields["agency"]
        self.fields["kind"].choices = [("", "Every kind"), *(kinds or {}).items()]

    def clean_case(self):
        return self.cleaned_data["case"].strip().upper()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "Cannot be before the start date.")
        return data

    def filters(self) -> dict:
        """The valid filters as keyword arguments of `selectors.events_for`, but the case's
        reference (`reference`), which the page turns into its id."""
        data = self.cleaned_data
        out: dict = {}
        if data.get("case"):
            out["reference"] = data["case"]
        if data.get("agency"):
            out["agency"] = data["agency"]
        if data.get("person"):
            out["actor"] = data["person"]
        if data.get("kind"):
            out["verb"] = f"{data['kind']}."
        if data.get("since"):
            out["since"] = _start_of(data["since"])
        if data.get("until"):
            out["until"] = _start_of(data["until"] + timedelta(days=1))
        return out

    @property
    def newest_first(self) -> bool:
        return self.cleaned_data.get("order") == "newest"


def api_params(filters: dict) -> dict[str, str]:
    """The same filters as the API's query parameters (for the export links)."""
    names = {"referral_id": "referral", "agency": "agency", "actor": "actor", "verb": "verb"}
    params = {names[key]: str(value) for key, value in filters.items() if key in names}
    for key in ("since", "until"):
        if key in filters:
            params[key] = filters[key].isoformat()
    return params


REPORT_CHOICES = [("reads", "Reads of a sensitive section"),
                  ("disclosures", "Disclosures to agencies")]


class AccessReportForm(PersonByNameMixin, forms.Form):
    """Whose reads of one sensitive section: of a case (by its reference), by a person (chosen
    by name), or both; or the disclosures of cases to agencies, by what they rest on."""

    report = forms.ChoiceField(label="Report", choices=REPORT_CHOICES, initial="reads",
                               required=False, widget=forms.RadioSelect)
    case = forms.CharField(
        label="Case reference", required=False, max_length=20,
        help_text="For example STK-2026-000123.",
    )
    person = person_field()
    section = forms.ChoiceField(
        label="Section",
        choices=[
            (s, policy.SECTION_TITLES[s]) for s in policy.SECTIONS if s in policy.SENSITIVE_SECTIONS
        ],
        initial="victim_contact",
        required=False,
    )
    outside = forms.ChoiceField(
        label="Disclosures", required=False,
        choices=list(DISCLOSURE_FILTERS.items()), widget=forms.RadioSelect,
        help_text="For the disclosures report: which of them, by what they rest on.",
    )

    def __init__(self, *args, find_people=None, people_in: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_person(find_people, people_in)

    def clean_case(self):
        return self.cleaned_data["case"].strip().upper()

    def clean_report(self):
        return self.cleaned_data["report"] or "reads"

    def clean_section(self):
        return self.cleaned_data["section"] or "victim_contact"

    @property
    def disclosures(self) -> bool:
        return self.is_bound and self.cleaned_data.get("report") == "disclosures"

    def clean(self):
        data = super().clean()
        if data.get("report") == "disclosures":
            return data
        given = data.get("case") or data.get("person")
        if not given and "case" not in self.errors and "person" not in self.errors:
            raise forms.ValidationError("Give a case reference, a person, or both.")
        return data

    def filters(self) -> dict:
        """The valid report as keyword arguments of `selectors.access_report` (or, for the
        disclosures, `selectors.disclosure_report`), but the case's reference (`reference`),
        which the page turns into its id."""
        data = self.cleaned_data
        chosen = ({"outside": data.get("outside", "")} if self.disclosures
                  else {"section": data["section"]})
        return {
            "reference": data.get("case") or None,
            "actor": data.get("person") or None,
            **chosen,
        }
