"""Where an account stands in the balance sheet and the income statement, after NS 4102.

The Norwegian standard chart numbers accounts so that the first two digits name a *group*:

Balance sheet (classes 1 and 2)
    10–13 fixed assets (anleggsmidler: intangible, tangible, financial), 14–19 current assets
    (omløpsmidler: stock, receivables, investments, cash and bank); 20 equity (egenkapital), 21 provisions
    (avsetning for forpliktelser) and 22 other long-term liabilities (annen langsiktig gjeld), 23–29 current
    liabilities (kortsiktig gjeld: supplier debt, taxes, VAT, holiday pay, …).

Income statement (classes 3 to 8)
    30–39 operating income (driftsinntekter); operating expenses (driftskostnader): 40–49 cost of goods
    (varekostnad), 50–59 payroll (lønnskostnad), 60 depreciation and write-downs (av- og nedskrivning,
    6000–6099), 61–79 other operating expenses (annen driftskostnad); financial items (finansposter): 80
    financial income, 81–82 financial expenses; 83–87 tax on the result (skattekostnad). Groups 88 and 89
    (årsresultat, overføringer og disponeringer) carry the year's result to equity at the closing: they are
    not part of the statement, which would otherwise show a closed year's result as zero. Class 9 is the
    standard's memo class and belongs to neither statement.
"""

from __future__ import annotations

import enum


class BalanceSheetGroup(enum.Enum):
    """A group of the balance sheet, in the order the statement lists them."""

    FIXED_ASSETS = "fixedAssets"
    CURRENT_ASSETS = "currentAssets"
    EQUITY = "equity"
    LONG_TERM_LIABILITIES = "longTermLiabilities"
    CURRENT_LIABILITIES = "currentLiabilities"

    @property
    def is_asset(self) -> bool:
        return self in (BalanceSheetGroup.FIXED_ASSETS, BalanceSheetGroup.CURRENT_ASSETS)


BALANCE_SHEET_GROUP_NAMES: dict[BalanceSheetGroup, str] = {
    BalanceSheetGroup.FIXED_ASSETS: "Anleggsmidler",
    BalanceSheetGroup.CURRENT_ASSETS: "Omløpsmidler",
    BalanceSheetGroup.EQUITY: "Egenkapital",
    BalanceSheetGroup.LONG_TERM_LIABILITIES: "Langsiktig gjeld",
    BalanceSheetGroup.CURRENT_LIABILITIES: "Kortsiktig gjeld",
}


class IncomeStatementGroup(enum.Enum):
    """A line of the income statement that accounts are summed into."""

    OPERATING_INCOME = "operatingIncome"
    GOODS = "goods"
    PAYROLL = "payroll"
    DEPRECIATION = "depreciation"
    OTHER_OPERATING_EXPENSES = "other"
    FINANCIAL_INCOME = "financialIncome"
    FINANCIAL_EXPENSES = "financialExpenses"
    TAX = "tax"

    @property
    def is_income(self) -> bool:
        """Income is shown positive when credited; every other group is shown positive when debited."""
        return self in (IncomeStatementGroup.OPERATING_INCOME, IncomeStatementGroup.FINANCIAL_INCOME)


INCOME_STATEMENT_GROUP_NAMES: dict[IncomeStatementGroup, str] = {
    IncomeStatementGroup.OPERATING_INCOME: "Driftsinntekter",
    IncomeStatementGroup.GOODS: "Varekostnad",
    IncomeStatementGroup.PAYROLL: "Lønnskostnad",
    IncomeStatementGroup.DEPRECIATION: "Av- og nedskrivning",
    IncomeStatementGroup.OTHER_OPERATING_EXPENSES: "Annen driftskostnad",
    IncomeStatementGroup.FINANCIAL_INCOME: "Finansinntekter",
    IncomeStatementGroup.FINANCIAL_EXPENSES: "Finanskostnader",
    IncomeStatementGroup.TAX: "Skattekostnad",
}


def account_group(number: int) -> int:
    """The two-digit NS 4102 group of an account number (1920 → 19, 27001 → 27)."""
    return int(str(number)[:2])


def balance_sheet_group(number: int) -> BalanceSheetGroup | None:
    """The balance-sheet group of a class 1 or 2 account; ``None`` for any other account."""
    group = account_group(number)
    if 10 <= group <= 13:
        return BalanceSheetGroup.FIXED_ASSETS
    if 14 <= group <= 19:
        return BalanceSheetGroup.CURRENT_ASSETS
    if group == 20:
        return BalanceSheetGroup.EQUITY
    if group in (21, 22):
        return BalanceSheetGroup.LONG_TERM_LIABILITIES
    if 23 <= group <= 29:
        return BalanceSheetGroup.CURRENT_LIABILITIES
    return None


def income_statement_group(number: int) -> IncomeStatementGroup | None:
    """The income-statement line of a class 3 to 8 account; ``None`` for 88xx, 89xx, class 9 and the rest."""
    group = account_group(number)
    if 30 <= group <= 39:
        return IncomeStatementGroup.OPERATING_INCOME
    if 40 <= group <= 49:
        return IncomeStatementGroup.GOODS
    if 50 <= group <= 59:
        return IncomeStatementGroup.PAYROLL
    if group == 60:
        return IncomeStatementGroup.DEPRECIATION
    if 61 <= group <= 79:
        return IncomeStatementGroup.OTHER_OPERATING_EXPENSES
    if group == 80:
        return IncomeStatementGroup.FINANCIAL_INCOME
    if group in (81, 82):
        return IncomeStatementGroup.FINANCIAL_EXPENSES
    if 83 <= group <= 87:
        return IncomeStatementGroup.TAX
    return None
