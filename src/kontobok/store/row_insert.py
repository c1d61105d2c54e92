"""Inserting many rows with the driver's fastest path: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

Posting writes millions of lines on an import, and compiling an ``INSERT`` with a dictionary of parameters
per row costs more than the database's own work. Here rows are plain tuples in the order of the columns
named, sent straight to the driver inside the caller's transaction. On SQLite each value goes through the
column type's own bind conversion (the same one SQLAlchemy applies, so the stored text is identical); values
that repeat across rows, such as dates and timestamps, are converted once per call.

Record ids are time-ordered (:func:`time_ordered_uuid`): rows written one after the other get ids that sort
after each other, so the primary-key index grows at its end instead of being rewritten at random places.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

Row = tuple[Any, ...]

_VERSION_7 = 0x7 << 76
_VARIANT = 0b10 << 62
_lock = threading.Lock()
_last = [0, 0]  # last millisecond, sequence within it


def time_ordered_uuid() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): 48 bits of Unix milliseconds, a 12-bit sequence, 62 random bits."""
    with _lock:
        now = time.time_ns() // 1_000_000
        if now <= _last[0]:
            now, sequence = _last[0], _last[1] + 1
            if sequence > 0xFFF:
                now, sequence = now + 1, 0
        else:
            sequence = 0
        _last[0], _last[1] = now, sequence
    random_bits = int.from_bytes(os.urandom(8)) & ((1 << 62) - 1)
    return uuid.UUID(int=(now << 80) | _VERSION_7 | (sequence << 64) | _VARIANT | random_bits)


def insert_rows(
    connection: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """Insert ``rows`` (tuples ordered as ``columns``) into ``table`` in the connection's transaction."""
    if not rows:
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    converted = _converted(connection.dialect, table, columns, rows)
    placeholders = ", ".join("?" for _ in columns)
    # table and column names come from the schema, never from input
    insert = f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})"  # noqa: S608
    driver.executemany(insert, converted)


def _converted(
    dialect: sa.Dialect, table: sa.Table, columns: Sequence[str], rows: Sequence[Row]
) -> list[Row]:
    conversions: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = []
    for index, name in enumerate(columns):
        bind = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            conversions.append((index, bind, {}))
    if not conversions:
        return list(rows)
    result: list[Row] = []
    for row in rows:
        values = list(row)
        for index, convert, seen in conversions:
            value = values[index]
            if value is None:
                continue
            done = seen.get(value)
            if done is None:
                done = seen[value] = convert(value)
            values[index] = done
        result.append(tuple(values))
    return result


def upsert_rows(
    connection: sa.Connection,
    statement: postgresql.Insert | sqlite.Insert,
    rows: Sequence[dict[str, object]],
) -> None:
    """Run an ``INSERT … ON CONFLICT DO UPDATE`` for many rows with keys that differ from each other.

    A RETURNING clause makes SQLAlchemy send the rows as multi-row ``VALUES`` statements of up to 1,000
    rows ("insertmanyvalues"); without one, psycopg sends one statement per row. On one PostgreSQL server
    either is quick, but a Citus coordinator plans and forwards each statement to its worker on its own, so
    one statement per row made the per-day totals of an import ten times slower there. The rows' keys are
    distinct (they are sums per key), which one multi-row upsert requires.
    """
    connection.execute(statement.returning(sa.literal_column("1")), rows).close()
