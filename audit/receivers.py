"""The trail's record of what agencies announce (`agencies.signals`).

Agencies sit below the trail and do not write it; each receiver here writes the event of one
announcement. They run inside the transaction of the change announced (signals are sent
synchronously), so the event commits or rolls back with it. Connected in `AuditConfig.ready`.
"""

from . import events


def record_member_created(sender, *, membership, actor=None, **kwargs) -> None:
    events.member_created_event(membership=membership, actor=actor)


def record_api_token_issued(sender, *, token, actor, **kwargs) -> None:
    events.api_token_issued_event(token=token, actor=actor)


def record_api_tokens_ended(sender, *, user, tokens, why, actor=None, **kwargs) -> None:
    events.api_tokens_ended_event(user=user, tokens=tokens, why=why, actor=actor)


def record_second_factor_enrolled(sender, *, user, method, **kwargs) -> None:
    events.second_factor_enrolled_event(user=user, method=method)


def record_recovery_codes_issued(sender, *, user, **kwargs) -> None:
    events.recovery_codes_issued_event(user=user)


def record_second_factor_reset(sender, *, membership, actor, reason, devices, **kwargs) -> None:
    events.second_factor_reset_event(membership=membership, actor=actor, reason=reason,
                                     devices=devices)


def record_sharing_agreement_recorded(sender, *, agreement, actor, **kwargs) -> None:
    events.sharing_agreement_created_event(agreement=agreement, actor=actor)


def record_sharing_agreement_changed(sender, *, agreement, actor, changes, **kwargs) -> None:
    events.sharing_agreement_updated_event(agreement=agreement, actor=actor, changes=changes)
