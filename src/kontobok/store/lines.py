"""Reading transaction lines, with the vendor's filters and a stable order: date, voucher number, line.

A page deep into the range does not skip every line before it. When the filter is the date range alone, or
the range and one account, kontobok keeps per-day line counts for it; summing those finds the day the page
starts on and how many lines of that day come before it, so the database skips only within one day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from kontobok.core.errors import NotFound
from kontobok.core.periods import DateRange
from kontobok.store.schema import (
    account_daily_totals,
    accounts,
    daily_line_counts,
    transaction_lines,
    vouchers,
)

_lines = transaction_lines.c
# the order lines are listed in, which ix_transaction_lines_order holds after the organization
_ORDER = (_lines.line_date, _lines.voucher_number, _lines.voucher_id, _lines.line_number)


@dataclass(frozen=True)
class LineFilter:
    span: DateRange
    created_from: datetime | None = None
    # as of an instant: only the lines recorded at or before it
    created_to: datetime | None = None
    modified_from: datetime | None = None
    transaction_number: int | None = None
    transaction_type_number: int | None = None
    customer_id: int | None = None
    account_id: int | None = None
    account_number: int | None = None
    invoice_number: str | None = None
    currency: str | None = None
    # the dashboard's search: a case-insensitive part of the line's comment or invoice number
    text: str | None = None


def _select_lines() -> sa.Select[tuple[object, ...]]:
    return sa.select(
        transaction_lines, accounts.c.name.label("account_name"), vouchers.c.reverses_voucher_id,
        vouchers.c.document_id,
    ).join(
        accounts,
        (accounts.c.organization_id == _lines.organization_id) & (accounts.c.account_id == _lines.account_id),
    ).join(
        vouchers,
        (vouchers.c.organization_id == _lines.organization_id) & (vouchers.c.voucher_id == _lines.voucher_id),
    )  # fmt: skip


def list_lines(
    connection: sa.Connection, organization_id: int, where: LineFilter, *, limit: int, offset: int
) -> list[sa.RowMapping]:
    """One page of lines matching every filter, ordered by date, voucher number and line number."""
    start = _page_start(connection, organization_id, where, offset)
    if start is not None and start.past_end:
        return []
    # one lower bound only: given two, a planner may range over the index from the lower of them
    begin = max(where.span.begin, start.day) if start is not None else where.span.begin
    conditions = [
        _lines.organization_id == organization_id,
        _lines.line_date >= begin,
        _lines.line_date < where.span.end,
    ]
    equal_to = [
        (_lines.voucher_number, where.transaction_number),
        (_lines.transaction_type_number, where.transaction_type_number),
        (_lines.customer_id, where.customer_id),
        (_lines.account_id, where.account_id),
        (_lines.account_number, where.account_number),
        (_lines.invoice_number, where.invoice_number),
        (_lines.currency, where.currency),
    ]
    conditions.extend(column == value for column, value in equal_to if value is not None)
    if start is not None:
        offset = 0
        first = _first_line_key(connection, conditions, start.skip)
        if first is None:
            return []
        conditions.append(sa.tuple_(*_ORDER) >= sa.tuple_(*first))
    if where.text:
        pattern = "%" + where.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            _lines.comment.ilike(pattern, escape="\\") | _lines.invoice_number.ilike(pattern, escape="\\")
        )
    if where.created_from is not None:
        conditions.append(_lines.created_at >= where.created_from)
    if where.created_to is not None:
        conditions.append(_lines.created_at <= where.created_to)
    if where.modified_from is not None:
        conditions.append(_lines.modified_at >= where.modified_from)
    statement = _select_lines().where(*conditions).order_by(*_ORDER).limit(limit).offset(offset)
    return list(connection.execute(statement).mappings())


def _first_line_key(
    connection: sa.Connection, conditions: list[sa.ColumnElement[bool]], skip: int
) -> tuple[Any, ...] | None:
    """The ordering key of the line ``skip`` lines into the day a page starts on.

    The key is read from the ordering index alone, so skipping the earlier lines of that day costs index
    entries, not rows with their voucher and account; the page itself then starts at that key.
    """
    found = connection.execute(
        sa.select(*_ORDER).where(*conditions).order_by(*_ORDER).limit(1).offset(skip)
    ).first()
    return None if found is None else tuple(found)


@dataclass(frozen=True)
class _PageStart:
    day: date
    skip: int
    past_end: bool = False


def _page_start(
    connection: sa.Connection, organization_id: int, where: LineFilter, offset: int
) -> _PageStart | None:
    """Where a page at ``offset`` starts, from per-day line counts; None when no counts fit the filter."""
    if offset == 0:
        return None
    only_account = where.account_id is not None or where.account_number is not None
    others = (
        where.created_from,
        where.created_to,
        where.modified_from,
        where.transaction_number,
        where.transaction_type_number,
        where.customer_id,
        where.invoice_number,
        where.currency,
        where.text or None,
    )
    if any(value is not None for value in others):
        return None
    if only_account:
        totals = account_daily_totals.c
        account_ids = sa.select(accounts.c.account_id).where(accounts.c.organization_id == organization_id)
        if where.account_id is not None:
            account_ids = account_ids.where(accounts.c.account_id == where.account_id)
        if where.account_number is not None:
            account_ids = account_ids.where(accounts.c.number == where.account_number)
        counts = sa.select(totals.day, totals.line_count).where(
            (totals.organization_id == organization_id)
            & (totals.basis == 0)
            & totals.account_id.in_(account_ids.scalar_subquery())
        )
        day_column = totals.day
    else:
        days = daily_line_counts.c
        counts = sa.select(days.day, days.line_count).where(days.organization_id == organization_id)
        day_column = days.day
    rows = connection.execute(
        counts.where((day_column >= where.span.begin) & (day_column < where.span.end)).order_by(day_column)
    )
    before = 0
    for day, count in rows:
        if before + count > offset:
            return _PageStart(day, offset - before)
        before += count
    return _PageStart(where.span.begin, 0, past_end=True)


def get_line(connection: sa.Connection, organization_id: int, line_id: uuid.UUID) -> sa.RowMapping:
    row = (
        connection.execute(
            _select_lines().where((_lines.organization_id == organization_id) & (_lines.line_id == line_id))
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"transaction line {line_id} does not exist")
    return row


def voucher_lines(
    connection: sa.Connection, organization_id: int, voucher_id: uuid.UUID
) -> list[sa.RowMapping]:
    return list(
        connection.execute(
            sa.select(transaction_lines)
            .where((_lines.organization_id == organization_id) & (_lines.voucher_id == voucher_id))
            .order_by(_lines.line_number)
        ).mappings()
    )


def amount_before_line(connection: sa.Connection, organization_id: int, line: sa.RowMapping) -> int:
    """The sum of the lines of ``line``'s account on its day that come before it in the listing order."""
    key = tuple(line[column.name] for column in _ORDER)
    total = connection.execute(
        sa.select(sa.func.coalesce(sa.func.sum(_lines.amount), 0)).where(
            (_lines.organization_id == organization_id)
            & (_lines.account_id == line["account_id"])
            & (_lines.line_date == line["line_date"])
            & (sa.tuple_(*_ORDER) < sa.tuple_(*key))
        )
    ).scalar_one()
    return int(total)
