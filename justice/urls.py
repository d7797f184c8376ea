"""The justice API's URLs (under api/v1/) and its pages (under a case, in config/site.py)."""

from django.urls import path

from . import api

_OFFENCE = "referrals/<int:referral_id>/offences/<int:offence_id>/"

api_urlpatterns: list = [
    path(
        "referrals/<int:referral_id>/offences/", api.OffenceListView.as_view(),
        name="api-referral-offences",
    ),
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
        "referrals/<int:referral_id>/hearings/<int:hearing_id>/outcomes/",
        api.HearingOutcomeCreateView.as_view(), name="api-hearing-outcomes",
    ),
]
page_urlpatterns: list = []
