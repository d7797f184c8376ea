"""The API's sign-in and who-am-I URLs (under api/v1/), the pages of the second factor (under
accounts/2fa/) and the administrator's members page."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn

from . import api
from . import second_factor_views as views

api_urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("auth/logout/", api.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", api.LogoutAllView.as_view(), name="api-logout-all"),
    path("auth/tokens/", api.TokenListView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", api.TokenDetailView.as_view(), name="api-token-detail"),
    path("auth/ws-ticket/", api.WebsocketTicketView.as_view(), name="api-ws-ticket"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("sharing-agreements/", api.AgreementListView.as_view(), name="api-agreements"),
    path("sharing-agreements/<int:agreement_id>/", api.AgreementDetailView.as_view(),
         name="api-agreement"),
]

webauthn_urls = (
    [
        path(
            "registration/begin/",
            webauthn.BeginCredentialRegistrationView.as_view(),
            name="credential-registration-begin",
        ),
        path(
            "registration/complete/",
            views.PasskeyRegistrationCompleteView.as_view(),
            name="credential-registration-complete",
        ),
        path(
            "authentication/begin/",
            webauthn.BeginCredentialAuthenticationView.as_view(),
            name="credential-authentication-begin",
        ),
        path(
            "authentication/complete/",
            webauthn.CompleteCredentialAuthenticationView.as_view(),
            name="credential-authentication-complete",
        ),
        path(
            "jsi18n/",
            JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
            name="js-i18n-catalog",
        ),
    ],
    "otp_webauthn",
)

second_factor_urls = [
    path("verify/", views.VerifyView.as_view(), name="second-factor-verify"),
    path("enrol/", views.EnrolView.as_view(), name="second-factor-enrol"),
    path("recovery-codes/", views.RecoveryCodesView.as_view(), name="second-factor-recovery"),
    path("webauthn/", include(webauthn_urls)),
]

member_urls = [
    path("", views.MembersView.as_view(), name="members"),
    path(
        "<int:membership_id>/second-factor/reset/",
        views.MembersView.as_view(),
        name="member-second-factor-reset",
    ),
]
