"""Prepared reads: a query the ORM builds and compiles once, then runs with new values.

A small read on a hot page can cost more in Python than in the database: the pairing counts
of a dashboard take 1 ms of SQL and 2.8 ms to build five nested subqueries and compile them,
every time. ``PreparedQuery`` builds the queryset once per database, with a ``Param`` where
each value goes, keeps its SQL, and at each run only puts the values in: the conditions stay
written once, with the ORM, where the other reads use them.

The rows are converted as the ORM converts them (a count to int, a JSON column parsed), with
the converters of the connection that runs them. Nothing is prepared on the database server
(the SQL is sent whole each time, as Django sends it): PgBouncer's transaction pooling is no
concern.

What the SQL holds is fixed when it is first compiled, so `build()` must not depend on the
request: no value worked out in it (today, the user), no `.using()` or routing hints (the
router picks the database at each run, as for a plain queryset; a built queryset that names
one is refused), and the time zone of date functions (`__date`, Trunc) is the one active
then. A Param compares with `=`: a None given for it matches nothing (write `__isnull` in the
build instead).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Expression, Field, QuerySet


@dataclass(frozen=True)
class _Slot:
    """Where a Param's value goes in the compiled parameters."""

    name: str
    field: Field


class Param(Expression):
    """A value given at each run of a PreparedQuery, by `name`; `output_field` says how the
    database takes it (a DateField's value is adapted as a date column's would be). It stands
    wherever a value may: ``filter(start_on__lte=Param("day", DateField()))``, and
    ``path__startswith=Param(…)`` (the pattern is then escaped in SQL, which PostgreSQL works
    out before planning: the index on the path still serves it)."""

    def __init__(self, name: str, output_field: Field) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Slot(self.name, self.output_field)]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    columns: tuple[Expression, ...]  # what each column of a row holds, for its converters
    slots: frozenset[str]


class PreparedQuery:
    """The query `build()` returns (a `values()` queryset, with Params for the values that
    change), compiled on first use for each database the router reads its model from; `rows`
    runs it with the Params' values."""

    def __init__(self, build: Callable[[], QuerySet]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        self._model: type | None = None

    def _for(self, alias: str | None) -> tuple[str, _Compiled]:
        """The query compiled for `alias` (None before the first run: the database the built
        queryset is routed to), compiled now if it is not yet."""
        if alias is not None and (compiled := self._compiled.get(alias)) is not None:
            return alias, compiled
        with self._lock:
            queryset = self._build()
            if getattr(queryset, "_db", None) is not None or getattr(queryset, "_hints", None):
                raise ImproperlyConfigured("a prepared query is routed at each run: no .using()")
            self._model = queryset.model
            alias = alias or queryset.db
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            query = queryset.query
            self._compiled[alias] = _Compiled(
                sql,
                tuple(params),
                names=tuple(query.selected)  # the order values() was given, as Django reads it
                if query.selected
                else (*query.extra_select, *query.values_select, *query.annotation_select),
                columns=tuple(column for column, _sql, _alias in compiler.select),
                slots=frozenset(slot.name for slot in params if isinstance(slot, _Slot)),
            )
            return alias, self._compiled[alias]

    def rows(self, **values: Any) -> list[dict[str, Any]]:
        """Run the query with the Params' `values` (each by name); return its rows as dicts
        by the queryset's names."""
        alias = router.db_for_read(self._model) if self._model is not None else None
        alias, compiled = self._for(alias)
        if set(values) != compiled.slots:
            raise TypeError(f"the query takes {sorted(compiled.slots)}, not {sorted(values)}")
        connection = connections[alias]
        params = [
            slot.field.get_db_prep_value(values[slot.name], connection)
            if isinstance(slot, _Slot)
            else slot
            for slot in compiled.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        converters = [
            (n, column, converter)
            for n, column in enumerate(compiled.columns)
            for converter in (
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            )
        ]
        if converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for n, column, converter in converters:
                    row[n] = converter(row[n], column, connection)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]
