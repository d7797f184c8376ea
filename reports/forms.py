"""The outcome reports' filter: which cases a report counts, as a reader asks for them.

One form for the pages and the API (its query parameters are the form's fields), so both accept
the same input and refuse it in the same words.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from agencies.models import Agency


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        help_text=help_text,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a real date, as year-month-day: 2025-04-01."},
    )


class ReportFilterForm(forms.Form):
    """The period of referral (whole days, both included), a region, an agency (by its slug).

    `regions` are the regions that exist; `agencies` those the reader may choose (any for an
    oversight reader, else its own), so another is refused as not on the list.
    """

    since = _date_field("Referred from", "The first day, for example 2025-04-01.")
    until = _date_field("Referred until", "The last day, included.")
    region = forms.ChoiceField(
        label="Region",
        required=False,
        error_messages={"invalid_choice": "Choose a region from the list."},
    )
    agency = forms.ChoiceField(
        label="Agency",
        required=False,
        help_text="The cases this agency is involved in.",
        error_messages={"invalid_choice": "Choose an agency from the list."},
    )

    def __init__(self, *args, regions: list[str], agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {a.slug: a for a in agencies}
        self.fields["region"].choices = [("", "Every region"), *((r, r) for r in regions)]
        self.fields["agency"].choices = [
            ("", "Every agency" if len(agencies) > 1 else "Every case you may count"),
            *((a.slug, a.name) for a in agencies),
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The last day cannot be before the first.")
        return data

    def cohort_args(self) -> dict:
        """The valid filter as `selectors.cohort_for`'s keywords."""
        data = self.cleaned_data
        return {
            "since": data.get("since"),
            "until": data.get("until"),
            "region": data.get("region") or "",
            "agency": self.agencies.get(data.get("agency") or ""),
        }

    def query(self) -> str:
        """The valid filter as a query string ("" for none), for links that keep it."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        params = {
            key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in data.items()
            if value
        }
        return f"?{urlencode(params)}" if params else ""

    def api_errors(self) -> dict[str, list[str]]:
        """The errors as the API's `fields` shape (the form's own as `non_field_errors`)."""
        out = {key: list(messages) for key, messages in self.errors.items()}
        if "__all__" in out:
            out["non_field_errors"] = out.pop("__all__")
        return out
