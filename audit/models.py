"""The decision trail and access log: one append-only table of events."""

from django.conf import settings
from django.db import models


class Event(models.Model):
    """Something decided, changed or read. Written once by a typed constructor in `audit.events`.

    Rows are sealed into one hash chain shortly after they commit (`audit.chain.seal`): the
    sealer gives each its `seq` (1, 2, 3... in sealing order, no gaps) and `hash`, the SHA-256
    of its canonical content and the previous event's hash. The database refuses every other
    UPDATE, every DELETE and TRUNCATE (triggers, see migration 0003).
    """

    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
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


class ChainHead(models.Model):
    """The last sealed event: one row, locked by the sealer while it extends the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain head at {self.seq}"


class PendingSeal(models.Model):
    """An event committed and not yet sealed: the sealer's queue.

    Written by the database itself, in the transaction that inserts the event (a trigger on the
    events table, migration 0005: every way of writing an event is covered), and deleted by the
    sealer in the transaction that seals it. The sealer used to find its work with a partial
    index of unsealed events on the events table; each seal left a dead entry there that only a
    VACUUM of the whole trail removes, which PostgreSQL runs once a fifth of the table has
    changed: at 5 million events, after one benchmark run, every seal round walked 653 index
    pages holding no live entry to find the few unsealed events, a walk growing with the trail
    until that vacuum (bench/README.md). This table stays a few rows long and is vacuumed on its
    own.
    """

    event_id = models.BigIntegerField(primary_key=True)

    class Meta:
        db_table = "audit_pending_seal"

    def __str__(self) -> str:
        return f"event {self.event_id} awaiting its seal"
