"""The subject access pages (data protection officers only), under /workspace/subject-access/:
the agency's requests with their deadlines, a new request, and a request's page (the records
found, case by case, each with its decision form; search again; disclose or close; the bundle's
downloads). Anyone else gets 403 on the list and the form, 404 on a request."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from agencies.mixins import MemberRequiredMixin
from config.exceptions import DomainError, NotFound
from workflows.services import privacy as privacy_work

from .. import services
from ..api.subject_access import bundle_response
from ..forms import subject_access as forms
from ..models import Exemption, ItemDecision
from ..selectors import subject_access as selectors
from ..serializers import subject_access as serializers

CAPABILITY = "handle_subject_access"


def request_url(request_id: int) -> str:
    return reverse("workspace:subject-access:detail", kwargs={"request_id": request_id})


class RequestListView(MemberRequiredMixin, TemplateView):
    template_name = "privacy/request_list.html"
    capability = CAPABILITY

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["requests"] = [
            {
                **serializers.request_row(r, today=today),
                "url": request_url(r.pk),
                "status_label": r.get_status_display(),
                "role_label": r.get_subject_role_display(),
            }
            for r in selectors.subject_access_requests(membership=self.membership)
        ]
        return context


class RequestCreateView(MemberRequiredMixin, FormView):
    template_name = "privacy/request_form.html"
    form_class = forms.RequestForm
    capability = CAPABILITY

    def form_valid(self, form):
        try:
            made = privacy_work.subject_access_receive(
                actor=self.request.user, membership=self.membership, draft=form.draft()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"{made.reference} recorded; due {made.due_on:%d %b %Y}.")
        return redirect(request_url(made.pk))


class RequestDetailView(MemberRequiredMixin, TemplateView):
    """The request and its records; showing them is a logged read of each case's records."""

    template_name = "privacy/request_detail.html"

    def found(self):
        return selectors.subject_access_request_get(
            membership=self.membership, request_id=self.kwargs["request_id"]
        )

    def page(self, *, bound=None, close_form=None, status=200):
        request = self.found()
        items = selectors.subject_access_items(request=request)
        services.subject_access_records_read_record(
            actor=self.request.user, request=request, items=items
        )
        item_forms = {
            item.pk: bound
            if bound is not None and bound.item.pk == item.pk
            else forms.ItemDecisionForm(item=item)
            for item in items
        }
        groups = [
            (case, [(item, item_forms[item.pk]) for item in case_items])
            for case, case_items in selectors.items_by_case(items)
        ]
        withheld = sum(1 for item in items if item.decision == ItemDecision.EXEMPT)
        context = self.get_context_data(
            sar=request,
            row=serializers.request_row(request, today=timezone.localdate()),
            groups=groups,
            withheld=withheld,
            disclosed=len(items) - withheld,
            close_form=close_form or forms.CloseForm(),
            error_form=bound
            if bound is not None and bound.errors
            else (close_form if close_form is not None and close_form.errors else None),
            exemptions=dict(Exemption.choices),
            decisions=dict(ItemDecision.choices),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.page()


class ItemDecideView(RequestDetailView):
    def post(self, request, *args, **kwargs):
        sar = self.found()
        item = selectors.subject_access_item_get(
            membership=self.membership, item_id=kwargs["item_id"]
        )
        if item.request_id != sar.pk:
            raise NotFound
        form = forms.ItemDecisionForm(request.POST, item=item)
        if form.is_valid():
            try:
                services.subject_access_item_decide(
                    actor=request.user,
                    membership=self.membership,
                    item=item,
                    choice=form.choice(),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, f"Decision saved: {item.title}.")
                return redirect(f"{request_url(sar.pk)}#item-{item.pk}")
        return self.page(bound=form, status=400)


class SearchView(RequestDetailView):
    def post(self, request, *args, **kwargs):
        sar = self.found()
        try:
            found = services.subject_access_search(
                actor=request.user, membership=self.membership, request=sar
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Searched again: {len(found)} records found.")
        return redirect(request_url(sar.pk))


class DiscloseView(RequestDetailView):
    def post(self, request, *args, **kwargs):
        sar = self.found()
        try:
            privacy_work.subject_access_answer_disclose(
                actor=request.user, membership=self.membership, request=sar
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{sar.reference} disclosed: the bundle is ready.")
        return redirect(request_url(sar.pk))


class CloseView(RequestDetailView):
    def post(self, request, *args, **kwargs):
        sar = self.found()
        form = forms.CloseForm(request.POST)
        if form.is_valid():
            try:
                privacy_work.subject_access_answer_close(
                    actor=request.user,
                    membership=self.membership,
                    request=sar,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, f"{sar.reference} closed without disclosure.")
                return redirect(request_url(sar.pk))
        return self.page(close_form=form, status=400)


class BundleDownloadView(MemberRequiredMixin, View):
    file_format = "pdf"

    def get(self, request, *args, **kwargs):
        return bundle_response(request, self.file_format)
