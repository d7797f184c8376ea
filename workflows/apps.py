from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self) -> None:
        # The worker tasks register which of them runs each deferred function (`deferred`).
        from privacy.erasure import case_eraser_register

        from . import tasks  # noqa: F401
        from .erasure import case_work_erase

        # Erasing a case's personal data erases its task work too (privacy may not import this
        # app, which is above it).
        case_eraser_register("workflows", case_work_erase)
