"""Querysets built and compiled once per process, then run with new values.

On the hottest reads (the member's membership on every request, an agency's referral list,
one referral) Django spent more time building and compiling the queryset than PostgreSQL spent
running it: cloning querysets, resolving the visibility EXISTS and its subquery, quoting every
column (bench/README.md, "What the figures say"). The SQL only differs by a few values, so a
`CompiledQuery` builds the queryset once with placeholder values, keeps the SQL and where each
value sits among its parameters, and afterwards only swaps the values in. Rows come back through
the compiler's own converters and populators, so they are what the queryset would have given.

Only plain equality on declared values is safe to compile this way: a builder must not branch
on its arguments (what it builds must not depend on them), and every argument must reach the SQL
as a parameter of its own. `CompiledQuery` checks the second when it compiles.

Look-ups by key (`prepare="name"`: a membership, one case and what hangs off it) are also
prepared on PostgreSQL: from their second use on a connection they run as `EXECUTE name (...)` of
a statement PostgreSQL planned once for that connection. Planning was most of their cost: the
case detail's query took 2.1 ms to plan against 0.2 ms to run (bench/README.md). Only key look-ups:
a prepared statement may settle on one plan for every value, which is right when every value
finds a row or a handful, not for an agency's list, whose size varies by agency. Only the declared
values are the statement's parameters: what the builder fixed (a status, task types) and the page
(LIMIT and OFFSET: a paged look-up prepares one statement per page it is asked for, in practice the
first row) are written into it as literals. As parameters, PostgreSQL cannot see them when it
weighs one plan for every value against planning each run, and it kept planning the completed
case work and a meeting's attendance on every run, 0.13 to 0.23 ms each time (bench/README.md).
Statements are prepared on the driver's own cursor, like the session settings Django sends on
connecting, so query counts and captured queries show the `EXECUTE` alone (`as_text` gives back
its SQL). Set PREPARED_STATEMENTS=false behind a pooler that shares sessions between clients
(PgBouncer in transaction mode).
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from threading import Lock
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

# Placeholders: values no real row carries, inside a 32-bit column's range (Django drops a
# comparison with an out-of-range integer from the SQL altogether).
_INT_PLACEHOLDER = -2_000_000_000
_STR_PLACEHOLDER = "\x1fcompiled:{name}\x1f"
# What a key column (bigint) can hold. A value outside it matches no row: Django's own look-ups
# drop such a comparison, and a prepared statement would raise `bigint out of range` on it (an
# id from a URL is any number of digits).
_BIGINT = range(-(2**63), 2**63)


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]
    compiler: SQLCompiler
    names: tuple[str, ...]  # the columns of a `.values()` queryset; empty for model rows
    converters: dict  # the compiler's own, worked out once (results_iter did so on every run)
    columns: list

    @cached_property
    def variables(self) -> tuple[int, ...]:
        """The positions among the parameters of the declared values, in order."""
        return tuple(sorted(p for positions in self.slots.values() for p in positions))

    def results(self, fetched: list) -> list:
        """Rows as `SQLCompiler.results_iter` gives them."""
        rows = fetched
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.compiler.has_composite_fields(self.columns):
            rows = self.compiler.composite_fields_to_tuples(rows, self.columns)
        return list(rows)


@dataclass
class _Session:
    """What one database connection has prepared, and how often it ran the others."""

    prepared: set[str] = field(default_factory=set)
    uses: Counter = field(default_factory=Counter)


# The driver's connection objects (each thread has its own) -> their _Session.
_sessions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_sessions_lock = Lock()
_prepared_names: dict[str, CompiledQuery] = {}
PREPARE_ON_USE = 2  # a connection used for one request (ASGI) never prepares


# An `EXECUTE` of one of ours: its statement's name, `_page<limit>_<offset>` for a paged form,
# its arguments (the declared values only).
_EXECUTE = re.compile(r"EXECUTE (concord_\w+?)(_page(\d+)_(\d+))?( \(.*\))?", flags=re.DOTALL)


def _executed(sql: str) -> tuple[str, _Plan, tuple[int, int] | None] | None:
    """The statement's name, plan and page an `EXECUTE` of ours runs (None for other SQL)."""
    match = _EXECUTE.fullmatch(sql)
    if match is None:
        return None
    plan = _prepared_names[match.group(1)]._plan(connections["default"])
    page = (int(match.group(3)), int(match.group(4))) if match.group(2) else None
    return _statement_name(match.group(1), page), plan, page


def as_text(sql: str, params=None) -> tuple[str, list]:
    """The SQL and parameters an `EXECUTE` of a prepared statement stands for (other SQL as it
    is): for the benchmark's raw-SQL floors, which replay what a request ran. Without the
    EXECUTE's arguments, the parameters are the compiled ones (placeholders for the values)."""
    executed = _executed(sql)
    if executed is None:
        return sql, list(params or ())
    _, plan, page = executed
    full = list(plan.params)
    if params:
        for position, value in zip(plan.variables, params, strict=True):
            full[position] = value
    if page is None:
        return plan.sql, full
    return plan.sql + " LIMIT %s OFFSET %s", [*full, *page]


def preparing(sql: str) -> str | None:
    """The `PREPARE` that an `EXECUTE` of ours needs on another connection (None for other
    SQL): the benchmark's floors run a request's statements the way the request sent them."""
    executed = _executed(sql)
    if executed is None:
        return None
    name, plan, page = executed
    return _prepare(name, _statement_text(plan, page, connections["default"]))


def _statement_name(statement: str, page: tuple[int, int] | None) -> str:
    return statement if page is None else f"{statement}_page{page[0]}_{page[1]}"


def _prepare(name: str, text: str) -> str:
    return f"PREPARE {name} AS {text}"


def _statement_text(plan: _Plan, page: tuple[int, int] | None, connection) -> str:
    """The plan's SQL as a statement to prepare: `$1, $2...` for its declared values, in order;
    what the builder fixed, and the page, as literals (quoted by the driver); `%%` as `%`."""
    variables = set(plan.variables)
    literals = {position: connection.ops.compose_sql("%s", [value])
                for position, value in enumerate(plan.params) if position not in variables}
    positions, numbers = iter(range(10_000)), iter(range(1, 10_000))

    def placeholder(match: re.Match) -> str:
        if match.group(1) == "%":
            return "%"
        position = next(positions)
        return literals[position] if position in literals else f"${next(numbers)}"

    text = re.sub(r"%([%s])", placeholder, plan.sql)
    if page is not None:
        text += f" LIMIT {page[0]:d} OFFSET {page[1]:d}"
    return text


class CompiledQuery:
    """`build(**values)` -> QuerySet, compiled on first use per database, run by `rows`/`objects`.

    `kinds` names each value and its type (`int` or `str`), e.g.
    `CompiledQuery(lambda slug: Agency.objects.filter(slug=slug), slug=str)`. `prepare` names the
    statement for a look-up by key (see above), e.g. `prepare="agency"`.
    """

    def __init__(self, build: Callable[..., QuerySet], *, prepare: str | None = None,
                 **kinds: type) -> None:
        unknown = {name: kind for name, kind in kinds.items() if kind not in (int, str)}
        if unknown:
            raise TypeError(f"CompiledQuery takes int and str values, not {unknown}")
        self.build, self.kinds = build, kinds
        self._plans: dict[tuple[str, str], _Plan] = {}
        self._lock = Lock()
        self.statement = None
        if prepare is not None:
            if not re.fullmatch(r"[a-z][a-z_]*", prepare):
                raise ValueError(f"name a prepared statement in lower case, not {prepare!r}")
            self.statement = f"concord_{prepare}"
            if self.statement in _prepared_names:
                raise ValueError(f"a statement is already prepared as {prepare!r}")
            _prepared_names[self.statement] = self

    # --- Running --------------------------------------------------------------------------

    def rows(self, *, using: str = "default", limit: int | None = None, offset: int = 0,
             **values: Any) -> list[dict]:
        """A `.values()` queryset's rows, as dicts; `limit`/`offset` page them."""
        plan, compiler_rows = self._run(using, limit, offset, values)
        if not plan.names:
            raise TypeError("rows() is for a .values() queryset; use objects()")
        return [dict(zip(plan.names, row, strict=True)) for row in compiler_rows]

    def objects(self, *, using: str = "default", limit: int | None = None, offset: int = 0,
                **values: Any) -> list:
        """A model queryset's instances, with what it `select_related`."""
        plan, compiler_rows = self._run(using, limit, offset, values)
        if plan.names:
            raise TypeError("objects() is for a model queryset; use rows()")
        compiler = plan.compiler
        klass_info, select = compiler.klass_info, compiler.select
        model, fields = klass_info["model"], klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        attnames = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        found = []
        for row in compiler_rows:
            instance = model.from_db(using, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in compiler.annotation_col_map.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _run(self, using: str, limit: int | None, offset: int, values: dict):
        if values.keys() != self.kinds.keys():
            raise TypeError(f"expected values for {sorted(self.kinds)}, got {sorted(values)}")
        connection = connections[using]
        plan = self._plan(connection)
        params = list(plan.params)
        for name, positions in plan.slots.items():
            value = self.kinds[name](values[name])
            if type(value) is int and value not in _BIGINT:
                return plan, []
            for position in positions:
                params[position] = value
        sql = plan.sql
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [int(limit), int(offset)]
        if self.statement is not None and connection.vendor == "postgresql":
            page = None if limit is None else (int(limit), int(offset))
            sql, params = self._prepared(connection, plan, sql, params, page)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return plan, plan.results(fetched)

    def _prepared(self, connection, plan: _Plan, sql: str, params: list,
                  page: tuple[int, int] | None) -> tuple[str, list]:
        """`sql` and `params`, or from its second use on this connection the `EXECUTE` of it
        prepared, with the declared values alone."""
        if not settings.PREPARED_STATEMENTS:
            return sql, params
        # The health check first: a connection it replaces has none of our statements.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        driver = connection.connection
        with _sessions_lock:
            session = _sessions.get(driver) or _sessions.setdefault(driver, _Session())
        name = _statement_name(self.statement, page)
        if name not in session.prepared:
            session.uses[name] += 1
            if session.uses[name] < PREPARE_ON_USE:
                return sql, params
            with driver.cursor() as cursor:
                cursor.execute(_prepare(name, _statement_text(plan, page, connection)))
            session.prepared.add(name)
        values = [params[position] for position in plan.variables]
        arguments = f" ({', '.join(['%s'] * len(values))})" if values else ""
        return f"EXECUTE {name}{arguments}", values

    # --- Compiling ------------------------------------------------------------------------

    def _plan(self, connection) -> _Plan:
        key = (connection.alias, connection.vendor)
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or self._compile(connection)
                self._plans[key] = plan
        return plan

    def _compile(self, connection) -> _Plan:
        placeholders = {
            name: (_INT_PLACEHOLDER + n if kind is int else _STR_PLACEHOLDER.format(name=name))
            for n, (name, kind) in enumerate(self.kinds.items())
        }
        queryset = self.build(**placeholders)
        query = queryset.query
        if query.low_mark or query.high_mark is not None:
            raise ValueError("page with rows(limit=, offset=), not by slicing the queryset")
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = {
            name: tuple(i for i, param in enumerate(params) if param == placeholder)
            for name, placeholder in placeholders.items()
        }
        missing = [name for name, positions in slots.items() if not positions]
        leaked = [
            name for name, placeholder in placeholders.items()
            if str(placeholder) in sql
            or any(str(placeholder) in str(p) and p != placeholder for p in params)
        ]
        if missing or leaked:
            raise ValueError(
                f"values {missing or leaked} do not reach the SQL as parameters of their own"
            )
        names = ()
        if queryset._fields is not None or query.values_select:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        columns = [column[0] for column in compiler.select[0:compiler.col_count]]
        return _Plan(sql=sql, params=tuple(params), slots=slots, compiler=compiler, names=names,
                     converters=compiler.get_converters(columns), columns=columns)
