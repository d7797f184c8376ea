from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from viewflow.contrib.auth import AuthViewset

from agencies import api as agency_api
from agencies.api import MeView, TokenView
from agencies.password_reset import PasswordResetView
from agencies.urls import member_urls, second_factor_urls
from audit import api as audit_api
from conferences import api as conference_api
from referral import api as referral_api
from workflows import api as task_api

from . import errors
from .site import site

C = conference_api
conference_urls = [
    path("conferences/", C.ConferenceListView.as_view()),
    path("conferences/<int:conference_id>/", C.ConferenceDetailView.as_view()),
    path("conferences/<int:conference_id>/acknowledge/", C.AcknowledgeView.as_view()),
    path("conferences/<int:conference_id>/start/", C.ConferenceStartView.as_view()),
    path("conferences/<int:conference_id>/close/", C.ConferenceCloseView.as_view()),
    path("conferences/<int:conference_id>/sign/", C.MinutesSignView.as_view()),
    path("conferences/<int:conference_id>/move/", C.MoveView.as_view()),
    path("conferences/<int:conference_id>/uninvite/", C.UninviteView.as_view()),
    path("conferences/<int:conference_id>/agenda/", C.AgendaView.as_view()),
    path("conferences/<int:conference_id>/agenda/order/", C.AgendaOrderView.as_view()),
    path("conferences/<int:conference_id>/agenda/<int:item_id>/", C.AgendaItemView.as_view()),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/close/",
        C.AgendaItemCloseView.as_view(),
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/decisions/",
        C.DecisionView.as_view(),
    ),
    path(
        "conferences/<int:conference_id>/agenda/<int:item_id>/actions/", C.ActionView.as_view()
    ),
    path("conferences/<int:conference_id>/minutes/", C.MinutesView.as_view()),
    path("conferences/<int:conference_id>/notes/", C.NotesView.as_view()),
    path("conferences/<int:conference_id>/notes/<int:note_id>/", C.NoteDetailView.as_view()),
]

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", agency_api.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", agency_api.LogoutAllView.as_view(), name="api-logout-all"),
    path("auth/tokens/", agency_api.TokenListView.as_view(), name="api-tokens"),
    path(
        "auth/tokens/<int:token_id>/",
        agency_api.TokenDetailView.as_view(),
        name="api-token-detail",
    ),
    path("auth/ws-ticket/", agency_api.WebsocketTicketView.as_view(), name="api-ws-ticket"),
    path("me/", MeView.as_view(), name="api-me"),
    path("referrals/", referral_api.ReferralListView.as_view(), name="api-referral-list"),
    path(
        "referrals/<int:referral_id>/",
        referral_api.ReferralDetailView.as_view(),
        name="api-referral-detail",
    ),
    path(
        "referrals/<int:referral_id>/incidents/",
        referral_api.IncidentCreateView.as_view(),
        name="api-referral-incidents",
    ),
    path(
        "referrals/<int:referral_id>/orders/",
        referral_api.OrderCreateView.as_view(),
        name="api-referral-orders",
    ),
    path(
        "referrals/<int:referral_id>/timeline/",
        referral_api.TimelineView.as_view(),
        name="api-referral-timeline",
    ),
    path(
        "referrals/<int:referral_id>/hearings/",
        referral_api.HearingCreateView.as_view(),
        name="api-referral-hearings",
    ),
    path("tasks/", task_api.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<int:task_id>/", task_api.TaskDetailView.as_view(), name="api-task-detail"),
    path("tasks/<int:task_id>/claim/", task_api.TaskClaimView.as_view(), name="api-task-claim"),
    path(
        "tasks/<int:task_id>/release/", task_api.TaskReleaseView.as_view(), name="api-task-release"
    ),
    path(
        "tasks/<int:task_id>/reassign/",
        task_api.TaskReassignView.as_view(),
        name="api-task-reassign",
    ),
    path(
        "tasks/<int:task_id>/complete/",
        task_api.TaskCompleteView.as_view(),
        name="api-task-complete",
    ),
    path("notifications/", task_api.NotificationListView.as_view(), name="api-notifications"),
    *conference_urls,
    path("audit/events/", audit_api.EventListView.as_view(), name="api-audit-events"),
    path("audit/events/export/", audit_api.ExportView.as_view(), name="api-audit-export"),
    path("audit/access/", audit_api.AccessReportView.as_view(), name="api-audit-access"),
    path("audit/verify/", audit_api.VerifyView.as_view(), name="api-audit-verify"),
    path(
        "notifications/read/",
        task_api.NotificationsReadView.as_view(),
        name="api-notifications-read",
    ),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/<path:rest>", errors.api_not_found),
    path("accounts/2fa/", include(second_factor_urls)),
    path(
        "accounts/",
        AuthViewset(with_profile_view=False, pass_reset_view_class=PasswordResetView).urls,
    ),
    path("members/", include(member_urls)),
    path("admin/", admin.site.urls),
    path("", site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
