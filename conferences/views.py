"""Meeting pages: the list, scheduling and changing a meeting, its agenda, the confidentiality
statement, the live meeting and the minutes (with their addenda).

Thin: reads through `selectors` (a meeting the agency is not invited to is a 404), every change
through the same services the API calls; a refused change comes back as the form's errors or
one message, never an error page.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from agencies import policy
from agencies.mixins import MemberRequiredMixin
from config.exceptions import DomainError, NotAllowed, NotFound
from referral import selectors as referral_selectors

from . import selectors, services
from .forms import AddendumForm, AgendaAddForm, CancelForm, ConferenceForm
from .models import AgendaItem, Conference

CHANGEABLE_AGENDA = (Conference.Status.SCHEDULED, Conference.Status.IN_SESSION)


def meeting_url(conference_id: int) -> str:
    return reverse("workspace:conferences:meeting", kwargs={"conference_id": conference_id})


def agenda_url(conference_id: int) -> str:
    return reverse("workspace:conferences:agenda", kwargs={"conference_id": conference_id})


def minutes_url(conference_id: int) -> str:
    return reverse("workspace:conferences:minutes", kwargs={"conference_id": conference_id})


def is_chair_of(membership, conference: Conference) -> bool:
    """The member chairs this meeting: a chair (policy) of its coordinating agency."""
    return (
        policy.may(membership, "chair_meeting")
        and membership.agency_id == conference.coordinator_id
    )


class ConferenceListView(MemberRequiredMixin, TemplateView):
    template_name = "conferences/conference_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.membership
        context["conferences"] = selectors.conference_list(user=self.request.user)[:100]
        context["can_chair"] = policy.may(member, "chair_meeting")
        return context


class ChairMeetingMixin(MemberRequiredMixin):
    """A page of one meeting for its chair: a meeting the agency is not invited to is a 404,
    one the member may not chair a 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.conference = selectors.conference_get(
                user=request.user, conference_id=kwargs["conference_id"]
            )
            try:
                services.check_chair(request.user, self.conference)
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from None
        return super().dispatch(request, *args, **kwargs)


class ScheduleView(MemberRequiredMixin, TemplateView):
    """A chair schedules a meeting; next, its agenda."""

    template_name = "conferences/schedule.html"
    capability = "chair_meeting"

    def get(self, request):
        return self.render(ConferenceForm(coordinator_id=self.membership.agency_id))

    def post(self, request):
        form = ConferenceForm(request.POST, coordinator_id=self.membership.agency_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                conference = services.conference_create(
                    actor=request.user, title=data["title"], starts_at=data["starts_at"],
                    place=data["place"], invited=list(data["invited_agencies"]),
                )
            except NotFound:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, f"{conference.title} is scheduled. Add the cases to its agenda."
                )
                return redirect(agenda_url(conference.pk))
        return self.render(form)

    def render(self, form):
        return self.render_to_response(self.get_context_data(form=form, editing=None))


class EditView(ChairMeetingMixin, TemplateView):
    """The chair changes a scheduled meeting (title, time, place, invited agencies)."""

    template_name = "conferences/schedule.html"

    def get(self, request, conference_id: int):
        conference = self.conference
        if conference.status != Conference.Status.SCHEDULED:
            messages.error(request, "Only a meeting that has not started can be changed.")
            return redirect(meeting_url(conference.pk))
        form = ConferenceForm(
            coordinator_id=conference.coordinator_id,
            initial={
                "title": conference.title,
                "starts_at": conference.starts_at,
                "place": conference.place,
                "invited_agencies": list(conference.invited_agencies.all()),
            },
        )
        return self.render(form)

    def post(self, request, conference_id: int):
        conference = self.conference
        form = ConferenceForm(request.POST, coordinator_id=conference.coordinator_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.conference_update(
                    actor=request.user, conference=conference, title=data["title"],
                    starts_at=data["starts_at"], place=data["place"],
                    invited=list(data["invited_agencies"]),
                )
            except NotFound:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, f"{data['title']} is changed.")
                return redirect(meeting_url(conference.pk))
        return self.render(form)

    def render(self, form):
        return self.render_to_response(
            self.get_context_data(form=form, editing=self.conference)
        )


class CancelView(ChairMeetingMixin, TemplateView):
    """The chair cancels a scheduled meeting: a page of its own is the confirmation step."""

    template_name = "conferences/cancel.html"

    def get(self, request, conference_id: int):
        return self.render(CancelForm())

    def post(self, request, conference_id: int):
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.conference_cancel(
                    actor=request.user, conference=self.conference,
                    reason=form.cleaned_data["reason"],
                )
            except NotFound:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, f"{self.conference.title} is cancelled.")
                return redirect("workspace:conferences:index")
        return self.render(form)

    def render(self, form):
        return self.render_to_response(self.get_context_data(
            form=form, conference=self.conference,
            waiting=self.conference.agenda.exclude(status=AgendaItem.Status.REMOVED).count(),
        ))


class AgendaView(ChairMeetingMixin, TemplateView):
    """The chair's agenda: add a case by its reference, take one off, move one up or down."""

    template_name = "conferences/agenda.html"

    def get(self, request, conference_id: int):
        return self.render(AgendaAddForm())

    def post(self, request, conference_id: int):
        what = request.POST.get("action", "add")
        if what == "add":
            return self.add()
        try:
            item_id = int(request.POST.get("item", ""))
        except ValueError:
            raise NotFound from None
        item = selectors.agenda_item_get(conference=self.conference, item_id=item_id)
        try:
            if what == "remove":
                services.agenda_remove(actor=request.user, item=item)
                messages.success(request, f"{item.referral.reference} is off the agenda.")
            elif what in ("up", "down"):
                services.agenda_reorder(
                    actor=request.user, conference=self.conference,
                    order=self.moved(item.pk, -1 if what == "up" else 1),
                )
                messages.success(request, f"{item.referral.reference} moved {what}.")
        except NotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(agenda_url(self.conference.pk))

    def moved(self, item_id: int, step: int) -> list[int]:
        order = [i.pk for i in selectors.agenda(conference=self.conference)]
        here = order.index(item_id) if item_id in order else -1
        there = here + step
        if here >= 0 and 0 <= there < len(order):
            order[here], order[there] = order[there], order[here]
        return order

    def add(self):
        request = self.request
        form = AgendaAddForm(request.POST)
        if form.is_valid():
            reference = form.cleaned_data["reference"]
            referral = (
                referral_selectors.referral_list(membership=self.membership)
                .filter(reference=reference)
                .first()
            )
            if referral is None:
                form.add_error(
                    "reference", f"No case {reference} that your agency can see."
                )
            else:
                try:
                    services.agenda_add(
                        referral=referral, conference_id=self.conference.pk, actor=request.user
                    )
                except NotFound:
                    raise
                except DomainError as exc:
                    form.add_domain_error(exc)
                else:
                    messages.success(request, f"{reference} is on the agenda.")
                    return redirect(agenda_url(self.conference.pk))
        return self.render(form)

    def render(self, form):
        conference = self.conference
        items = selectors.agenda(conference=conference)
        return self.render_to_response(self.get_context_data(
            form=form, conference=conference, items=items,
            changeable=conference.status in CHANGEABLE_AGENDA,
        ))


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
        invited = list(conference.invited_agencies.order_by("name"))
        context.update(
            conference=conference,
            is_chair=is_chair_of(member, conference),
            agency=member.agency.slug,
            invited=invited,
            others=[a for a in invited if a.pk != member.agency_id],
            agency_names={a.slug: a.name for a in invited},
        )
        return context


class MinutesView(MemberRequiredMixin, TemplateView):
    """The minutes as the viewer's agency may see them, ready to print; once signed, an
    attendee adds an addendum here."""

    template_name = "conferences/minutes.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.conference = selectors.conference_get(
                user=request.user, conference_id=kwargs["conference_id"]
            )
            try:
                self.slug = selectors.require_attendee(
                    user=request.user, conference=self.conference
                )
            except DomainError:
                raise PermissionDenied(
                    "Accept the meeting's confidentiality statement to read its minutes."
                ) from None
        return super().dispatch(request, *args, **kwargs)

    def signed(self) -> bool:
        return self.conference.status == Conference.Status.MINUTES_SIGNED

    def get(self, request, conference_id: int):
        form = AddendumForm(items=self.items()) if self.signed() else None
        return self.render(form)

    def post(self, request, conference_id: int):
        if not self.signed():
            messages.error(request, "Addenda are added once the minutes are signed.")
            return redirect(minutes_url(self.conference.pk))
        form = AddendumForm(request.POST, items=self.items())
        if form.is_valid():
            try:
                services.note_add(
                    actor=request.user, conference=self.conference,
                    client_id=self.client_id(request.POST.get("client_id")),
                    text=form.cleaned_data["text"],
                    agenda_item=form.cleaned_data["agenda_item"], addendum=True,
                )
            except NotFound:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, "Your addendum is added to the minutes.")
                return redirect(minutes_url(self.conference.pk))
        return self.render(form)

    @staticmethod
    def client_id(value) -> uuid.UUID:
        """The form's own key (a resubmitted form adds the addendum once), or a new one."""
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return uuid.uuid4()

    def items(self) -> list[AgendaItem]:
        return list(
            self.conference.agenda.exclude(status=AgendaItem.Status.REMOVED)
            .select_related("referral").order_by("position", "id")
        )

    def render(self, form):
        return self.render_to_response(self.get_context_data(
            conference=self.conference,
            minutes=selectors.minutes(conference=self.conference, agency_slug=self.slug),
            form=form,
            form_key=uuid.uuid4(),
            agency_name=self.membership.agency.name,
        ))

