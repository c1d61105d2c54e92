"""Auditing the books against their journal.

:func:`verify_journal` walks an organization's journal from the first entry: it recomputes every hash from
the previous one and the entry's text, and replays the entries into the rows the books should hold. It then
reads every voucher, line, bank and reference row the organization has and compares each with its replayed
twin. Every difference is a problem that names the table, the row's key and, for a changed row, each column
with the journal's value and the stored one: a deleted row, a row the journal never recorded, a changed
comment, two amounts changed together so the voucher still balances.

To keep memory small on large books, the replay keeps a SHA-256 digest per row and the position of the entry
that wrote it; the columns of a row that differs are read back from that entry.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from kontobok.store.journal import (
    ROW_TABLES,
    VOUCHERS,
    Head,
    StoredEntry,
    canonical_bytes,
    chain_hash,
    read_entries,
    read_head,
    read_table_rows,
)
from kontobok.store.posting import line_id_of
from kontobok.store.schema import journal_entries, transaction_lines, vouchers

Key = tuple[Any, ...]
VOUCHER_KEY = ("voucher_id",)
LINE_KEY = ("line_id",)
# what names the voucher a line belongs to, beside the line's own key
LINE_CONTEXT = ("voucher_id", "transaction_type_number", "voucher_number", "line_number")


@dataclass
class Report:
    """What :func:`verify_journal` found; ``ok`` when the chain holds and every row matches the journal."""

    entries: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "problems": self.problems}


def journal_head(connection: sa.Connection, organization_id: int) -> Head:
    return read_head(connection, organization_id)


def verify_journal(
    connection: sa.Connection, organization_id: int, *, expect_head: str | None = None
) -> Report:
    """Check the organization's chain and compare its books with the journal (see the module)."""
    report = Report()
    replay = _Replay()
    seen_hashes: set[str] = set()
    previous = bytes(32)
    for stored in read_entries(connection, organization_id):
        report.entries += 1
        _check_link(stored, report.entries, previous, report)
        previous = bytes.fromhex(stored.hash) if _is_hex(stored.hash) else previous
        seen_hashes.add(stored.hash)
        replay.take(stored, report)
    if expect_head is not None and expect_head.lower() not in seen_hashes:
        report.problems.append(
            {
                "table": journal_entries.name,
                "key": {"position": report.entries},
                "problem": "head mismatch",
                "detail": f"no entry has the expected hash {expect_head}: entries were cut off or rewritten",
            }
        )
    _compare(connection, organization_id, vouchers.name, VOUCHER_KEY, replay, report)
    _compare(connection, organization_id, transaction_lines.name, LINE_KEY, replay, report)
    for name, (_, key) in ROW_TABLES.items():
        _compare(connection, organization_id, name, key, replay, report)
    return report


def _is_hex(text: str) -> bool:
    return len(text) == 64 and all(character in "0123456789abcdef" for character in text)


def _check_link(stored: StoredEntry, position: int, previous: bytes, report: Report) -> None:
    def broken(detail: str) -> None:
        report.problems.append(
            {
                "table": journal_entries.name,
                "key": {"position": stored.position},
                "problem": "broken chain",
                "detail": detail,
            }
        )

    if stored.position != position:
        broken(f"expected position {position}: entries are missing before {stored.position}")
    if stored.previous_hash != previous.hex():
        broken(f"previous_hash {stored.previous_hash} is not the hash of the entry before, {previous.hex()}")
    recomputed = chain_hash(previous, stored.entry.encode()).hex()
    if recomputed != stored.hash:
        broken(f"the entry hashes to {recomputed}, not to the stored {stored.hash}: it was changed")


def _digest(row: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical_bytes(row)).digest()


class _Replay:
    """Per table and key: the digest of the row the journal last wrote, and that entry's position."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[Key, tuple[bytes, int]]] = {}

    def take(self, stored: StoredEntry, report: Report) -> None:
        try:
            body = json.loads(stored.entry)
            if body.get("position") != stored.position or body.get("kind") != stored.kind:
                raise ValueError("its position or kind differs from the row's")
            for table, key, row in rows_of_entry(body):
                self.rows.setdefault(table, {})[key] = (_digest(row), stored.position)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            report.problems.append(
                {
                    "table": journal_entries.name,
                    "key": {"position": stored.position},
                    "problem": "unreadable entry",
                    "detail": str(error),
                }
            )


def rows_of_entry(body: dict[str, Any]) -> Iterator[tuple[str, Key, dict[str, Any]]]:
    """The rows an entry writes, as (table, key, row in canonical form)."""
    if body["kind"] == VOUCHERS:
        names = body["line_columns"]
        for voucher in body[VOUCHERS]:
            head = {name: value for name, value in voucher.items() if name != "lines"}
            yield vouchers.name, (head["voucher_id"],), head
            for values in voucher["lines"]:
                line = dict(zip(names, values, strict=True))
                full = {
                    **line,
                    "line_id": str(line_id_of(uuid.UUID(head["voucher_id"]), line["line_number"])),
                    "voucher_id": head["voucher_id"],
                    "transaction_type_number": head["transaction_type_number"],
                    "voucher_number": head["voucher_number"],
                    "created_at": head["created_at"],
                    "modified_at": head["created_at"],
                }
                yield transaction_lines.name, (full["line_id"],), full
        return
    table = body["kind"]
    key = ROW_TABLES[table][1]
    for row in body["rows"]:
        yield table, tuple(row[name] for name in key), row


def _compare(
    connection: sa.Connection,
    organization_id: int,
    table: str,
    key_columns: tuple[str, ...],
    replay: _Replay,
    report: Report,
) -> None:
    expected = dict(replay.rows.get(table, {}))
    source = vouchers if table == vouchers.name else transaction_lines
    found = read_table_rows(
        connection, ROW_TABLES[table][0] if table in ROW_TABLES else source, organization_id
    )
    for row in found:
        key = tuple(row[name] for name in key_columns)
        wanted = expected.pop(key, None)
        named = dict(zip(key_columns, key, strict=True))
        if wanted is None:
            report.problems.append(_problem(table, named, row, "inserted", "the journal never recorded it"))
            continue
        digest, position = wanted
        if _digest(row) != digest:
            journaled = _journaled_row(connection, organization_id, position, table, key)
            changed = {
                name: {"journal": journaled.get(name), "stored": row.get(name)}
                for name in sorted(set(journaled) | set(row))
                if journaled.get(name) != row.get(name)
            }
            report.problems.append(
                {**_problem(table, named, row, "changed", "differs from the journal"), "columns": changed}
            )
    for key, (_, position) in sorted(expected.items(), key=lambda item: item[1][1]):
        named = dict(zip(key_columns, key, strict=True))
        journaled = _journaled_row(connection, organization_id, position, table, key)
        report.problems.append(
            _problem(table, named, journaled, "deleted", f"recorded at journal position {position}")
        )


def _problem(
    table: str, key: dict[str, Any], row: dict[str, Any], problem: str, detail: str
) -> dict[str, Any]:
    answer: dict[str, Any] = {"table": table, "key": key, "problem": problem, "detail": detail}
    if table == transaction_lines.name:
        answer["voucher"] = {name: row.get(name) for name in LINE_CONTEXT}
    if table == vouchers.name:
        answer["voucher"] = {
            name: row.get(name) for name in ("transaction_type_number", "voucher_number", "voucher_date")
        }
    return answer


def _journaled_row(
    connection: sa.Connection, organization_id: int, position: int, table: str, key: Key
) -> dict[str, Any]:
    text = connection.execute(
        sa.select(journal_entries.c.entry).where(
            (journal_entries.c.organization_id == organization_id) & (journal_entries.c.position == position)
        )
    ).scalar_one()
    for found_table, found_key, row in rows_of_entry(json.loads(text)):
        if found_table == table and found_key == key:
            return row
    return {}
