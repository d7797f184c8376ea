"""The auditor's workspace: the trail, a case's decision timeline, the access report.

Thin, like `audit.api`: every read goes through `audit.selectors`, which scopes it (auditors see
every agency's trail, other members their own agency's part). The pages show only the fields
of `Event`, never case content; text is left to the templates' autoescaping.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import ListView
from rest_framework import exceptions as drf_exceptions
from rest_framework.request import Request

from agencies import policy
from agencies.selectors import agency_list, membership_of, names_of_users, people_called
from config.exceptions import NotFound
from config.rest import SequencePagination
from referral import selectors as referral_selectors
from referral import services as referral_services
from referral.access import visible_case_ids
from workflows import labels

from . import chain, selectors
from . import events as audit_events
from .forms import AccessReportForm, TrailFilterForm, api_params
from .models import Event

PAGE_SIZE = 25
CHANGE_TEXT_MAX = 120


def may_read_trail(membership) -> bool:
    """Whether the member may open these pages at all (any part of the trail)."""
    return policy.may(membership, "read_audit_trail") or policy.may(membership, "read_agency_trail")


class TrailReaderMixin(LoginRequiredMixin):
    """Signed in, a member, and allowed to read a trail; `self.auditor` if all of it."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_of(request.user)
        if not may_read_trail(self.membership):
            raise PermissionDenied("Your role does not read the decision trail.")
        self.auditor = policy.may(self.membership, "read_audit_trail")
        return super().dispatch(request, *args, **kwargs)

    def people_lookup(self) -> dict:
        """How the filters find a person typed by name: anyone for an auditor, else a member
        of the reader's agency."""
        if self.auditor:
            return {"find_people": people_called, "people_in": None}
        return {"find_people": partial(people_called, agency_id=self.membership.agency_id),
                "people_in": self.membership.agency.name}

    @cached_property
    def agencies(self) -> list:
        """The agencies, by name: the filter's choices and the rows' names (one query)."""
        return list(agency_list())

    def check_case(self, referral_id: int | None) -> None:
        """A member reading its own agency's part may name only a case its agency may see:
        another answers 404, the look on the access log as a look at the case would be."""
        if referral_id is not None and selectors.reads_agency_part(self.membership):
            referral_services.referral_look(membership=self.membership, referral_id=referral_id)

    def case_of(self, reference: str) -> int | None:
        """The id of the case with this reference that the reader may name; else the form says
        there is none, in the same words whether the case does not exist or the reader's agency
        may not see it (whose look at it goes on the access log, as `check_case` does)."""
        referral_id = referral_selectors.referral_id_by_reference(reference)
        if referral_id is not None:
            try:
                self.check_case(referral_id)
            except NotFound:
                referral_id = None
        if referral_id is None:
            self.form.add_error("case", f"No case {'' if self.auditor else 'your agency may see '}"
                                f"has the reference {reference}.")
        return referral_id

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = self.shown(context)
        audit_events.trail_reads_events(
            shown=shown, member=self.membership, actor=self.request.user
        )
        names = {
            "references": referral_selectors.references_of(e.referral_id for e in shown),
            "agencies": {a.slug: a.name for a in self.agencies},
            "people": names_of_users(e.actor_id for e in shown),
        }
        context.update(
            auditor=self.auditor,
            agency=self.membership.agency,
            rows=[event_row(e, **names) for e in shown],
        )
        return context

    def shown(self, context) -> list[Event]:
        """The events of the page shown."""
        return list(context["page_obj"].object_list)


def compact(value) -> str:
    """A change value in a few words: before -> after, lists joined, nested keys inline."""
    if isinstance(value, dict):
        if set(value) == {"before", "after"}:
            return f"{compact(value['before'])} \u2192 {compact(value['after'])}"
        return "; ".join(f"{key}: {compact(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(compact(item) for item in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "-"
    text = str(value)
    return text if len(text) <= CHANGE_TEXT_MAX else text[: CHANGE_TEXT_MAX - 1] + "\u2026"


def event_row(event: Event, *, references: dict[int, str] | None = None,
              agencies: dict[str, str] | None = None, people: dict[int, str] | None = None
              ) -> dict:
    """An event as a list shows it: the verb in words, the case by reference, the agency and
    the person by name (each read once for the page)."""
    at = timezone.localtime(event.at)
    return {
        "event": event,
        "at": f"{at.day} {at:%b %Y %H:%M:%S}",
        "verb_label": labels.verb_label(event.verb),
        "reference": (references or {}).get(event.referral_id, ""),
        "agency_name": (agencies or {}).get(event.agency_slug, event.agency_slug),
        "person": (people or {}).get(event.actor_id, event.actor_username),
        "changes": [(key, compact(value)) for key, value in sorted(event.changes.items())],
        "recipients": ", ".join(event.recipients),
    }


# --- The trail ------------------------------------------------------------------------------


class TrailView(TrailReaderMixin, ListView):
    """The trail as filtered, 25 events a page, each page reached from the one before or after
    it (the trail is never counted: `SequencePagination`); exports and the chain's state for
    auditors."""

    template_name = "audit/trail.html"
    sequence_ordering = None

    def get_queryset(self):
        self.form = TrailFilterForm(
            self.request.GET if set(self.request.GET) - {"page", "verify"} else None,
            agencies=self.agencies if self.auditor else (),
            all_agencies=self.auditor,
            **self.people_lookup(),
            kinds=labels.EVENT_KINDS,
        )
        if self.form.is_bound and not self.form.is_valid():
            self.filters = None
            return Event.objects.none()
        self.filters = self.form.filters() if self.form.is_bound else {}
        if "reference" in self.filters:
            self.filters["referral_id"] = self.case_of(self.filters.pop("reference"))
            if self.filters["referral_id"] is None:
                self.filters = None
                return Event.objects.none()
        events = selectors.events_for(
            user=self.request.user, cases=visible_case_ids(self.membership), **self.filters
        )
        if self.form.is_bound and self.form.newest_first:
            self.sequence_ordering = ("-id",)
        return events

    def shown(self, context) -> list[Event]:
        pages = SequencePagination()
        pages.page_size = PAGE_SIZE
        try:
            shown = pages.paginate_queryset(self.object_list, Request(self.request), view=self)
        except drf_exceptions.NotFound:
            raise Http404("No such page of the trail.") from None
        context["pages"] = {"previous": _local(pages.get_previous_link()),
                            "next": _local(pages.get_next_link())}
        return shown

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.auditor and self.filters is not None:
            params = api_params(self.filters)
            export = reverse("api-audit-export")
            context["exports"] = [
                ("CSV", f"{export}?{urlencode({'format': 'csv', **params})}"),
                ("JSON Lines", f"{export}?{urlencode({'format': 'jsonl', **params})}"),
            ]
        if self.auditor and self.request.GET.get("verify"):
            # Seal what has committed but is not yet numbered, so the check covers it too.
            chain.seal(wait=False)
            context["verification"] = chain.verify()
        return context


def _local(url: str | None) -> str | None:
    """A link of this site as a path and query (the pagination builds absolute ones)."""
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


# --- One case's decision timeline -----------------------------------------------------------


class CaseTrailView(TrailReaderMixin, ListView):
    """Every event of one referral the reader may see, oldest first, reasons to the fore.

    A case the member's agency may not see answers 404 (`check_case`); so does, for an auditor,
    a referral with no events at all (it does not exist).
    """

    template_name = "audit/case_trail.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.referral_id = self.kwargs["referral_id"]
        self.decisions_only = bool(self.request.GET.get("decisions"))
        self.check_case(self.referral_id)
        events = selectors.events_for(
            user=self.request.user, cases=visible_case_ids(self.membership),
            referral_id=self.referral_id,
        )
        return selectors.decisions(events) if self.decisions_only else events

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.auditor and not self.decisions_only and not context["paginator"].count:
            raise Http404
        context.update(
            referral_id=self.referral_id,
            referral_reference=referral_selectors.references_of([self.referral_id]).get(
                self.referral_id, ""),
            decisions_only=self.decisions_only,
        )
        if self.auditor:
            context["export"] = (
                reverse("api-audit-export")
                + "?"
                + urlencode({"format": "csv", "referral": self.referral_id})
            )
        return context


# --- The access report ----------------------------------------------------------------------


class AccessReportView(TrailReaderMixin, ListView):
    """Who read a sensitive section (the victim's contact details, by default): of a case, by a
    person, or both."""

    template_name = "audit/access.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.form = AccessReportForm(
            self.request.GET or None, **self.people_lookup()
        )
        if not self.form.is_bound or not self.form.is_valid():
            return Event.objects.none()
        filters = self.form.filters()
        reference = filters.pop("reference")
        filters["referral_id"] = self.case_of(reference) if reference else None
        if reference and filters["referral_id"] is None:
            return Event.objects.none()
        report = (selectors.disclosure_report if self.form.disclosures
                  else selectors.access_report)
        return report(user=self.request.user, cases=visible_case_ids(self.membership), **filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            disclosures=self.form.is_bound and not self.form.errors and self.form.disclosures,
            searched=self.form.is_bound and not self.form.errors,
            section_title=policy.SECTION_TITLES.get(
                self.form.cleaned_data.get("section", "") if self.form.is_bound else "", ""
            ),
        )
        return context
