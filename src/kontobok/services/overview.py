"""The dashboard's overview of a fiscal year, read from the per-day and per-month totals, never the lines.

* **Bank and cash**: the ledger accounts 1900–1999 (NS 4102 class 19, "bankinnskudd, kontanter og lignende"),
  each with its balance at the end of the year (or of the last day with lines, if earlier) and its
  end-of-day balance on every day of the year, for the chart.
* **Income and expenses per month**: operating income is the credit balance of class 3 (3000–3999, shown
  positive); operating expenses the debit balance of classes 4–7 (4000–7999).
* **The year's result so far**: what the profit-and-loss accounts 3000–8799 add up to, with the sign
  flipped so that a profit is positive: operating result, financial items and tax on the result. The
  accounts 8800–8999 hold the transfer of the result to equity at year-end, so they are left out; a closed
  year still shows the result it had.

The cost is a row per account and month plus a row per bank account and day, whatever the number of lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from kontobok.core.periods import DateRange, fiscal_year_range, fiscal_year_start, monthly_cuts
from kontobok.store.balances import read_account_totals
from kontobok.store.books import list_accounts
from kontobok.store.dashboard_reads import latest_line_day
from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization
from kontobok.store.posting import DATE_BASIS

BANK_AND_CASH = range(1900, 2000)
OPERATING_INCOME = range(3000, 4000)
OPERATING_EXPENSES = range(4000, 8000)
RESULT_ACCOUNTS = range(3000, 8800)


@dataclass(frozen=True)
class CashAccount:
    account_id: int
    number: int
    name: str
    balance: int
    daily: list[int]


@dataclass(frozen=True)
class MonthFigures:
    month: date
    income: int
    expenses: int

    @property
    def result(self) -> int:
        return self.income - self.expenses


@dataclass(frozen=True)
class Overview:
    year: int
    span: DateRange
    as_of: date
    days: list[date]
    cash_accounts: list[CashAccount]
    months: list[MonthFigures]
    result: int


def default_year(engine: sa.Engine, organization: Organization, today: date) -> int:
    """The fiscal year of the last day with lines, or of ``today`` when there are none."""
    with read_transaction(engine) as connection:
        last = latest_line_day(connection, organization.organization_id)
    return fiscal_year_start(last or today, organization.fiscal_year_start_month).year


def read_overview(engine: sa.Engine, organization: Organization, year: int) -> Overview:
    span = fiscal_year_range(year, organization.fiscal_year_start_month)
    with read_transaction(engine) as connection:
        accounts = list_accounts(connection, organization.organization_id)
        last = latest_line_day(connection, organization.organization_id)
        cash = [account for account in accounts if account.number in BANK_AND_CASH]
        daily_totals = read_account_totals(
            connection,
            organization.organization_id,
            span=span,
            fiscal_start=span.begin,
            basis=DATE_BASIS,
            account_ids=[account.account_id for account in cash],
        )
        monthly_totals = read_account_totals(
            connection,
            organization.organization_id,
            span=span,
            fiscal_start=span.begin,
            basis=DATE_BASIS,
            by_month=True,
        )
    as_of = min(span.last_day, last) if last is not None and last >= span.begin else span.last_day
    days = list(span.days())
    cash_accounts = []
    for account in cash:
        totals = daily_totals.get(account.account_id)
        movements = {day.day: day.movement for day in totals.days} if totals else {}
        balance = totals.before_all_time if totals else 0
        series = []
        for day in days:
            balance += movements.get(day, 0)
            series.append(balance)
        if totals is not None or any(series):
            cash_accounts.append(
                CashAccount(
                    account.account_id, account.number, account.name, series[days.index(as_of)], series
                )
            )
    number_of = {account.account_id: account.number for account in accounts}
    income = dict.fromkeys((cut.begin for cut in monthly_cuts(span)), 0)
    expenses = dict(income)
    result = 0
    for account_id, totals in monthly_totals.items():
        number = number_of.get(account_id, 0)
        for month in totals.days:
            if number in OPERATING_INCOME:
                income[month.day] -= month.movement
            elif number in OPERATING_EXPENSES:
                expenses[month.day] += month.movement
            if number in RESULT_ACCOUNTS:
                result -= month.movement
    months = [MonthFigures(month, income[month], expenses[month]) for month in income]
    return Overview(year, span, as_of, days, cash_accounts, months, result)
