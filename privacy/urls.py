"""Data protection's API URLs (under api/v1/) and its workspace pages (/workspace/retention/)."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies import policy
from agencies.selectors import membership_of

from .api import retention as api
from .views import retention as views

api_urlpatterns = [
    path("retention/schedules/", api.ScheduleListView.as_view(), name="api-retention-schedules"),
    path(
        "retention/schedules/<int:schedule_id>/",
        api.ScheduleDetailView.as_view(),
        name="api-retention-schedule",
    ),
    path("retention/reviews/", api.ReviewListView.as_view(), name="api-retention-reviews"),
    path(
        "retention/reviews/<int:review_id>/",
        api.ReviewDetailView.as_view(),
        name="api-retention-review",
    ),
    path(
        "retention/reviews/<int:review_id>/decision/",
        api.ReviewDecisionView.as_view(),
        name="api-retention-review-decision",
    ),
    path(
        "referrals/<int:referral_id>/legal-holds/",
        api.CaseHoldsView.as_view(),
        name="api-legal-holds",
    ),
    path("legal-holds/<int:hold_id>/lift/", api.HoldLiftView.as_view(), name="api-legal-hold-lift"),
]


class RetentionViewset(AppMenuMixin, Viewset):
    title = "Retention"
    icon = "auto_delete"
    index_path = path("", views.ReviewListView.as_view(), name="index")
    review_path = path("reviews/<int:review_id>/", views.ReviewView.as_view(), name="review")
    schedules_path = path("schedules/", views.ScheduleListView.as_view(), name="schedules")
    schedule_new_path = path(
        "schedules/new/", views.ScheduleCreateView.as_view(), name="schedule_new"
    )
    schedule_edit_path = path(
        "schedules/<int:schedule_id>/edit/", views.ScheduleEditView.as_view(), name="schedule_edit"
    )
    hold_new_path = path(
        "referrals/<int:referral_id>/legal-holds/new/",
        views.HoldCreateView.as_view(),
        name="hold_new",
    )
    hold_lift_path = path(
        "legal-holds/<int:hold_id>/lift/", views.HoldLiftView.as_view(), name="hold_lift"
    )

    def has_view_permission(self, user, obj=None):
        membership = membership_of(user)
        return policy.may_read_retention(membership) or policy.may(membership, "set_retention")
