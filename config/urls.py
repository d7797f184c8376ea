from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from viewflow.contrib.auth import AuthViewset

from agencies import urls as agency_urls
from agencies.password_reset import PasswordResetView
from audit import urls as audit_urls
from conferences import urls as conference_urls
from evidence import urls as evidence_urls
from interventions import urls as intervention_urls
from justice import urls as justice_urls
from orders import urls as order_urls
from privacy import urls as privacy_urls
from referral import urls as referral_urls
from reports import urls as report_urls
from victims import urls as victim_urls
from workflows import urls as task_urls

from . import errors
from .site import site

# The API (API.md is its contract): each app keeps its own URLs beside its views.
api_v1 = [
    *agency_urls.api_urlpatterns,
    *referral_urls.api_urlpatterns,
    *justice_urls.api_urlpatterns,
    *order_urls.api_urlpatterns,
    *intervention_urls.api_urlpatterns,
    *victim_urls.api_urlpatterns,
    *evidence_urls.api_urlpatterns,
    *task_urls.api_urlpatterns,
    *conference_urls.api_urlpatterns,
    *audit_urls.api_urlpatterns,
    *privacy_urls.api_urlpatterns,
    *report_urls.api_urlpatterns,
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/<path:rest>", errors.api_not_found),
    path("accounts/2fa/", include(agency_urls.second_factor_urls)),
    path(
        "accounts/",
        AuthViewset(with_profile_view=False, pass_reset_view_class=PasswordResetView).urls,
    ),
    path("members/", include(agency_urls.member_urls)),
    path("admin/", admin.site.urls),
    path("", site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
