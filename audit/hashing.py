"""What an event's hash covers, in its two forms, and the hash itself (`audit.chain` numbers
and links the events; this module says what each number's hash is computed from)."""

from __future__ import annotations

import hashlib
import json
from collections import namedtuple

from .models import Event

GENESIS = "0" * 64

# The event's fields a hash covers (besides its number).
CANONICAL = (
    "at",
    "actor_username",
    "agency_slug",
    "verb",
    "object_type",
    "object_id",
    "referral_id",
    "reason",
    "changes",
    "recipients",
    "request_id",
)

# An event's hashed content as the verifier reads it (`canonical` takes either).
_Content = namedtuple("_Content", CANONICAL)

# What an erasure leaves in the three columns it empties (`audit.erasure`, migration 0008).
ERASED_REASON = ""
ERASED_CHANGES = {"erased": True}
ERASED_RECIPIENTS: list = []


def _json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode()


def content_digests(reason: str, changes, recipients) -> tuple[str, str, str]:
    """The SHA-256 hex digests of an event's reason, changes and recipients (the two JSON
    values as canonical JSON: sorted keys, no spaces), which its hash covers in the digest
    form instead of the values, so that the values can be erased and the hash still checked."""
    return (
        hashlib.sha256(reason.encode()).hexdigest(),
        hashlib.sha256(_json(changes)).hexdigest(),
        hashlib.sha256(_json(recipients)).hexdigest(),
    )


def canonical(
    event: Event | _Content, seq: int, *, digests: tuple[str, str, str] | None = None
) -> bytes:
    """The content a hash covers, with the event's number, as canonical JSON (sorted keys, no
    spaces).

    Two forms: with `digests` None, the event's reason, changes and recipients as they are
    (the form of the events sealed before `ChainHead.digest_form_from`); otherwise the digest
    form, in which those three are the given digests (`content_digests`)."""
    if digests is None:
        reason, changes, recipients = event.reason, event.changes, event.recipients
    else:
        reason, changes, recipients = digests
    body = {
        "seq": seq,
        "at": event.at.isoformat(),
        "actor": event.actor_username,
        "agency": event.agency_slug,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "referral": event.referral_id,
        "reason": reason,
        "changes": changes,
        "recipients": recipients,
        "request_id": event.request_id,
    }
    return _json(body)


def digest(
    event: Event | _Content,
    seq: int,
    prev_hash: str,
    *,
    digest_form_from: int,
    erased: tuple[str, str, str] | None = None,
) -> str:
    """The hash of an event at `seq` after `prev_hash`: in the digest form from
    `digest_form_from` on (the chain head's), taking the digests of its content, or `erased`,
    the digests its `Erasure` kept, when its content was erased."""
    if seq < digest_form_from:
        body = canonical(event, seq)
    else:
        digests = erased or content_digests(event.reason, event.changes, event.recipients)
        body = canonical(event, seq, digests=digests)
    return hashlib.sha256(prev_hash.encode() + body).hexdigest()
