"""The victims app's forms on the case page (`referral.views.CaseRecordView`)."""

page_urlpatterns: list = []
