"""SAF-T Financial files for tests, written from plain Python data.

``write_saft`` writes a file in version 1.30 (valid against the Tax Administration's schema in
``shared/specs``; ``schema_errors`` checks it) or in version 1.10, the structure of Skatteetaten's 1.10
example file: ``StandardAccountID`` instead of ``GroupingCategory``/``GroupingCode``, a party's
``AccountID`` and balances directly in ``Customer``/``Supplier`` instead of in ``BalanceAccount``, a tax
amount without a side (``TaxAmount``), no ``VoucherType``/``VoucherDescription``, an ``Address`` on every
company.

Amounts are ``Decimal`` with at most two decimals, debit positive; the writer puts each on the debit or
credit side. The file is written as text, one element per line, while the transactions are iterated, so
``write_large_saft`` makes a file of a million lines without holding it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal, TextIO
from xml.sax.saxutils import escape

from lxml import etree

NAMESPACE = "urn:StandardAuditFile-Taxation-Financial:NO"
SCHEMA_1_30 = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "specs"
    / "Norwegian_SAF-T_Financial_Schema_v_1.30.xsd"
)
Version = Literal["1.30", "1.10"]
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Company:
    name: str
    organization_number: str


@dataclass(frozen=True)
class Account:
    """A general-ledger account; 1.30 writes the grouping, 1.10 the standard account."""

    account_id: str
    description: str
    opening: Decimal
    closing: Decimal
    grouping_category: str = "RF-1167"
    grouping_code: str = ""  # the account id when empty
    standard_account_id: str = ""  # the first two characters of the account id when empty


@dataclass(frozen=True)
class Balance:
    """A party's balance on one account (1.10 allows only one per party)."""

    account_id: str
    opening: Decimal
    closing: Decimal


@dataclass(frozen=True)
class Party:
    party_id: str
    name: str
    organization_number: str | None = None
    balances: tuple[Balance, ...] = ()


@dataclass(frozen=True)
class TaxCode:
    code: str
    standard_code: str
    percentage: Decimal | None
    description: str = ""


@dataclass(frozen=True)
class Dimension:
    """One value of an analysis type, e.g. department ``100`` of type ``A``."""

    analysis_type: str
    type_description: str
    analysis_id: str
    description: str


@dataclass(frozen=True)
class ForeignAmount:
    currency: str
    amount: Decimal  # signed like the line
    rate: Decimal | None = None


@dataclass(frozen=True)
class Tax:
    code: str
    percentage: Decimal | None
    amount: Decimal  # debit positive; 1.10 can only write it on the line's side


@dataclass(frozen=True)
class Line:
    account_id: str
    amount: Decimal  # debit positive
    description: str = ""
    value_date: date | None = None
    source_document_id: str | None = None
    customer_id: str | None = None
    supplier_id: str | None = None
    foreign: ForeignAmount | None = None
    tax: Tax | None = None
    analysis: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Journal:
    journal_id: str
    description: str = "Hovedbok"
    journal_type: str = "GL"


@dataclass(frozen=True)
class Transaction:
    """A voucher; its lines get record ids 1, 2, ... and its period is its month unless given."""

    journal: Journal
    transaction_id: str
    transaction_date: date
    lines: tuple[Line, ...]
    description: str = ""
    voucher_type: str | None = None
    voucher_description: str | None = None
    period: int | None = None
    period_year: int | None = None


@dataclass(frozen=True)
class EntryTotals:
    """The control totals ``GeneralLedgerEntries`` states before its journals."""

    number_of_entries: int
    total_debit: Decimal
    total_credit: Decimal


def totals_of(transactions: Iterable[Transaction]) -> EntryTotals:
    count, debit, credit = 0, Decimal(0), Decimal(0)
    for transaction in transactions:
        count += 1
        debit += sum((line.amount for line in transaction.lines if line.amount >= 0), Decimal(0))
        credit -= sum((line.amount for line in transaction.lines if line.amount < 0), Decimal(0))
    return EntryTotals(count, debit, credit)


def write_saft(
    path: Path,
    *,
    version: Version,
    company: Company,
    period: tuple[date, date],
    accounts: Iterable[Account],
    customers: Iterable[Party] = (),
    suppliers: Iterable[Party] = (),
    tax_codes: Iterable[TaxCode] = (),
    dimensions: Iterable[Dimension] = (),
    transactions: Iterable[Transaction] = (),
    totals: EntryTotals | None = None,
    selection: Literal["periods", "dates"] = "periods",
    currency: str = "NOK",
) -> None:
    """Write the file; ``totals`` saves a pass over ``transactions`` when they are generated lazily."""
    if totals is None:
        transactions = list(transactions)
        totals = totals_of(transactions)
    with path.open("w", encoding="utf-8") as stream:
        out = _Writer(stream, version)
        stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        with out.element("AuditFile", f' xmlns="{NAMESPACE}"'):
            out.header(company, period, selection, currency)
            with out.element("MasterFiles"):
                out.accounts(accounts)
                out.parties("Customer", customers)
                out.parties("Supplier", suppliers)
                out.tax_table(tax_codes)
                out.dimensions(dimensions)
            with out.element("GeneralLedgerEntries"):
                out.leaf("NumberOfEntries", str(totals.number_of_entries))
                out.leaf("TotalDebit", _money(totals.total_debit))
                out.leaf("TotalCredit", _money(totals.total_credit))
                for journal, group in itertools.groupby(transactions, key=lambda item: item.journal):
                    out.journal(journal, group)


def write_large_saft(path: Path, *, lines: int = 1_000_000, version: Version = "1.30") -> EntryTotals:
    """A year of sales in one journal per month, made as it is written.

    Each sale has two lines, the receivable and the revenue with its VAT code and amount; the VAT line is
    left out, as the file is for measuring the reader, not for bookkeeping.
    """
    if lines % 2:
        raise ValueError("the large file has two lines per transaction: give an even number of lines")
    count = lines // 2
    year = 2024

    def amount(number: int) -> Decimal:
        return Decimal(number % 9973 + 1) + Decimal(number % 100) / 100

    def transaction(number: int) -> Transaction:
        day = date(year, 1, 1) + timedelta(days=number * 366 // count)
        value = amount(number)
        return Transaction(
            journal=Journal(f"S{day.month:02}", "Salg", "S"),
            transaction_id=str(number + 1),
            transaction_date=day,
            description=f"Faktura {number + 1}",
            lines=(
                Line("1500", value, "Kundefordring", customer_id="K1", source_document_id=str(number + 1)),
                Line("3000", -value, "Salg", tax=Tax("3", Decimal(25), -(value / 4).quantize(_CENT))),
            ),
        )

    total = sum((amount(number) for number in range(count)), Decimal(0))
    totals = EntryTotals(count, total, total)
    write_saft(
        path,
        version=version,
        company=Company("Storfil AS", "999999999"),
        period=(date(year, 1, 1), date(year, 12, 31)),
        accounts=[
            Account("1500", "Kundefordringer", Decimal(0), total, grouping_code="1500"),
            Account("3000", "Salgsinntekt", Decimal(0), -total, grouping_code="3000"),
        ],
        customers=[Party("K1", "Kunde AS", "987654321", (Balance("1500", Decimal(0), total),))],
        tax_codes=[TaxCode("3", "3", Decimal(25), "Utgående mva, høy sats")],
        transactions=(transaction(number) for number in range(count)),
        totals=totals,
    )
    return totals


def schema_errors(path: Path) -> list[str]:
    """What the official 1.30 schema finds wrong with the file (nothing, for a valid file)."""
    schema = etree.XMLSchema(file=str(SCHEMA_1_30))
    if schema.validate(etree.parse(str(path))):
        return []
    return str(schema.error_log).splitlines()


class _Writer:
    """Indented elements, one per line, in the order the schema of ``version`` wants them."""

    def __init__(self, stream: TextIO, version: Version) -> None:
        self.stream = stream
        self.version = version
        self.depth = 0

    @contextmanager
    def element(self, name: str, attributes: str = "") -> Iterator[None]:
        self.stream.write(f"{'  ' * self.depth}<{name}{attributes}>\n")
        self.depth += 1
        yield
        self.depth -= 1
        self.stream.write(f"{'  ' * self.depth}</{name}>\n")

    def leaf(self, name: str, text: str | None) -> None:
        if text is not None:
            self.stream.write(f"{'  ' * self.depth}<{name}>{escape(text)}</{name}>\n")

    def header(
        self,
        company: Company,
        period: tuple[date, date],
        selection: Literal["periods", "dates"],
        currency: str,
    ) -> None:
        start, end = period
        with self.element("Header"):
            self.leaf("AuditFileVersion", self.version)
            self.leaf("AuditFileCountry", "NO")
            self.leaf("AuditFileDateCreated", end.isoformat())
            self.leaf("SoftwareCompanyName", "kontobok")
            self.leaf("SoftwareID", "kontobok-tests")
            self.leaf("SoftwareVersion", "0.1")
            with self.element("Company"):
                self.leaf("RegistrationNumber", company.organization_number)
                self.leaf("Name", company.name)
                self.address()
                with self.element("Contact"):
                    with self.element("ContactPerson"):
                        self.leaf("FirstName", "Kari")
                        self.leaf("LastName", "Nordmann")
                    self.leaf("Telephone", "12345678")
            self.leaf("DefaultCurrencyCode", currency)
            with self.element("SelectionCriteria"):
                if selection == "dates":
                    self.leaf("SelectionStartDate", start.isoformat())
                    self.leaf("SelectionEndDate", end.isoformat())
                else:
                    if start.day != 1 or (end + timedelta(days=1)).day != 1:
                        raise ValueError(
                            "a selection by periods runs from a month's first day to a month's last"
                        )
                    self.leaf("PeriodStart", str(start.month))
                    self.leaf("PeriodStartYear", str(start.year))
                    self.leaf("PeriodEnd", str(end.month))
                    self.leaf("PeriodEndYear", str(end.year))
            self.leaf("TaxAccountingBasis", "A")

    def address(self) -> None:
        with self.element("Address"):
            self.leaf("City", "Oslo")
            self.leaf("Country", "NO")

    def accounts(self, accounts: Iterable[Account]) -> None:
        with self.element("GeneralLedgerAccounts"):
            for account in accounts:
                with self.element("Account"):
                    self.leaf("AccountID", account.account_id)
                    self.leaf("AccountDescription", account.description)
                    if self.version == "1.10":
                        self.leaf("StandardAccountID", account.standard_account_id or account.account_id[:2])
                    else:
                        self.leaf("GroupingCategory", account.grouping_category)
                        self.leaf("GroupingCode", account.grouping_code or account.account_id)
                    self.leaf("AccountType", "GL")
                    self.balances(account.opening, account.closing)

    def balances(self, opening: Decimal, closing: Decimal) -> None:
        for moment, amount in (("Opening", opening), ("Closing", closing)):
            self.leaf(f"{moment}{'Debit' if amount >= 0 else 'Credit'}Balance", _money(abs(amount)))

    def parties(self, kind: Literal["Customer", "Supplier"], parties: Iterable[Party]) -> None:
        listed = list(parties)
        if not listed:
            return
        with self.element(f"{kind}s"):
            for party in listed:
                with self.element(kind):
                    self.leaf("RegistrationNumber", party.organization_number)
                    self.leaf("Name", party.name)
                    self.address()
                    self.leaf(f"{kind}ID", party.party_id)
                    self.party_balances(party.balances)

    def party_balances(self, balances: tuple[Balance, ...]) -> None:
        if self.version == "1.30":
            for balance in balances:
                with self.element("BalanceAccount"):
                    self.leaf("AccountID", balance.account_id)
                    self.balances(balance.opening, balance.closing)
            return
        if len(balances) > 1:
            raise ValueError("1.10 gives a customer or supplier one account and one pair of balances")
        for balance in balances:
            self.leaf("AccountID", balance.account_id)
            self.balances(balance.opening, balance.closing)

    def tax_table(self, tax_codes: Iterable[TaxCode]) -> None:
        listed = list(tax_codes)
        if not listed:
            return
        with self.element("TaxTable"), self.element("TaxTableEntry"):
            self.leaf("TaxType", "MVA")
            self.leaf("Description", "Merverdiavgift")
            for tax_code in listed:
                with self.element("TaxCodeDetails"):
                    self.leaf("TaxCode", tax_code.code)
                    self.leaf("Description", tax_code.description or None)
                    self.leaf("TaxPercentage", _number(tax_code.percentage))
                    self.leaf("Country", "NO")
                    self.leaf("StandardTaxCode", tax_code.standard_code)
                    self.leaf("BaseRate", "100")

    def dimensions(self, dimensions: Iterable[Dimension]) -> None:
        listed = list(dimensions)
        if not listed:
            return
        with self.element("AnalysisTypeTable"):
            for dimension in listed:
                with self.element("AnalysisTypeTableEntry"):
                    self.leaf("AnalysisType", dimension.analysis_type)
                    self.leaf("AnalysisTypeDescription", dimension.type_description)
                    self.leaf("AnalysisID", dimension.analysis_id)
                    self.leaf("AnalysisIDDescription", dimension.description)

    def journal(self, journal: Journal, transactions: Iterable[Transaction]) -> None:
        with self.element("Journal"):
            self.leaf("JournalID", journal.journal_id)
            self.leaf("Description", journal.description)
            self.leaf("Type", journal.journal_type)
            for transaction in transactions:
                self.transaction(transaction)

    def transaction(self, transaction: Transaction) -> None:
        day = transaction.transaction_date
        if self.version == "1.10" and (transaction.voucher_type or transaction.voucher_description):
            raise ValueError("1.10 has no VoucherType or VoucherDescription")
        with self.element("Transaction"):
            self.leaf("TransactionID", transaction.transaction_id)
            self.leaf("Period", str(transaction.period or day.month))
            self.leaf("PeriodYear", str(transaction.period_year or day.year))
            self.leaf("TransactionDate", day.isoformat())
            self.leaf("VoucherType", transaction.voucher_type)
            self.leaf("VoucherDescription", transaction.voucher_description)
            self.leaf("Description", transaction.description)
            self.leaf("SystemEntryDate", day.isoformat())
            self.leaf("GLPostingDate", day.isoformat())
            for number, line in enumerate(transaction.lines, start=1):
                self.line(number, line)

    def line(self, number: int, line: Line) -> None:
        with self.element("Line"):
            self.leaf("RecordID", str(number))
            self.leaf("AccountID", line.account_id)
            for analysis_type, analysis_id in line.analysis:
                with self.element("Analysis"):
                    self.leaf("AnalysisType", analysis_type)
                    self.leaf("AnalysisID", analysis_id)
            self.leaf("ValueDate", line.value_date.isoformat() if line.value_date else None)
            self.leaf("SourceDocumentID", line.source_document_id)
            self.leaf("CustomerID", line.customer_id)
            self.leaf("SupplierID", line.supplier_id)
            self.leaf("Description", line.description)
            self.amount("DebitAmount" if line.amount >= 0 else "CreditAmount", line.amount, line.foreign)
            if line.tax is not None:
                self.tax(line.tax, line.amount)

    def amount(self, name: str, amount: Decimal, foreign: ForeignAmount | None = None) -> None:
        with self.element(name):
            self.leaf("Amount", _money(abs(amount)))
            if foreign is not None:
                if foreign.amount and amount and (foreign.amount < 0) != (amount < 0):
                    raise ValueError("a foreign amount has the sign of its line")
                self.leaf("CurrencyCode", foreign.currency)
                self.leaf("CurrencyAmount", _money(abs(foreign.amount)))
                self.leaf("ExchangeRate", _number(foreign.rate))

    def tax(self, tax: Tax, line_amount: Decimal) -> None:
        with self.element("TaxInformation"):
            self.leaf("TaxType", "MVA")
            self.leaf("TaxCode", tax.code)
            self.leaf("TaxPercentage", _number(tax.percentage))
            if self.version == "1.30":
                self.amount("DebitTaxAmount" if tax.amount >= 0 else "CreditTaxAmount", tax.amount)
            elif tax.amount and line_amount and (tax.amount < 0) != (line_amount < 0):
                raise ValueError("1.10 writes a tax amount on its line's side only")
            else:
                self.amount("TaxAmount", tax.amount)


def _money(amount: Decimal) -> str:
    if amount != amount.quantize(_CENT):
        raise ValueError(f"{amount} has more than two decimals")
    return f"{amount:.2f}"


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"
