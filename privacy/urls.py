"""Data protection's API URLs (under api/v1/) and its workspace pages: subject access
(/workspace/subject-access/) and retention (/workspace/retention/)."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies import policy
from agencies.selectors import membership_of

from .api import retention as retention_api
from .api import subject_access as access_api
from .views import retention as retention_views
from .views import subject_access as access_views

access_api_urlpatterns = [
    path("subject-access/", access_api.RequestListView.as_view(), name="api-subject-access"),
    path(
        "subject-access/<int:request_id>/",
        access_api.RequestDetailView.as_view(),
        name="api-subject-access-detail",
    ),
    path(
        "subject-access/<int:request_id>/search/",
        access_api.RequestSearchView.as_view(),
        name="api-subject-access-search",
    ),
    path(
        "subject-access/<int:request_id>/disclose/",
        access_api.DiscloseView.as_view(),
        name="api-subject-access-disclose",
    ),
    path(
        "subject-access/<int:request_id>/close/",
        access_api.CloseView.as_view(),
        name="api-subject-access-close",
    ),
    path(
        "subject-access/<int:request_id>/bundle.json",
        access_api.BundleJsonView.as_view(),
        name="api-subject-access-bundle-json",
    ),
    path(
        "subject-access/<int:request_id>/bundle.pdf",
        access_api.BundlePdfView.as_view(),
        name="api-subject-access-bundle-pdf",
    ),
    path(
        "subject-access/items/<int:item_id>/",
        access_api.ItemDecisionView.as_view(),
        name="api-subject-access-item",
    ),
]


class SubjectAccessViewset(AppMenuMixin, Viewset):
    title = "Subject access"
    icon = "policy"
    index_path = path("", access_views.RequestListView.as_view(), name="index")
    new_path = path("new/", access_views.RequestCreateView.as_view(), name="new")
    detail_path = path("<int:request_id>/", access_views.RequestDetailView.as_view(), name="detail")
    item_path = path(
        "<int:request_id>/items/<int:item_id>/", access_views.ItemDecideView.as_view(), name="item"
    )
    search_path = path("<int:request_id>/search/", access_views.SearchView.as_view(), name="search")
    disclose_path = path(
        "<int:request_id>/disclose/", access_views.DiscloseView.as_view(), name="disclose"
    )
    close_path = path("<int:request_id>/close/", access_views.CloseView.as_view(), name="close")
    bundle_pdf_path = path(
        "<int:request_id>/bundle.pdf",
        access_views.BundleDownloadView.as_view(file_format="pdf"),
        name="bundle_pdf",
    )
    bundle_json_path = path(
        "<int:request_id>/bundle.json",
        access_views.BundleDownloadView.as_view(file_format="json"),
        name="bundle_json",
    )

    def has_view_permission(self, user, obj=None):
        return policy.may_handle_subject_access(membership_of(user))


retention_api_urlpatterns = [
    path(
        "retention/schedules/",
        retention_api.ScheduleListView.as_view(),
        name="api-retention-schedules",
    ),
    path(
        "retention/schedules/<int:schedule_id>/",
        retention_api.ScheduleDetailView.as_view(),
        name="api-retention-schedule",
    ),
    path(
        "retention/reviews/", retention_api.ReviewListView.as_view(), name="api-retention-reviews"
    ),
    path(
        "retention/reviews/<int:review_id>/",
        retention_api.ReviewDetailView.as_view(),
        name="api-retention-review",
    ),
    path(
        "retention/reviews/<int:review_id>/decision/",
        retention_api.ReviewDecisionView.as_view(),
        name="api-retention-review-decision",
    ),
    path(
        "referrals/<int:referral_id>/legal-holds/",
        retention_api.CaseHoldsView.as_view(),
        name="api-legal-holds",
    ),
    path(
        "legal-holds/<int:hold_id>/lift/",
        retention_api.HoldLiftView.as_view(),
        name="api-legal-hold-lift",
    ),
]


class RetentionViewset(AppMenuMixin, Viewset):
    title = "Retention"
    icon = "auto_delete"
    index_path = path("", retention_views.ReviewListView.as_view(), name="index")
    review_path = path(
        "reviews/<int:review_id>/", retention_views.ReviewView.as_view(), name="review"
    )
    schedules_path = path(
        "schedules/", retention_views.ScheduleListView.as_view(), name="schedules"
    )
    schedule_new_path = path(
        "schedules/new/", retention_views.ScheduleCreateView.as_view(), name="schedule_new"
    )
    schedule_edit_path = path(
        "schedules/<int:schedule_id>/edit/",
        retention_views.ScheduleEditView.as_view(),
        name="schedule_edit",
    )
    hold_new_path = path(
        "referrals/<int:referral_id>/legal-holds/new/",
        retention_views.HoldCreateView.as_view(),
        name="hold_new",
    )
    hold_lift_path = path(
        "legal-holds/<int:hold_id>/lift/", retention_views.HoldLiftView.as_view(), name="hold_lift"
    )

    def has_view_permission(self, user, obj=None):
        membership = membership_of(user)
        return policy.may_read_retention(membership) or policy.may(membership, "set_retention")


api_urlpatterns = access_api_urlpatterns + retention_api_urlpatterns
