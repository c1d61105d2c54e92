"""The report functions on a small book worked by hand (``tests/report_book.py``), on both backends."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from kontobok.core.errors import ValidationFailed
from kontobok.core.vat_return import VatEntryKind
from kontobok.services.reports import (
    Interval,
    Section,
    balance_sheet,
    income_statement,
    trial_balance,
    vat_report,
)
from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization
from tests.factories import Api
from tests.report_book import post_first_quarter

NOK = 100


@pytest.fixture
def books(api: Api) -> Organization:
    post_first_quarter(api)
    return api.organization


def _by_number(section: Section) -> dict[int, int]:
    return {account.number: account.amount // NOK for account in section.accounts}


def test_trial_balance_of_february(engine: sa.Engine, books: Organization) -> None:
    with read_transaction(engine) as connection:
        report = trial_balance(connection, books, date(2025, 2, 1), date(2025, 2, 28))
    rows = {row.number: (row.opening, row.debit, row.credit, row.closing) for row in report.accounts}
    assert {number: tuple(v // NOK for v in values) for number, values in rows.items()} == {
        1200: (10000, 0, 0, 10000),
        1500: (14500, 0, 0, 14500),
        1920: (100000, 0, -20000, 80000),
        2000: (-40000, 0, 0, -40000),
        2050: (-70000, 0, 0, -70000),
        2400: (0, 0, -8000, -8000),
        2700: (-2500, 0, 0, -2500),
        2710: (0, 1600, 0, 1600),
        3000: (-10000, 0, 0, -10000),
        3100: (-2000, 0, 0, -2000),
        4000: (0, 6400, 0, 6400),
        5000: (0, 20000, 0, 20000),
    }
    assert (report.totals.opening, report.totals.debit, report.totals.credit, report.totals.closing) == (
        0,
        28000 * NOK,
        -28000 * NOK,
        0,
    )


def test_trial_balance_counts_incoming_balance_in_the_opening(engine: sa.Engine, books: Organization) -> None:
    with read_transaction(engine) as connection:
        report = trial_balance(connection, books, date(2025, 1, 1), date(2025, 3, 31))
    bank = next(row for row in report.accounts if row.number == 1920)
    assert (bank.opening, bank.debit, bank.credit, bank.closing) == (
        100000 * NOK,
        300 * NOK,
        -25000 * NOK,
        75300 * NOK,
    )
    for row in report.accounts:
        assert row.opening + row.debit + row.credit == row.closing


def test_balance_sheet_balances_with_the_result_in_equity(engine: sa.Engine, books: Organization) -> None:
    with read_transaction(engine) as connection:
        report = balance_sheet(connection, books, date(2025, 3, 31))
    fixed, current = report.assets.groups
    equity, long_term, short_term = report.equity_and_liabilities.groups
    assert _by_number(fixed) == {1200: 9000}
    assert _by_number(current) == {1500: 14500, 1920: 75300}
    assert _by_number(equity) == {2000: 40000, 2050: 70000}
    assert _by_number(short_term) == {2400: 9000, 2700: 2500, 2705: 250, 2710: -1850}
    assert long_term.total == 0
    assert report.result_for_the_year == -21100 * NOK
    assert report.result_of_earlier_years == 0
    assert equity.total == 88900 * NOK
    assert report.assets.total == report.equity_and_liabilities.total == 98800 * NOK


def test_income_statement_of_the_quarter(engine: sa.Engine, books: Organization) -> None:
    with read_transaction(engine) as connection:
        report = income_statement(connection, books, date(2025, 1, 1), date(2025, 3, 31))
    figures = report.figures
    assert _by_number(figures.operating_income) == {3000: 10000, 3100: 2000}
    assert _by_number(figures.goods) == {4000: 6400}
    assert _by_number(figures.payroll) == {5000: 20000}
    assert _by_number(figures.depreciation) == {6000: 1000}
    assert _by_number(figures.other_operating_expenses) == {6300: 6000}
    assert figures.operating_expenses == 33400 * NOK
    assert figures.operating_result == -21400 * NOK
    assert figures.financial_items == 300 * NOK
    assert figures.result_before_tax == figures.result == -21100 * NOK
    assert report.previous_year is None
    assert report.periods == ()


def test_income_statement_by_month_and_against_the_previous_year(
    engine: sa.Engine, books: Organization
) -> None:
    with read_transaction(engine) as connection:
        report = income_statement(
            connection,
            books,
            date(2025, 1, 1),
            date(2025, 3, 31),
            compare_previous_year=True,
            interval=Interval.MONTH,
        )
    assert [(p.date_from, p.date_to) for p in report.periods] == [
        (date(2025, 1, 1), date(2025, 1, 31)),
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 3, 1), date(2025, 3, 31)),
    ]
    assert [p.result // NOK for p in report.periods] == [12000, -26400, -6700]
    assert sum(p.result for p in report.periods) == report.figures.result
    assert report.previous_year is not None
    assert report.previous_year.date_from == date(2024, 1, 1)
    assert report.previous_year.result == 0


def test_vat_report_of_the_quarter(engine: sa.Engine, books: Organization) -> None:
    with read_transaction(engine) as connection:
        report = vat_report(connection, books, date(2025, 1, 1), date(2025, 3, 31))
    entries = [(e.code, e.kind, e.basis // NOK, e.vat // NOK) for e in report.codes]
    assert entries == [
        (1, VatEntryKind.INPUT, 6400, 1600),
        (3, VatEntryKind.OUTPUT, 10000, 2500),
        (5, VatEntryKind.OUTPUT, 2000, 0),
        (86, VatEntryKind.REVERSE_CHARGE_OUTPUT, 1000, 250),
        (86, VatEntryKind.REVERSE_CHARGE_INPUT, 1000, 250),
    ]
    assert (report.output, report.deductible, report.payable) == (2750 * NOK, 1850 * NOK, 900 * NOK)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(2025, 3, 1), date(2025, 2, 1)),
        (date(2025, 6, 1), date(2026, 1, 31)),
        (date(999, 1, 1), date(2025, 1, 1)),
    ],
)
def test_bad_ranges_are_refused(
    engine: sa.Engine, organization: Organization, first: date, last: date
) -> None:
    with read_transaction(engine) as connection, pytest.raises(ValidationFailed):
        trial_balance(connection, organization, first, last)
