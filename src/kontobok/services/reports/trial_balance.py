"""The trial balance (saldobalanse): every account's opening, debits, credits and closing over a range.

Amounts keep the ledger's signs: debit positive, credit negative. ``opening`` follows the balance rules of
``/accountbalances``: a balance-sheet account's whole history, a profit-and-loss account's sum since the
start of the fiscal year, and the incoming-balance (IB) lines dated inside the range. ``debit`` and
``credit`` are the sums of the positive and of the negative amounts of the other lines in the range, so
``opening + debit + credit = closing`` for every account. The range lies inside one fiscal year.

The opening total is zero only when the earlier years are closed (their result moved to equity): otherwise
it is minus the result the earlier years left in their profit-and-loss accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from kontobok.services.balances import read_balances
from kontobok.services.reports.ranges import checked_total, report_range, within_one_fiscal_year
from kontobok.store.organizations import Organization


@dataclass(frozen=True)
class TrialBalanceAccount:
    account_id: int
    number: int
    name: str
    opening: int
    debit: int
    credit: int
    closing: int


@dataclass(frozen=True)
class TrialBalanceTotals:
    opening: int
    debit: int
    credit: int
    closing: int


@dataclass(frozen=True)
class TrialBalance:
    date_from: date
    date_to: date
    currency: str
    accounts: tuple[TrialBalanceAccount, ...]
    totals: TrialBalanceTotals


def trial_balance(
    connection: sa.Connection,
    organization: Organization,
    date_from: date,
    date_to: date,
    *,
    as_of: datetime | None = None,
) -> TrialBalance:
    """Every account with movement or a non-zero balance in ``[date_from, date_to]``, ordered by number;
    with ``as_of``, as the books stood at that instant (see :mod:`kontobok.store.as_of`)."""
    span = within_one_fiscal_year(report_range(date_from, date_to), organization.fiscal_year_start_month)
    rows = tuple(
        TrialBalanceAccount(
            found.account.account_id,
            found.account.number,
            found.account.name,
            found.elements[0].opening,
            found.debit,
            found.credit,
            found.elements[0].closing,
        )
        for found in read_balances(connection, organization, span=span, cuts=[span], as_of=as_of)
    )
    totals = TrialBalanceTotals(
        checked_total(sum(row.opening for row in rows)),
        checked_total(sum(row.debit for row in rows)),
        checked_total(sum(row.credit for row in rows)),
        checked_total(sum(row.closing for row in rows)),
    )
    return TrialBalance(date_from, date_to, organization.base_currency, rows, totals)
