"""The task pages' place in the Material shell: /workspace/tasks/..."""

from django.urls import path
from viewflow.urls import AppMenuMixin, Viewset

from agencies import policy
from agencies.selectors import membership_of

from . import views


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
    detail_path = path("<int:task_id>/", views.TaskDetailView.as_view(), name="detail")
    claim_path = path("<int:task_id>/claim/", views.TaskClaimView.as_view(), name="claim")
    release_path = path("<int:task_id>/release/", views.TaskReleaseView.as_view(), name="release")

    def has_view_permission(self, user, obj=None):
        return policy.may(membership_of(user), "claim_task")
