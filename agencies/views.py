"""The signed-in home page of the application shell (the member's work), "My access", the
member's API sign-ins, and the information-sharing agreements.

Home reads only selectors, each one query (or two) whatever the size of the caseload, so the
page asks a fixed number of queries for each role (tests/agencies/test_home.py)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from audit import selectors as audit_selectors
from conferences import selectors as conference_selectors
from config.exceptions import DomainError
from referral.access import visible_case_ids
from referral.models import RiskLevel
from referral.views import case_url
from workflows import selectors as task_selectors
from workflows.labels import verb_label
from workflows.views import task_url

from . import policy
from .forms import AgreementEditForm, AgreementForm
from .mixins import MemberRequiredMixin
from .selectors import (
    agency_list,
    agreement_get,
    agreements_for,
    membership_of,
    person_name,
    tokens_of,
)
from .serializers import agreement_output
from .services import (
    sharing_agreement_create,
    sharing_agreement_update,
    token_revoke,
    tokens_revoke_all,
)

HOME_ROWS = 10
RISK = dict(RiskLevel.choices)


def task_row(task, now) -> dict:
    """What Home shows of a task: what it is, its case and risk, when it is due, who has it."""
    referral = task.referral if task.referral_id else None
    return {
        "url": task_url(task.pk),
        "title": task.get_task_type_display(),
        "reference": referral.reference if referral else "",
        "risk_level": referral.risk_level if referral else "",
        "risk": RISK.get(referral.risk_level, "") if referral else "",
        "due": task.due,
        "overdue": bool(task.due and task.due < now),
        "escalated": task.escalated_at is not None,
        "owner": person_name(task.owner) if task.owner_id else "",
    }


class HomeView(LoginRequiredMixin, TemplateView):
    """My work: what the member's roles ask of them now, with links to each piece of it."""

    template_name = "agencies/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        member = membership_of(user)
        now = timezone.now()
        context["manages_members"] = policy.may(member, "manage_members")
        if member is None:
            return context
        if policy.may(member, "claim_task"):
            context["my_tasks"] = [
                task_row(t, now)
                for t in task_selectors.task_list(user=user, scope="mine")[:HOME_ROWS]
            ]
            context["queue_tasks"] = [
                task_row(t, now)
                for t in task_selectors.task_list(user=user, scope="queue")[:HOME_ROWS]
            ]
            context["works_tasks"] = True
        if policy.may(member, "reassign_task"):
            context["escalated_tasks"] = [
                task_row(t, now) for t in task_selectors.tasks_escalated(user=user)[:HOME_ROWS]
            ]
            context["approval_tasks"] = [
                task_row(t, now)
                for t in task_selectors.tasks_awaiting_approval(user=user)[:HOME_ROWS]
            ]
            context["supervises"] = True
        if policy.may(member, "chair_meeting"):
            context.update(self._chair(user, now))
        if policy.may(member, "read_audit_trail"):
            context.update(self._auditor(user))
        return context

    def _chair(self, user, now) -> dict:
        meetings = conference_selectors.conferences_upcoming(user=user)
        today = timezone.localdate()
        return {
            "chairs": True,
            "meetings": [
                {
                    "title": c.title,
                    "starts_at": c.starts_at,
                    "status": c.get_status_display(),
                    "url": reverse("workspace:conferences:meeting", kwargs={"conference_id": c.pk}),
                    "agenda": [
                        {
                            "reference": item.referral.reference,
                            "risk_level": item.referral.risk_level,
                            "risk": RISK.get(item.referral.risk_level, ""),
                            "url": case_url(item.referral_id),
                        }
                        for item in c.agenda_items
                    ],
                }
                for c in meetings
            ],
            "actions": [
                {
                    "description": a.description,
                    "agency": a.agency.name,
                    "due": a.due,
                    "overdue": a.due < today,
                    "reference": a.item.referral.reference,
                    "case_url": case_url(a.item.referral_id),
                    "meeting": a.item.conference.title,
                    "outcome": a.get_outcome_display() if a.outcome else "",
                }
                for a in conference_selectors.actions_outstanding(user=user)
            ],
        }

    def _auditor(self, user) -> dict:
        """What was decided, by whom and when, each linked to its case's trail. The reasons
        and the case references stay on the trail's own pages, where reading them is logged
        as reading the trail."""
        events = audit_selectors.decisions_latest(
            user=user, cases=visible_case_ids(membership_of(user))
        )
        names = {a.slug: a.name for a in agency_list()}
        return {
            "audits": True,
            "decisions": [
                {
                    "at": e.at,
                    "what": verb_label(e.verb),
                    "actor": e.actor_username or "Concord",
                    "agency": names.get(e.agency_slug, e.agency_slug),
                    "trail_url": reverse(
                        "workspace:audit:case", kwargs={"referral_id": e.referral_id}
                    )
                    if e.referral_id
                    else "",
                }
                for e in events
            ],
            "chain": audit_selectors.chain_state(),
        }


class AccessView(LoginRequiredMixin, TemplateView):
    """My access: the member's agency and roles, what the agency may see and what they may do,
    and their second factor and API sign-ins."""

    template_name = "agencies/access.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = membership_of(self.request.user)
        context["capabilities"] = [
            policy.CAPABILITY_TITLES[c] for c in policy.CAPABILITIES if policy.may(member, c)
        ]
        context["sections"] = [
            (policy.SECTION_TITLES[s], policy.can_write(member, s))
            for s in policy.SECTIONS
            if policy.can_read(member, s)
        ]
        context["manages_members"] = policy.may(member, "manage_members")
        return context


class TokenEndForm(forms.Form):
    """Which of the member's API sign-ins to end."""

    revoke = forms.IntegerField(required=False)
    revoke_all = forms.BooleanField(required=False)


class ApiTokensView(LoginRequiredMixin, TemplateView):
    """The member's API sign-ins: when each began, was last used and ends; end one or all."""

    template_name = "agencies/api_tokens.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = list(tokens_of(self.request.user))
        return context

    def post(self, request):
        form = TokenEndForm(request.POST)
        if form.is_valid() and form.cleaned_data["revoke_all"]:
            ended = tokens_revoke_all(user=request.user, actor=request.user)
            messages.success(request, f"Ended {ended} API sign-in(s).")
            return redirect(request.path)
        if form.is_valid() and token_revoke(
            user=request.user, token_id=form.cleaned_data["revoke"] or 0
        ):
            messages.success(request, "API sign-in ended.")
            return redirect(request.path)
        # The page's buttons name a token; any other answer is the one error the page shows.
        form = TokenEndForm(data={})
        form.is_valid()
        form.add_error(None, "That API sign-in is not yours or has already ended.")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- Information-sharing agreements ----------------------------------------------------------


def _agreement_row(agreement) -> dict:
    return {**agreement_output(agreement),
            "url": reverse("workspace:sharing:detail", kwargs={"agreement_id": agreement.pk})}


class AgreementListView(MemberRequiredMixin, TemplateView):
    """The agreements the member may read, each in force or not, its review overdue flagged."""

    template_name = "agencies/agreement_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agreements"] = [_agreement_row(a) for a in agreements_for(self.membership)]
        context["may_record"] = policy.may(self.membership, "manage_sharing_agreements")
        context["reads_all"] = policy.reads_all_agreements(self.membership)
        return context


class AgreementDetailView(MemberRequiredMixin, TemplateView):
    """One agreement (404 if the member may not read it)."""

    template_name = "agencies/agreement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agreement = agreement_get(membership=self.membership,
                                  agreement_id=self.kwargs["agreement_id"])
        context["agreement"] = _agreement_row(agreement)
        context["may_change"] = policy.may_manage_agreement(
            self.membership, [a.pk for a in agreement.parties.all()]
        ) and agreement.ended_on is None
        return context


class AgreementCreateView(MemberRequiredMixin, FormView):
    """Record an agreement the member's agency is party to (supervisors and administrators)."""

    template_name = "agencies/agreement_form.html"
    form_class = AgreementForm
    capability = "manage_sharing_agreements"

    def form_valid(self, form):
        try:
            agreement = sharing_agreement_create(actor=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Agreement “{agreement.title}” recorded.")
        return redirect("workspace:sharing:detail", agreement_id=agreement.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title="Record a sharing agreement", submit_label="Record the agreement",
                       cancel_url=reverse("workspace:sharing:index"))
        return context


class AgreementEditView(MemberRequiredMixin, FormView):
    """Move an agreement's review date or end it: a supervisor or administrator of a party
    (404 for an agreement the member may not read, 403 for one it may read but not change)."""

    template_name = "agencies/agreement_form.html"
    form_class = AgreementEditForm

    def setup_agreement(self):
        self.agreement = agreement_get(membership=self.membership,
                                       agreement_id=self.kwargs["agreement_id"])
        parties = [a.pk for a in self.agreement.parties.all()]
        if not policy.may_manage_agreement(self.membership, parties):
            raise PermissionDenied("Only a supervisor or administrator of a party changes it.")

    def get(self, request, *args, **kwargs):
        self.setup_agreement()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_agreement()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"review_on": self.agreement.review_on}

    def form_valid(self, form):
        try:
            sharing_agreement_update(
                agreement=self.agreement, actor=self.request.user,
                review_on=form.cleaned_data.get("review_on"),
                ended_on=form.cleaned_data.get("ended_on"),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Agreement “{self.agreement.title}” changed.")
        return redirect("workspace:sharing:detail", agreement_id=self.agreement.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Review or end “{self.agreement.title}”", submit_label="Save",
            cancel_url=reverse("workspace:sharing:detail",
                               kwargs={"agreement_id": self.agreement.pk}),
        )
        return context
