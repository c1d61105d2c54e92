"""Documented response shapes of the reports (``/v1/reports``), a kontobok extension.

The handlers write the bodies themselves (:mod:`kontobok.wire.reports`); these models describe them in the
OpenAPI document, which the schema tests hold the answers to.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel
from pydantic.json_schema import SkipJsonSchema

from kontobok.wire.office import Amount

# ruff: noqa: N815 (the API's field names are camelCase)


class TrialBalanceRow(BaseModel):
    id: int
    number: int
    name: str
    opening: Amount
    debit: Amount
    credit: Amount
    closing: Amount


class TrialBalanceTotals(BaseModel):
    opening: Amount
    debit: Amount
    credit: Amount
    closing: Amount


class TrialBalanceReport(BaseModel):
    dateFrom: dt.date
    dateTo: dt.date
    currency: str
    accounts: list[TrialBalanceRow]
    totals: TrialBalanceTotals


class ReportAccount(BaseModel):
    id: int
    number: int
    name: str
    amount: Amount


class ReportSection(BaseModel):
    key: str
    name: str
    total: Amount
    accounts: list[ReportAccount]


class BalanceSheetSide(BaseModel):
    total: Amount
    groups: list[ReportSection]


class BalanceSheetReport(BaseModel):
    date: dt.date
    currency: str
    assets: BalanceSheetSide
    equityAndLiabilities: BalanceSheetSide
    resultForTheYear: Amount
    resultOfEarlierYears: Amount


class OperatingExpenses(BaseModel):
    total: Amount
    goods: ReportSection
    payroll: ReportSection
    depreciation: ReportSection
    other: ReportSection


class FinancialItems(BaseModel):
    total: Amount
    income: ReportSection
    expenses: ReportSection


class IncomeStatementColumn(BaseModel):
    dateFrom: dt.date
    dateTo: dt.date
    operatingIncome: ReportSection
    operatingExpenses: OperatingExpenses
    operatingResult: Amount
    financialItems: FinancialItems
    resultBeforeTax: Amount
    tax: ReportSection
    result: Amount


class IncomeStatementReport(IncomeStatementColumn):
    currency: str
    # left out unless asked for, never null
    previousYear: IncomeStatementColumn | SkipJsonSchema[None] = None
    periods: list[IncomeStatementColumn] | SkipJsonSchema[None] = None


class VatCode(BaseModel):
    code: int
    name: str
    kind: Literal["output", "input", "reverseChargeOutput", "reverseChargeInput"]
    basis: Amount
    vat: Amount


class VatReportBody(BaseModel):
    dateFrom: dt.date
    dateTo: dt.date
    currency: str
    codes: list[VatCode]
    output: Amount
    deductible: Amount
    payable: Amount
