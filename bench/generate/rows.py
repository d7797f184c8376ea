"""Writing generated rows in bulk: ids chosen up front, historical timestamps, batched inserts.

Ids are handed out here rather than by the database so that rows can point at each other before
any is written, and so that the same seed gives the same ids on an empty database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

BATCH = 2000


class Ids:
    """The next free primary key of each table, starting after what the database holds."""

    def __init__(self) -> None:
        self._last: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model]) -> int:
        root = _root(model)
        if root not in self._last:
            self._last[root] = root._base_manager.aggregate(m=Max("pk"))["m"] or 0
        self._last[root] += 1
        return self._last[root]

    def models(self) -> list[type[models.Model]]:
        return list(self._last)


def _root(model: type[models.Model]) -> type[models.Model]:
    """The table a multi-table-inherited model takes its ids from."""
    parents = [p for p in model._meta.get_parent_list() if not p._meta.abstract]
    return parents[-1] if parents else model


@contextmanager
def historical_timestamps() -> Iterator[None]:
    """Let `auto_now`/`auto_now_add` fields keep the times the generator gives them."""
    changed = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                changed.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in changed:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Rows:
    """Rows waiting to be written, by model, flushed in the order their models were first added."""

    def __init__(self) -> None:
        self.pending: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.written: dict[str, int] = defaultdict(int)

    def add(self, obj: models.Model) -> models.Model:
        self.pending[type(obj)].append(obj)
        return obj

    def written_total(self) -> int:
        return sum(self.written.values())

    def flush(self) -> None:
        for model, objs in self.pending.items():
            if objs:
                insert(model, objs)
                self.written[model._meta.label] += len(objs)
        self.pending.clear()


def insert(model: type[models.Model], objs: list[models.Model]) -> None:
    """bulk_create in batches; a multi-table-inherited model writes each of its tables in turn
    (bulk_create refuses those), parent first, from the same instances."""
    chain = [p for p in reversed(model._meta.get_parent_list()) if not p._meta.abstract]
    if not chain:
        model._base_manager.bulk_create(objs, batch_size=BATCH)
        return
    for table_model in [*chain, model]:
        fields = list(table_model._meta.local_concrete_fields)
        for start in range(0, len(objs), BATCH):
            table_model._base_manager._insert(objs[start : start + BATCH], fields=fields)


def reset_sequences(models_: list[type[models.Model]]) -> None:
    """Move each table's id sequence past the ids handed out here."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)
