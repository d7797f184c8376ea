"""Meeting pages: the list, the confidentiality statement, the live meeting, the minutes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.generic import TemplateView

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from config.exceptions import DomainError

from . import selectors, services


class ConferenceListView(MemberRequiredMixin, TemplateView):
    template_name = "conferences/conference_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.membership
        context["conferences"] = selectors.conference_list(user=self.request.user)[:100]
        context["can_chair"] = policy.may(member, "chair_meeting")
        return context


class MeetingView(MemberRequiredMixin, TemplateView):
    """The live meeting, or its confidentiality statement until the viewer accepts it."""

    def get_template_names(self):
        if not self.acknowledged:
            return ["conferences/acknowledge.html"]
        return ["conferences/meeting.html"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.conference = selectors.conference_get(
                user=request.user, conference_id=kwargs["conference_id"]
            )
            self.acknowledged = selectors.has_acknowledged(
                user=request.user, conference=self.conference
            )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, conference_id):
        try:
            services.conference_acknowledge(actor=request.user, conference=self.conference)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.membership
        conference = self.conference
        context.update(
            conference=conference,
            is_chair=policy.may(member, "chair_meeting")
            and member.agency_id == conference.coordinator_id,
            agency=member.agency.slug,
            invited=selectors.invited_slugs(conference=conference),
        )
        return context


class MinutesView(MemberRequiredMixin, TemplateView):
    """The minutes as the viewer's agency may see them, ready to print."""

    template_name = "conferences/minutes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conference = selectors.conference_get(
            user=self.request.user, conference_id=kwargs["conference_id"]
        )
        try:
            slug = selectors.require_attendee(user=self.request.user, conference=conference)
        except DomainError:
            raise PermissionDenied from None
        context["minutes"] = selectors.minutes(conference=conference, agency_slug=slug)
        context["conference"] = conference
        return context
