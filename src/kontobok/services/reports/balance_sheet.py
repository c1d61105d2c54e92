"""The balance sheet (balanse) at the end of a day, grouped after NS 4102.

Balance-sheet accounts (classes 1 and 2) stand with their whole history up to the end of the day. Assets are
shown as debited (positive), equity and liabilities as credited (positive): an overdrawn bank account is a
negative asset. The books balance because every voucher does, so what the profit-and-loss accounts hold
belongs to equity until the closing moves it there:

- ``resultForTheYear``: the result of the fiscal year so far (profit positive), minus what a closing has
  moved to equity already, so zero at the end of a closed year;
- ``resultOfEarlierYears``: the result earlier years left in their profit-and-loss accounts because they were
  never closed, zero when every earlier year is closed.

Both are part of the equity group's total, so the assets total equals the equity-and-liabilities total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from kontobok.core.accounts import AccountKind, account_kind
from kontobok.core.ns4102 import BALANCE_SHEET_GROUP_NAMES, BalanceSheetGroup, balance_sheet_group
from kontobok.services.balances import read_balances
from kontobok.services.reports.figures import AccountAmount, Section
from kontobok.services.reports.ranges import checked_total, report_day
from kontobok.store.organizations import Organization


@dataclass(frozen=True)
class BalanceSheetSide:
    total: int
    groups: tuple[Section, ...]


@dataclass(frozen=True)
class BalanceSheet:
    date: date
    currency: str
    assets: BalanceSheetSide
    equity_and_liabilities: BalanceSheetSide
    result_for_the_year: int
    result_of_earlier_years: int


def balance_sheet(
    connection: sa.Connection, organization: Organization, day: date, *, as_of: datetime | None = None
) -> BalanceSheet:
    """The balance sheet at the end of ``day``; with ``as_of``, as the books stood at that instant."""
    span = report_day(day)
    grouped: dict[BalanceSheetGroup, list[AccountAmount]] = defaultdict(list)
    profit_and_loss = 0
    balance_sheet_sum = 0
    for found in read_balances(connection, organization, span=span, cuts=[span], as_of=as_of):
        closing = found.elements[-1].closing
        group = balance_sheet_group(found.account.number)
        if account_kind(found.account.number) is AccountKind.PROFIT_AND_LOSS or group is None:
            profit_and_loss += closing
            continue
        balance_sheet_sum += closing
        if closing == 0:
            continue
        shown = closing if group.is_asset else -closing
        account = found.account
        grouped[group].append(AccountAmount(account.account_id, account.number, account.name, shown))
    result_for_the_year = checked_total(-profit_and_loss)
    # every line up to the day sums to zero, so what the accounts above leave is the earlier years' result
    result_of_earlier_years = checked_total(balance_sheet_sum + profit_and_loss)
    sections: dict[BalanceSheetGroup, Section] = {}
    for group in BalanceSheetGroup:
        accounts = tuple(grouped[group])
        total = sum(account.amount for account in accounts)
        if group is BalanceSheetGroup.EQUITY:
            total += result_for_the_year + result_of_earlier_years
        sections[group] = Section(
            group.value, BALANCE_SHEET_GROUP_NAMES[group], checked_total(total), accounts
        )
    assets = tuple(section for group, section in sections.items() if group.is_asset)
    others = tuple(section for group, section in sections.items() if not group.is_asset)
    return BalanceSheet(
        date=day,
        currency=organization.base_currency,
        assets=BalanceSheetSide(checked_total(sum(section.total for section in assets)), assets),
        equity_and_liabilities=BalanceSheetSide(
            checked_total(sum(section.total for section in others)), others
        ),
        result_for_the_year=result_for_the_year,
        result_of_earlier_years=result_of_earlier_years,
    )
