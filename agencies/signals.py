"""What agencies announce: members made, API tokens issued and ended, second factors enrolled,
recovery codes issued, second factors reset, and information-sharing agreements recorded
and changed.

The trail sits above agencies (config < agencies < audit): agencies does not write it, it
announces, and the trail records. `audit.receivers` connects a receiver to each of these signals
that writes its event. They are sent with `send`, inside the service's transaction, so the event
is written in the same transaction as the change: if writing it fails, the change is rolled back
with it, and a change is never committed without its event.

Each signal's keyword arguments are named beside it.
"""

from django.dispatch import Signal

member_created = Signal()  # membership, actor
api_token_issued = Signal()  # token, actor
api_tokens_ended = Signal()  # user, tokens (their ids), why, actor
second_factor_enrolled = Signal()  # user, method ("totp" or "webauthn")
recovery_codes_issued = Signal()  # user
second_factor_reset = Signal()  # membership, actor, reason, devices (how many were removed)
sharing_agreement_recorded = Signal()  # agreement, actor
sharing_agreement_changed = Signal()  # agreement, actor, changes ({field: {before, after}})
