"""The journal: an append-only, hash-chained record of every change to an organization's books.

Each entry states one change in a canonical form: a JSON object with sorted keys, no whitespace, UTF-8, in
which amounts are integer minor units, days are ``YYYY-MM-DD``, instants are UTC
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` and UUIDs are lowercase hyphenated strings. Its hash is
``SHA-256(previous hash ‖ entry)``, the previous hash of the first entry being 32 zero bytes, so each entry
vouches for every one before it. Positions run
1, 2, 3, … per organization without gaps; the organization's row is locked while an entry is appended, so
two writers of one organization never read the same head.

There are two kinds of entries. ``vouchers`` holds whole vouchers, each with its lines (as arrays of
values in the order ``line_columns`` names), as a posting wrote them. Every other kind is named after a
table and holds rows of that table as they stand after the change (an account created or renamed, a fiscal
year opened or closed, bank transactions imported): replaying the journal, the last entry for a row's key
gives the row. A row is written in the columns the table has, minus
``organization_id`` (the chain's own) and the cached counters listed in :data:`IGNORED_COLUMNS`.

The entry is written in the same database transaction as the change, so a change and its entry are both
there or neither is.
"""

from __future__ import annotations

import hashlib
import json
import operator
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from kontobok.store.clock import as_utc, utc_now
from kontobok.store.outbox import enqueue_entry
from kontobok.store.schema import (
    accounts,
    bank_accounts,
    bank_balances,
    bank_transactions,
    customers,
    fiscal_years,
    imported_files,
    journal_entries,
    organizations,
    suppliers,
    tax_codes,
    transaction_lines,
    transaction_types,
    vouchers,
)

GENESIS_HASH = bytes(32)
VOUCHERS = "vouchers"

# Reference and bank tables journaled row by row, with the columns that identify a row.
ROW_TABLES: dict[str, tuple[sa.Table, tuple[str, ...]]] = {
    table.name: (table, key)
    for table, key in (
        (accounts, ("account_id",)),
        (tax_codes, ("number",)),
        (transaction_types, ("number",)),
        (fiscal_years, ("year",)),
        (customers, ("customer_id",)),
        (suppliers, ("supplier_id",)),
        (bank_accounts, ("bank_account_id",)),
        (bank_balances, ("bank_account_id", "position")),
        (bank_transactions, ("reference",)),
        (imported_files, ("kind", "sha256")),
    )
}
# the next voucher number is a counter the posting advances, not part of the books
IGNORED_COLUMNS = {"organization_id", "next_voucher_number"}
# a voucher's lines repeat these from their voucher, so the journal states them once per voucher
LINE_COLUMNS_FROM_VOUCHER = {
    "organization_id",
    "line_id",
    "voucher_id",
    "transaction_type_number",
    "voucher_number",
    "created_at",
    "modified_at",
}


# column types whose values JSON writes as they are
_JSON_TYPES = (sa.Integer, sa.String, sa.Boolean)


def canonical_value(value: Any) -> Any:
    """A column value as the journal writes it."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"no canonical form for {type(value).__name__}")


def canonical_bytes(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(previous: bytes, entry: bytes) -> bytes:
    return hashlib.sha256(previous + entry).digest()


def journal_columns(table: sa.Table) -> list[str]:
    return [column.name for column in table.columns if column.name not in IGNORED_COLUMNS]


def canonical_row(columns: Sequence[str], values: Iterable[Any]) -> dict[str, Any]:
    return {name: canonical_value(value) for name, value in zip(columns, values, strict=True)}


@dataclass(frozen=True)
class Head:
    position: int
    hash: str


def lock_books(connection: sa.Connection, organization_id: int) -> None:
    """Hold the organization's journal for this transaction: concurrent writers append one after the other.

    ``FOR NO KEY UPDATE`` does not wait for writers that only reference the organization (foreign keys); on
    SQLite the write lock taken at ``BEGIN IMMEDIATE`` serialises writers already.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.execute(
        sa.select(organizations.c.organization_id)
        .where(organizations.c.organization_id == organization_id)
        .with_for_update(key_share=True)
    )


def read_head(connection: sa.Connection, organization_id: int) -> Head:
    """The last entry's position and hash; position 0 and the genesis hash when there is none."""
    row = connection.execute(
        sa.select(journal_entries.c.position, journal_entries.c.hash)
        .where(journal_entries.c.organization_id == organization_id)
        .order_by(journal_entries.c.position.desc())
        .limit(1)
    ).first()
    if row is None:
        return Head(0, GENESIS_HASH.hex())
    return Head(int(row.position), str(row.hash))


def append_entry(connection: sa.Connection, organization_id: int, kind: str, body: dict[str, Any]) -> Head:
    """Append one entry after the head, in the caller's transaction."""
    lock_books(connection, organization_id)
    head = read_head(connection, organization_id)
    now = utc_now()
    position = head.position + 1
    entry = {**body, "kind": kind, "position": position, "recorded_at": canonical_value(now)}
    text = canonical_bytes(entry)
    digest = chain_hash(bytes.fromhex(head.hash), text).hex()
    connection.execute(
        journal_entries.insert().values(
            organization_id=organization_id,
            position=position,
            recorded_at=now,
            kind=kind,
            entry=text.decode(),
            previous_hash=head.hash,
            hash=digest,
        )
    )
    enqueue_entry(connection, organization_id, position, kind, text.decode(), now)
    return Head(position, digest)


def record_rows(
    connection: sa.Connection, table: sa.Table, organization_id: int, where: sa.ColumnElement[bool]
) -> None:
    """Journal the rows of ``table`` matching ``where`` as they now stand (after an insert or an update)."""
    columns = journal_columns(table)
    key = ROW_TABLES[table.name][1]
    rows = connection.execute(
        sa.select(*(table.c[name] for name in columns))
        .where((table.c.organization_id == organization_id) & where)
        .order_by(*(table.c[name] for name in key))
    ).all()
    if rows:
        append_entry(
            connection, organization_id, table.name, {"rows": [canonical_row(columns, row) for row in rows]}
        )


def record_inserted(
    connection: sa.Connection, table: sa.Table, organization_id: int, rows: Sequence[dict[str, Any]]
) -> None:
    """Journal rows just inserted, from the values the insert sent (every column of the table)."""
    if rows:
        columns = journal_columns(table)
        body = [canonical_row(columns, (row[name] for name in columns)) for row in rows]
        append_entry(connection, organization_id, table.name, {"rows": body})


def record_vouchers(
    connection: sa.Connection,
    organization_id: int,
    voucher_columns: Sequence[str],
    voucher_rows: Sequence[tuple[Any, ...]],
    line_columns: Sequence[str],
    line_rows: Sequence[tuple[Any, ...]],
) -> None:
    """Journal vouchers just posted, each with its lines, from the rows the posting inserted.

    An import journals a thousand vouchers at a time, so a line is written compactly: as an array of its
    values, in the order the entry's ``line_columns`` names once.
    """
    voucher_id_at = line_columns.index("voucher_id")
    line_names = [name for name in line_columns if name not in LINE_COLUMNS_FROM_VOUCHER]
    line_values = _converter(transaction_lines, line_columns, line_names)
    lines: dict[Any, list[list[Any]]] = {}
    for row in line_rows:
        lines.setdefault(row[voucher_id_at], []).append(line_values(row))
    voucher_names = [name for name in voucher_columns if name != "organization_id"]
    voucher_values = _converter(vouchers, voucher_columns, voucher_names)
    id_at = voucher_columns.index("voucher_id")
    entries = []
    for row in voucher_rows:
        voucher = dict(zip(voucher_names, voucher_values(row), strict=True))
        voucher["lines"] = lines.get(row[id_at], [])
        entries.append(voucher)
    body = {"line_columns": line_names, VOUCHERS: entries}
    append_entry(connection, organization_id, VOUCHERS, body)


def _converter(
    table: sa.Table, columns: Sequence[str], wanted: Sequence[str]
) -> Callable[[tuple[Any, ...]], list[Any]]:
    """A function from a row (ordered as ``columns``) to the canonical values of the ``wanted`` columns.

    Only days, instants and UUIDs need converting, and a batch repeats the same few days and its one
    instant, so each distinct value is converted once per batch.
    """
    values_of = operator.itemgetter(*(columns.index(name) for name in wanted))
    converted = [
        position for position, name in enumerate(wanted) if not isinstance(table.c[name].type, _JSON_TYPES)
    ]
    seen: dict[Any, Any] = {}

    def convert(row: tuple[Any, ...]) -> list[Any]:
        values = list(values_of(row))
        for position in converted:
            value = values[position]
            if value is not None:
                done = seen.get(value)
                if done is None:
                    done = seen[value] = canonical_value(value)
                values[position] = done
        return values

    return convert


@dataclass(frozen=True)
class StoredEntry:
    position: int
    recorded_at: datetime
    kind: str
    entry: str
    previous_hash: str
    hash: str


def read_entries(connection: sa.Connection, organization_id: int) -> Iterator[StoredEntry]:
    """Every entry of the organization's journal in position order."""
    result = connection.execution_options(yield_per=1000).execute(
        sa.select(journal_entries)
        .where(journal_entries.c.organization_id == organization_id)
        .order_by(journal_entries.c.position)
    )
    for row in result.mappings():
        yield StoredEntry(
            int(row["position"]),
            as_utc(row["recorded_at"]),
            str(row["kind"]),
            str(row["entry"]),
            str(row["previous_hash"]),
            str(row["hash"]),
        )


def read_table_rows(
    connection: sa.Connection, table: sa.Table, organization_id: int
) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` for the organization, in the journal's canonical form (for verification)."""
    columns = journal_columns(table)
    result = connection.execution_options(yield_per=5000).execute(
        sa.select(*(table.c[name] for name in columns)).where(table.c.organization_id == organization_id)
    )
    for row in result:
        yield canonical_row(columns, row)


def rows_as_of(
    connection: sa.Connection, organization_id: int, table: sa.Table, as_of: datetime
) -> dict[tuple[Any, ...], dict[str, Any]] | None:
    """The rows of a reference table as the journal had them at ``as_of``, by key; None without entries.

    A reference row can change (an account's name or mapping), so what it said at an instant is found by
    replaying its journal entries up to then.
    """
    key = ROW_TABLES[table.name][1]
    entries = connection.execute(
        sa.select(journal_entries.c.entry, journal_entries.c.recorded_at)
        .where(
            (journal_entries.c.organization_id == organization_id) & (journal_entries.c.kind == table.name)
        )
        .order_by(journal_entries.c.position)
    ).all()
    if not entries:
        return None
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for text, recorded_at in entries:
        if as_utc(recorded_at) > as_of:
            break
        for row in json.loads(text)["rows"]:
            rows[tuple(row[name] for name in key)] = row
    return rows
