"""The auditor's workspace in the Material shell: /workspace/audit/..."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies.selectors import membership_of

from . import views


class AuditViewset(AppMenuMixin, Viewset):
    title = "Decision trail"
    icon = "policy"
    index_path = path("", views.TrailView.as_view(), name="index")
    case_path = path("referrals/<int:referral_id>/", views.CaseTrailView.as_view(), name="case")
    access_path = path("access/", views.AccessReportView.as_view(), name="access")

    def has_view_permission(self, user, obj=None):
        return views.may_read_trail(membership_of(user))
