from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and people"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from . import receivers
        from .models import Agency, ApiToken, Membership

        user = get_user_model()
        post_save.connect(
            receivers.end_tokens_on_password_change_or_deactivation,
            sender=user,
            dispatch_uid="agencies.end_tokens",
        )
        for signal, receiver, sender in (
            (post_delete, receivers.forget_ended_token, ApiToken),
            (post_save, receivers.forget_changed_token, ApiToken),
            (post_save, receivers.forget_tokens_of_saved_user, user),
            (post_save, receivers.forget_tokens_of_saved_membership, Membership),
            (post_save, receivers.forget_tokens_of_saved_agency, Agency),
        ):
            signal.connect(
                receiver, sender=sender,
                dispatch_uid=f"agencies.{receiver.__name__}",
            )
