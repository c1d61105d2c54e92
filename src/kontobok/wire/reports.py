"""The reports as JSON and as CSV, the same for the API (``/v1/reports``) and the CLI (``kontobok report``).

Amounts are written from the exact minor units: JSON numbers (1500, 1500.5, -0.35) and, in CSV, the same
digits with a dot as the decimal mark and no thousands separator. Field names follow the API's camelCase.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from kontobok.core.money import to_decimal
from kontobok.core.ns4102 import INCOME_STATEMENT_GROUP_NAMES, income_statement_group
from kontobok.services.reports import (
    BalanceSheet,
    BalanceSheetSide,
    IncomeStatement,
    IncomeStatementFigures,
    Section,
    TrialBalance,
    VatReport,
)

Number = Decimal | int
# a flat table: the header, then rows of text, account numbers and exact amounts
Table = tuple[list[str], list[list[object]]]


class _Money:
    """Writes minor units of one currency as exact numbers."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, minor: int) -> Number:
        return to_decimal(minor, self.currency)


def csv_number(value: Number) -> str:
    """An exact amount as CSV text: ``1500``, ``1500.5``, ``-0.35``."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A flat table as CSV (RFC 4180 line ends), amounts as exact decimal text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_number(cell) if isinstance(cell, Decimal) else cell for cell in row])
    return out.getvalue()


# Trial balance


def trial_balance_json(report: TrialBalance) -> dict[str, Any]:
    money = _Money(report.currency)
    totals = report.totals
    return {
        "dateFrom": report.date_from.isoformat(),
        "dateTo": report.date_to.isoformat(),
        "currency": report.currency,
        "accounts": [
            {
                "id": row.account_id,
                "number": row.number,
                "name": row.name,
                "opening": money(row.opening),
                "debit": money(row.debit),
                "credit": money(row.credit),
                "closing": money(row.closing),
            }
            for row in report.accounts
        ],
        "totals": {
            "opening": money(totals.opening),
            "debit": money(totals.debit),
            "credit": money(totals.credit),
            "closing": money(totals.closing),
        },
    }


def trial_balance_csv(report: TrialBalance) -> str:
    return csv_text(*trial_balance_table(report))


def trial_balance_table(report: TrialBalance) -> Table:
    """The header and rows of the flat table (CSV, the CLI): one row per account, then the sums."""
    money = _Money(report.currency)
    rows: list[list[object]] = [
        [row.number, row.name, *map(money, (row.opening, row.debit, row.credit, row.closing))]
        for row in report.accounts
    ]
    totals = report.totals
    rows.append(["", "Sum", *map(money, (totals.opening, totals.debit, totals.credit, totals.closing))])
    return ["number", "name", "opening", "debit", "credit", "closing"], rows


# Balance sheet


def _section_json(section: Section, money: _Money) -> dict[str, Any]:
    return {
        "key": section.key,
        "name": section.name,
        "total": money(section.total),
        "accounts": [
            {
                "id": account.account_id,
                "number": account.number,
                "name": account.name,
                "amount": money(account.amount),
            }
            for account in section.accounts
        ],
    }


def _side_json(side: BalanceSheetSide, money: _Money) -> dict[str, Any]:
    return {"total": money(side.total), "groups": [_section_json(group, money) for group in side.groups]}


def balance_sheet_json(report: BalanceSheet) -> dict[str, Any]:
    money = _Money(report.currency)
    return {
        "date": report.date.isoformat(),
        "currency": report.currency,
        "assets": _side_json(report.assets, money),
        "equityAndLiabilities": _side_json(report.equity_and_liabilities, money),
        "resultForTheYear": money(report.result_for_the_year),
        "resultOfEarlierYears": money(report.result_of_earlier_years),
    }


def balance_sheet_csv(report: BalanceSheet) -> str:
    return csv_text(*balance_sheet_table(report))


def balance_sheet_table(report: BalanceSheet) -> Table:
    """One row per account, the computed results inside equity, then each group's and each side's total."""
    money = _Money(report.currency)
    rows: list[list[object]] = []
    sides = (
        ("assets", "Sum eiendeler", report.assets),
        ("equityAndLiabilities", "Sum egenkapital og gjeld", report.equity_and_liabilities),
    )
    results = (
        ("Årets resultat", report.result_for_the_year),
        ("Udisponert resultat tidligere år", report.result_of_earlier_years),
    )
    for side_key, side_name, side in sides:
        for group in side.groups:
            for account in group.accounts:
                rows.append(
                    [side_key, group.key, "account", account.number, account.name, money(account.amount)]
                )
            if group.key == "equity":
                rows.extend(
                    [side_key, group.key, "result", "", name, money(value)] for name, value in results
                )
            rows.append([side_key, group.key, "total", "", group.name, money(group.total)])
        rows.append([side_key, "", "total", "", side_name, money(side.total)])
    return ["side", "group", "line", "number", "name", "amount"], rows


# Income statement


def _figures_json(figures: IncomeStatementFigures, money: _Money) -> dict[str, Any]:
    return {
        "dateFrom": figures.date_from.isoformat(),
        "dateTo": figures.date_to.isoformat(),
        "operatingIncome": _section_json(figures.operating_income, money),
        "operatingExpenses": {
            "total": money(figures.operating_expenses),
            "goods": _section_json(figures.goods, money),
            "payroll": _section_json(figures.payroll, money),
            "depreciation": _section_json(figures.depreciation, money),
            "other": _section_json(figures.other_operating_expenses, money),
        },
        "operatingResult": money(figures.operating_result),
        "financialItems": {
            "total": money(figures.financial_items),
            "income": _section_json(figures.financial_income, money),
            "expenses": _section_json(figures.financial_expenses, money),
        },
        "resultBeforeTax": money(figures.result_before_tax),
        "tax": _section_json(figures.tax, money),
        "result": money(figures.result),
    }


def income_statement_json(report: IncomeStatement) -> dict[str, Any]:
    money = _Money(report.currency)
    body = {**_figures_json(report.figures, money), "currency": report.currency}
    if report.previous_year is not None:
        body["previousYear"] = _figures_json(report.previous_year, money)
    if report.periods:
        body["periods"] = [_figures_json(period, money) for period in report.periods]
    return body


_LineKey = tuple[str, str, int | str, str]


def _statement_lines(figures: IncomeStatementFigures) -> list[tuple[str, str, int | str, str, int]]:
    """(section, line, number, name, amount) in the statement's order."""
    found: list[tuple[str, str, int | str, str, int]] = []

    def section(key: str, part: Section) -> None:
        found.extend((key, "account", a.number, a.name, a.amount) for a in part.accounts)
        found.append((key, "total", "", part.name, part.total))

    section("operatingIncome", figures.operating_income)
    for part in (figures.goods, figures.payroll, figures.depreciation, figures.other_operating_expenses):
        section("operatingExpenses", part)
    found.append(("operatingExpenses", "total", "", "Sum driftskostnader", figures.operating_expenses))
    found.append(("operatingResult", "total", "", "Driftsresultat", figures.operating_result))
    section("financialItems", figures.financial_income)
    section("financialItems", figures.financial_expenses)
    found.append(("financialItems", "total", "", "Netto finansposter", figures.financial_items))
    found.append(("resultBeforeTax", "total", "", "Resultat før skattekostnad", figures.result_before_tax))
    section("tax", figures.tax)
    found.append(("result", "total", "", "Årsresultat", figures.result))
    return found


def income_statement_csv(report: IncomeStatement) -> str:
    return csv_text(*income_statement_table(report))


def income_statement_table(report: IncomeStatement) -> Table:
    """One row per account and per total; one amount column per period, the whole range, the previous year."""
    money = _Money(report.currency)
    columns = [*report.periods, report.figures]
    if report.previous_year is not None:
        columns.append(report.previous_year)
    keyed = [{line[:4]: line[4] for line in _statement_lines(column)} for column in columns]
    # every column has the same total rows in the same order; an account sorts before its group's total
    totals = [key for key in keyed[0] if key[1] == "total"]
    accounts = {key for amounts in keyed for key in amounts if key[1] == "account"}

    def rank(key: _LineKey) -> tuple[int, int, int]:
        if key[1] == "total":
            return totals.index(key), 1, 0
        group = income_statement_group(int(key[2]))
        assert group is not None
        return totals.index((key[0], "total", "", INCOME_STATEMENT_GROUP_NAMES[group])), 0, int(key[2])

    order = sorted([*totals, *accounts], key=rank)
    header = [
        "section",
        "line",
        "number",
        "name",
        *(f"{column.date_from.isoformat()}..{column.date_to.isoformat()}" for column in columns),
    ]
    rows: list[list[object]] = [[*key, *(money(amounts.get(key, 0)) for amounts in keyed)] for key in order]
    return header, rows


# VAT


def vat_report_json(report: VatReport) -> dict[str, Any]:
    money = _Money(report.currency)
    return {
        "dateFrom": report.date_from.isoformat(),
        "dateTo": report.date_to.isoformat(),
        "currency": report.currency,
        "codes": [
            {
                "code": e.code,
                "name": e.name,
                "kind": e.kind.value,
                "basis": money(e.basis),
                "vat": money(e.vat),
            }
            for e in report.codes
        ],
        "output": money(report.output),
        "deductible": money(report.deductible),
        "payable": money(report.payable),
    }


def vat_report_csv(report: VatReport) -> str:
    return csv_text(*vat_report_table(report))


def vat_report_table(report: VatReport) -> Table:
    """One row per entry of the return, then output VAT, deductible VAT and the amount payable."""
    money = _Money(report.currency)
    rows: list[list[object]] = [
        [e.code, e.kind.value, e.name, money(e.basis), money(e.vat)] for e in report.codes
    ]
    rows.append(["", "output", "Utgående merverdiavgift", "", money(report.output)])
    rows.append(
        ["", "deductible", "Fradragsberettiget inngående merverdiavgift", "", money(report.deductible)]
    )
    rows.append(["", "payable", "Å betale (negativt: til gode)", "", money(report.payable)])
    return ["code", "kind", "name", "basis", "vat"], rows
