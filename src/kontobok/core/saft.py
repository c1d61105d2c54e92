"""What a SAF-T Financial file states, as plain records.

SAF-T (Standard Audit File for Tax) Financial is the XML file every Norwegian bookkeeping system must produce
for the Tax Administration, and the usual way to move a company's books between systems. It holds a header
(company, currency, the selection period), master files (the chart of accounts with each account's opening
and closing balance, customers, suppliers, the tax table, analysis types) and the general ledger entries:
journals of transactions, each transaction a balanced set of lines.

Amounts here are in minor units of the file's default currency, debit positive and credit negative. The
reader (:mod:`kontobok.importers.saft`) yields these records in document order, so the master files come
before the first transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class SaftHeader:
    audit_file_version: str
    company_name: str
    organization_number: str | None
    default_currency: str
    period_start: date
    period_end: date  # the last day of the selection, included
    software: str | None = None


@dataclass(frozen=True)
class SaftAccount:
    """A general-ledger account with the balances the file states for the start and end of the period."""

    account_id: str
    description: str
    opening: int
    closing: int
    standard_account_id: str | None = None
    grouping_category: str | None = None
    grouping_code: str | None = None
    source_line: int = 0


@dataclass(frozen=True)
class SaftParty:
    """A customer or supplier; ``opening``/``closing`` are its stated balances when the file gives them."""

    kind: str  # "customer" or "supplier"
    party_id: str
    name: str
    organization_number: str | None = None
    balance_account_id: str | None = None
    opening: int | None = None
    closing: int | None = None
    source_line: int = 0


@dataclass(frozen=True)
class SaftTaxCode:
    """A tax code of the file and the Norwegian standard tax code it corresponds to."""

    tax_code: str
    standard_tax_code: str | None
    percentage: Decimal | None
    description: str = ""


@dataclass(frozen=True)
class SaftAnalysisType:
    """A dimension value: ``analysis_type`` (e.g. a department register) and ``analysis_id`` in it."""

    analysis_type: str
    analysis_id: str
    description: str = ""


@dataclass(frozen=True)
class SaftLine:
    record_id: str
    account_id: str
    amount: int
    description: str = ""
    value_date: date | None = None
    source_document_id: str | None = None
    customer_id: str | None = None
    supplier_id: str | None = None
    currency: str | None = None
    currency_amount: int | None = None  # in minor units of ``currency``, signed like ``amount``
    exchange_rate: Decimal | None = None
    tax_code: str | None = None
    tax_percentage: Decimal | None = None
    tax_amount: int | None = None
    analysis: tuple[tuple[str, str], ...] = ()
    source_line: int = 0


@dataclass(frozen=True)
class SaftTransaction:
    journal_id: str
    transaction_id: str
    transaction_date: date
    description: str
    lines: tuple[SaftLine, ...]
    journal_type: str | None = None
    voucher_type: str | None = None
    voucher_description: str | None = None
    period: int | None = None
    period_year: int | None = None
    source_line: int = 0


SaftItem = SaftHeader | SaftAccount | SaftParty | SaftTaxCode | SaftAnalysisType | SaftTransaction


@dataclass(frozen=True)
class BalanceDifference:
    """An account (or customer, or supplier) whose stated closing is not its opening plus its lines."""

    key: str
    stated: int
    computed: int

    @property
    def difference(self) -> int:
        """Stated minus computed."""
        return self.stated - self.computed


def closing_differences(
    stated: dict[str, tuple[int, int]], movements: dict[str, int]
) -> list[BalanceDifference]:
    """Each key whose stated closing differs from its stated opening plus its movements in the file."""
    differences = []
    for key, (opening, closing) in stated.items():
        computed = opening + movements.get(key, 0)
        if computed != closing:
            differences.append(BalanceDifference(key, closing, computed))
    return differences
