"""Input shapes for the task pages: a task's form built from its JSON Schema, and reassigning.

The form only turns what the browser posts into the JSON types the schema asks for; whether the
values fit the task is `task_schemas.check`'s answer, which `services.task_complete` gives.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms

from config.forms import DomainErrorsMixin

from . import task_schemas

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [*YES_NO, ("unknown", "Not known")]
BOOLEANS = {"yes": True, "no": False, "unknown": None}
# Above this many characters a text answer gets a text area rather than a line.
LONG_TEXT = 300


def readable(name: str) -> str:
    """`not_stalking_reason` -> `Not stalking reason`: for a key no label was written for."""
    return name.replace("_", " ").capitalize()


def _boolean_choices(spec: dict, with_unknown: bool) -> list[tuple[str, str]]:
    labels = spec.get(task_schemas.LABELS, {})
    choices = [("yes", labels.get("true", "Yes")), ("no", labels.get("false", "No"))]
    if with_unknown:
        choices.append(("unknown", labels.get("null", "Not known")))
    return choices


def _several(spec: dict, choices: list[tuple] | None, common: dict,
             posted: bool = False) -> forms.Field | None:
    """A list field as checkboxes: of its own choices (labelled as the schema says), or of the
    ids `choices` offers (None when there is nothing to offer and nothing was posted: the field
    is left off; posted ids that are no longer offered are an error by the field)."""
    items = spec.get("items", {})
    common = {**common, "widget": forms.CheckboxSelectMultiple}
    common["error_messages"] = {**common["error_messages"],
                                "invalid_choice": "Choose from the list: %(value)s is not "
                                                  "one of its choices now."}
    if items.get("type") == "integer":
        if not choices and not posted:
            return None
        return forms.TypedMultipleChoiceField(choices=choices, coerce=int, **common)
    labels = spec.get(task_schemas.LABELS, {})
    options = [(value, labels.get(value) or readable(value)) for value in items.get("enum", [])]
    return forms.MultipleChoiceField(choices=options, **common)


def _field(name: str, spec: dict, required: bool, choices: list[tuple] | None,
           posted: bool = False) -> tuple[forms.Field | None, str]:
    """A Django field for one schema property, with the label and hint the task declares, and
    the JSON type its value converts to (None for a list of ids with nothing to choose)."""
    common = {
        "label": spec.get("title") or readable(name),
        "help_text": spec.get("description", ""),
        "required": required,
        "error_messages": {"required": task_schemas.required_message(spec)},
    }
    kind = spec.get("type")
    if kind == "array":
        return _several(spec, choices or [], common, posted), "array"
    if kind == "integer" and choices is not None:
        # An id chosen by what people know it by (a case's reference, a meeting's title).
        return forms.TypedChoiceField(choices=choices, coerce=int, widget=forms.RadioSelect,
                                      **common), "integer"
    if kind == "string" and "enum" in spec:
        labels = spec.get(task_schemas.LABELS, {})
        options = [(value, labels.get(value) or readable(value)) for value in spec["enum"]]
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common), "string"
    if kind in ("boolean", ["boolean", "null"]):
        options = _boolean_choices(spec, with_unknown=kind != "boolean")
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common), "boolean"
    if kind == "integer":
        return forms.IntegerField(min_value=spec.get("minimum"), **common), "integer"
    max_length = spec.get("maxLength")
    widget = forms.Textarea(attrs={"rows": 4}) if (max_length or 0) > LONG_TEXT else None
    return forms.CharField(max_length=max_length, widget=widget, **common), "string"



class TaskForm(DomainErrorsMixin, forms.Form):
    """A task's schema as fields, in its order, labelled and explained as the schema declares;
    `payload()` is what the service takes.

    `initial` pre-sets answers from the case; `choices` gives an id field the things it may
    name, by what people know them by.
    """

    def __init__(self, *args, schema: dict, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = schema.get("title", "")
        self.intro = schema.get("description", "")
        required = set(schema.get("required", []))
        self.json_types: dict[str, str] = {}
        for name, spec in schema["properties"].items():
            field, json_type = _field(name, spec, name in required, (choices or {}).get(name),
                                      posted=self.is_bound and name in self.data)
            if field is None:
                continue
            self.fields[name] = field
            self.json_types[name] = json_type

    def payload(self) -> dict:
        """The cleaned values as JSON: booleans true/false, integers int; blanks left out. Of a
        form with errors, the fields that are valid."""
        data = {}
        for name, value in getattr(self, "cleaned_data", {}).items():
            if value is None or value == "" or value == []:
                continue
            data[name] = BOOLEANS[value] if self.json_types[name] == "boolean" else value
        return data

    def checked(self, check: Callable[[dict], dict[str, list[str]]]) -> bool:
        """The form's own errors and the task's (`check`, `task_schemas.check`, of the fields
        that parsed), together: one answer for everything wrong. A field the form found wrong
        already is not judged again (the task would only say it is missing)."""
        self.is_valid()
        failed = set(self.errors)
        for name, messages in check(self.payload()).items():
            if name in failed:
                continue
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return not self.errors


class ReassignForm(DomainErrorsMixin, forms.Form):
    """Give the task to one of the members who may take it, chosen by name."""

    username = forms.ChoiceField(
        label="Give it to",
        error_messages={"required": "Choose who takes the task.",
                        "invalid_choice": "Choose a member from the list."},
    )

    def __init__(self, *args, members: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].choices = [("", "Choose a member")] + members


class TaskFilterForm(forms.Form):
    """The inbox's filters and sort; `query()` is what `selectors.task_list` takes."""

    task_type = forms.ChoiceField(label="Task", required=False)
    reference = forms.CharField(label="Case reference", required=False, max_length=20,
                                help_text="All of it or a part, for example 000123.")
    due = forms.ChoiceField(label="Due", required=False)
    risk_level = forms.ChoiceField(label="Risk", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)

    def __init__(self, *args, task_types, due_filters: dict, sorts: dict, risks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_type"].choices = [("", "Any task"), *task_types]
        self.fields["due"].choices = [("", "Any time"), *due_filters.items()]
        self.fields["risk_level"].choices = [("", "Any risk"), *risks]
        self.fields["sort"].choices = list(sorts.items())

    @property
    def filtering(self) -> bool:
        return self.is_bound and any(
            self.data.get(name) for name in self.fields if name != "sort"
        )
