"""The justice API's URLs (under api/v1/) and its pages (under a case, in config/site.py)."""

from django.urls import path

from . import api, views

_OFFENCE = "referrals/<int:referral_id>/offences/<int:offence_id>/"

api_urlpatterns: list = [
    path(
        "referrals/<int:referral_id>/offences/", api.OffenceListView.as_view(),
        name="api-referral-offences",
    ),
    path(f"{_OFFENCE}amend/", api.OffenceAmendView.as_view(), name="api-offence-amend"),
    path(
        f"{_OFFENCE}police-decisions/", api.PoliceDecisionCreateView.as_view(),
        name="api-offence-police-decisions",
    ),
    path(
        f"{_OFFENCE}charging-decisions/", api.ChargingDecisionCreateView.as_view(),
        name="api-offence-charging-decisions",
    ),
    path(f"{_OFFENCE}sentence/", api.SentenceCreateView.as_view(), name="api-offence-sentence"),
    path(
        "referrals/<int:referral_id>/court/", api.CourtView.as_view(), name="api-referral-court",
    ),
    path(
        "referrals/<int:referral_id>/hearings/<int:hearing_id>/outcomes/",
        api.HearingOutcomeCreateView.as_view(), name="api-hearing-outcomes",
    ),
]
# Under the case's page (/workspace/referrals/<referral_id>/), named `justice_<thing>`.
page_urlpatterns: list = [
    path("warning-signs/new/", views.WarningSignsView.as_view(), name="justice_warning_signs"),
    path("offences/new/", views.OffenceCreateView.as_view(), name="justice_offence_new"),
    path(
        "offences/<int:offence_id>/amend/", views.OffenceAmendView.as_view(),
        name="justice_offence_amend",
    ),
    path(
        "offences/<int:offence_id>/police-decision/", views.PoliceDecisionView.as_view(),
        name="justice_police_decision",
    ),
    path(
        "offences/<int:offence_id>/charging-decision/", views.ChargingDecisionView.as_view(),
        name="justice_charging_decision",
    ),
    path(
        "offences/<int:offence_id>/sentence/", views.SentenceView.as_view(),
        name="justice_sentence",
    ),
    path(
        "hearings/<int:hearing_id>/outcome/", views.HearingOutcomeView.as_view(),
        name="justice_hearing_outcome",
    ),
]
