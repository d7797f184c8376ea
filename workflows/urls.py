"""The task API's URLs (under api/v1/), and the task pages' place in the Material shell:
/workspace/tasks/..."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies import policy
from agencies.selectors import membership_of

from . import api, views

api_urlpatterns = [
    path("tasks/", api.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<int:task_id>/", api.TaskDetailView.as_view(), name="api-task-detail"),
    path("tasks/<int:task_id>/claim/", api.TaskClaimView.as_view(), name="api-task-claim"),
    path("tasks/<int:task_id>/release/", api.TaskReleaseView.as_view(), name="api-task-release"),
    path("tasks/<int:task_id>/reassign/", api.TaskReassignView.as_view(), name="api-task-reassign"),
    path("tasks/<int:task_id>/complete/", api.TaskCompleteView.as_view(), name="api-task-complete"),
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read/",
        api.NotificationsReadView.as_view(),
        name="api-notifications-read",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        api.NotificationReadView.as_view(),
        name="api-notification-read",
    ),
]


class TasksViewset(AppMenuMixin, Viewset):
    title = "Tasks"
    icon = "assignment"
    index_path = path("", views.TaskInboxView.as_view(), name="index")
    notifications_path = path(
        "notifications/", views.NotificationListView.as_view(), name="notifications"
    )
    notifications_read_path = path(
        "notifications/read/", views.NotificationsReadView.as_view(), name="notifications_read"
    )
    notification_read_path = path(
        "notifications/<int:notification_id>/read/",
        views.NotificationReadView.as_view(),
        name="notification_read",
    )
    detail_path = path("<int:task_id>/", views.TaskDetailView.as_view(), name="detail")
    claim_path = path("<int:task_id>/claim/", views.TaskClaimView.as_view(), name="claim")
    release_path = path("<int:task_id>/release/", views.TaskReleaseView.as_view(), name="release")

    def has_view_permission(self, user, obj=None):
        return policy.may(membership_of(user), "claim_task")
