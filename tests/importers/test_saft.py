"""SAF-T Financial files read back to the records they were written from, in 1.30 and in 1.10.

The files are written by ``tests.saft_files`` from the small, balanced set of books below (a sale, a
purchase in euros, two payments and a card purchase in yen, in three journals); the 1.30 file is checked
against the Tax Administration's schema. The malformed documents are written as text in the test.
"""

from __future__ import annotations

import resource
import tracemalloc
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kontobok.core.errors import ValidationFailed
from kontobok.core.saft import (
    SaftAccount,
    SaftAnalysisType,
    SaftHeader,
    SaftItem,
    SaftLine,
    SaftParty,
    SaftTaxCode,
    SaftTransaction,
)
from kontobok.importers.saft import read_saft
from tests.saft_files import (
    Account,
    Balance,
    Company,
    Dimension,
    ForeignAmount,
    Journal,
    Line,
    Party,
    Tax,
    TaxCode,
    Transaction,
    Version,
    schema_errors,
    write_large_saft,
    write_saft,
)

D = Decimal
SALES, PURCHASES, BANK = Journal("S", "Salg", "S"), Journal("K", "Kjøp", "K"), Journal("B", "Bank", "B")

ACCOUNTS = [
    Account("1500", "Kundefordringer", D("1000.00"), D("1000.00"), grouping_code="1500"),
    Account("1920", "Bankinnskudd", D("50000.00"), D("49562.50"), grouping_code="1920"),
    Account("2000", "Aksjekapital", D("-50500.00"), D("-50500.00"), grouping_code="2000"),
    Account("2400", "Leverandørgjeld", D("-500.00"), D("-500.00"), grouping_code="2400"),
    Account("2700", "Utgående merverdiavgift", D(0), D("-250.00"), grouping_code="2700"),
    Account("2710", "Inngående merverdiavgift", D(0), D("287.50"), grouping_code="2710"),
    Account("3000", "Salgsinntekt, avgiftspliktig", D(0), D("-1000.00"), grouping_code="3000"),
    Account("4000", "Varekjøp", D(0), D("1150.00"), grouping_code="4000"),
    Account("6800", "Kontorrekvisita", D(0), D("250.00"), grouping_code="6800"),
]
CUSTOMERS = [Party("K1", "Kunde Nord AS", "987654321", (Balance("1500", D("1000.00"), D("1000.00")),))]
SUPPLIERS = [
    Party("L1", "Lieferant GmbH", None, (Balance("2400", D("-500.00"), D("-500.00")),)),
    Party("L2", "Strøm AS", "923456789"),
]
TAX_CODES = [
    TaxCode("0", "0", None, "Ingen mva"),
    TaxCode("1", "1", D(25), "Inngående mva, høy sats"),
    TaxCode("3", "3", D(25), "Utgående mva, høy sats"),
]
DIMENSIONS = [
    Dimension("A", "Avdeling", "100", "Administrasjon"),
    Dimension("A", "Avdeling", "101", "Salg"),
    Dimension("P", "Prosjekt", "200", "Nettbutikk"),
]
TRANSACTIONS = [
    Transaction(
        SALES, "1001", date(2024, 3, 5),
        (
            Line("1500", D("1250.00"), "Faktura 1001", date(2024, 3, 5), "1001", customer_id="K1"),
            Line("3000", D("-1000.00"), "Salg varer", tax=Tax("3", D(25), D(-250)), analysis=(("A", "101"),)),
            Line("2700", D("-250.00"), "Utgående mva"),
        ),
        "Faktura 1001 til Kunde Nord AS", voucher_type="Faktura", voucher_description="Utgående faktura",
    ),
    Transaction(
        PURCHASES, "2001", date(2024, 3, 10),
        (
            Line(
                "4000", D("1150.00"), "Varekjøp", foreign=ForeignAmount("EUR", D("100.00"), D("11.5")),
                tax=Tax("1", D(25), D("287.50")), analysis=(("A", "100"), ("P", "200")),
            ),
            Line("2710", D("287.50"), "Inngående mva"),
            Line(
                "2400", D("-1437.50"), "Lieferant GmbH", supplier_id="L1",
                foreign=ForeignAmount("EUR", D("-125.00"), D("11.5")),
            ),
        ),
        "Faktura EU-77 & frakt", voucher_type="Inngående faktura",
    ),
    Transaction(
        BANK, "3001", date(2024, 3, 20),
        (
            Line("1920", D("1250.00"), "Innbetaling", date(2024, 3, 21)),
            Line("1500", D("-1250.00"), "Innbetaling", source_document_id="1001", customer_id="K1"),
        ),
        "Innbetaling fra Kunde Nord AS",
    ),
    Transaction(
        BANK, "3002", date(2024, 3, 25),
        (
            Line("2400", D("1437.50"), "Betaling", supplier_id="L1"),
            Line("1920", D("-1437.50"), "Betaling"),
        ),
        "Betaling til Lieferant GmbH",
    ),
    Transaction(
        BANK, "3003", date(2024, 4, 2),
        (
            Line(
                "6800", D("250.00"), "Kortkjøp Tokyo", foreign=ForeignAmount("JPY", D(3500), D("0.07142857"))
            ),
            Line("1920", D("-250.00"), "Kortkjøp Tokyo"),
        ),
        "Kortkjøp", period=3, period_year=2024,  # booked in March's period though dated in April
    ),
]  # fmt: skip


def write_books(path: Path, version: Version) -> Path:
    transactions = TRANSACTIONS
    if version == "1.10":  # 1.10 has no voucher type or description
        transactions = [replace(item, voucher_type=None, voucher_description=None) for item in TRANSACTIONS]
    write_saft(
        path,
        version=version,
        company=Company("Fjordlys & Sønn AS", "912345678"),
        period=(date(2024, 1, 1), date(2024, 12, 31)),
        accounts=ACCOUNTS,
        customers=CUSTOMERS,
        suppliers=SUPPLIERS,
        tax_codes=TAX_CODES,
        dimensions=DIMENSIONS,
        transactions=transactions,
    )
    return path


def expected_1_30() -> list[SaftItem]:
    return [
        SaftHeader("1.30", "Fjordlys & Sønn AS", "912345678", "NOK", date(2024, 1, 1), date(2024, 12, 31),
                   "kontobok kontobok-tests"),
        SaftAccount("1500", "Kundefordringer", 100000, 100000, None, "RF-1167", "1500"),
        SaftAccount("1920", "Bankinnskudd", 5000000, 4956250, None, "RF-1167", "1920"),
        SaftAccount("2000", "Aksjekapital", -5050000, -5050000, None, "RF-1167", "2000"),
        SaftAccount("2400", "Leverandørgjeld", -50000, -50000, None, "RF-1167", "2400"),
        SaftAccount("2700", "Utgående merverdiavgift", 0, -25000, None, "RF-1167", "2700"),
        SaftAccount("2710", "Inngående merverdiavgift", 0, 28750, None, "RF-1167", "2710"),
        SaftAccount("3000", "Salgsinntekt, avgiftspliktig", 0, -100000, None, "RF-1167", "3000"),
        SaftAccount("4000", "Varekjøp", 0, 115000, None, "RF-1167", "4000"),
        SaftAccount("6800", "Kontorrekvisita", 0, 25000, None, "RF-1167", "6800"),
        SaftParty("customer", "K1", "Kunde Nord AS", "987654321", "1500", 100000, 100000),
        SaftParty("supplier", "L1", "Lieferant GmbH", None, "2400", -50000, -50000),
        SaftParty("supplier", "L2", "Strøm AS", "923456789"),
        SaftTaxCode("0", "0", None, "Ingen mva"),
        SaftTaxCode("1", "1", D(25), "Inngående mva, høy sats"),
        SaftTaxCode("3", "3", D(25), "Utgående mva, høy sats"),
        SaftAnalysisType("A", "100", "Administrasjon"),
        SaftAnalysisType("A", "101", "Salg"),
        SaftAnalysisType("P", "200", "Nettbutikk"),
        SaftTransaction(
            "S", "1001", date(2024, 3, 5), "Faktura 1001 til Kunde Nord AS",
            (
                SaftLine("1", "1500", 125000, "Faktura 1001", date(2024, 3, 5), "1001", customer_id="K1"),
                SaftLine("2", "3000", -100000, "Salg varer", tax_code="3", tax_percentage=D(25),
                         tax_amount=-25000, analysis=(("A", "101"),)),
                SaftLine("3", "2700", -25000, "Utgående mva"),
            ),
            journal_type="S", voucher_type="Faktura", voucher_description="Utgående faktura", period=3,
            period_year=2024,
        ),
        SaftTransaction(
            "K", "2001", date(2024, 3, 10), "Faktura EU-77 & frakt",
            (
                SaftLine("1", "4000", 115000, "Varekjøp", currency="EUR", currency_amount=10000,
                         exchange_rate=D("11.5"), tax_code="1", tax_percentage=D(25), tax_amount=28750,
                         analysis=(("A", "100"), ("P", "200"))),
                SaftLine("2", "2710", 28750, "Inngående mva"),
                SaftLine("3", "2400", -143750, "Lieferant GmbH", supplier_id="L1", currency="EUR",
                         currency_amount=-12500, exchange_rate=D("11.5")),
            ),
            journal_type="K", voucher_type="Inngående faktura", period=3, period_year=2024,
        ),
        SaftTransaction(
            "B", "3001", date(2024, 3, 20), "Innbetaling fra Kunde Nord AS",
            (
                SaftLine("1", "1920", 125000, "Innbetaling", date(2024, 3, 21)),
                SaftLine("2", "1500", -125000, "Innbetaling", source_document_id="1001", customer_id="K1"),
            ),
            journal_type="B", period=3, period_year=2024,
        ),
        SaftTransaction(
            "B", "3002", date(2024, 3, 25), "Betaling til Lieferant GmbH",
            (
                SaftLine("1", "2400", 143750, "Betaling", supplier_id="L1"),
                SaftLine("2", "1920", -143750, "Betaling"),
            ),
            journal_type="B", period=3, period_year=2024,
        ),
        SaftTransaction(
            "B", "3003", date(2024, 4, 2), "Kortkjøp",
            (
                SaftLine("1", "6800", 25000, "Kortkjøp Tokyo", currency="JPY", currency_amount=3500,
                         exchange_rate=D("0.07142857")),
                SaftLine("2", "1920", -25000, "Kortkjøp Tokyo"),
            ),
            journal_type="B", period=3, period_year=2024,
        ),
    ]  # fmt: skip


def expected_1_10() -> list[SaftItem]:
    """The same books as 1.10 states them: standard accounts instead of groupings, no voucher types."""
    return [as_1_10(item) for item in expected_1_30()]


def as_1_10(item: SaftItem) -> SaftItem:
    if isinstance(item, SaftHeader):
        return replace(item, audit_file_version="1.10")
    if isinstance(item, SaftAccount):
        return replace(
            item, standard_account_id=item.account_id[:2], grouping_category=None, grouping_code=None
        )
    if isinstance(item, SaftTransaction):
        return replace(item, voucher_type=None, voucher_description=None)
    return item


def without_source_lines(items: list[SaftItem]) -> list[SaftItem]:
    return [without_source_line(item) for item in items]


def without_source_line(item: SaftItem) -> SaftItem:
    if isinstance(item, SaftTransaction):
        return replace(item, source_line=0, lines=tuple(replace(line, source_line=0) for line in item.lines))
    if isinstance(item, SaftAccount | SaftParty):
        return replace(item, source_line=0)
    return item


@pytest.mark.parametrize(("version", "expected"), [("1.30", expected_1_30()), ("1.10", expected_1_10())])
def test_books_read_back_to_the_records_written(
    tmp_path: Path, version: Version, expected: list[SaftItem]
) -> None:
    items = list(read_saft(write_books(tmp_path / f"books-{version}.xml", version)))
    assert without_source_lines(items) == expected


@pytest.mark.parametrize("version", ["1.30", "1.10"])
def test_source_lines_point_at_the_elements(tmp_path: Path, version: Version) -> None:
    path = write_books(tmp_path / "books.xml", version)
    text = path.read_text(encoding="utf-8").splitlines()
    opening_tags: list[tuple[int, str]] = []
    for item in read_saft(path):
        if isinstance(item, SaftAccount):
            opening_tags.append((item.source_line, "<Account>"))
        elif isinstance(item, SaftParty):
            opening_tags.append((item.source_line, "<Customer>" if item.kind == "customer" else "<Supplier>"))
        elif isinstance(item, SaftTransaction):
            opening_tags.append((item.source_line, "<Transaction>"))
            opening_tags.extend((line.source_line, "<Line>") for line in item.lines)
    assert len(opening_tags) == 9 + 3 + 5 + 12
    assert all(text[number - 1].strip() == tag for number, tag in opening_tags)


def test_version_1_30_file_is_valid_and_the_1_10_file_is_not(tmp_path: Path) -> None:
    assert schema_errors(write_books(tmp_path / "books-1.30.xml", "1.30")) == []
    errors = schema_errors(write_books(tmp_path / "books-1.10.xml", "1.10"))
    assert any("StandardAccountID" in error for error in errors)


def test_balance_accounts_of_a_party_are_summed(tmp_path: Path) -> None:
    path = tmp_path / "parties.xml"
    write_saft(
        path,
        version="1.30",
        company=Company("Fjordlys AS", "912345678"),
        period=(date(2024, 1, 1), date(2024, 3, 31)),
        accounts=[
            Account("1500", "Kundefordringer", D("200.00"), D("150.00")),
            Account("1510", "Kundefordringer, konsern", D("-50.00"), D("0.00")),
            Account("2000", "Aksjekapital", D("-150.00"), D("-150.00")),
        ],
        customers=[
            Party(
                "K2", "Kunde Sør AS", None, (Balance("1500", D(200), D(150)), Balance("1510", D(-50), D(0)))
            )
        ],
        selection="dates",
    )
    assert schema_errors(path) == []
    [header, *_, customer] = read_saft(path)
    assert isinstance(header, SaftHeader)
    assert (header.period_start, header.period_end) == (date(2024, 1, 1), date(2024, 3, 31))
    line = path.read_text(encoding="utf-8").splitlines().index("    <Customers>") + 2
    assert customer == SaftParty(
        "customer", "K2", "Kunde Sør AS", None, "1500", 15000, 15000, source_line=line
    )


MINIMAL = """\
<?xml version="1.0" encoding="UTF-8"?>
<AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO">
  <Header>
    <AuditFileVersion>1.30</AuditFileVersion>
    <Company><RegistrationNumber>912345678</RegistrationNumber><Name>Fjordlys AS</Name></Company>
    <DefaultCurrencyCode>NOK</DefaultCurrencyCode>
    <SelectionCriteria>
      <PeriodStart>2</PeriodStart><PeriodStartYear>2024</PeriodStartYear>
      <PeriodEnd>2</PeriodEnd><PeriodEndYear>2024</PeriodEndYear>
    </SelectionCriteria>
  </Header>
  <MasterFiles>
    <Assets>
      <Asset><AssetID>A1</AssetID><Supplier><SupplierName>Bil AS</SupplierName></Supplier></Asset>
    </Assets>
  </MasterFiles>
  <GeneralLedgerEntries>
    <Journal>
      <JournalID>GL</JournalID>
      <Description>Hovedbok</Description>
      <Type>GL</Type>
      <Transaction>
        <TransactionID>1</TransactionID>
        <TransactionDate>2024-02-29</TransactionDate>
        <Description>Kontantsalg</Description>
        <Line>
          <RecordID>1</RecordID>
          <AccountID>1920</AccountID>
          <Description>Kontantsalg</Description>
          <DebitAmount><Amount>100.00</Amount></DebitAmount>
        </Line>
        <Line>
          <RecordID>2</RecordID>
          <AccountID>3000</AccountID>
          <Description>Kontantsalg</Description>
          <CreditAmount><Amount>100.00</Amount></CreditAmount>
        </Line>
      </Transaction>
    </Journal>
  </GeneralLedgerEntries>
  <SourceDocuments>
    <SalesInvoices>
      <Invoice><InvoiceNo>1</InvoiceNo><Line><AccountID>3000</AccountID></Line></Invoice>
    </SalesInvoices>
  </SourceDocuments>
</AuditFile>
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "saft.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_reads_its_ledger_and_ignores_assets_and_source_documents(tmp_path: Path) -> None:
    header, transaction = read_saft(write(tmp_path, MINIMAL))
    assert header == SaftHeader(
        "1.30", "Fjordlys AS", "912345678", "NOK", date(2024, 2, 1), date(2024, 2, 29)
    )
    assert transaction == SaftTransaction(
        journal_id="GL",
        transaction_id="1",
        transaction_date=date(2024, 2, 29),
        description="Kontantsalg",
        lines=(
            SaftLine("1", "1920", 10000, "Kontantsalg", source_line=26),
            SaftLine("2", "3000", -10000, "Kontantsalg", source_line=32),
        ),
        journal_type="GL",
        source_line=22,
    )


def test_a_selection_of_periods_runs_from_the_first_to_the_last_day_of_its_months(tmp_path: Path) -> None:
    fiscal_year = MINIMAL.replace("<PeriodStart>2</PeriodStart>", "<PeriodStart>7</PeriodStart>").replace(
        "<PeriodEnd>2</PeriodEnd><PeriodEndYear>2024", "<PeriodEnd>6</PeriodEnd><PeriodEndYear>2025"
    )
    header, _ = read_saft(write(tmp_path, fiscal_year))
    assert isinstance(header, SaftHeader)
    assert (header.period_start, header.period_end) == (date(2024, 7, 1), date(2025, 6, 30))


def problem_of(path: Path) -> tuple[str, str, str]:
    with pytest.raises(ValidationFailed) as caught:
        list(read_saft(path))
    [problem] = caught.value.problems
    return problem.path, problem.keyword, problem.message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("<AccountID>1920</AccountID>", "", ("line 26 Line/AccountID", "required", "Line has no AccountID")),
        (
            "<DebitAmount><Amount>100.00</Amount></DebitAmount>",
            "",
            ("line 26 Line/DebitAmount", "required", "Line has neither DebitAmount nor CreditAmount"),
        ),
        (
            "<Amount>100.00</Amount></Debit",
            "<Amount>1OO.00</Amount></Debit",
            ("line 30 Line/DebitAmount/Amount", "format", "'1OO.00' is not a number"),
        ),
        (
            "<Amount>100.00</Amount></Debit",
            "<Amount>100.005</Amount></Debit",
            ("line 30 Line/DebitAmount/Amount", "multipleOf", "NOK amounts have at most 2 decimals"),
        ),
        (
            "2024-02-29</TransactionDate>",
            "2023-02-29</TransactionDate>",
            ("line 24 Transaction/TransactionDate", "format", "'2023-02-29' is not a date (YYYY-MM-DD)"),
        ),
        (
            "<TransactionDate>2024-02-29</TransactionDate>",
            "",
            ("line 22 Transaction/TransactionDate", "required", "Transaction has no TransactionDate"),
        ),
        (
            "<PeriodEnd>2</PeriodEnd>",
            "<PeriodEnd>13</PeriodEnd>",
            (
                "line 9 Header/SelectionCriteria/PeriodEnd",
                "format",
                "period 13 is not a month of the year (1 to 12)",
            ),
        ),
        (
            "<JournalID>GL</JournalID>",
            "",
            ("line 18 Journal/JournalID", "required", "Journal has no JournalID"),
        ),
    ],
)
def test_a_malformed_element_names_its_line_and_path(
    tmp_path: Path, old: str, new: str, expected: tuple[str, str, str]
) -> None:
    assert old in MINIMAL
    assert problem_of(write(tmp_path, MINIMAL.replace(old, new, 1))) == expected


def test_a_file_that_is_not_xml_is_rejected(tmp_path: Path) -> None:
    path, keyword, message = problem_of(write(tmp_path, "Konto;Beløp\n1920;100,00\n"))
    assert (path, keyword) == ("line 1", "format")
    assert message.startswith("not well-formed XML: ")


def test_a_file_cut_short_is_rejected_at_its_end(tmp_path: Path) -> None:
    path, _, message = problem_of(write(tmp_path, MINIMAL[: MINIMAL.index("        <Line>")]))
    assert path == "line 26"  # the end of the file, after line 25
    assert message.startswith("not well-formed XML: ")


def test_a_file_without_header_is_rejected(tmp_path: Path) -> None:
    without_header = MINIMAL[: MINIMAL.index("  <Header>")] + MINIMAL[MINIMAL.index("  <MasterFiles>") :]
    assert problem_of(write(tmp_path, without_header)) == (
        "line 13 AuditFile/Header",
        "required",
        "Transaction comes before any Header: not a SAF-T Financial file",
    )
    other_xml = '<?xml version="1.0"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>\n'
    assert problem_of(write(tmp_path, other_xml)) == (
        "line 2 AuditFile/Header",
        "required",
        "no Header element: the document is not a SAF-T Financial file",
    )


def resident_mib() -> float:
    """The process's resident memory now (not its peak), which also counts libxml2's tree."""
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


@pytest.mark.slow
def test_reading_a_large_file_keeps_memory_flat(tmp_path: Path) -> None:
    """100,000 ledger lines (1.75 million lines of text, 57 MiB) are read within a few MiB.

    ``tracemalloc`` sees Python's allocations: the records, were they kept, would take some 70 MiB. It
    does not see libxml2's tree, so the resident size is sampled as well: without clearing, it grows by
    about 500 MiB. (Tracing slows the reader fourfold, which is why this file is not larger; the reader
    alone takes some 30 s for a million ledger lines, at a flat 20 MiB.)
    """
    path = tmp_path / "large.xml"
    totals = write_large_saft(path, lines=100_000)
    before = highest = resident_mib()
    count = lines = debit = 0
    tracemalloc.start()
    try:
        for item in read_saft(path):
            if isinstance(item, SaftTransaction):
                count += 1
                lines += len(item.lines)
                debit += sum(line.amount for line in item.lines if line.amount > 0)
                if count % 2_500 == 0:
                    highest = max(highest, resident_mib())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, lines) == (totals.number_of_entries, 100_000)
    assert debit == int(totals.total_debit * 100)
    assert peak < 50 * 2**20
    assert highest - before < 50
