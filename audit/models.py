"""The decision trail and access log: append-only events, and their seals into one chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    """Something decided, changed or read. Written once by a typed constructor in `audit.events`
    and never changed: the database refuses every UPDATE, DELETE and TRUNCATE (triggers,
    migrations 0003, 0006 and 0008), but one: the erasure of its personal data (`reason`,
    `changes`, `recipients`) once its `Erasure` row holds their digests (`audit.erasure`).

    Shortly after it commits, the sealer gives it its place in the hash chain, a `Seal` of its
    own (`audit.chain.seal`); `seq`, `prev_hash` and `hash` read it (select_related("seal")
    where many are read). Until then they are None and "".
    """

    at = models.DateTimeField(db_index=True)
    # The foreign keys' own indexes would repeat the leading column of (actor, at) and
    # (agency, at) below: every event written, and every seal, would update two more indexes.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    actor_username = models.CharField(max_length=150, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    agency_slug = models.CharField(max_length=60, blank=True)
    verb = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    referral_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["agency", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.verb}"

    @property
    def sealed(self) -> Seal | None:
        try:
            return self.seal
        except Seal.DoesNotExist:
            return None

    @property
    def seq(self) -> int | None:
        return self.sealed.seq if self.sealed else None

    @property
    def prev_hash(self) -> str:
        return self.sealed.prev_hash if self.sealed else ""

    @property
    def hash(self) -> str:
        return self.sealed.hash if self.sealed else ""


class Seal(models.Model):
    """An event's place in the chain: its number (1, 2, 3... in sealing order, no gaps), the
    previous event's hash and its own, the SHA-256 of that and its canonical content.

    A table of its own, written once like the events, so that sealing inserts one narrow row
    instead of updating the event (an UPDATE would write a new version of the row and of each
    of the trail's indexes, the number's among them).
    """

    event = models.OneToOneField(
        Event, primary_key=True, on_delete=models.PROTECT, related_name="seal"
    )
    seq = models.BigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_seal"

    def __str__(self) -> str:
        return f"seal {self.seq} of event #{self.event_id}"


class ChainHead(models.Model):
    """The last sealed event: one row, locked by the sealer while it extends the chain.

    `digest_form_from` is the first seq sealed in the digest form (`audit.chain.canonical`):
    the events sealed before it keep the form they were sealed in, so their hashes and the
    anchors exported of them stay valid. Set once, by migration 0008; never moved.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    digest_form_from = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"chain head at {self.seq}"


class Erasure(models.Model):
    """An event whose personal data was erased: the SHA-256 digests its seal was computed from
    (`audit.chain.content_digests`) of the reason, changes and recipients it had.

    Written once, just before the one UPDATE the database allows of an event: setting those
    three columns to "", {"erased": true} and [] (migration 0008). Append-only like the events.
    """

    event = models.OneToOneField(
        Event, primary_key=True, on_delete=models.PROTECT, related_name="erasure"
    )
    reason_digest = models.CharField(max_length=64)
    changes_digest = models.CharField(max_length=64)
    recipients_digest = models.CharField(max_length=64)
    erased_at = models.DateTimeField()
    erased_by = models.CharField(max_length=150, blank=True)

    class Meta:
        db_table = "audit_erasure"

    def __str__(self) -> str:
        return f"erasure of event #{self.event_id}"


class PendingSeal(models.Model):
    """An event committed and not yet sealed: the sealer's queue.

    Written by the database itself, in the transaction that inserts the event (a trigger on the
    events table, migration 0005: every way of writing an event is covered), and deleted by the
    sealer in the transaction that seals it. A partial index of unsealed events on the events
    table would keep a dead entry for each seal until a VACUUM of the whole trail, so that
    finding the few unsealed events would walk ever more pages; this table stays a few rows
    long and is vacuumed on its own.
    """

    event_id = models.BigIntegerField(primary_key=True)

    class Meta:
        db_table = "audit_pending_seal"

    def __str__(self) -> str:
        return f"event {self.event_id} awaiting its seal"
