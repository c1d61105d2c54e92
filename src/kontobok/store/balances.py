"""Reading balances from the per-day totals, never from the lines.

For a range ``[begin, end)`` the store answers two questions per account: what the account carried into
``begin`` (since the beginning of time, and since the start of ``begin``'s fiscal year), and the totals of
each day inside the range. :mod:`kontobok.core.balances` turns those into report elements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from kontobok.core.balances import DayTotal
from kontobok.core.periods import DateRange
from kontobok.store.schema import account_daily_totals, transaction_lines

_totals = account_daily_totals.c


@dataclass
class AccountTotals:
    """One account's sums: before the range (all time, and since the fiscal-year start), and per day in it."""

    before_all_time: int = 0
    before_since_fiscal_start: int = 0
    days: list[DayTotal] = field(default_factory=list)


def read_account_totals(
    connection: sa.Connection,
    organization_id: int,
    *,
    span: DateRange,
    fiscal_start: date,
    basis: int,
    account_ids: Collection[int] | None = None,
) -> dict[int, AccountTotals]:
    """Per account: what it carried into ``span`` and its day totals inside it (only accounts with rows)."""
    scope = (_totals.organization_id == organization_id) & (_totals.basis == basis)
    if account_ids is not None:
        scope = scope & _totals.account_id.in_(list(account_ids))
    result: dict[int, AccountTotals] = defaultdict(AccountTotals)
    before = connection.execute(
        sa.select(
            _totals.account_id,
            sa.func.sum(_totals.movement),
            sa.func.sum(sa.case((_totals.day >= fiscal_start, _totals.movement), else_=0)),
        )
        .where(scope & (_totals.day < span.begin))
        .group_by(_totals.account_id)
    )
    for account_id, all_time, since_fiscal_start in before:
        result[account_id].before_all_time = int(all_time)
        result[account_id].before_since_fiscal_start = int(since_fiscal_start)
    inside = connection.execute(
        sa.select(_totals.account_id, _totals.day, _totals.movement, _totals.incoming)
        .where(scope & (_totals.day >= span.begin) & (_totals.day < span.end))
        .order_by(_totals.account_id, _totals.day)
    )
    for account_id, day, movement, incoming in inside:
        result[account_id].days.append(DayTotal(day, movement, incoming))
    return dict(result)


def recompute_daily_totals(
    connection: sa.Connection, organization_id: int, *, basis: int
) -> dict[tuple[int, date], tuple[int, int]]:
    """Per (account, day): (movement, line count) summed from the lines themselves, for verification."""
    day_column = transaction_lines.c.line_date if basis == 0 else transaction_lines.c.period_date
    rows = connection.execute(
        sa.select(
            transaction_lines.c.account_id,
            day_column,
            sa.func.sum(transaction_lines.c.amount),
            sa.func.count(),
        )
        .where(transaction_lines.c.organization_id == organization_id)
        .group_by(transaction_lines.c.account_id, day_column)
    )
    return {(account_id, day): (int(total), int(count)) for account_id, day, total, count in rows}


def stored_daily_totals(
    connection: sa.Connection, organization_id: int, *, basis: int
) -> dict[tuple[int, date], tuple[int, int]]:
    """Per (account, day): (movement, line count) as stored in the per-day totals."""
    rows = connection.execute(
        sa.select(_totals.account_id, _totals.day, _totals.movement, _totals.line_count).where(
            (_totals.organization_id == organization_id) & (_totals.basis == basis)
        )
    )
    return {(account_id, day): (int(total), int(count)) for account_id, day, total, count in rows}
