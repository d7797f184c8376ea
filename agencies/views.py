"""The signed-in home page of the application shell."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from . import policy
from .selectors import membership_of


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
