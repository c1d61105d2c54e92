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
from typing import Any

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


# the kind of a row of the one statement that reads totals
_CARRIED = 0
_INSIDE = 1


def _statement(with_accounts: bool) -> sa.CompoundSelect[Any]:
    """What accounts carried in, and their rows inside a range, in one statement (one round trip).

    Rows of kind :data:`_CARRIED` hold an account's sum before the range over all time (``movement``) and
    since the fiscal-year start (``debit``); rows of kind :data:`_INSIDE` a day's (or a month's) totals.
    Built once, so that a request only binds values: ``organization``, ``basis``, ``monthly_basis``,
    ``inside_basis``, ``first_month``, ``begin``, ``end``, ``fiscal_start`` and ``accounts``. Every part
    names the organization, so that Citus routes the whole statement to one shard.
    """

    def scope(basis: str) -> sa.ColumnElement[bool]:
        condition = (_totals.organization_id == sa.bindparam("organization")) & (
            _totals.basis == sa.bindparam(basis)
        )
        if with_accounts:
            condition = condition & _totals.account_id.in_(sa.bindparam("accounts", expanding=True))
        return condition

    carried = sa.union_all(
        sa.select(_totals.account_id, _totals.day, _totals.movement).where(
            scope("monthly_basis") & (_totals.day < sa.bindparam("first_month"))
        ),
        sa.select(_totals.account_id, _totals.day, _totals.movement).where(
            scope("basis")
            & (_totals.day >= sa.bindparam("first_month"))
            & (_totals.day < sa.bindparam("begin"))
        ),
    ).subquery()
    before = sa.select(
        sa.literal(_CARRIED, sa.Integer).label("kind"),
        carried.c.account_id,
        sa.cast(sa.null(), sa.Date).label("day"),
        sa.func.sum(carried.c.movement).label("movement"),
        sa.literal(0, sa.BigInteger).label("incoming"),
        sa.func.sum(
            sa.case((carried.c.day >= sa.bindparam("fiscal_start"), carried.c.movement), else_=0)
        ).label("debit"),
    ).group_by(carried.c.account_id)
    inside = sa.select(
        sa.literal(_INSIDE, sa.Integer).label("kind"),
        _totals.account_id,
        _totals.day,
        _totals.movement,
        _totals.incoming,
        _totals.debit,
    ).where(
        scope("inside_basis") & (_totals.day >= sa.bindparam("begin")) & (_totals.day < sa.bindparam("end"))
    )
    both = sa.union_all(before, inside)
    return both.order_by(both.selected_columns.account_id, both.selected_columns.day)


_FOR_ALL_ACCOUNTS = _statement(with_accounts=False)
_FOR_SOME_ACCOUNTS = _statement(with_accounts=True)


def read_account_totals(
    connection: sa.Connection,
    organization_id: int,
    *,
    span: DateRange,
    fiscal_start: date,
    basis: int,
    account_ids: Collection[int] | None = None,
    by_month: bool = False,
) -> dict[int, AccountTotals]:
    """Per account: what it carried into ``span`` and its totals inside it (only accounts with rows).

    What an account carried in is summed from its monthly rows for the months before ``span.begin``'s month
    and from its daily rows for the days of that month before it, so its cost is a row per month of history.
    Those sums may pass the 64-bit range (each stored total is inside it, their sum over all time need not
    be); both databases sum exactly (see :class:`kontobok.store.database.ExactSum`), and so does Python.

    Inside the span the totals are per day; with ``by_month`` (for a report whose elements begin on the first
    day of a month, as fiscal years always do, and whose span ends at a month's end) they are per month, on
    the month's first day: a row per account and month, however many days have lines.
    """
    statement = _FOR_ALL_ACCOUNTS if account_ids is None else _FOR_SOME_ACCOUNTS
    values: dict[str, Any] = {
        "organization": organization_id,
        "basis": basis,
        "monthly_basis": MONTHLY_BASIS[basis],
        "inside_basis": MONTHLY_BASIS[basis] if by_month else basis,
        "first_month": month_start(span.begin),
        "begin": span.begin,
        "end": span.end,
        "fiscal_start": fiscal_start,
    }
    if account_ids is not None:
        values["accounts"] = list(account_ids)
    result: dict[int, AccountTotals] = defaultdict(AccountTotals)
    for kind, account_id, day, movement, incoming, debit in connection.execute(statement, values):
        found = result[account_id]
        if kind == _CARRIED:
            found.before_all_time = int(movement)
            found.before_since_fiscal_start = int(debit)
        else:
            found.days.append(DayTotal(day, int(movement), int(incoming), int(debit)))
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
