"""The income statement (resultatregnskap) over a range of one fiscal year, grouped after NS 4102.

Each account contributes its movement in the range: the sum of its lines, incoming-balance (IB) lines
excepted, which is its closing minus its opening under the balance rules of ``/accountbalances``. Income is
shown positive when credited, expenses and tax positive when debited, so

- ``operatingResult = operatingIncome − operatingExpenses`` (goods + payroll + depreciation + other),
- ``financialItems = financial income − financial expenses``,
- ``resultBeforeTax = operatingResult + financialItems``,
- ``result = resultBeforeTax − tax``: a profit is positive.

Groups 88 and 89 (årsresultat, overføringer) are left out: they carry the result to equity at the closing.
With ``compare_previous_year`` the same figures for the same days a year earlier come along; with an
``interval`` the figures of every month or quarter of the range.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from kontobok.core.ns4102 import INCOME_STATEMENT_GROUP_NAMES, IncomeStatementGroup, income_statement_group
from kontobok.core.periods import DateRange
from kontobok.services.balances import read_balances
from kontobok.services.reports.figures import AccountAmount, Section
from kontobok.services.reports.ranges import (
    Interval,
    checked_total,
    interval_cuts,
    previous_year,
    report_range,
    within_one_fiscal_year,
)
from kontobok.store.organizations import Organization

_G = IncomeStatementGroup


@dataclass(frozen=True)
class IncomeStatementFigures:
    """One column of the income statement: the range ``[date_from, date_to]`` (both inclusive)."""

    date_from: date
    date_to: date
    operating_income: Section
    goods: Section
    payroll: Section
    depreciation: Section
    other_operating_expenses: Section
    operating_expenses: int
    operating_result: int
    financial_income: Section
    financial_expenses: Section
    financial_items: int
    result_before_tax: int
    tax: Section
    result: int


@dataclass(frozen=True)
class IncomeStatement:
    """The figures of the whole range, the previous year's on request, and one column per interval."""

    currency: str
    figures: IncomeStatementFigures
    previous_year: IncomeStatementFigures | None
    periods: tuple[IncomeStatementFigures, ...]


def income_statement(
    connection: sa.Connection,
    organization: Organization,
    date_from: date,
    date_to: date,
    *,
    compare_previous_year: bool = False,
    interval: Interval | None = None,
    as_of: datetime | None = None,
) -> IncomeStatement:
    """With ``as_of``, every column as the books stood at that instant (see :mod:`kontobok.store.as_of`)."""
    start_month = organization.fiscal_year_start_month
    span = within_one_fiscal_year(report_range(date_from, date_to), start_month)
    cuts = interval_cuts(span, interval, start_month) if interval else [span]
    columns = _columns(connection, organization, span, cuts, as_of)
    earlier = None
    if compare_previous_year:
        before = previous_year(span)
        earlier = _columns(connection, organization, before, [before], as_of)[0]
    whole = columns[0] if interval is None else _columns(connection, organization, span, [span], as_of)[0]
    return IncomeStatement(
        currency=organization.base_currency,
        figures=whole,
        previous_year=earlier,
        periods=tuple(columns) if interval else (),
    )


def _columns(
    connection: sa.Connection,
    organization: Organization,
    span: DateRange,
    cuts: Sequence[DateRange],
    as_of: datetime | None,
) -> list[IncomeStatementFigures]:
    """The figures of each of the contiguous ``cuts`` of ``span``, from one reading of the totals."""
    per_cut: list[dict[_G, list[AccountAmount]]] = [defaultdict(list) for _ in cuts]
    for found in read_balances(connection, organization, span=span, cuts=cuts, as_of=as_of):
        group = income_statement_group(found.account.number)
        if group is None:
            continue
        account = found.account
        for element, grouped in zip(found.elements, per_cut, strict=True):
            if element.change != 0:
                shown = -element.change if group.is_income else element.change
                grouped[group].append(AccountAmount(account.account_id, account.number, account.name, shown))
    return [_figures(cut, grouped) for cut, grouped in zip(cuts, per_cut, strict=True)]


def _figures(cut: DateRange, grouped: dict[_G, list[AccountAmount]]) -> IncomeStatementFigures:
    sections = {
        group: Section(
            group.value,
            INCOME_STATEMENT_GROUP_NAMES[group],
            checked_total(sum(account.amount for account in grouped[group])),
            tuple(grouped[group]),
        )
        for group in _G
    }
    expenses = checked_total(
        sum(
            sections[group].total
            for group in (_G.GOODS, _G.PAYROLL, _G.DEPRECIATION, _G.OTHER_OPERATING_EXPENSES)
        )
    )
    operating_result = checked_total(sections[_G.OPERATING_INCOME].total - expenses)
    financial_items = checked_total(
        sections[_G.FINANCIAL_INCOME].total - sections[_G.FINANCIAL_EXPENSES].total
    )
    before_tax = checked_total(operating_result + financial_items)
    return IncomeStatementFigures(
        date_from=cut.begin,
        date_to=cut.last_day,
        operating_income=sections[_G.OPERATING_INCOME],
        goods=sections[_G.GOODS],
        payroll=sections[_G.PAYROLL],
        depreciation=sections[_G.DEPRECIATION],
        other_operating_expenses=sections[_G.OTHER_OPERATING_EXPENSES],
        operating_expenses=expenses,
        operating_result=operating_result,
        financial_income=sections[_G.FINANCIAL_INCOME],
        financial_expenses=sections[_G.FINANCIAL_EXPENSES],
        financial_items=financial_items,
        result_before_tax=before_tax,
        tax=sections[_G.TAX],
        result=checked_total(before_tax - sections[_G.TAX].total),
    )
