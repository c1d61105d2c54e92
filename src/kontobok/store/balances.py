"""Reading balances from the per-day totals, never from the lines.

For a range ``[begin, end)`` the store answers two questions per account: what the account carried into
``begin`` (since the beginning of time, and since the start of ``begin``'s fiscal year), and the totals of
each day inside the range. :mod:`kontobok.core.balances` turns those into report elements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from kontobok.core.balances import DayTotal
from kontobok.core.periods import DateRange
from kontobok.store.posting import MONTHLY_BASIS, month_start
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
    buckets: Sequence[date] | None = None,
) -> dict[int, AccountTotals]:
    """Per account: what it carried into ``span`` and its day totals inside it (only accounts with rows).

    What an account carried in is summed from its monthly rows for the months before ``span.begin``'s month
    and from its daily rows for the days of that month before it, so its cost is a row per month of history.

    With ``buckets`` (increasing days, the first being ``span.begin``), the days from one bucket's start to
    the next are summed by the database and reported as one total on the bucket's first day. A report whose
    elements and fiscal years begin on bucket starts gets the same balances as from every day. When every
    bucket and the span's end are first days of months, the monthly rows are summed instead of the daily
    ones: a row per account and month, however many days have lines.
    """
    monthly_basis = MONTHLY_BASIS[basis]
    first_month = month_start(span.begin)
    result: dict[int, AccountTotals] = defaultdict(AccountTotals)
    carried = sa.union_all(
        sa.select(_totals.account_id, _totals.day, _totals.movement).where(
            _scope(organization_id, monthly_basis, account_ids) & (_totals.day < first_month)
        ),
        sa.select(_totals.account_id, _totals.day, _totals.movement).where(
            _scope(organization_id, basis, account_ids)
            & (_totals.day >= first_month)
            & (_totals.day < span.begin)
        ),
    ).subquery()
    before = connection.execute(
        sa.select(
            carried.c.account_id,
            sa.func.sum(carried.c.movement),
            sa.func.sum(sa.case((carried.c.day >= fiscal_start, carried.c.movement), else_=0)),
        ).group_by(carried.c.account_id)
    )
    for account_id, all_time, since_fiscal_start in before:
        result[account_id].before_all_time = int(all_time)
        result[account_id].before_since_fiscal_start = int(since_fiscal_start)
    if buckets is None:
        inside = connection.execute(
            sa.select(_totals.account_id, _totals.day, _totals.movement, _totals.incoming)
            .where(_scope(organization_id, basis, account_ids) & _within(span))
            .order_by(_totals.account_id, _totals.day)
        )
        for account_id, day, movement, incoming in inside:
            result[account_id].days.append(DayTotal(day, movement, incoming))
        return dict(result)
    whole_months = all(day.day == 1 for day in (*buckets, span.end))
    bucket = _bucket_of_day(buckets).label("bucket")
    summed = connection.execute(
        sa.select(_totals.account_id, bucket, sa.func.sum(_totals.movement), sa.func.sum(_totals.incoming))
        .where(_scope(organization_id, monthly_basis if whole_months else basis, account_ids) & _within(span))
        .group_by(_totals.account_id, bucket)
        .order_by(_totals.account_id, bucket)
    )
    for account_id, index, movement, incoming in summed:
        result[account_id].days.append(DayTotal(buckets[index], int(movement), int(incoming)))
    return dict(result)


def _scope(organization_id: int, basis: int, account_ids: Collection[int] | None) -> sa.ColumnElement[bool]:
    scope = (_totals.organization_id == organization_id) & (_totals.basis == basis)
    if account_ids is not None:
        scope = scope & _totals.account_id.in_(list(account_ids))
    return scope


def _within(span: DateRange) -> sa.ColumnElement[bool]:
    return (_totals.day >= span.begin) & (_totals.day < span.end)


def _bucket_of_day(buckets: Sequence[date]) -> sa.ColumnElement[int]:
    """The index of the bucket a per-day total's day falls in."""
    if len(buckets) == 1:
        return sa.literal(0)
    return sa.case(
        *((_totals.day < start, index) for index, start in enumerate(buckets[1:])),
        else_=len(buckets) - 1,
    )


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
