"""The referral pages of the Material shell: list, refer a case, the case file (page, print
and PDF), its timeline, and the forms that record incidents, breaches, orders and hearings.

Thin, like the API: each page reads through `referral.selectors` (the case file through
`referral.case_file`), changes state only through the services the API calls, and shows a case
only as `serializers.referral_detail` shaped it for the viewer's agency, so a section the
policy withholds never reaches a template. Which forms a member may use is the access policy's
(`agencies.policy`); a case the agency may not see is a 404 on every page, form and export.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from agencies.selectors import agency_list, names_by_username
from conferences import services as conference_services
from config.exceptions import DomainError, NotFound
from evidence import case_file as evidence_file
from justice.models import Offence
from orders.models import Enforcement
from privacy import case_file as retention_file
from workflows import services as workflow_services

from . import case_file, local_policy, search, selectors, serializers, services
from .case_file import RISK, STATUS
from .forms import (
    CaseFilterForm,
    ConferenceReferralForm,
    HearingForm,
    IdentifierForm,
    IncidentForm,
    LocalPolicyForm,
    OrderForm,
    ReferralForm,
    ScreeningForm,
    identifier_roles,
)
from .models import (
    Referral,
)

INSTRUMENT = "stalking-screen-v1"


def case_url(referral_id: int) -> str:
    return reverse("workspace:referrals:detail", kwargs={"referral_id": referral_id})


def _url(name: str, referral_id: int) -> str:
    return reverse(f"workspace:referrals:{name}", kwargs={"referral_id": referral_id})


# What a member may record on a case from its page: (URL name, label), each allowed by the
# access policy (`RECORDINGS`' rules), in the order the page offers them.
RECORDINGS = (
    ("incident_new", "Log an incident", lambda m: policy.can_write(m, "incidents")),
    ("breach_new", "Record a breach of an order", policy.can_record_breach),
    ("order_new", "Record an order or bail conditions", policy.can_record_order),
    ("hearing_new", "Record a court hearing", policy.can_record_hearing),
    (
        "conference_referral_new", "Refer to a conference on professional judgement",
        policy.sees_case_content,
    ),
    ("identifier_new", "Record an identifier of the victim or suspect",
     lambda m: bool(identifier_roles(m))),
    ("screening_edit", "Answer the screening questions again",
     lambda m: policy.can_write(m, "victim")),
)


# --- The list -------------------------------------------------------------------------------


class ReferralListView(MemberRequiredMixin, ListView):
    """The referrals the member's agency is involved in, 25 a page: searched by reference or
    name, filtered and sorted as the form asks (`search.referral_find`), newest first when it
    asks nothing."""

    template_name = "referral/referral_list.html"
    paginate_by = 25

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


# --- The case file ---------------------------------------------------------------------------


def _case_file(view) -> case_file.CaseFile:
    """The case file for the view's member; a look at a case its agency may not see goes on
    the access log and answers 404 (as `services.referral_detail_look`)."""
    referral_id = selectors.referral_id_of(view.kwargs["referral_id"])
    try:
        return case_file.build(membership=view.membership, referral_id=referral_id)
    except NotFound:
        services.refused_look_record(membership=view.membership, referral_id=referral_id)
        raise


class ReferralDetailView(MemberRequiredMixin, TemplateView):
    """The case file as the member's agency may see it: the risk told once, who holds which
    work now, the timeline, the conference outcomes, and the sections it may read. Reads of
    sensitive sections are logged."""

    template_name = "referral/referral_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        file = _case_file(self)
        referral = file.referral
        evidence = evidence_file.page_context(referral=referral, membership=self.membership)
        services.sensitive_reads_record(
            referral=referral, actor=self.request.user,
            sections=file.sections | set(evidence.get("evidence", {}).get("sections", ())),
        )
        services.timeline_reads_record(
            actor=self.request.user, scope=file.scope, entries=file.entries
        )
        context.update(file.context)
        context.update(evidence)
        context.update(retention_file.page_context(referral=referral, membership=self.membership))
        referrer = referral.referrer_agency_id
        context.update(
            timeline_url=_url("timeline", referral.pk),
            pdf_url=_url("case_file_pdf", referral.pk),
            sharing_url=_url("sharing", referral.pk) if policy.may_read_case_sharing(
                self.membership, referrer_agency_id=referrer) else "",
            share_url=_url("share_new", referral.pk) if policy.may_share_case(
                self.membership, referrer_agency_id=referrer) else "",
            recordings=[
                {"url": _url(name, referral.pk), "label": label, "name": name}
                for name, label, allowed in RECORDINGS
                if allowed(self.membership)
            ],
        )
        return context


class CaseFilePdfView(MemberRequiredMixin, View):
    """The case file as a PDF, holding only the sections the member's agency may see. The
    export is on the trail (`case_file.exported`), written in the transaction of the reads it
    was made from; a case the agency may not see answers 404, as its page does."""

    def get(self, request, referral_id):
        filename, document = case_file.pdf_export(
            membership=self.membership, actor=request.user, referral_id=referral_id
        )
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- Recording on the case ----------------------------------------------------------------------


class CaseRecordView(MemberRequiredMixin, FormView):
    """A form of the case page. The case first (404 if the agency may not see it), then the
    policy (403 if the member may not record this), then one round of checks and the same
    service the API calls; back to the case with one message."""

    template_name = "referral/case_record_form.html"
    title = ""
    intro = ""
    submit_label = "Save"
    success_message = ""

    def allowed(self) -> bool:
        raise NotImplementedError

    def setup_case(self):
        self.referral = services.referral_look(
            membership=self.membership, referral_id=self.kwargs["referral_id"]
        )
        if not self.allowed():
            raise PermissionDenied("Your agency or role may not record this on a case.")

    def get(self, request, *args, **kwargs):
        self.setup_case()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_case()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(referral=self.referral, membership=self.membership)
        return kwargs

    def record(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            message = self.record(form)
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(case_url(self.referral.pk))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            intro=self.intro,
            submit_label=self.submit_label,
            reference=self.referral.reference,
            case_url=case_url(self.referral.pk),
        )
        return context


class IncidentCreateView(CaseRecordView):
    title = "Log an incident"
    intro = (
        "Each incident goes on the case's timeline, where the pattern across incidents is "
        "read: threats, violence, breaches and three incidents in a year raise the risk."
    )
    submit_label = "Log the incident"
    form_class = IncidentForm
    breach = False

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "incidents")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        orders = (
            selectors.breachable_orders(membership=self.membership, referral=self.referral)
            if policy.can_read(self.membership, "orders") else []
        )
        kwargs.update(orders=list(orders), breach=self.breach)
        return kwargs

    def record(self, form) -> str:
        incident = workflow_services.incident_log(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            draft=form.draft(),
        )
        referral = selectors.referral_get(membership=self.membership, referral_id=self.referral.pk)
        risk = RISK.get(referral.risk_level, referral.risk_level)
        if incident.breach_of_order_id:
            enforcement = (
                Enforcement.objects.filter(incident=incident)
                .select_related("agency", "policy").first()
            )
            offence = Offence.objects.filter(incident=incident).first()
            said = f"Breach recorded on {referral.reference}."
            if offence is not None:
                said += f" Recorded as an offence: {offence.title}."
            if enforcement is not None:
                due = date_format(timezone.localtime(enforcement.due), "j M Y H:i")
                version = (
                    f", version {enforcement.policy.version}" if enforcement.policy else ""
                )
                said += (
                    f" {enforcement.agency.name} have an enforcement task due by {due} "
                    f"(local policy{version})."
                )
            return f"{said} Risk level: {risk}."
        return f"Incident logged on {referral.reference}. Risk level: {risk}."


class BreachCreateView(IncidentCreateView):
    title = "Record a breach of an order"
    intro = (
        "A breach is an incident that broke an order, bail or licence conditions in force at "
        "the time. A breach of a restraining, non-molestation or stalking protection order is "
        "recorded as an offence. The police (probation for licence conditions) are given an "
        "enforcement task due by your region's local policy, and every breach counts towards "
        "the risk."
    )
    submit_label = "Record the breach"
    breach = True

    def allowed(self) -> bool:
        return policy.can_record_breach(self.membership)


class OrderCreateView(CaseRecordView):
    form_class = OrderForm
    title = "Record an order or bail conditions"
    intro = (
        "Orders and bail conditions in force are what a breach is recorded against. New bail "
        "conditions give the victim's advocate a task to tell the victim. You may record the "
        "kinds of order your agency holds."
    )
    submit_label = "Record the order"

    def allowed(self) -> bool:
        return policy.can_record_order(self.membership)

    def record(self, form) -> str:
        order = workflow_services.order_log(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            draft=form.draft(),
        )
        return f"{order.get_kind_display()} recorded on {self.referral.reference}."


class HearingCreateView(CaseRecordView):
    form_class = HearingForm
    title = "Record a court hearing"
    intro = (
        "Assessments fall due two working days before the hearing. Before a bail, charge or "
        "sentencing hearing the advocate and the police assess the victim's risk (the police "
        "ask the victim's views on bail conditions) and the CPS is asked whether to seek a "
        "psychiatric assessment; before sentencing, probation also writes a pre-sentence "
        "report. Before a trial the advocate assesses the risk; before an order application "
        "or review, the police and the advocate."
    )
    submit_label = "Record the hearing"

    def allowed(self) -> bool:
        return policy.can_record_hearing(self.membership)

    def record(self, form) -> str:
        data = form.validated
        hearing = workflow_services.hearing_record(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            kind=data["kind"], on=data["date"], court=data.get("court", ""),
        )
        return (
            f"{hearing.get_kind_display()} on {hearing.date.day} {hearing.date:%B %Y} recorded "
            f"on {self.referral.reference}. Risk assessments are due before it."
        )


class ConferenceReferralCreateView(CaseRecordView):
    form_class = ConferenceReferralForm
    title = "Refer to a conference on professional judgement"
    intro = (
        "Professional judgement is a route to a case conference of its own, whatever the "
        "screen and the incidents say. The case goes on the next scheduled conference's agenda "
        "(or its place there records this route)."
    )
    submit_label = "Refer to a conference"

    def allowed(self) -> bool:
        return policy.sees_case_content(self.membership)

    def record(self, form) -> str:
        judgement, item = workflow_services.conference_refer(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            reason=form.validated["reason"],
        )
        if item is None and conference_services.awaits_the_chairs(referral=judgement.referral,
                                                                 item=item):
            return (
                f"{self.referral.reference} referred to a conference. No conference is "
                "scheduled: the coordinator's chairs are told the case awaits one."
            )
        if item is None:
            return (
                f"{self.referral.reference} referred to a conference. No conference is "
                "scheduled yet: it goes on the next one's agenda when the case is next weighed."
            )
        return (
            f"{self.referral.reference} is on the agenda of the conference of "
            f"{item.conference.starts_at:%d %B %Y}, item {item.position}."
        )


class IdentifierCreateView(CaseRecordView):
    form_class = IdentifierForm
    title = "Record an identifier"
    intro = (
        "A Police National Computer id, a phone number, an email address or an online account "
        "of the victim or the suspect. Kept normalised, it links this case with other referrals "
        "of the same person. The trail records its kind, never the identifier."
    )
    submit_label = "Record the identifier"

    def allowed(self) -> bool:
        return bool(identifier_roles(self.membership))

    def record(self, form) -> str:
        identifier, relinked = workflow_services.identifier_log(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            **form.validated,
        )
        return " ".join([
            f"{identifier.get_kind_display()} of the {identifier.get_role_display().lower()} "
            f"recorded on {self.referral.reference}.",
            *relinked.warnings,
        ])


class ScreeningUpdateView(CaseRecordView):
    form_class = ScreeningForm
    title = "Answer the screening questions again"
    intro = (
        "For an answer found out since (a not-known one, say). A higher level raises the case's "
        "at once; a lower one changes the screen only: lowering the case's level takes a "
        "supervisor's approval."
    )
    submit_label = "Save the answers"

    def allowed(self) -> bool:
        return policy.can_write(self.membership, "victim")

    def record(self, form) -> str:
        screening = services.screening_update(
            referral=self.referral, actor=self.request.user, membership=self.membership,
            answers=form.validated["answers"],
        )
        return (
            f"Screen of {self.referral.reference} saved: {screening.score} yes, "
            f"{screening.not_known} not known, {screening.get_risk_level_display().lower()}."
        )


# --- Local policy ----------------------------------------------------------------------------


class LocalPolicyView(MemberRequiredMixin, FormView):
    """The region's local policies in effect (every member), and for a coordinator supervisor a
    form to set a new version: never an edit, so a decision made under an older version still
    says which one it followed."""

    template_name = "referral/local_policy.html"
    form_class = LocalPolicyForm

    def may_set(self) -> bool:
        return policy.may(self.membership, "set_local_policy")

    def post(self, request, *args, **kwargs):
        if not self.may_set():
            raise PermissionDenied("Only a coordinator supervisor sets the region's local policy.")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            row = local_policy.local_policy_set(
                region=self.membership.agency.region, actor=self.request.user,
                membership=self.membership, **form.validated,
            )
        except DomainError as exc:
            for field, problems in (exc.fields or {}).items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not exc.fields:
                form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"{row.get_key_display()}: version {row.version} set.")
        return redirect(reverse("workspace:referrals:local_policy"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self.membership.agency.region
        context.update(
            region=region,
            policies=[
                {"row": row, "value": json.dumps(row.value, indent=1, sort_keys=True)}
                for row in local_policy.policies_in_effect(region=region)
            ],
            may_set=self.may_set(),
        )
        return context


# --- The timeline ---------------------------------------------------------------------------


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
        names = case_file.agency_names(e["agency"] for e in entries)
        people = names_by_username(e["actor"] for e in entries if e.get("actor"))
        context.update(
            referral_reference=referral.reference,
            case_url=case_url(referral.pk),
            entries=case_file.timeline_rows(entries, names, people),
            linked=serializers.linked_summary(scope, referral),
            escalation=case_file.escalation_context(
                selectors.escalation_as_seen(referral=referral, scope=scope)
            ),
        )
        return context
