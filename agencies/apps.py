from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from .receivers import end_tokens_on_password_change_or_deactivation

        post_save.connect(
            end_tokens_on_password_change_or_deactivation,
            sender=get_user_model(),
            dispatch_uid="agencies.end_tokens",
        )
