"""The outcome reports in the Material shell: the outcomes workspace (the filter, the cohort
rule, the reports the reader may open) and each report (its tables, each drawn as a chart on
the server, and its CSV). Thin, like `reports.api`: the same form, selectors and shapes; only
publishable figures are shown."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import TemplateView

from agencies import policy
from agencies.selectors import membership_of
from config.exceptions import DomainError

from . import selectors, serializers, services
from .charts import chart_for, figure_text
from .cohort import Cohort
from .forms import ReportFilterForm
from .tables import SUPPRESSED, THRESHOLD, Report, Table, publishable


class ReportReaderMixin(LoginRequiredMixin):
    """Signed in, allowed to read the reports; `self.form`, the filter as asked."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_of(request.user)
        if not policy.may_read_reports(self.membership):
            raise PermissionDenied("Your role does not read the outcome reports.")
        regions, agencies = selectors.filter_choices(self.membership)
        self.form = ReportFilterForm(request.GET or None, regions=regions, agencies=agencies)
        return super().dispatch(request, *args, **kwargs)

    def cohort(self) -> Cohort | None:
        """The cohort asked for, or None with the form's errors saying why not."""
        if self.form.is_bound and not self.form.is_valid():
            return None
        args = self.form.cohort_args() if self.form.is_bound else {}
        try:
            return selectors.cohort_for(membership=self.membership, **args)
        except DomainError as error:
            for name, messages in (error.fields or {None: [error.message]}).items():
                self.form.add_error(name if name in self.form.fields else None, messages)
            return None

    def agency_slug(self) -> str | None:
        agency = self.form.cohort_args()["agency"] if self.form.is_bound else None
        return agency.slug if agency else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            cohort_rule=serializers.cohort_rule(),
            everything=policy.reports_everything(self.membership),
            agency=self.membership.agency,
            threshold=THRESHOLD,
            marker=SUPPRESSED,
        )
        return context


class OutcomesView(ReportReaderMixin, TemplateView):
    """The outcomes workspace: the filter, the rule, and the reports to open under it."""

    template_name = "reports/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.cohort()
        query = self.form.query()
        context["reports"] = [
            {"spec": spec, "url": reverse("workspace:reports:report", args=[spec.key]) + query}
            for spec in selectors.readable_reports(self.membership)
        ]
        return context


def table_view(table: Table) -> dict:
    """A table as the page shows it: its chart, and each figure in words, column by column."""

    def cells(row):
        return [
            {
                "text": figure_text(row.values.get(c.key), c.kind),
                "suppressed": row.values.get(c.key) == SUPPRESSED,
                "kind": c.kind,
            }
            for c in table.columns
        ]

    return {
        "table": table,
        "chart": chart_for(table),
        "rows": [{"row": r, "cells": cells(r)} for r in table.rows],
        "total": {"row": table.total, "cells": cells(table.total)} if table.total else None,
    }


class ReportPageView(ReportReaderMixin, TemplateView):
    """One report over the cohort asked for: each table with its chart, note and CSV."""

    template_name = "reports/report.html"

    def report(self) -> Report | None:
        self.spec = selectors.report_spec(membership=self.membership, key=self.kwargs["key"])
        cohort = self.cohort()
        if cohort is None:
            return None
        return publishable(selectors.report_build(spec=self.spec, cohort=cohort))

    def get(self, request, *args, **kwargs):
        self.built = self.report()
        if self.built is not None:
            services.report_read_record(
                actor=request.user, report=self.built, agency=self.agency_slug()
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.form.query()
        context.update(
            spec=self.spec,
            report=self.built,
            tables=[table_view(t) for t in self.built.tables] if self.built else [],
            csv_url=reverse("workspace:reports:csv", args=[self.spec.key]) + query,
            index_url=reverse("workspace:reports:index") + query,
        )
        return context


class ReportCsvPageView(ReportPageView):
    """The report as CSV, downloaded from its page; a filter in error shows the page (400)."""

    def get(self, request, *args, **kwargs):
        self.built = self.report()
        if self.built is None:
            return self.render_to_response(self.get_context_data(**kwargs), status=400)
        services.report_read_record(
            actor=request.user, report=self.built, agency=self.agency_slug(), file_format="csv"
        )
        return serializers.csv_response(self.built)
