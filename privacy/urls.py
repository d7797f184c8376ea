"""The subject access API's URLs (under api/v1/) and its pages' place in the Material shell:
/workspace/subject-access/..."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies import policy
from agencies.selectors import membership_of

from . import api, views

api_urlpatterns = [
    path("subject-access/", api.RequestListView.as_view(), name="api-subject-access"),
    path(
        "subject-access/<int:request_id>/",
        api.RequestDetailView.as_view(),
        name="api-subject-access-detail",
    ),
    path(
        "subject-access/<int:request_id>/search/",
        api.RequestSearchView.as_view(),
        name="api-subject-access-search",
    ),
    path(
        "subject-access/<int:request_id>/disclose/",
        api.DiscloseView.as_view(),
        name="api-subject-access-disclose",
    ),
    path(
        "subject-access/<int:request_id>/close/",
        api.CloseView.as_view(),
        name="api-subject-access-close",
    ),
    path(
        "subject-access/<int:request_id>/bundle.json",
        api.BundleJsonView.as_view(),
        name="api-subject-access-bundle-json",
    ),
    path(
        "subject-access/<int:request_id>/bundle.pdf",
        api.BundlePdfView.as_view(),
        name="api-subject-access-bundle-pdf",
    ),
    path(
        "subject-access/items/<int:item_id>/",
        api.ItemDecisionView.as_view(),
        name="api-subject-access-item",
    ),
]


class SubjectAccessViewset(AppMenuMixin, Viewset):
    title = "Subject access"
    icon = "policy"
    index_path = path("", views.RequestListView.as_view(), name="index")
    new_path = path("new/", views.RequestCreateView.as_view(), name="new")
    detail_path = path("<int:request_id>/", views.RequestDetailView.as_view(), name="detail")
    item_path = path(
        "<int:request_id>/items/<int:item_id>/", views.ItemDecideView.as_view(), name="item"
    )
    search_path = path("<int:request_id>/search/", views.SearchView.as_view(), name="search")
    disclose_path = path(
        "<int:request_id>/disclose/", views.DiscloseView.as_view(), name="disclose"
    )
    close_path = path("<int:request_id>/close/", views.CloseView.as_view(), name="close")
    bundle_pdf_path = path(
        "<int:request_id>/bundle.pdf",
        views.BundleDownloadView.as_view(file_format="pdf"),
        name="bundle_pdf",
    )
    bundle_json_path = path(
        "<int:request_id>/bundle.json",
        views.BundleDownloadView.as_view(file_format="json"),
        name="bundle_json",
    )

    def has_view_permission(self, user, obj=None):
        return policy.may_handle_subject_access(membership_of(user))
