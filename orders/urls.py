"""The orders API's URLs (under api/v1/) and its pages (under a case, in config/site.py)."""

from django.urls import path

from . import api, views

api_urlpatterns = [
    path(
        "referrals/<int:referral_id>/orders/<int:order_id>/changes/",
        api.OrderChangeView.as_view(),
        name="api-order-changes",
    ),
    path(
        "referrals/<int:referral_id>/orders/<int:order_id>/service/",
        api.OrderServiceView.as_view(),
        name="api-order-service",
    ),
    path(
        "referrals/<int:referral_id>/orders/<int:order_id>/notification/",
        api.NotificationView.as_view(),
        name="api-order-notification",
    ),
    path(
        "referrals/<int:referral_id>/order-applications/",
        api.OrderApplicationView.as_view(),
        name="api-order-applications",
    ),
    path(
        "referrals/<int:referral_id>/order-applications/<int:application_id>/decision/",
        api.OrderApplicationDecisionView.as_view(),
        name="api-order-application-decision",
    ),
]

page_urlpatterns = [
    path("order-applications/new/", views.ApplicationCreateView.as_view(),
         name="orders_application_new"),
    path("order-applications/<int:application_id>/decision/",
         views.ApplicationDecideView.as_view(), name="orders_application_decide"),
    path("orders/<int:order_id>/change/", views.OrderChangeView.as_view(),
         name="orders_change"),
    path("orders/<int:order_id>/service/", views.OrderServeView.as_view(),
         name="orders_serve"),
    path("orders/<int:order_id>/notification/", views.NotificationView.as_view(),
         name="orders_notification"),
]
