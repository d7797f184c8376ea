"""The decision trail's API URLs (under api/v1/), and the auditor's workspace in the Material
shell: /workspace/audit/..."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies.selectors import membership_of

from . import api, views

api_urlpatterns = [
    path("audit/events/", api.EventListView.as_view(), name="api-audit-events"),
    path("audit/events/export/", api.ExportView.as_view(), name="api-audit-export"),
    path("audit/access/", api.AccessReportView.as_view(), name="api-audit-access"),
    path("audit/verify/", api.VerifyView.as_view(), name="api-audit-verify"),
]


class AuditViewset(AppMenuMixin, Viewset):
    title = "Decision trail"
    icon = "policy"
    index_path = path("", views.TrailView.as_view(), name="index")
    case_path = path("referrals/<int:referral_id>/", views.CaseTrailView.as_view(), name="case")
    access_path = path("access/", views.AccessReportView.as_view(), name="access")

    def has_view_permission(self, user, obj=None):
        return views.may_read_trail(membership_of(user))
