"""The referral pages of the Material shell: list, refer a case, the case, its timeline.

Thin, like the API: each page reads through `referral.selectors`, changes state only through the
services the API calls, and shows a case only as `serializers.referral_detail` shaped it for the
viewer's agency, so a section the policy withholds never reaches a template.
"""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.generic import FormView, ListView, TemplateView

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from agencies.selectors import agencies_by_slug, agency_list
from config.exceptions import DomainError
from workflows import services as workflow_services
from workflows.selectors import case_sections

from . import search, selectors, serializers, services
from .forms import CaseFilterForm, ReferralForm
from .models import (
    Behaviour,
    Classification,
    Incident,
    ProtectiveOrder,
    Referral,
    Relationship,
    RiskLevel,
)

INSTRUMENT = "stalking-screen-v1"
WORKFLOW_SECTIONS = ("research", "threat_assessment", "charging")

STATUS = dict(Referral.Status.choices)
RISK = dict(RiskLevel.choices)
RISK_SOURCE = dict(Referral.RiskSource.choices)
CLASSIFICATION = dict(Classification.choices)
RELATIONSHIP = dict(Relationship.choices)
BEHAVIOUR = dict(Behaviour.choices)
SEVERITY = dict(Incident.Severity.choices)
ORDER_KIND = dict(ProtectiveOrder.Kind.choices)
ENTRY_KIND = {
    "referral": "Referral",
    "order": "Order",
    "incident": "Incident",
    "breach": "Breach of an order",
    "decision": "Decision",
}


def case_url(referral_id: int) -> str:
    return reverse("workspace:referrals:detail", kwargs={"referral_id": referral_id})


def _labels(values, labels: dict) -> list[str]:
    return [labels.get(v, v) for v in values or []]


def _agency_names(slugs) -> dict[str, str]:
    return {slug: agency.name for slug, agency in agencies_by_slug(set(slugs)).items()}


def escalation_context(signal) -> dict:
    data = signal.as_dict()
    figures = data["figures"]
    return {
        "level": data["level"],
        "level_label": RISK.get(data["level"], data["level"]),
        "escalating": data["escalating"],
        "reasons": data["reasons"],
        "figures": figures,
        "new_behaviours": _labels(figures.get("new_behaviours"), BEHAVIOUR),
    }


# --- The list -------------------------------------------------------------------------------


class ReferralListView(MemberRequiredMixin, ListView):
    """The referrals the member's agency is involved in, 50 a page: searched by reference or
    name, filtered and sorted as the form asks (`search.referral_find`), newest first when it
    asks nothing."""

    template_name = "referral/referral_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.form = CaseFilterForm(
            self.request.GET or None, agencies=agency_list(), sorts=search.SORTS
        )
        if self.form.is_bound and not self.form.is_valid():
            return Referral.objects.none()
        query = search.CaseQuery(**self.form.cleaned_data) if self.form.is_bound else None
        return search.referral_find(membership=self.membership, query=query or search.CaseQuery())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for referral in context["page_obj"].object_list:
            row = serializers.referral_summary(referral, self.membership)
            row.update(
                url=case_url(referral.pk),
                status_label=STATUS.get(row["status"], row["status"]),
                risk_label=RISK.get(row["risk_level"], row["risk_level"]),
                referrer_agency_name=referral.referrer_agency.name,
            )
            rows.append(row)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            form=self.form,
            filtering=self.form.filtering,
            page_params=params.urlencode(),
            rows=rows,
            show_victim=policy.can_read(self.membership, "victim"),
            show_suspect=policy.can_read(self.membership, "suspect"),
            can_refer=policy.may(self.membership, "refer_case"),
        )
        return context


# --- Refer a case ---------------------------------------------------------------------------


class ReferralCreateView(MemberRequiredMixin, FormView):
    """Refer a case; validated as the API validates it, submitted (and its flow started) by the
    same service the API calls."""

    template_name = "referral/referral_form.html"
    form_class = ReferralForm
    capability = "refer_case"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            instrument=selectors.active_instrument(INSTRUMENT), membership=self.membership
        )
        return kwargs

    def form_valid(self, form):
        try:
            result = workflow_services.referral_refer(
                actor=self.request.user, membership=self.membership, draft=form.draft()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.form_invalid(form)
        referral = result.referral
        messages.success(
            self.request,
            f"Referral {referral.reference} submitted. "
            f"Risk level: {RISK.get(referral.risk_level, referral.risk_level)}.",
        )
        for warning in result.warnings:
            messages.warning(self.request, warning)
        return redirect(case_url(referral.pk))


# --- The case -------------------------------------------------------------------------------


def _display(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j M Y H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def _record_rows(value) -> list[list[tuple[str, str]]]:
    """A workflow section's records as label/value pairs, whatever shape the workflow gives."""
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    rows = []
    for item in items:
        if isinstance(item, dict):
            rows.append([(k.replace("_", " ").capitalize(), _display(v)) for k, v in item.items()])
        else:
            rows.append([("", _display(item))])
    return rows


def _screening(referral: Referral, data: dict) -> dict | None:
    screening = data.get("screening")
    if not screening:
        return None
    questions = referral.screening.instrument.questions
    return {
        **screening,
        "title": referral.screening.instrument.title,
        "risk_label": RISK.get(screening["risk_level"], screening["risk_level"]),
        "answers": [(q["text"], screening["answers"].get(q["key"])) for q in questions],
    }


def case_context(referral: Referral, data: dict) -> dict:
    """The policy-filtered detail with display labels; keys absent from `data` stay absent."""
    slugs = [data["referrer_agency"]]
    slugs += [i["reporting_agency"] for i in data.get("incidents", [])]
    slugs += [o["agency"] for o in data.get("orders", [])]
    names = _agency_names(slugs)
    case = dict(data)
    case.update(
        referrer_agency_name=names.get(data["referrer_agency"], data["referrer_agency"]),
        status_label=STATUS.get(data["status"], data["status"]),
        risk_label=RISK.get(data["risk_level"], data["risk_level"]),
        risk_source_label=RISK_SOURCE.get(data["risk_source"], data["risk_source"]),
        classification_label=CLASSIFICATION.get(data["classification"], data["classification"]),
        relationship_labels=_labels(data["relationship"], RELATIONSHIP),
        behaviour_labels=_labels(data["behaviours"], BEHAVIOUR),
        screening=_screening(referral, data),
    )
    if "incidents" in data:
        case["incidents"] = [
            {
                **i,
                "behaviour_labels": _labels(i["behaviours"], BEHAVIOUR),
                "severity_label": SEVERITY.get(i["severity"], i["severity"]),
                "agency_name": names.get(i["reporting_agency"], i["reporting_agency"]),
            }
            for i in data["incidents"]
        ]
    if "orders" in data:
        case["orders"] = [
            {
                **o,
                "kind_label": ORDER_KIND.get(o["kind"], o["kind"]),
                "agency_name": names.get(o["agency"], o["agency"]),
            }
            for o in data["orders"]
        ]
    case["workflow_sections"] = [
        {"key": s, "title": policy.SECTION_TITLES[s], "records": _record_rows(data[s])}
        for s in WORKFLOW_SECTIONS
        if s in data
    ]
    return case


class ReferralDetailView(MemberRequiredMixin, TemplateView):
    """The case as the member's agency may see it; reads of sensitive sections are logged."""

    template_name = "referral/referral_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.membership
        referral = services.referral_detail_look(
            membership=membership, referral_id=self.kwargs["referral_id"]
        )
        signal = selectors.escalation_as_seen(
            referral=referral, scope=referral.scope, incident_rows=referral.timeline_incident_rows
        )
        data = serializers.referral_detail(
            referral,
            membership,
            signal=signal,
            extra_sections=case_sections(referral=referral),
        )
        services.sensitive_reads_record(
            referral=referral,
            actor=self.request.user,
            sections=policy.readable_sections(membership),
        )
        context.update(
            case=case_context(referral, data),
            escalation=escalation_context(signal),
            timeline_url=reverse(
                "workspace:referrals:timeline", kwargs={"referral_id": referral.pk}
            ),
        )
        return context


# --- The timeline ---------------------------------------------------------------------------


def timeline_rows(entries: list[dict]) -> list[dict]:
    names = _agency_names(e["agency"] for e in entries)
    rows = []
    for entry in entries:
        row = {
            **entry,
            "kind_label": ENTRY_KIND.get(entry["kind"], entry["kind"]),
            "agency_name": names.get(entry["agency"], entry["agency"]),
        }
        if "risk_level" in entry:
            row["risk_label"] = RISK.get(entry["risk_level"], entry["risk_level"])
            row["status_label"] = STATUS.get(entry["status"], entry["status"])
        if "order_kind" in entry:
            row["order_kind_label"] = ORDER_KIND.get(entry["order_kind"], entry["order_kind"])
        if entry["kind"] == "decision":
            row["decision_label"] = entry["verb"].replace("_", " ").replace(".", ": ").capitalize()
        if "behaviours" in entry:
            row["behaviour_labels"] = _labels(entry["behaviours"], BEHAVIOUR)
            row["severity_label"] = SEVERITY.get(entry["severity"], entry["severity"])
        rows.append(row)
    return rows


class ReferralTimelineView(MemberRequiredMixin, TemplateView):
    """Everything that happened across linked referrals, oldest first, as the agency may see it."""

    template_name = "referral/referral_timeline.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        referral = services.referral_look(
            membership=self.membership, referral_id=self.kwargs["referral_id"]
        )
        scope = selectors.timeline_scope(membership=self.membership, referral=referral)
        entries = selectors.timeline(membership=self.membership, referral=referral, scope=scope)
        services.timeline_reads_record(actor=self.request.user, scope=scope, entries=entries)
        context.update(
            referral_reference=referral.reference,
            case_url=case_url(referral.pk),
            entries=timeline_rows(entries),
            linked=serializers.linked_summary(scope, referral),
            escalation=escalation_context(
                selectors.escalation_as_seen(referral=referral, scope=scope)
            ),
        )
        return context
