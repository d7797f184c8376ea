"""Input shapes for the task pages: a task's form built from its JSON Schema, and reassigning.

The form only turns what the browser posts into the JSON types the schema asks for; whether the
values fit the task is `task_schemas.check`'s answer, which `services.task_complete` gives.
"""

from __future__ import annotations

from django import forms

from config.exceptions import DomainError

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [*YES_NO, ("unknown", "Not known")]
BOOLEANS = {"yes": True, "no": False, "unknown": None}
# Above this many characters a text answer gets a text area rather than a line.
LONG_TEXT = 300


def readable(name: str) -> str:
    """`not_stalking_reason` -> `Not stalking reason`."""
    return name.replace("_", " ").capitalize()


def _field(name: str, spec: dict, required: bool,
           choices: list[tuple] | None = None) -> tuple[forms.Field, str]:
    """A Django field for one schema property, and the JSON type its value converts to.

    `choices` (value, label) turn the property into a choice among them, of the schema's type
    (a meeting chosen by its title and date, sent as the integer id the schema asks for)."""
    label = readable(name)
    kind = spec.get("type")
    if choices is not None:
        coerce = int if kind == "integer" else str
        return (
            forms.TypedChoiceField(
                label=label, choices=[("", "Choose one"), *choices], coerce=coerce,
                required=required, empty_value=None,
            ),
            kind if kind == "integer" else "string",
        )
    if kind == "string" and "enum" in spec:
        choices = [(value, readable(value)) for value in spec["enum"]]
        return (
            forms.ChoiceField(
                label=label, choices=choices, required=required, widget=forms.RadioSelect
            ),
            "string",
        )
    if kind == "boolean":
        return (
            forms.ChoiceField(
                label=label, choices=YES_NO, required=required, widget=forms.RadioSelect
            ),
            "boolean",
        )
    if kind == ["boolean", "null"]:
        return (
            forms.ChoiceField(
                label=label, choices=YES_NO_UNKNOWN, required=required, widget=forms.RadioSelect
            ),
            "boolean",
        )
    if kind == "integer":
        return (
            forms.IntegerField(label=label, required=required, min_value=spec.get("minimum")),
            "integer",
        )
    max_length = spec.get("maxLength")
    widget = forms.Textarea(attrs={"rows": 4}) if (max_length or 0) > LONG_TEXT else None
    return (
        forms.CharField(label=label, required=required, max_length=max_length, widget=widget),
        "string",
    )


class DomainErrorsMixin:
    def add_domain_error(self, exc: DomainError) -> None:
        """The service's field errors beside their fields; anything else above the form."""
        if not exc.fields:
            self.add_error(None, exc.message)
        for name, messages in exc.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class TaskForm(DomainErrorsMixin, forms.Form):
    """A task's schema as fields, in its order; `payload()` is what the service takes."""

    def __init__(self, *args, schema: dict, choices: dict[str, list[tuple]] | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.title = schema.get("title", "")
        required = set(schema.get("required", []))
        self.json_types: dict[str, str] = {}
        for name, spec in schema["properties"].items():
            field, json_type = _field(name, spec, name in required, (choices or {}).get(name))
            self.fields[name] = field
            self.json_types[name] = json_type

    def payload(self) -> dict:
        """The cleaned values as JSON: booleans true/false, integers int; blanks left out."""
        data = {}
        for name, value in self.cleaned_data.items():
            if value is None or value == "":
                continue
            data[name] = BOOLEANS[value] if self.json_types[name] == "boolean" else value
        return data


class ReassignForm(DomainErrorsMixin, forms.Form):
    username = forms.CharField(label="Give it to (username)", max_length=150)
