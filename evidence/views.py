"""The evidence pages under a case: add a file, a file's page (what it is, its chain of custody,
a Download button) and its download. A case the agency may not see, and a file the member may
not read, are a 404 on each of them; a member who may add to no section gets 403 on the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import FormView, TemplateView

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from agencies.selectors import agencies_by_slug, names_by_username
from config.exceptions import Conflict, DomainError
from referral import selectors as referral_selectors
from referral import services as referral_services
from referral.views import case_url

from . import case_file, selectors, serializers, services
from .api import download_response
from .forms import EvidenceForm
from .uploads import HashingUploadHandler


@method_decorator(csrf_exempt, name="dispatch")
class EvidenceUploadView(MemberRequiredMixin, FormView):
    """Add a file to the case, in a section the member may write."""

    template_name = "evidence/upload.html"
    form_class = EvidenceForm

    def dispatch(self, request, *args, **kwargs):
        # The upload is hashed as it streams in, so the handler goes in before anything reads
        # the body; the CSRF check (which reads it) runs after, here rather than in middleware.
        request.upload_handlers = [HashingUploadHandler(request)]
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def setup_case(self):
        self.referral = referral_services.referral_look(
            membership=self.membership, referral_id=self.kwargs["referral_id"]
        )
        if not any(policy.can_add_evidence(self.membership, s) for s in policy.SECTIONS):
            raise PermissionDenied("Your agency or role may not add files to this case.")

    def get(self, request, *args, **kwargs):
        self.setup_case()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_case()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            membership=self.membership,
            incidents=selectors.incident_choices(membership=self.membership,
                                                 referral=self.referral),
        )
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            evidence = services.evidence_add(
                referral=self.referral, actor=self.request.user, membership=self.membership,
                upload=data["file"],
                draft=services.EvidenceDraft(
                    section=data["section"], incident=data.get("incident"),
                    description=data["description"],
                ),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{evidence.original_name} added to {self.referral.reference}. SHA-256 "
            f"{evidence.sha256}.",
        )
        return redirect(case_file.file_url(evidence))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(reference=self.referral.reference, case_url=case_url(self.referral.pk))
        return context


class EvidenceFileView(MemberRequiredMixin, TemplateView):
    """One file: what it is, whether it is as uploaded, its chain of custody, and Download."""

    template_name = "evidence/file.html"

    def evidence(self):
        return selectors.evidence_get(
            membership=self.membership, evidence_id=self.kwargs["evidence_id"],
            referral_id=referral_selectors.referral_id_of(self.kwargs["referral_id"]),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evidence = self.evidence()
        referral_services.sensitive_reads_record(
            referral=evidence.referral, actor=self.request.user, sections=[evidence.section]
        )
        custody = selectors.custody_events(evidence=evidence)
        people = names_by_username(e.actor_username for e in custody if e.actor_username)
        agencies = agencies_by_slug({e.agency_slug for e in custody if e.agency_slug})
        context.update(
            file=case_file.file_row(evidence),
            reference=evidence.referral.reference,
            case_url=case_url(evidence.referral_id),
            custody=[
                {
                    "at": timezone.localtime(event.at),
                    "who": people.get(event.actor_username, event.actor_username) or "-",
                    "agency": agencies[event.agency_slug].name
                    if event.agency_slug in agencies else "",
                    "what": serializers.CUSTODY_LABELS.get(event.verb, event.verb),
                    "failed": event.verb == "evidence.integrity_failed",
                }
                for event in custody
            ],
        )
        return context


class EvidenceDownloadView(EvidenceFileView):
    """The file as an attachment once its bytes match the hash taken on upload; otherwise the
    file's page, saying the download was refused (409)."""

    def get(self, request, *args, **kwargs):
        evidence = self.evidence()
        try:
            copy = services.evidence_open(evidence=evidence, actor=request.user)
        except (Conflict, services.EvidenceErased) as exc:
            context = self.get_context_data(refused=exc.message, **kwargs)
            return self.render_to_response(context, status=exc.status)
        referral_services.sensitive_reads_record(
            referral=evidence.referral, actor=request.user, sections=[evidence.section]
        )
        return download_response(evidence, copy)
