from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self) -> None:
        # The worker tasks register which of them runs each deferred function (`deferred`).
        from . import tasks  # noqa: F401
