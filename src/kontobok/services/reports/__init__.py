"""Financial reports read from the per-day totals: trial balance, balance sheet, income statement, VAT.

Each function reads in the caller's database transaction and returns frozen records whose amounts are integer
minor units of the organization's currency, with the signs documented on each report. Bad ranges raise
:class:`kontobok.core.errors.ValidationFailed` (a 400 in the API).
"""

from __future__ import annotations

from kontobok.core.vat_return import VatEntry, VatEntryKind
from kontobok.services.reports.balance_sheet import BalanceSheet, BalanceSheetSide, balance_sheet
from kontobok.services.reports.figures import AccountAmount, Section
from kontobok.services.reports.income_statement import (
    IncomeStatement,
    IncomeStatementFigures,
    income_statement,
)
from kontobok.services.reports.ranges import Interval
from kontobok.services.reports.trial_balance import (
    TrialBalance,
    TrialBalanceAccount,
    TrialBalanceTotals,
    trial_balance,
)
from kontobok.services.reports.vat import VatReport, vat_report

__all__ = [
    "AccountAmount",
    "BalanceSheet",
    "BalanceSheetSide",
    "IncomeStatement",
    "IncomeStatementFigures",
    "Interval",
    "Section",
    "TrialBalance",
    "TrialBalanceAccount",
    "TrialBalanceTotals",
    "VatEntry",
    "VatEntryKind",
    "VatReport",
    "balance_sheet",
    "income_statement",
    "trial_balance",
    "vat_report",
]
