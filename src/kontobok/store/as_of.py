"""Balances as the books stood at an instant: the current totals, less what was recorded after it.

Every line carries the instant it was recorded (``created_at``, its voucher's posting instant). The books as
of an instant ``T`` are the lines recorded at or before ``T``; a voucher back-dated into January but posted
after ``T``, or a reversal posted after ``T``, is not in them.

Summing every line recorded up to ``T`` would cost the whole history. Instead
:func:`read_account_totals_as_of` reads the same precomputed totals a current report reads and subtracts the
lines recorded after ``T``, found through the index on ``(organization_id, created_at)``: a recent ``T``
costs the few lines posted since. (For a ``T`` far back the subtraction reads many lines; it stays exact.)

A report that needs totals as of an instant calls :func:`read_account_totals_as_of` with the arguments it
would give :func:`kontobok.store.balances.read_account_totals`, plus ``as_of``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

import sqlalchemy as sa

from kontobok.core.balances import DayTotal
from kontobok.core.periods import DateRange
from kontobok.store.balances import AccountTotals, read_account_totals
from kontobok.store.posting import DATE_BASIS, MONTHLY_BASIS, month_start
from kontobok.store.schema import account_daily_totals, transaction_lines, transaction_types

_lines = transaction_lines.c
_totals = account_daily_totals.c


def read_account_totals_as_of(
    connection: sa.Connection,
    organization_id: int,
    *,
    as_of: datetime | None,
    span: DateRange,
    fiscal_start: date,
    basis: int,
    account_ids: Collection[int] | None = None,
    by_month: bool = False,
) -> dict[int, AccountTotals]:
    """:func:`~kontobok.store.balances.read_account_totals` as the books stood at ``as_of`` (now if None)."""
    totals = read_account_totals(
        connection,
        organization_id,
        span=span,
        fiscal_start=fiscal_start,
        basis=basis,
        account_ids=account_ids,
        by_month=by_month,
    )
    if as_of is None:
        return totals
    later = _lines_recorded_after_with_kind(
        connection, organization_id, as_of, basis=basis, account_ids=account_ids
    )
    if not later:
        return totals
    inside: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for account_id, day, amount, is_incoming in later:
        if day >= span.end:
            continue
        found = totals.setdefault(account_id, AccountTotals())
        if day < span.begin:
            found.before_all_time -= amount
            if day >= fiscal_start:
                found.before_since_fiscal_start -= amount
            continue
        less = inside[(account_id, month_start(day) if by_month else day)]
        less[0] += amount
        less[1] += amount if is_incoming else 0
        less[2] += 1
        less[3] += amount if amount > 0 and not is_incoming else 0
    if inside:
        inside_basis = MONTHLY_BASIS[basis] if by_month else basis
        counts = _line_counts(connection, organization_id, inside_basis, inside)
        for (account_id, day), (movement, incoming, count, debit) in inside.items():
            found = totals[account_id]
            found.days = [
                DayTotal(total.day, total.movement - movement, total.incoming - incoming, total.debit - debit)
                if total.day == day
                else total
                for total in found.days
                if total.day != day or counts.get((account_id, day), 0) > count
            ]
    return totals


def lines_recorded_after(
    connection: sa.Connection,
    organization_id: int,
    as_of: datetime,
    *,
    basis: int,
    account_ids: Collection[int] | None = None,
) -> list[tuple[int, date, int, int]]:
    """(account, day on ``basis``, amount, transaction type) of every line recorded after ``as_of``.

    The accounts are picked here rather than in the query: given an account, a planner may read all of that
    account's lines by the account index instead of the few recent ones by the instant's.
    """
    day = _lines.line_date if basis == DATE_BASIS else _lines.period_date
    rows = connection.execute(
        sa.select(_lines.account_id, day, _lines.amount, _lines.transaction_type_number).where(
            (_lines.organization_id == organization_id) & (_lines.created_at > as_of)
        )
    )
    wanted = None if account_ids is None else set(account_ids)
    return [
        (int(account), found_day, int(amount), int(kind))
        for account, found_day, amount, kind in rows
        if wanted is None or account in wanted
    ]


def _lines_recorded_after_with_kind(
    connection: sa.Connection,
    organization_id: int,
    as_of: datetime,
    *,
    basis: int,
    account_ids: Collection[int] | None = None,
) -> list[tuple[int, date, int, bool]]:
    """:func:`lines_recorded_after`, with whether each line's transaction type is an incoming balance
    instead of the type's number: the types joined on the shard in the same statement."""
    day = _lines.line_date if basis == DATE_BASIS else _lines.period_date
    types = transaction_types.c
    rows = connection.execute(
        sa.select(_lines.account_id, day, _lines.amount, types.is_incoming_balance)
        .select_from(
            transaction_lines.join(
                transaction_types,
                (types.organization_id == _lines.organization_id)
                & (types.number == _lines.transaction_type_number),
            )
        )
        .where((_lines.organization_id == organization_id) & (_lines.created_at > as_of))
    )
    wanted = None if account_ids is None else set(account_ids)
    return [
        (int(account), found_day, int(amount), bool(is_incoming))
        for account, found_day, amount, is_incoming in rows
        if wanted is None or account in wanted
    ]


def _line_counts(
    connection: sa.Connection, organization_id: int, basis: int, keys: Collection[tuple[int, date]]
) -> dict[tuple[int, date], int]:
    """How many lines the totals hold for each (account, day): a day left without any is dropped."""
    rows = connection.execute(
        sa.select(_totals.account_id, _totals.day, _totals.line_count).where(
            (_totals.organization_id == organization_id)
            & (_totals.basis == basis)
            & _totals.account_id.in_(sorted({account for account, _ in keys}))
            & _totals.day.in_(sorted({day for _, day in keys}))
        )
    )
    return {(int(account), day): int(count) for account, day, count in rows}
