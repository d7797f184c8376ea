from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Decision trail"

    def ready(self) -> None:
        from agencies import signals

        from . import receivers

        for signal, receiver in (
            (signals.member_created, receivers.record_member_created),
            (signals.api_token_issued, receivers.record_api_token_issued),
            (signals.api_tokens_ended, receivers.record_api_tokens_ended),
            (signals.second_factor_enrolled, receivers.record_second_factor_enrolled),
            (signals.recovery_codes_issued, receivers.record_recovery_codes_issued),
            (signals.second_factor_reset, receivers.record_second_factor_reset),
            (signals.sharing_agreement_recorded, receivers.record_sharing_agreement_recorded),
            (signals.sharing_agreement_changed, receivers.record_sharing_agreement_changed),
        ):
            signal.connect(receiver, dispatch_uid=f"audit.{receiver.__name__}")
