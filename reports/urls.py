"""The outcome reports' API URLs (under api/v1/), and their pages in the Material shell:
/workspace/reports/..."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies import policy
from agencies.selectors import membership_of

from . import api, views

api_urlpatterns = [
    path("reports/", api.ReportListView.as_view(), name="api-reports"),
    path("reports/<slug:key>/", api.ReportView.as_view(), name="api-report"),
    path("reports/<slug:key>/csv/", api.ReportCsvView.as_view(), name="api-report-csv"),
]


class ReportsViewset(AppMenuMixin, Viewset):
    title = "Outcome reports"
    icon = "insights"
    index_path = path("", views.OutcomesView.as_view(), name="index")
    report_path = path("<slug:key>/", views.ReportPageView.as_view(), name="report")
    csv_path = path("<slug:key>/csv/", views.ReportCsvPageView.as_view(), name="csv")

    def has_view_permission(self, user, obj=None):
        return policy.may_read_reports(membership_of(user))
