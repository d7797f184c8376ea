"""The signed-in home page of the application shell, and the member's API sign-ins."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from . import policy
from .selectors import membership_of, tokens_of
from .services import token_revoke, tokens_revoke_all


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "agencies/home.html"

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


class ApiTokensView(LoginRequiredMixin, TemplateView):
    """The member's API sign-ins: when each began, was last used and ends; end one or all."""

    template_name = "agencies/api_tokens.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = list(tokens_of(self.request.user))
        return context

    def post(self, request):
        if "revoke_all" in request.POST:
            ended = tokens_revoke_all(user=request.user, actor=request.user)
            messages.success(request, f"Ended {ended} API sign-in(s).")
        else:
            try:
                token_id = int(request.POST.get("revoke", ""))
            except ValueError:
                token_id = 0
            if token_revoke(user=request.user, token_id=token_id):
                messages.success(request, "API sign-in ended.")
            else:
                messages.error(request, "No such API sign-in of yours.")
        return redirect(request.path)
