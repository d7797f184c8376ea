"""The interventions API's URLs (under api/v1/) and its pages (under a case, in config/site.py)."""

from django.urls import path

from . import api, views

api_urlpatterns: list = [
    path(
        "referrals/<int:referral_id>/assessments/",
        api.AssessmentsView.as_view(),
        name="api-referral-assessments",
    ),
    path(
        "referrals/<int:referral_id>/psychiatric-assessments/<int:assessment_id>/",
        api.PsychiatricAssessmentView.as_view(),
        name="api-referral-psychiatric-assessment",
    ),
    path(
        "referrals/<int:referral_id>/interventions/",
        api.InterventionsView.as_view(),
        name="api-referral-interventions",
    ),
    path(
        "referrals/<int:referral_id>/interventions/<int:intervention_id>/status/",
        api.InterventionStatusView.as_view(),
        name="api-referral-intervention-status",
    ),
    path(
        "referrals/<int:referral_id>/perpetrator-assessments/",
        api.PerpetratorAssessmentsView.as_view(),
        name="api-referral-perpetrator-assessments",
    ),
]
page_urlpatterns: list = [
    path(
        "psychiatric-assessment/", views.PsychiatricStepView.as_view(),
        name="interventions_psychiatric",
    ),
    path("intervention/", views.InterventionCreateView.as_view(), name="interventions_new"),
    path(
        "intervention/status/", views.InterventionStatusView.as_view(),
        name="interventions_status",
    ),
    path(
        "perpetrator-assessment/", views.PerpetratorAssessmentView.as_view(),
        name="interventions_perpetrator_assessment",
    ),
]
