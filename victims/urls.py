"""The victims API's URLs (under api/v1/) and its pages (under a case, in config/site.py)."""

from django.urls import path

from . import api, views

_CASE = "referrals/<int:referral_id>/"

api_urlpatterns: list = [
    path(f"{_CASE}victim-voice/", api.VictimVoiceView.as_view(), name="api-victim-voice"),
    *(
        path(f"{_CASE}victim-voice/{part}/", view.as_view(), name=f"api-victim-voice-{part}")
        for part, view in (
            ("wishes", api.WishesView),
            ("consent", api.ConsentView),
            ("advocate", api.AdvocateView),
            ("safety-plan", api.SafetyPlanView),
            ("statement", api.StatementView),
            ("entitlement", api.EntitlementView),
            ("right-to-review", api.RightToReviewView),
        )
    ),
    path(f"{_CASE}contacts/", api.ContactListView.as_view(), name="api-victim-contacts"),
    path(f"{_CASE}others-at-risk/", api.OthersAtRiskView.as_view(), name="api-others-at-risk"),
    path(
        f"{_CASE}others-at-risk/<int:person_id>/safeguarding/",
        api.SafeguardingReferralView.as_view(),
        name="api-others-at-risk-safeguarding",
    ),
]
page_urlpatterns: list = views.page_urlpatterns
