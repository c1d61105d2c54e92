"""Reading the organization's journal as events (see :mod:`kontobok.core.events`).

The journal is the change feed's source: its positions run without gaps in the order the changes were
committed (an entry is appended while the organization's books are locked, so no later position becomes
visible before an earlier one), and a reader that remembers the last event it saw can always resume after it.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from kontobok.core.events import Event, SeenBefore, events_of
from kontobok.store.schema import journal_entries, organizations

_journal = journal_entries.c
# entries read at a time while filling a page of events; an entry holds one event or more
_ENTRY_BATCH = 200


def base_currency_of(connection: sa.Connection, organization_id: int) -> str:
    currency: str = connection.execute(
        sa.select(organizations.c.base_currency).where(organizations.c.organization_id == organization_id)
    ).scalar_one()
    return currency


def seen_before_in(connection: sa.Connection, organization_id: int, position: int) -> SeenBefore:
    """Whether an entry before ``position`` wrote the row of a kind with a key, read from the journal.

    Entries are canonical JSON with sorted keys and no whitespace, so a row's key column is written exactly
    as ``"name":value`` followed by a comma or the row's closing brace.
    """

    def seen_before(kind: str, key: str, value: Any) -> bool:
        written = _escape_like(f'"{key}":{json.dumps(value)}')
        found = connection.execute(
            sa.select(_journal.position)
            .where(
                (_journal.organization_id == organization_id)
                & (_journal.kind == kind)
                & (_journal.position < position)
                & (
                    _journal.entry.like(f"%{written},%", escape="\\")
                    | _journal.entry.like(f"%{written}}}%", escape="\\")
                )
            )
            .limit(1)
        ).first()
        return found is not None

    return seen_before


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def read_events(
    connection: sa.Connection, organization_id: int, after: tuple[int, int], limit: int
) -> tuple[list[Event], tuple[int, int]]:
    """Up to ``limit`` events after the event ``after`` (position, index), and the position of the last one.

    ``(0, -1)`` is before the first event. When fewer than ``limit`` events follow, the answer ends at the
    journal's head and the returned position stays where it was, so it can be asked again later.
    """
    base_currency = base_currency_of(connection, organization_id)
    position, index = after
    events: list[Event] = []
    while len(events) < limit:
        entries = connection.execute(
            sa.select(_journal.position, _journal.kind, _journal.entry)
            .where((_journal.organization_id == organization_id) & (_journal.position >= position))
            .order_by(_journal.position)
            .limit(_ENTRY_BATCH)
        ).all()
        for entry_position, kind, text in entries:
            seen = seen_before_in(connection, organization_id, entry_position)
            for event in events_of(entry_position, kind, text, base_currency, seen):
                if (event.position, event.index) <= (position, index):
                    continue
                events.append(event)
                position, index = event.position, event.index
                if len(events) == limit:
                    return events, (position, index)
            # an entry without events (or whose events were all read) is passed for good
            position, index = max((position, index), (entry_position, 1 << 30))
        if len(entries) < _ENTRY_BATCH:
            break
    return events, (position, index)
