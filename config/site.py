"""The Material application shell (viewflow's frontend): one site, its applications and menus."""

from django.urls import include, path
from viewflow.urls import Application, AppMenuMixin, Site, Viewset

from agencies import policy
from agencies import views as agency_views
from agencies.selectors import membership_of
from agencies.views import AccessView, ApiTokensView, HomeView
from audit.urls import AuditViewset
from conferences import views as conference_views
from evidence import urls as evidence_urls
from interventions import urls as intervention_urls
from justice import urls as justice_urls
from orders import urls as order_urls
from privacy.urls import RetentionViewset, SubjectAccessViewset
from referral import disclosure_views
from referral import views as referral_views
from reports.urls import ReportsViewset
from victims import urls as victim_urls
from workflows.urls import TasksViewset


class HomeViewset(AppMenuMixin, Viewset):
    title = "Home"
    icon = "dashboard"
    index_path = path("", HomeView.as_view(), name="index")
    tokens_path = path("api-tokens/", ApiTokensView.as_view(), name="api_tokens")


class AccessViewset(AppMenuMixin, Viewset):
    """My access: what the member's agency may see and what the member may do."""

    title = "My access"
    icon = "verified_user"
    index_path = path("", AccessView.as_view(), name="index")


class SharingViewset(AppMenuMixin, Viewset):
    """Information-sharing agreements: every member reads its agency's."""

    title = "Sharing agreements"
    icon = "handshake"
    index_path = path("", agency_views.AgreementListView.as_view(), name="index")
    new_path = path("new/", agency_views.AgreementCreateView.as_view(), name="new")
    detail_path = path(
        "<int:agreement_id>/", agency_views.AgreementDetailView.as_view(), name="detail"
    )
    edit_path = path(
        "<int:agreement_id>/edit/", agency_views.AgreementEditView.as_view(), name="edit"
    )

    def has_view_permission(self, user, obj=None):
        return membership_of(user) is not None


class ReferralViewset(AppMenuMixin, Viewset):
    title = "Referrals"
    icon = "folder_shared"
    index_path = path("", referral_views.ReferralListView.as_view(), name="index")
    new_path = path("new/", referral_views.ReferralCreateView.as_view(), name="new")
    local_policy_path = path(
        "local-policy/", referral_views.LocalPolicyView.as_view(), name="local_policy"
    )
    detail_path = path(
        "<int:referral_id>/", referral_views.ReferralDetailView.as_view(), name="detail"
    )
    timeline_path = path(
        "<int:referral_id>/timeline/",
        referral_views.ReferralTimelineView.as_view(),
        name="timeline",
    )
    case_file_pdf_path = path(
        "<int:referral_id>/case-file.pdf",
        referral_views.CaseFilePdfView.as_view(),
        name="case_file_pdf",
    )
    incident_new_path = path(
        "<int:referral_id>/incidents/new/",
        referral_views.IncidentCreateView.as_view(),
        name="incident_new",
    )
    breach_new_path = path(
        "<int:referral_id>/breaches/new/",
        referral_views.BreachCreateView.as_view(),
        name="breach_new",
    )
    order_new_path = path(
        "<int:referral_id>/orders/new/",
        referral_views.OrderCreateView.as_view(),
        name="order_new",
    )
    hearing_new_path = path(
        "<int:referral_id>/hearings/new/",
        referral_views.HearingCreateView.as_view(),
        name="hearing_new",
    )
    conference_referral_new_path = path(
        "<int:referral_id>/conference-referral/new/",
        referral_views.ConferenceReferralCreateView.as_view(),
        name="conference_referral_new",
    )
    identifier_new_path = path(
        "<int:referral_id>/identifiers/new/",
        referral_views.IdentifierCreateView.as_view(),
        name="identifier_new",
    )
    screening_edit_path = path(
        "<int:referral_id>/screening/edit/",
        referral_views.ScreeningUpdateView.as_view(),
        name="screening_edit",
    )
    sharing_path = path(
        "<int:referral_id>/sharing/", disclosure_views.SharingView.as_view(), name="sharing"
    )
    share_new_path = path(
        "<int:referral_id>/sharing/new/", disclosure_views.ShareView.as_view(), name="share_new"
    )
    disclosure_authorise_path = path(
        "<int:referral_id>/sharing/<int:disclosure_id>/authorise/",
        disclosure_views.SharingView.as_view(),
        name="disclosure_authorise",
    )
    # What happened after referral, each app's forms under the case.
    justice_path = path("<int:referral_id>/", include(justice_urls.page_urlpatterns))
    orders_path = path("<int:referral_id>/", include(order_urls.page_urlpatterns))
    interventions_path = path("<int:referral_id>/", include(intervention_urls.page_urlpatterns))
    victims_path = path("<int:referral_id>/", include(victim_urls.page_urlpatterns))
    evidence_path = path("<int:referral_id>/", include(evidence_urls.page_urlpatterns))

    def has_view_permission(self, user, obj=None):
        return policy.sees_case_content(membership_of(user))


class ConferenceViewset(AppMenuMixin, Viewset):
    title = "Case conferences"
    icon = "groups"
    index_path = path("", conference_views.ConferenceListView.as_view(), name="index")
    new_path = path("new/", conference_views.ScheduleView.as_view(), name="new")
    meeting_path = path(
        "<int:conference_id>/", conference_views.MeetingView.as_view(), name="meeting"
    )
    edit_path = path(
        "<int:conference_id>/edit/", conference_views.EditView.as_view(), name="edit"
    )
    cancel_path = path(
        "<int:conference_id>/cancel/", conference_views.CancelView.as_view(), name="cancel"
    )
    agenda_path = path(
        "<int:conference_id>/agenda/", conference_views.AgendaView.as_view(), name="agenda"
    )
    minutes_path = path(
        "<int:conference_id>/minutes/", conference_views.MinutesView.as_view(), name="minutes"
    )

    def has_view_permission(self, user, obj=None):
        return policy.can_read(membership_of(user), "notes")


class Workspace(Application):
    title = "Workspace"
    icon = "work"
    app_name = "workspace"
    viewsets = [
        HomeViewset(app_name="home"),
        ReferralViewset(app_name="referrals"),
        TasksViewset(app_name="tasks"),
        ConferenceViewset(app_name="conferences"),
        AuditViewset(app_name="audit"),
        ReportsViewset(app_name="reports"),
        SubjectAccessViewset(app_name="subject-access"),
        RetentionViewset(app_name="retention"),
        SharingViewset(app_name="sharing"),
        AccessViewset(app_name="access"),
    ]


site = Site(
    title="Concord", primary_color="#37474f", secondary_color="#00796b", viewsets=[Workspace()]
)
