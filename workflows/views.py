"""Pages for tasks in the Material shell."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views import View


class TaskPageView(LoginRequiredMixin, View):
    """viewflow's route for a task sends people to Concord's own task page."""

    def get(self, request, *args, task_pk=None, **kwargs):
        return redirect("workspace:tasks:detail", task_id=task_pk)
