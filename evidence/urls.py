"""The evidence API's URLs (under api/v1/) and its pages (under a case, in config/site.py)."""

from django.urls import path

from . import api, views

api_urlpatterns = [
    path("referrals/<int:referral_id>/evidence/", api.EvidenceListView.as_view(),
         name="api-referral-evidence"),
    path("evidence/<int:evidence_id>/", api.EvidenceDetailView.as_view(), name="api-evidence"),
    path("evidence/<int:evidence_id>/download/", api.EvidenceDownloadView.as_view(),
         name="api-evidence-download"),
]

page_urlpatterns = [
    path("evidence/new/", views.EvidenceUploadView.as_view(), name="evidence_new"),
    path("evidence/<int:evidence_id>/", views.EvidenceFileView.as_view(), name="evidence_file"),
    path("evidence/<int:evidence_id>/download/", views.EvidenceDownloadView.as_view(),
         name="evidence_download"),
]
