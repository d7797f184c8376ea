"""The decision trail the generated history would have left, written already sealed.

Events are collected per batch of cases, put in time order, numbered after the chain's head,
hashed with `audit.chain.digest` and inserted with their seals; the database's queue trigger
queues them for sealing as it queues every event, so the same statement takes them off it
again. The head moves to the last one. The result
verifies with `audit_verify` exactly as a trail sealed by the application does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from django.db import connection, models
from psycopg2.extras import execute_values

from audit import chain
from audit.models import ChainHead, Event, PendingSeal, Seal

from .rows import BATCH, Ids

# The columns written, in order; `digest` reads the same names off each pending event.
COLUMNS = ("id", "at", "actor_id", "actor_username", "agency_id", "agency_slug", "verb",
           "object_type", "object_id", "referral_id", "reason", "changes", "recipients",
           "request_id")
SEAL_COLUMNS = ("event_id", "seq", "prev_hash", "hash")
JSON_COLUMNS = ("changes", "recipients")


class Trail:
    def __init__(self, ids: Ids) -> None:
        chain.seal()  # anything already written joins the chain first
        head = ChainHead.objects.filter(pk=1).first()
        self.seq, self.prev = (head.seq, head.hash) if head else (0, chain.GENESIS)
        # Sealed in the form the chain head names for these seqs (`audit.hashing.digest`).
        self.digest_form_from = head.digest_form_from if head else 1
        self.ids = ids
        self.pending: list[SimpleNamespace] = []
        self.written = 0

    def record(
        self,
        *,
        verb: str,
        at: datetime,
        actor: Any = None,
        agency: Any = None,
        obj: models.Model | None = None,
        referral_id: int | None = None,
        reason: str = "",
        changes: dict | None = None,
        recipients: list[str] | None = None,
    ) -> None:
        """Like `audit.events._record`; `actor` is a `people.Member`, `at` an aware time."""
        if agency is None and actor is not None:
            agency = actor.agency
        self.pending.append(SimpleNamespace(
            at=at.astimezone(UTC),  # hashed as the database gives it back: in UTC
            actor_id=actor.id if actor is not None else None,
            actor_username=actor.username if actor is not None else "",
            agency_id=agency.pk if agency is not None else None,
            agency_slug=agency.slug if agency is not None else "",
            verb=verb,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            referral_id=referral_id,
            reason=reason,
            changes=changes or {},
            recipients=recipients or [],
            request_id="",
        ))

    def seal(self) -> int:
        """Number, hash and insert the pending events in time order.

        The most numerous rows by far, so written as plain tuples rather than model instances:
        `chain.digest` needs only the attributes, and the insert only the values.
        """
        batch = sorted(self.pending, key=lambda e: e.at)
        values, seals = [], []
        for event in batch:
            self.seq += 1
            event.id = self.ids.take(Event)
            hash_ = chain.digest(event, self.seq, self.prev, digest_form_from=self.digest_form_from)
            seals.append((event.id, self.seq, self.prev, hash_))
            self.prev = seals[-1][-1]
            values.append(tuple(
                json.dumps(getattr(event, c)) if c in JSON_COLUMNS else getattr(event, c)
                for c in COLUMNS
            ))
        # Table and column names are this module's constants, not input.
        events = f"INSERT INTO {Event._meta.db_table} ({', '.join(COLUMNS)}) VALUES %s"  # noqa: S608
        sealed = (f"WITH sealed AS (INSERT INTO {Seal._meta.db_table} ({', '.join(SEAL_COLUMNS)})"  # noqa: S608
                  f" VALUES %s RETURNING event_id) DELETE FROM {PendingSeal._meta.db_table}"
                  " WHERE event_id IN (SELECT event_id FROM sealed)")
        with connection.cursor() as cursor:
            execute_values(cursor.cursor, events, values, page_size=BATCH)
            execute_values(cursor.cursor, sealed, seals, page_size=BATCH)
        ChainHead.objects.update_or_create(pk=1, defaults={"seq": self.seq, "hash": self.prev})
        self.pending = []
        self.written += len(batch)
        return len(batch)
