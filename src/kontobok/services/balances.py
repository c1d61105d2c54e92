"""Account balances over a range cut into elements: the one rule behind ``/accountbalances`` and the reports.

The store answers what each account carried into the range and its per-day (or per-month) totals inside it;
:func:`kontobok.core.balances.carried_in_balance` says which of the carried sums counts for the account's kind
(balance-sheet accounts accumulate over all time, profit-and-loss accounts from the fiscal-year start), and
:func:`kontobok.core.balances.compute_balance_elements` turns them into opening, closing and change, with the
incoming-balance (IB) lines in the opening unless ``keep_incoming``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kontobok.core.accounts import account_kind
from kontobok.core.balances import BalanceElement, carried_in_balance, compute_balance_elements
from kontobok.core.periods import DateRange, fiscal_year_start
from kontobok.store.as_of import read_account_totals_as_of
from kontobok.store.books import Account, list_accounts
from kontobok.store.organizations import Organization
from kontobok.store.posting import DATE_BASIS


@dataclass(frozen=True)
class AccountBalances:
    """One account's elements; ``debit`` and ``credit`` are the sums of the positive and of the negative
    amounts among the lines inside the whole range that are not incoming balance (``credit`` negative)."""

    account: Account
    elements: tuple[BalanceElement, ...]
    debit: int
    credit: int


def _whole_months(cuts: Sequence[DateRange], span: DateRange) -> bool:
    """Whether every element begins on the first day of a month and the span ends at a month's end, so that
    the monthly sums answer the report (fiscal years always begin on a month's first day)."""
    return span.end.day == 1 and all(cut.begin.day == 1 for cut in cuts)


def read_balances(
    connection: sa.Connection,
    organization: Organization,
    *,
    span: DateRange,
    cuts: Sequence[DateRange],
    basis: int = DATE_BASIS,
    keep_incoming: bool = False,
    accounts: Sequence[Account] | None = None,
    as_of: datetime | None = None,
) -> list[AccountBalances]:
    """Balances of ``accounts`` (all of them, each listed), or of every account of the chart with movement or
    a non-zero balance in ``span``, ordered as given or by number. ``cuts`` are contiguous and cover ``span``.
    With ``as_of``, the books as they stood at that instant (see :mod:`kontobok.store.as_of`).
    """
    start_month = organization.fiscal_year_start_month
    chart = (
        list(accounts) if accounts is not None else list_accounts(connection, organization.organization_id)
    )
    totals = read_account_totals_as_of(
        connection,
        organization.organization_id,
        as_of=as_of,
        span=span,
        fiscal_start=fiscal_year_start(span.begin, start_month),
        basis=basis,
        account_ids=[account.account_id for account in accounts] if accounts is not None else None,
        by_month=_whole_months(cuts, span),
    )
    found_balances: list[AccountBalances] = []
    for account in chart:
        found = totals.get(account.account_id)
        if found is None and accounts is None:
            continue
        kind = account_kind(account.number)
        carried_in = 0
        if found is not None:
            carried_in = carried_in_balance(
                kind,
                before_all_time=found.before_all_time,
                before_since_fiscal_start=found.before_since_fiscal_start,
            )
        days = found.days if found is not None else []
        if accounts is None and not days and carried_in == 0:
            continue
        elements = compute_balance_elements(
            cuts,
            carried_in=carried_in,
            day_totals=days,
            kind=kind,
            fiscal_start_month=start_month,
            keep_incoming=keep_incoming,
        )
        movement = sum(day.movement for day in days)
        incoming = sum(day.incoming for day in days)
        debit = sum(day.debit for day in days)
        credit = movement - incoming - debit
        found_balances.append(AccountBalances(account, tuple(elements), debit, credit))
    return found_balances
