"""Database helpers shared by every app: retry a transaction on deadlock or serialization failure."""

from __future__ import annotations

import datetime
import decimal
import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import psycopg
from django.db import OperationalError, connection, transaction
from psycopg import _queries as _psycopg_queries
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, pg_errors.LockNotAvailable)


def is_retryable(exc: BaseException) -> bool:
    cause = exc
    while cause is not None:
        if isinstance(cause, RETRYABLE):
            return True
        cause = cause.__cause__
    return False


def retry_on_conflict(func: Callable[P, R] | None = None, *, attempts: int = 8, base_delay: float = 0.01):
    """Run ``func`` in its own transaction; on deadlock or serialization failure, roll back and try again.

    Must wrap the outermost transaction: a retry inside an enclosing atomic block cannot help,
    so then the error is raised at once.
    """

    def decorate(inner: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(inner)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if connection.in_atomic_block:
                return inner(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic():
                        return inner(*args, **kwargs)
                except OperationalError as exc:
                    if not is_retryable(exc) or attempt == attempts:
                        raise
                    delay = base_delay * (2 ** (attempt - 1)) * (1 + random.random())
                    logger.info(
                        "retrying %s after %s (attempt %s)",
                        inner.__name__,
                        type(exc.__cause__).__name__,
                        attempt,
                    )
                    time.sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorate(func) if func is not None else decorate


# --- Many tables in one statement -----------------------------------------------------------------


class StatementPart:
    """A data-modifying statement to run as one part of ``write_at_once``: SQL with ``%s`` parameters.

    The app that owns the table builds it (e.g. inventory's reserved-counter update); ``returning`` names
    what the part hands back (``RETURNING …`` in ``sql``), at most one part per statement.
    """

    def __init__(self, sql: str, params: list | tuple = (), *, returning: bool = False) -> None:
        self.sql = sql
        self.params = list(params)
        self.returning = returning


def insert_part(objs: list, *, returning: str = "", conflict: str = "") -> StatementPart:
    """An INSERT of unsaved model instances of one model, as one part of ``write_at_once``.

    Fields are prepared as Django prepares them for a save (``pre_save``: ``auto_now_add`` stamps the
    instance; ``get_db_prep_save``: JSON, decimals, times). The primary key is written when the instances
    have one (ids taken from the sequence beforehand, so that rows of other tables in the same statement can
    point at them), else the column's default numbers them. ``returning``: columns to hand back;
    ``conflict``: an ``ON CONFLICT …`` clause.
    """
    model = type(objs[0])
    meta = model._meta
    with_pk = objs[0].pk is not None
    fields = [
        f
        for f in meta.concrete_fields
        if not getattr(f, "generated", False) and (with_pk or not f.primary_key)
    ]
    conn = connection
    params: list = []
    rows = []
    for obj in objs:
        if type(obj) is not model or (obj.pk is not None) != with_pk:
            raise ValueError("insert_part: one model per part, all with or all without primary keys")
        marks = []
        for f in fields:
            value = f.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):  # db_default: the column's own DEFAULT
                marks.append("DEFAULT")
                continue
            params.append(f.get_db_prep_save(value, conn))
            marks.append("%s")
        rows.append("(" + ", ".join(marks) + ")")
    columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {conn.ops.quote_name(meta.db_table)} ({columns}) VALUES {', '.join(rows)}"  # noqa: S608 - names from model meta
    if conflict:
        sql += f" {conflict}"
    if returning:
        sql += f" RETURNING {returning}"
    return StatementPart(sql, params, returning=bool(returning))


def write_at_once(parts: list[StatementPart]) -> list[tuple]:
    """Run several INSERT / UPDATE parts, of any tables, as ONE statement (data-modifying CTEs).

    One round trip instead of one per table: the single-order intake writes its address, order, lines,
    payment, logs, outbox message, reservations and stock counters with it. PostgreSQL runs every part
    exactly once on one snapshot; the parts must not depend on each other's rows (ids are taken from the
    sequences beforehand), and foreign keys are checked at commit (Django's are deferred). Returns the rows
    of the part that asked for ``returning`` (else an empty list). Any error fails the whole statement.
    """
    parts = [p for p in parts if p is not None]
    if not parts:
        return []
    returning = [p for p in parts if p.returning]
    if len(returning) > 1:
        raise ValueError("write_at_once: at most one part may return rows")
    ctes, params = [], []
    for i, part in enumerate(parts):
        ctes.append(f"w{i} AS ({part.sql})")
        params.extend(part.params)
    tail = f"SELECT * FROM w{parts.index(returning[0])}" if returning else "SELECT 1"  # noqa: S608 - our own names
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(ctes) + " " + tail, params)
        return cursor.fetchall() if returning else []


def check_constraints_now() -> None:
    """Check the foreign keys of this transaction's rows as each statement ends, not at commit.

    Django declares its foreign keys DEFERRABLE INITIALLY DEFERRED, so PostgreSQL checks every row's keys
    when the transaction commits: for a batch of 100 orders about 2,000 checks, some 60 ms, all of it while
    the batch holds its stock rows locked (allocation comes last), so every other batch waited for them.
    Checked per statement, the same work is done where the rows are written, before the locks are taken.
    Call only in a transaction you own: it also checks what a caller had deferred, at once.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# psycopg turns each statement's ``%s`` placeholders into ``$n`` (parsing the whole text) on every execute,
# and caches that only for statements under 4 kB with at most 50 parameters. The intake's one-statement
# write is longer (its text is the same for orders of the same shape), and parsing it again cost about a
# millisecond of every order. The bound cursors below cache it too, for up to 128 statement texts.
_convert_cached = functools.lru_cache(maxsize=128)(_psycopg_queries._query2pg_nocache)


class _CachedConversionQuery(_psycopg_queries.PostgresQuery):
    __slots__ = ()

    def convert(self, query, vars) -> None:  # noqa: A002 - psycopg's signature
        if vars is None or not isinstance(query, str | bytes):
            return super().convert(query, vars)
        query = self._ensure_bytes(query)
        self.query, self._want_formats, self._order, self._parts = _convert_cached(query, self._tx.encoding)
        self.dump(vars)
        return None


class BoundCursor(psycopg.Cursor):
    """psycopg's server-side binding cursor, with the placeholder conversion cached for long statements."""

    _query_cls = _CachedConversionQuery


@contextmanager
def server_side_binding() -> Iterator[None]:
    """Cursors opened inside the block send their parameters apart from the SQL (server-side binding).

    Django's psycopg cursors bind client-side: every parameter is quoted into the SQL text, and for the
    arrays of a bulk INSERT … UNNEST or UPDATE … FROM unnest(…) that quoting (an escape per character of
    each JSON text) cost more than the rest of a batch together. Use around the bulk writes of batches.
    """
    connection.ensure_connection()
    raw = connection.connection
    previous = raw.cursor_factory
    raw.cursor_factory = BoundCursor
    try:
        yield
    finally:
        raw.cursor_factory = previous


def bulk_insert(
    objs: list, *, set_pks: bool = False, keep_pks: bool = False, skip_conflicts_by: str | None = None
) -> list:
    """INSERT unsaved model instances of one model in one statement, their values as binary arrays.

    What ``bulk_create`` does for a batch (``INSERT … SELECT * FROM unnest(…)``), but each column goes as ONE
    binary array parameter (server-side binding): Django's client-side binding escapes every character of
    every text into the SQL, which for a batch's names, addresses, notices and JSON cost as much as the
    database's own work. Fields are prepared as for a save (``pre_save``, ``get_db_prep_save``); columns
    with a database default are left to it. ``set_pks``: read the new ids back onto the instances (rows
    come back in the order given). ``keep_pks``: the instances carry ids already (read from the sequence
    beforehand), which are written. ``skip_conflicts_by``: a row that conflicts with an existing one (a
    unique constraint) is skipped (``ON CONFLICT DO NOTHING``) and its instance keeps no id; the others get
    theirs, matched by this unique field. No signals, as ``bulk_create``.
    """
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    fields = [
        f
        for f in meta.concrete_fields
        if not getattr(f, "generated", False) and (keep_pks if f.primary_key else not f.has_db_default())
    ]
    columns = _prepared_columns(objs, fields)
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%b::{f.db_type(connection)}[]" for f in fields)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - names from model meta
        f"SELECT * FROM unnest({arrays})"
    )
    if skip_conflicts_by:
        key = meta.get_field(skip_conflicts_by)
        sql += f" ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}, {quote(key.column)}"
    elif set_pks:
        sql += f" RETURNING {quote(meta.pk.column)}"
    with server_side_binding(), connection.cursor() as cursor:
        cursor.execute(sql, columns)
        if skip_conflicts_by:
            inserted = {value: pk for pk, value in cursor.fetchall()}
            for obj in objs:
                pk = inserted.get(getattr(obj, key.attname))
                if pk is not None:
                    obj.pk = pk
                    obj._state.adding = False
        elif set_pks:
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
    if keep_pks:
        for obj in objs:
            obj._state.adding = False
    _db_defaults_set(objs, meta)
    return objs


def _db_defaults_set(objs: list, meta) -> None:
    """The columns left to a constant database default, on the instances as the database wrote them."""
    from django.db.models import Value
    from django.db.models.expressions import DatabaseDefault

    for f in meta.concrete_fields:
        if not f.has_db_default():
            continue
        default = f.db_default
        if isinstance(default, Value):
            default = default.value
        elif hasattr(default, "resolve_expression"):
            continue  # computed by the database (Now(), …): not known here
        for obj in objs:
            if isinstance(obj.__dict__.get(f.attname), DatabaseDefault):
                obj.__dict__[f.attname] = default


def _prepared_columns(objs: list, fields: list) -> list[list]:
    """Each field's values of ``objs``, prepared as a save prepares them (``get_db_prep_save(pre_save())``).

    Django's preparation goes through five or six calls per value; for a batch's hundreds of rows of a dozen
    columns that was a fifth of its Python time. For the plain fields whose preparation is known to hand a
    value of the usual type back as it is (``_plain_values``), that value is taken from the instance directly;
    anything else (another type, a lazy string, JSON, an ``auto_now`` field) goes through the field.
    """
    columns = []
    for f in fields:
        plain, check, wrap = _plain_values(f)
        attname = f.attname
        column = []
        for obj in objs:
            value = obj.__dict__.get(attname, _MISSING)
            if type(value) in plain and (check is None or value is None or check(value)):
                column.append(value if wrap is None or value is None else wrap(value))
            else:
                column.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
        columns.append(column)
    return columns


_MISSING = object()
_NONE = type(None)


@functools.cache
def _plain_values(field) -> tuple[frozenset, Callable | None, Callable | None]:
    """(types, check, wrap): values of these types (not None: passing ``check``) are prepared for saving by
    ``field`` as they are, or wrapped in psycopg's sized integer (``wrap``); empty types: always the field.

    Decided from the field's class: only when its preparation methods are those of a Django base field whose
    behaviour is known; a subclass that overrides one takes the full path. ``tests/oms/test_db_helpers.py``
    checks that the result equals the full preparation, value and type, for every row an intake writes.
    """
    from django.db.models import fields as model_fields
    from django.db.models.fields.related import ForeignKey

    cls = type(field)
    if cls.pre_save is not model_fields.Field.pre_save and not (
        isinstance(field, model_fields.DateField) and not field.auto_now and not field.auto_now_add
    ):
        return frozenset(), None, None
    if isinstance(field, ForeignKey):
        if cls.get_db_prep_save is ForeignKey.get_db_prep_save and isinstance(
            field.target_field, model_fields.AutoFieldMixin
        ):
            return frozenset({int, _NONE}), None, None  # an auto key's preparation is int(value)
        return frozenset(), None, None
    for base, plain, check in (
        (model_fields.BooleanField, bool, None),
        (model_fields.CharField, str, None),
        (model_fields.TextField, str, None),
        (model_fields.IntegerField, int, None),
        (model_fields.DecimalField, decimal.Decimal, decimal.Decimal.is_finite),
        (model_fields.DateTimeField, datetime.datetime, _aware),  # a naive one is made aware, with a warning
        (model_fields.DateField, datetime.date, None),
    ):
        if isinstance(field, base) and all(
            getattr(cls, name) is getattr(base, name)
            for name in ("get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")
        ):
            wrap = None
            if base is model_fields.IntegerField:
                wrap = getattr(connection.ops, "integerfield_type_map", {}).get(field.get_internal_type())
            # None is None for all of them, but refused by a BooleanField that is not null
            return (
                frozenset({plain, _NONE} if field.null or base is not model_fields.BooleanField else {plain}),
                check,
                wrap,
            )
    return frozenset(), None, None


def _aware(value: datetime.datetime) -> bool:
    return value.tzinfo is not None


# --- Hand-written reads on hot paths ----------------------------------------------------------------


class ModelColumns:
    """A model's columns for a hand-written SELECT, and its instances from the rows, as the ORM builds them.

    For the few reads of a hot path (every API order) whose query the ORM would compile anew each time
    (about 0.5–1 ms of Python per query, more than the database's work): the app writes the SQL once and
    still gets model instances. ``sql(alias)`` lists every concrete column of the model under ``alias``;
    ``take(row, start)`` builds the instance from ``row[start:start + width]`` through ``Model.from_db``
    after the fields' database converters (JSON, …), so it is the instance a QuerySet would give.
    ``relate(instance, name, other)`` caches a related object as ``select_related`` does.
    """

    def __init__(self, model) -> None:
        self.model = model
        self._sql: dict[str, str] = {}

    @functools.cached_property
    def _fields(self) -> list:
        return list(self.model._meta.concrete_fields)

    @property
    def width(self) -> int:
        return len(self._fields)

    def sql(self, alias: str) -> str:
        found = self._sql.get(alias)
        if found is None:
            quote = connection.ops.quote_name
            found = self._sql[alias] = ", ".join(f"{alias}.{quote(f.column)}" for f in self._fields)
        return found

    @functools.cached_property
    def _converters(self) -> list[tuple[int, list, object]]:
        found = []
        for i, f in enumerate(self._fields):
            col = f.get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if converters:
                found.append((i, converters, col))
        return found

    @functools.cached_property
    def _attnames(self) -> list[str]:
        return [f.attname for f in self._fields]

    def take(self, row, start: int = 0):
        values = list(row[start : start + self.width])
        for i, converters, col in self._converters:
            for convert in converters:
                values[i] = convert(values[i], col, connection)
        return self.model.from_db(connection.alias, self._attnames, values)

    def relate(self, instance, name: str, other) -> None:
        self.model._meta.get_field(name).set_cached_value(instance, other)


def fetch_rows(sql: str, params: list | tuple) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
