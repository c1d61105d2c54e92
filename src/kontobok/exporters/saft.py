"""SAF-T Financial 1.30 (Norway): one fiscal year of the books as the Tax Administration's XML file.

The file has a header (the company, the default currency, the selection), master files (the accounts with
their opening and closing balances, the customers and suppliers with theirs, the tax table) and the general
ledger entries: one journal per transaction type, holding the year's vouchers as transactions. It is written
with ``lxml.etree.xmlfile`` while the vouchers stream from the database, so memory stays flat however many
lines the year has. Amounts are in the organization's base currency with two decimals, each on the debit or
the credit side; a foreign-currency line adds its currency, its amount in that currency and the rate.

The selection is the fiscal year that starts in ``year`` (:func:`kontobok.core.periods.fiscal_year_range`).
A period is a calendar month: ``PeriodStart``/``PeriodStartYear`` is the fiscal year's first month and
``PeriodEnd``/``PeriodEndYear`` its last, and a transaction's ``Period``/``PeriodYear`` is the month and year
of its date. A year starting in July therefore runs from period 7 of one year to period 6 of the next, which
is how :mod:`kontobok.importers.saft` reads it back.

Opening balances are the balances at the start of the year's first day; every line dated inside the year,
the incoming-balance vouchers included, is a transaction, so opening plus the lines gives the closing balance
of every account (``/v1/accountbalances`` with ``keepIncoming=true``). A voucher whose lines span two fiscal
years is split at the boundary: each file holds the lines of its own year under the same transaction id.
Its ``TransactionDate`` is the voucher date, or the first line date inside the year when the voucher date is
outside it; a line dated otherwise than its transaction carries its date as ``ValueDate``.

VAT follows the Tax Administration's example file: the line that carries the tax base has a
``TaxInformation`` with the code, the rate, the base and the VAT amount (the VAT line kontobok split off
right after it; for a reverse-charge code the computed VAT posted as deductible or as cost); the VAT lines
themselves have none. A taxed line with no VAT line (a zero-rate code) states a VAT amount of 0.

What the schema requires and kontobok does not know, and what is written instead:

- ``Company/Contact/ContactPerson``: kontobok keeps no contact person. The schema's own marker for an
  unstructured name, ``FirstName`` "NotUsed", is written with ``LastName`` "Unknown". ``Company/Address``
  and ``TaxRegistration`` are optional in the schema and left out: kontobok knows neither an address nor
  whether the organization is registered for VAT.
- ``GroupingCategory``/``GroupingCode``, mandatory since 1.30 (``StandardAccountID`` is gone): the account's
  stored mapping when it has both. Otherwise the code of the Tax Administration's *næringsspesifikasjon*
  list (the mapping the official 1.30 example file uses) that the NS 4102 range of the account's first four
  digits belongs to, e.g. 1920 → ``balanseverdiForOmloepsmiddel``/1920, 2710 → ``kortsiktigGjeld``/2740,
  4300 → ``varekostnad``/4005, 6800 → ``annenDriftskostnad``/6995 (:func:`grouping_of`). Ranges without
  a code (8200–8299, 8400–8799, 8900 and up) get "NA"/"NA", the schema's marker for a mapping that is not
  possible. The fallback is a starting point; an organization that files the export should store its
  own mapping.
- ``Journal/Type``: "GL" for every journal; a kontobok voucher is a general-ledger voucher whatever its type.
- ``StandardTaxCode``: the tax code itself (kontobok's codes are the standard codes); "NA" above 99.
- ``BaseRate``: 100 in the tax table. A partial deduction posted with ``tax.baseRate`` is in the lines
  themselves (the VAT line holds the deductible share, the line's account the rest); kontobok keeps no
  per-line deduction rate to write.

Not written: a line's dimensions (they would need an analysis type table kontobok does not keep), document
ids and line times. A line with both a customer and a supplier names only the customer, as the schema's
documentation asks. An invoice number longer than the schema's 35 characters is left out rather than cut.
Amounts in a currency with three decimals are rounded half-even to the two the schema allows.

The schema's ``xs:key``/``xs:keyref`` selectors name elements without their namespace, so they match nothing
and no validator checks references. The exporter keeps them itself: every account a line or a party's
balance names is listed, every customer or supplier id a line names is declared (an id missing from the
register under a placeholder name), and transaction ids are unique (type and number).

The export must read one consistent state of the books: on PostgreSQL run it in a ``REPEATABLE READ``
transaction (SQLite's read transactions already are). If the lines change between the control totals and
the stream, :class:`~kontobok.core.errors.Conflict` is raised and a file at ``output`` removed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from lxml import etree

from kontobok import __version__
from kontobok.core.errors import Conflict, ValidationFailed
from kontobok.core.money import exponent
from kontobok.core.periods import DateRange, fiscal_year_range
from kontobok.core.taxes import TaxCode
from kontobok.store.books import list_tax_codes_by_number, list_transaction_types
from kontobok.store.organizations import Organization
from kontobok.store.saft_reads import (
    ChartAccount,
    LedgerLine,
    LedgerVoucher,
    Party,
    PartyBalance,
    iter_ledger_vouchers,
    read_chart_with_balances,
    read_ledger_totals,
    read_parties,
)

NAMESPACE = "urn:StandardAuditFile-Taxation-Financial:NO"
AUDIT_FILE_VERSION = "1.30"
FIRST_YEAR, LAST_YEAR = 1970, 2100  # the schema's range for PeriodYear
NOT_MAPPED = "NA"

_CENT = Decimal("0.01")
_RATE_PLACES = Decimal("1E-8")  # SAFexchangerateType: at most 8 decimals


@dataclass(frozen=True)
class ExportSummary:
    """What a file holds; amounts in minor units of the base currency, credit as a positive sum."""

    year: int
    span: DateRange
    accounts: int
    customers: int
    suppliers: int
    tax_codes: int
    vouchers: int
    lines: int
    total_debit: int
    total_credit: int
    # non-zero when the result of earlier years was not transferred to equity (e.g. 8800 against 2050):
    # the opening balance sheet then does not balance, and an importer books the sum to a suspense account
    opening_imbalance: int = 0


def export_saft(
    connection: sa.Connection,
    organization: Organization,
    year: int,
    output: BinaryIO | Path,
    *,
    today: date | None = None,
    as_of: datetime | None = None,
) -> ExportSummary:
    """Write the SAF-T file of the fiscal year that starts in ``year`` to a path or a binary stream.

    With ``as_of`` the file shows the books as they stood at that instant, and it is dated on that instant's
    day: exporting again with the same ``as_of`` later gives the same bytes, whatever was posted since.
    """
    span = fiscal_year_range(year, organization.fiscal_year_start_month)
    if span.begin.year < FIRST_YEAR or span.last_day.year > LAST_YEAR:
        raise ValidationFailed.single(
            "/year", "range", f"SAF-T covers fiscal years between {FIRST_YEAR} and {LAST_YEAR}"
        )
    zone = ZoneInfo(organization.time_zone)
    created = as_of.astimezone(zone).date() if as_of is not None else today or datetime.now(zone).date()
    export = _Export(connection, organization, year, span, zone, as_of)
    if not isinstance(output, Path):
        return export.write(output, created)
    try:
        with output.open("wb") as stream:
            return export.write(stream, created)
    except BaseException:
        output.unlink(missing_ok=True)
        raise


def _incremental_writer(stream: BinaryIO) -> AbstractContextManager[Any]:
    return cast("AbstractContextManager[Any]", etree.xmlfile(stream, encoding="UTF-8"))


class _Xml:
    """Elements in the SAF-T namespace on an ``lxml`` incremental writer."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer

    def element(self, tag: str, **attributes: Any) -> AbstractContextManager[None]:
        return cast(
            "AbstractContextManager[None]", self._writer.element(f"{{{NAMESPACE}}}{tag}", **attributes)
        )

    def text(self, tag: str, value: str) -> None:
        with self.element(tag):
            self._writer.write(value)


class _Export:
    def __init__(
        self,
        connection: sa.Connection,
        organization: Organization,
        year: int,
        span: DateRange,
        zone: ZoneInfo,
        as_of: datetime | None = None,
    ) -> None:
        self.connection = connection
        self.organization = organization
        self.organization_id = organization.organization_id
        self.currency = organization.base_currency
        self.year = year
        self.span = span
        self.zone = zone
        self.as_of = as_of

    def write(self, stream: BinaryIO, created: date) -> ExportSummary:
        chart = read_chart_with_balances(
            self.connection, self.organization_id, year=self.span, as_of=self.as_of
        )
        customers = read_parties(
            self.connection, self.organization_id, "customer", year=self.span, as_of=self.as_of
        )
        suppliers = read_parties(
            self.connection, self.organization_id, "supplier", year=self.span, as_of=self.as_of
        )
        tax_codes = list_tax_codes_by_number(self.connection, self.organization_id)
        totals = read_ledger_totals(self.connection, self.organization_id, year=self.span, as_of=self.as_of)
        referenced = {
            balance.account_number for party in (*customers, *suppliers) for balance in _shown(party)
        }
        listed = [
            account
            for account in chart
            if account.lines_in_year or account.opening or account.closing or account.number in referenced
        ]
        with _incremental_writer(stream) as writer:
            writer.write_declaration()
            xml = _Xml(writer)
            with xml.element("AuditFile", nsmap={None: NAMESPACE}):
                self._header(xml, created)
                with xml.element("MasterFiles"):
                    self._accounts(xml, listed)
                    self._parties(xml, "Customer", customers)
                    self._parties(xml, "Supplier", suppliers)
                    self._tax_table(xml, list(tax_codes.values()))
                with xml.element("GeneralLedgerEntries"):
                    xml.text("NumberOfEntries", str(totals.vouchers))
                    xml.text("TotalDebit", self._money(totals.debit))
                    xml.text("TotalCredit", self._money(totals.credit))
                    written = self._journals(xml)
        if written != (totals.vouchers, totals.lines):
            raise Conflict(
                "the ledger changed during the export; export again in one repeatable-read transaction"
            )
        return ExportSummary(
            year=self.year,
            span=self.span,
            accounts=len(listed),
            customers=len(customers),
            suppliers=len(suppliers),
            tax_codes=len(tax_codes),
            vouchers=totals.vouchers,
            lines=totals.lines,
            total_debit=totals.debit,
            total_credit=totals.credit,
            opening_imbalance=sum(account.opening for account in listed),
        )

    def _header(self, xml: _Xml, created: date) -> None:
        first, last = self.span.begin, self.span.last_day
        with xml.element("Header"):
            xml.text("AuditFileVersion", AUDIT_FILE_VERSION)
            xml.text("AuditFileCountry", "NO")
            xml.text("AuditFileDateCreated", created.isoformat())
            xml.text("SoftwareCompanyName", "kontobok")
            xml.text("SoftwareID", "kontobok")
            xml.text("SoftwareVersion", __version__)
            with xml.element("Company"):
                xml.text("RegistrationNumber", self.organization.organization_number)
                xml.text("Name", self.organization.name)
                with xml.element("Contact"), xml.element("ContactPerson"):
                    xml.text("FirstName", "NotUsed")
                    xml.text("LastName", "Unknown")
            xml.text("DefaultCurrencyCode", self.currency)
            with xml.element("SelectionCriteria"):
                xml.text("PeriodStart", str(first.month))
                xml.text("PeriodStartYear", str(first.year))
                xml.text("PeriodEnd", str(last.month))
                xml.text("PeriodEndYear", str(last.year))
            xml.text("HeaderComment", f"Fiscal year {self.year}: {first.isoformat()} to {last.isoformat()}")
            xml.text("TaxAccountingBasis", "A")

    def _accounts(self, xml: _Xml, listed: Sequence[ChartAccount]) -> None:
        if not listed:
            return
        with xml.element("GeneralLedgerAccounts"):
            for account in listed:
                category, code = (
                    (account.grouping_category, account.grouping_code)
                    if account.grouping_category and account.grouping_code
                    else grouping_of(account.number)
                )
                with xml.element("Account"):
                    xml.text("AccountID", str(account.number))
                    xml.text("AccountDescription", account.name)
                    xml.text("GroupingCategory", category)
                    xml.text("GroupingCode", code)
                    xml.text("AccountType", "GL")
                    self._balances(xml, account.opening, account.closing)

    def _balances(self, xml: _Xml, opening: int, closing: int) -> None:
        for moment, balance in (("Opening", opening), ("Closing", closing)):
            side = "Debit" if balance >= 0 else "Credit"
            xml.text(f"{moment}{side}Balance", self._money(abs(balance)))

    def _parties(self, xml: _Xml, name: str, parties: Sequence[Party]) -> None:
        if not parties:
            return
        with xml.element(f"{name}s"):
            for party in parties:
                with xml.element(name):
                    if party.organization_number:
                        xml.text("RegistrationNumber", party.organization_number)
                    xml.text("Name", party.name)
                    xml.text(f"{name}ID", party.saft_id)
                    for balance in _shown(party):
                        with xml.element("BalanceAccount"):
                            xml.text("AccountID", str(balance.account_number))
                            self._balances(xml, balance.opening, balance.closing)

    def _tax_table(self, xml: _Xml, codes: Sequence[TaxCode]) -> None:
        if not codes:
            return
        with xml.element("TaxTable"), xml.element("TaxTableEntry"):
            xml.text("TaxType", "MVA")
            xml.text("Description", "Merverdiavgift")
            for code in codes:
                with xml.element("TaxCodeDetails"):
                    xml.text("TaxCode", str(code.number))
                    xml.text("Description", code.name)
                    xml.text("TaxPercentage", _percentage(code.rate_basis_points))
                    xml.text("Country", "NO")
                    xml.text("StandardTaxCode", str(code.number) if 0 <= code.number <= 99 else NOT_MAPPED)
                    xml.text("BaseRate", "100")

    def _journals(self, xml: _Xml) -> tuple[int, int]:
        """Write one journal per transaction type; return how many vouchers and lines were written."""
        names = {
            kind.number: kind.name for kind in list_transaction_types(self.connection, self.organization_id)
        }
        vouchers = lines = 0
        stream = iter_ledger_vouchers(self.connection, self.organization_id, year=self.span, as_of=self.as_of)
        for type_number, group in itertools.groupby(
            stream, key=lambda voucher: voucher.transaction_type_number
        ):
            name = names.get(type_number, f"Transaction type {type_number}")
            with xml.element("Journal"):
                xml.text("JournalID", str(type_number))
                xml.text("Description", name)
                xml.text("Type", "GL")
                for voucher in group:
                    self._transaction(xml, voucher, name)
                    vouchers += 1
                    lines += len(voucher.lines)
        return vouchers, lines

    def _transaction(self, xml: _Xml, voucher: LedgerVoucher, type_name: str) -> None:
        day = voucher.day if voucher.day in self.span else min(line.day for line in voucher.lines)
        entered = voucher.created_at.astimezone(self.zone).date().isoformat()
        description = voucher.comment or f"{type_name} {voucher.number}"
        with xml.element("Transaction"):
            xml.text("TransactionID", f"{voucher.transaction_type_number}-{voucher.number}")
            xml.text("Period", str(day.month))
            xml.text("PeriodYear", str(day.year))
            xml.text("TransactionDate", day.isoformat())
            xml.text("VoucherType", str(voucher.transaction_type_number))
            xml.text("VoucherDescription", type_name[:70])
            xml.text("Description", description)
            xml.text("SystemEntryDate", entered)
            xml.text("GLPostingDate", entered)
            for line, vat in _with_vat(voucher.lines):
                self._line(xml, line, vat, day, description)

    def _line(self, xml: _Xml, line: LedgerLine, vat: LedgerLine | None, day: date, description: str) -> None:
        with xml.element("Line"):
            xml.text("RecordID", str(line.line_number))
            xml.text("AccountID", str(line.account_number))
            if line.day != day:
                xml.text("ValueDate", line.day.isoformat())
            if line.customer_saft_id is not None:
                xml.text("CustomerID", line.customer_saft_id)
            elif line.supplier_saft_id is not None:
                xml.text("SupplierID", line.supplier_saft_id)
            xml.text("Description", line.comment or description)
            self._amount(xml, ("DebitAmount", "CreditAmount"), line)
            if line.tax_number != 0 and not line.is_vat:
                with xml.element("TaxInformation"):
                    xml.text("TaxType", "MVA")
                    xml.text("TaxCode", str(line.tax_number))
                    xml.text("TaxPercentage", _percentage(line.tax_rate_basis_points))
                    xml.text("Country", "NO")
                    xml.text("TaxBase", self._money(abs(line.amount)))
                    self._amount(xml, ("DebitTaxAmount", "CreditTaxAmount"), vat or line, zero=vat is None)
            if line.invoice_number and len(line.invoice_number) <= 35:
                xml.text("ReferenceNumber", line.invoice_number)
            if line.remittance_reference:
                xml.text("CID", line.remittance_reference)
            if line.due_date is not None:
                xml.text("DueDate", line.due_date.isoformat())

    def _amount(self, xml: _Xml, sides: tuple[str, str], line: LedgerLine, *, zero: bool = False) -> None:
        """An amount structure on the line's side; ``zero`` states nothing but the side."""
        is_debit = line.amount > 0 or (line.amount == 0 and line.currency_amount >= 0)
        with xml.element(sides[0] if is_debit else sides[1]):
            xml.text("Amount", self._money(0 if zero else abs(line.amount)))
            if line.currency != self.currency and not zero:
                xml.text("CurrencyCode", line.currency)
                xml.text("CurrencyAmount", _decimal_text(abs(line.currency_amount), line.currency))
                xml.text("ExchangeRate", _rate(line.rate))

    def _money(self, minor: int) -> str:
        return _decimal_text(minor, self.currency)


def _shown(party: Party) -> Iterator[PartyBalance]:
    """The party's balances worth stating: non-zero, or moved during the year."""
    return (
        balance for balance in party.balances if balance.opening or balance.closing or balance.lines_in_year
    )


def _with_vat(lines: Sequence[LedgerLine]) -> Iterator[tuple[LedgerLine, LedgerLine | None]]:
    """Each line with the VAT line kontobok split off it (the next line, a VAT line of the same code)."""
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else None
        is_its_vat = (
            following is not None
            and not line.is_vat
            and following.is_vat
            and following.tax_number == line.tax_number
        )
        yield line, following if is_its_vat else None


def _decimal_text(minor: int, currency: str) -> str:
    """``minor`` units of ``currency`` with exactly two decimals, as SAF-T amounts are written."""
    value = Decimal(minor).scaleb(-exponent(currency)).quantize(_CENT, rounding=ROUND_HALF_EVEN)
    return f"{value:f}"


def _rate(rate: Decimal) -> str:
    """The rate with at most the eight decimals the schema allows, without trailing zeros."""
    return f"{rate.quantize(_RATE_PLACES, rounding=ROUND_HALF_EVEN).normalize():f}"


def _percentage(basis_points: int) -> str:
    """25 for 2500 basis points, 11.11 for 1111, 12.5 for 1250."""
    return f"{Decimal(basis_points).scaleb(-2).normalize():f}"


# The næringsspesifikasjon code for each range of NS 4102 account numbers (by their first four digits): an
# account belongs to the last range starting at or below it. None marks ranges with no code.
_GROUPING_CODES: tuple[tuple[int, str | None], ...] = (
    (1000, "1000"), (1020, "1020"), (1070, "1070"), (1080, "1080"), (1100, "1105"), (1115, "1115"),
    (1117, "1117"), (1120, "1120"), (1130, "1130"), (1140, "1140"), (1150, "1150"), (1160, "1160"),
    (1180, "1180"), (1200, "1205"), (1221, "1221"), (1225, "1225"), (1238, "1238"), (1240, "1205"),
    (1280, "1280"), (1290, "1290"), (1300, "1313"), (1312, "1312"), (1313, "1313"), (1320, "1320"),
    (1331, "1331"), (1332, "1332"), (1340, "1340"), (1350, "1350"), (1360, "1360"), (1370, "1370"),
    (1380, "1380"), (1390, "1390"), (1395, "1395"), (1400, "1400"), (1490, "1490"), (1500, "1500"),
    (1501, "1501"), (1502, "1500"), (1530, "1530"), (1560, "1560"), (1565, "1565"), (1570, "1570"),
    (1780, "1780"), (1790, "1570"), (1800, "1800"), (1810, "1810"), (1830, "1830"), (1840, "1840"),
    (1880, "1880"), (1900, "1900"), (1920, "1920"), (1950, "1950"), (1960, "1920"),
    (2000, "2000"), (2010, "2010"), (2020, "2020"), (2030, "2030"), (2043, "2043"), (2045, "2045"),
    (2050, "2050"), (2055, "2055"), (2056, "2050"), (2080, "2080"), (2100, "2100"), (2120, "2120"),
    (2130, "2130"), (2160, "2160"), (2180, "2180"), (2200, "2200"), (2210, "2210"), (2220, "2220"),
    (2250, "2250"), (2260, "2260"), (2280, "2280"), (2290, "2290"), (2300, "2310"), (2320, "2320"),
    (2330, "2330"), (2380, "2380"), (2400, "2400"), (2460, "2460"), (2500, "2500"), (2510, "2510"),
    (2600, "2600"), (2700, "2740"), (2770, "2770"), (2790, "2790"), (2800, "2800"), (2900, "2900"),
    (2910, "2910"), (2920, "2920"), (2930, "2949"), (2950, "2950"), (2960, "2990"), (2970, "2970"),
    (2980, "2980"), (2990, "2990"),
    (3000, "3000"), (3100, "3100"), (3200, "3200"), (3300, "3300"), (3400, "3400"), (3500, "3500"),
    (3600, "3600"), (3650, "3650"), (3695, "3695"), (3700, "3700"), (3710, "3710"), (3800, "3880"),
    (3850, "3850"), (3870, "3870"), (3880, "3880"), (3885, "3885"), (3890, "3900"),
    (4000, "4005"), (4290, "4295"), (4300, "4005"), (4500, "4500"), (4600, "4005"), (4990, "4995"),
    (5000, "5000"), (5300, "5300"), (5400, "5400"), (5420, "5420"), (5500, "5300"), (5600, "5600"),
    (5700, "5900"),
    (6000, "6000"), (6050, "6050"), (6100, "6100"), (6200, "6200"), (6300, "6300"), (6340, "6340"),
    (6360, "6395"), (6400, "6400"), (6440, "6440"), (6450, "6400"), (6500, "6500"), (6600, "6600"),
    (6620, "6695"), (6700, "6700"), (6800, "6995"),
    (7000, "7000"), (7020, "7020"), (7040, "7040"), (7080, "7080"), (7090, "7000"), (7100, "7155"),
    (7140, "7165"), (7150, "7155"), (7160, "7165"), (7200, "7295"), (7300, "7330"), (7350, "7350"),
    (7360, "7370"), (7400, "7400"), (7420, "7420"), (7430, "7440"), (7500, "7500"), (7550, "7565"),
    (7600, "7600"), (7700, "7700"), (7800, "7880"), (7830, "7830"), (7860, "7860"), (7870, "7880"),
    (7900, "7700"),
    (8000, "8005"), (8030, "8030"), (8040, "8050"), (8060, "8060"), (8070, "8079"), (8074, "8074"),
    (8075, "8079"), (8080, "8080"), (8090, "8090"), (8100, "8100"), (8110, "8115"), (8120, "8179"),
    (8130, "8130"), (8140, "8150"), (8160, "8160"), (8170, "8179"), (8174, "8174"), (8175, "8179"),
    (8200, None), (8300, "8300"), (8400, None), (8800, "8800"), (8900, None),
)  # fmt: skip
_GROUPING_STARTS = [start for start, _ in _GROUPING_CODES]
# The næringsspesifikasjon category of each range of its codes.
_CATEGORIES: tuple[tuple[int, str], ...] = (
    (1000, "balanseverdiForAnleggsmiddel"), (1400, "balanseverdiForOmloepsmiddel"), (2000, "egenkapital"),
    (2100, "langsiktigGjeld"), (2300, "kortsiktigGjeld"), (3000, "salgsinntekt"),
    (3400, "annenDriftsinntekt"), (4000, "varekostnad"), (5000, "loennskostnad"),
    (6000, "annenDriftskostnad"), (8000, "finansinntekt"), (8100, "finanskostnad"),
    (8300, "skattekostnad"), (8800, "resultatDisponeringForSAF-T"),
)  # fmt: skip
_CATEGORY_STARTS = [start for start, _ in _CATEGORIES]


def grouping_of(account_number: int) -> tuple[str, str]:
    """The fallback (GroupingCategory, GroupingCode) of an account without a stored mapping."""
    prefix = int(str(account_number)[:4])
    index = bisect.bisect_right(_GROUPING_STARTS, prefix) - 1
    code = _GROUPING_CODES[index][1] if index >= 0 else None
    if code is None:
        return NOT_MAPPED, NOT_MAPPED
    category = _CATEGORIES[bisect.bisect_right(_CATEGORY_STARTS, int(code)) - 1][1]
    return category, code
