"""Erasing the personal data of a case's events while the chain still verifies.

An event keeps its verb, object, time, actor and agency; its reason, changes and recipients
(free text and values that can name people) are emptied, after an `Erasure` row has kept their
SHA-256 digests, which is what the hash of an event sealed in the digest form covers
(`audit.hashing`). The database allows exactly that UPDATE and no other (migration 0008).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import chain
from .events import case_erased_event
from .hashing import ERASED_CHANGES, ERASED_REASON, ERASED_RECIPIENTS, content_digests
from .models import Erasure, Event

CASE_ERASED = "case.erased"
BATCH = 1000


@transaction.atomic
def case_events_erase(
    *,
    referral_id: int,
    actor,
    reason: str = "",
    counts: dict[str, int] | None = None,
) -> int:
    """Erase the personal data of every sealed event of the case; how many were erased.

    Seals first, so that every event of the case committed so far is sealed, and so erased
    here: an event erased before its seal would be sealed over the erased values, and would
    no longer match its erasure's digests. The sealer's lock is then held until this commits,
    so no seal moves under the erasure. Events already erased are left as they are.

    Ends with a `case.erased` event (`reason`, and `counts` with the events' count added: no
    personal data), which is never erased itself.
    """
    chain.seal()
    erased_at = timezone.now()
    erased_by = actor.get_username() if actor is not None else ""
    erased, after = 0, 0
    while True:
        rows = list(
            Event.objects.filter(
                referral_id=referral_id, pk__gt=after, seal__isnull=False, erasure__isnull=True
            )
            .exclude(verb=CASE_ERASED)
            .order_by("pk")
            .values_list("pk", "reason", "changes", "recipients")[:BATCH]
        )
        if not rows:
            break
        erasures = []
        for pk, reason_, changes, recipients in rows:
            reason_digest, changes_digest, recipients_digest = content_digests(
                reason_, changes, recipients
            )
            erasures.append(
                Erasure(
                    event_id=pk,
                    reason_digest=reason_digest,
                    changes_digest=changes_digest,
                    recipients_digest=recipients_digest,
                    erased_at=erased_at,
                    erased_by=erased_by,
                )
            )
        Erasure.objects.bulk_create(erasures)
        Event.objects.filter(pk__in=[row[0] for row in rows]).update(
            reason=ERASED_REASON, changes=ERASED_CHANGES, recipients=ERASED_RECIPIENTS
        )
        erased += len(rows)
        after = rows[-1][0]
    case_erased_event(
        referral_id=referral_id,
        actor=actor,
        reason=reason,
        counts={**(counts or {}), "events": erased},
    )
    return erased
