"""The referral API's URLs, under api/v1/ (the pages are in config/site.py's workspace)."""

from django.urls import path

from . import api, disclosure_api

api_urlpatterns = [
    path(
        "referrals/<int:referral_id>/disclosures/",
        disclosure_api.DisclosureListView.as_view(),
        name="api-referral-disclosures",
    ),
    path(
        "disclosures/<int:disclosure_id>/authorise/",
        disclosure_api.DisclosureAuthoriseView.as_view(),
        name="api-disclosure-authorise",
    ),
    path("local-policies/", api.LocalPolicyListView.as_view(), name="api-local-policies"),
    path("referrals/", api.ReferralListView.as_view(), name="api-referral-list"),
    path(
        "referrals/<int:referral_id>/",
        api.ReferralDetailView.as_view(),
        name="api-referral-detail",
    ),
    path(
        "referrals/<int:referral_id>/incidents/",
        api.IncidentCreateView.as_view(),
        name="api-referral-incidents",
    ),
    path(
        "referrals/<int:referral_id>/orders/",
        api.OrderCreateView.as_view(),
        name="api-referral-orders",
    ),
    path(
        "referrals/<int:referral_id>/timeline/",
        api.TimelineView.as_view(),
        name="api-referral-timeline",
    ),
    path(
        "referrals/<int:referral_id>/case-file/",
        api.CaseFileView.as_view(),
        name="api-referral-case-file",
    ),
    path(
        "referrals/<int:referral_id>/screening/",
        api.ScreeningUpdateView.as_view(),
        name="api-referral-screening",
    ),
    path(
        "referrals/<int:referral_id>/identifiers/",
        api.IdentifierCreateView.as_view(),
        name="api-referral-identifiers",
    ),
    path(
        "referrals/<int:referral_id>/conference-referral/",
        api.ConferenceReferralView.as_view(),
        name="api-referral-conference-referral",
    ),
    path(
        "referrals/<int:referral_id>/hearings/",
        api.HearingCreateView.as_view(),
        name="api-referral-hearings",
    ),
]
