"""The SAF-T Financial 1.30 export, on both backends, checked against the Tax Administration's schema.

Each test posts a small ledger, exports one fiscal year and reads the file back with ``lxml``: it must
validate against ``shared/specs/Norwegian_SAF-T_Financial_Schema_v_1.30.xsd``, state the balances that
``/v1/accountbalances`` reports for the year, hold every voucher of the year and nothing of the others, and
satisfy opening + lines = closing for every account. Expected figures are worked out in comments.
"""

from __future__ import annotations

import io
import tracemalloc
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree

from kontobok.core.accounts import STANDARD_CHART
from kontobok.core.periods import fiscal_year_range
from kontobok.core.taxes import STANDARD_TAX_CODES
from kontobok.core.voucher import LineDraft, PostingLine, PostingVoucher, VoucherDraft, build_voucher
from kontobok.exporters.saft import ExportSummary, export_saft, grouping_of
from kontobok.store.books import load_ledger_context
from kontobok.store.customers import add_customers
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.posting import post_vouchers
from kontobok.store.schema import accounts, customers, suppliers
from tests.factories import Api, line, new_organization, voucher
from tests.journal import exact_json

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "specs"
    / "Norwegian_SAF-T_Financial_Schema_v_1.30.xsd"
)
NS = {"s": "urn:StandardAuditFile-Taxation-Financial:NO"}
INCOMING_BALANCE = 10
CREATED = date(2025, 2, 1)
SELECTION = ("PeriodStart", "PeriodStartYear", "PeriodEnd", "PeriodEndYear")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(SCHEMA_FILE))


def export(
    engine: sa.Engine, organization: Organization, year: int, schema: etree.XMLSchema
) -> tuple[etree._Element, ExportSummary]:
    """Export ``year``, check the file against the schema and return its root and the summary."""
    output = io.BytesIO()
    with read_transaction(engine) as connection:
        summary = export_saft(connection, organization, year, output, today=CREATED)
    root = etree.fromstring(output.getvalue())
    assert schema.validate(root), schema.error_log
    assert_references_declared(root)
    return root, summary


def assert_references_declared(root: etree._Element) -> None:
    """Every account, customer, supplier and tax code a line names is declared once in the master files.

    The schema means to check this with ``xs:key``/``xs:keyref``, but its selectors name the elements
    without their namespace, so they match nothing and a validator checks nothing.
    """
    masters = {
        "AccountID": all_text(root, "s:MasterFiles/s:GeneralLedgerAccounts/s:Account/s:AccountID"),
        "CustomerID": all_text(root, "s:MasterFiles/s:Customers/s:Customer/s:CustomerID"),
        "SupplierID": all_text(root, "s:MasterFiles/s:Suppliers/s:Supplier/s:SupplierID"),
        "TaxInformation/s:TaxCode": all_text(
            root, "s:MasterFiles/s:TaxTable/s:TaxTableEntry/s:TaxCodeDetails/s:TaxCode"
        ),
    }
    for name, declared in masters.items():
        assert len(declared) == len(set(declared)), name
        named = all_text(root, f"s:GeneralLedgerEntries/s:Journal/s:Transaction/s:Line/s:{name}")
        assert set(named) <= set(declared), name
    balance_accounts = all_text(root, "s:MasterFiles/s:*/s:*/s:BalanceAccount/s:AccountID")
    assert set(balance_accounts) <= set(masters["AccountID"])
    transaction_ids = [text(t, "s:TransactionID") for t in transactions_of(root)]
    assert len(transaction_ids) == len(set(transaction_ids))


def all_text(root: etree._Element, path: str) -> list[str]:
    return [element.text or "" for element in root.iterfind(path, NS)]


def text(element: etree._Element, path: str) -> str:
    found = element.findtext(path, namespaces=NS)
    assert found is not None, path
    return found


def child(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path, NS)
    assert found is not None, path
    return found


def signed(element: etree._Element, moment: str) -> Decimal:
    """``<moment>DebitBalance`` or minus ``<moment>CreditBalance``: exactly one must be there."""
    debit = element.findtext(f"s:{moment}DebitBalance", namespaces=NS)
    credit = element.findtext(f"s:{moment}CreditBalance", namespaces=NS)
    assert (debit is None) != (credit is None)
    return Decimal(debit) if debit is not None else -Decimal(credit or "")


def line_amount(element: etree._Element) -> Decimal:
    debit = element.findtext("s:DebitAmount/s:Amount", namespaces=NS)
    return Decimal(debit) if debit is not None else -Decimal(text(element, "s:CreditAmount/s:Amount"))


def file_balances(root: etree._Element) -> dict[int, tuple[Decimal, Decimal]]:
    return {
        int(text(account, "s:AccountID")): (signed(account, "Opening"), signed(account, "Closing"))
        for account in root.iterfind("s:MasterFiles/s:GeneralLedgerAccounts/s:Account", NS)
    }


def api_balances(api: Api, year: int, **params: str) -> dict[int, tuple[Decimal, Decimal]]:
    """Opening and closing of every account over the whole year, as ``/v1/accountbalances`` reports them."""
    span = fiscal_year_range(year, api.organization.fiscal_year_start_month)
    answer = api.get(
        "/v1/accountbalances",
        params={
            "dateFrom": span.begin.isoformat(),
            "dateTo": span.last_day.isoformat(),
            "periods": span.last_day.isoformat(),
            **params,
        },
    )
    assert answer.status_code == 200, answer.text
    result = {}
    for record in exact_json(answer):
        (element,) = record["balances"]
        result[record["account"]["number"]] = (Decimal(element["opening"]), Decimal(element["closing"]))
    return result


def lines_of(root: etree._Element) -> list[etree._Element]:
    return list(root.iterfind("s:GeneralLedgerEntries/s:Journal/s:Transaction/s:Line", NS))


def transactions_of(root: etree._Element) -> list[etree._Element]:
    return list(root.iterfind("s:GeneralLedgerEntries/s:Journal/s:Transaction", NS))


def post_with_parties(
    engine: sa.Engine, organization: Organization, day: date, *lines: tuple[LineDraft, int | None]
) -> None:
    """One voucher whose lines may name a supplier (the second item); the API sets neither party."""
    with write_transaction(engine) as connection:
        built = build_voucher(
            VoucherDraft(6, day, tuple(draft for draft, _ in lines)),
            load_ledger_context(connection, organization),
        )
        suppliers_by_account = {draft.account_number: supplier for draft, supplier in lines}
        posted_lines = tuple(
            replace(posted, supplier_id=suppliers_by_account.get(posted.account_number))
            if not posted.is_vat
            else posted
            for posted in built.lines
        )
        post_vouchers(connection, organization.organization_id, [replace(built, lines=posted_lines)])


def add_parties(engine: sa.Engine, organization: Organization) -> None:
    """Customers 1 (no external id) and 2 (external id K-100); supplier 7 (external id L-7)."""
    org = organization.organization_id
    with write_transaction(engine) as connection:
        add_customers(connection, org, [(1, "Kunde En AS")])
        connection.execute(
            customers.insert().values(
                organization_id=org,
                customer_id=2,
                name="Kunde To AS",
                organization_number="987654321",
                external_id="K-100",
            )
        )
        connection.execute(
            suppliers.insert().values(
                organization_id=org, supplier_id=7, name="Leverandør AS", external_id="L-7"
            )
        )


def test_a_year_exports_valid_and_states_the_balances_the_api_reports(
    engine: sa.Engine, organization: Organization, api: Api, schema: etree.XMLSchema
) -> None:
    add_parties(engine, organization)
    # 2023: equity paid in (balance sheet, carried into 2024) and a sale (profit and loss, not carried).
    api.post_voucher(voucher("2023-03-01", line(1920, 10000), line(2000, -10000)))
    api.post_voucher(voucher("2023-06-01", line(1920, 500), line(3000, -500)))
    # 2024: an incoming balance, a sale with 25 % VAT to customer K-100, a purchase with input VAT from
    # supplier L-7, a EUR transfer into the EUR account, and customer 1 invoiced and paid in one voucher.
    api.post_voucher(voucher("2024-01-01", line(1920, 200), line(2050, -200), type_number=INCOMING_BALANCE))
    with write_transaction(engine) as connection:
        context = load_ledger_context(connection, organization)
        sale = VoucherDraft(
            1,
            date(2024, 3, 5),
            (LineDraft(1500, 1250, customer_id=2), LineDraft(3000, -1250, tax_number=3)),
            comment="Faktura 1",
        )
        cash = VoucherDraft(
            6, date(2024, 9, 1), (LineDraft(1500, 80, customer_id=1), LineDraft(1500, -80, customer_id=1))
        )
        post_vouchers(
            connection,
            organization.organization_id,
            [build_voucher(sale, context), build_voucher(cash, context)],
        )
    post_with_parties(
        engine,
        organization,
        date(2024, 4, 10),
        (LineDraft(6800, 500, tax_number=1), None),
        (LineDraft(2400, -500), 7),
    )
    api.post_voucher(
        voucher("2024-05-02", line(1921, 100, currency={"code": "EUR", "rate": 11.5}), line(1920, -1150))
    )
    # 2025: not in the file.
    api.post_voucher(voucher("2025-01-02", line(1920, 1), line(3000, -1)))

    root, summary = export(engine, organization, 2024, schema)

    assert text(root, "s:Header/s:AuditFileVersion") == "1.30"
    assert text(root, "s:Header/s:AuditFileDateCreated") == "2025-02-01"
    assert text(root, "s:Header/s:Company/s:RegistrationNumber") == organization.organization_number
    assert text(root, "s:Header/s:DefaultCurrencyCode") == "NOK"
    criteria = child(root, "s:Header/s:SelectionCriteria")
    assert [text(criteria, f"s:{name}") for name in SELECTION] == ["1", "2024", "12", "2024"]

    # Balances: those the API reports by default, the incoming balance counted as opening (docs/saft.md).
    balances = file_balances(root)
    assert balances == api_balances(api, 2024)
    assert balances[1920] == (Decimal(10700), Decimal("9550"))  # 10000 + 500 + 200 IB; - 1150 EUR
    assert balances[3000] == (Decimal(0), Decimal(-1000))  # 2023's sale does not open 2024; 1250 net of VAT
    assert balances[2000] == (Decimal(-10000), Decimal(-10000))  # no movement in 2024, still listed

    # Opening plus the lines gives the closing balance of every account.
    movement: dict[int, Decimal] = defaultdict(Decimal)
    for element in lines_of(root):
        movement[int(text(element, "s:AccountID"))] += line_amount(element)
    for number, (opening, closing) in balances.items():
        assert opening + movement[number] == closing, number

    # Entries: the five vouchers of 2024 and nothing else; debits equal credits.
    transactions = transactions_of(root)
    assert text(root, "s:GeneralLedgerEntries/s:NumberOfEntries") == "4" == str(len(transactions))
    assert all(text(t, "s:TransactionDate").startswith("2024-") for t in transactions)
    assert all(text(t, "s:PeriodYear") == "2024" for t in transactions)
    debits = sum((line_amount(e) for e in lines_of(root) if line_amount(e) > 0), Decimal(0))
    credits = -sum((line_amount(e) for e in lines_of(root) if line_amount(e) < 0), Decimal(0))
    assert Decimal(text(root, "s:GeneralLedgerEntries/s:TotalDebit")) == debits == credits
    assert Decimal(text(root, "s:GeneralLedgerEntries/s:TotalCredit")) == credits
    assert debits == Decimal(2980)  # sale 1250 + cash 80 + purchase 400 + 100 + EUR 1150 (the IB is opening)
    assert summary.vouchers == 4
    assert summary.lines == len(lines_of(root)) == 10  # 3 + 2 + 3 + 2
    assert summary.total_debit == summary.total_credit == 298000
    journals = [text(j, "s:JournalID") for j in root.iterfind("s:GeneralLedgerEntries/s:Journal", NS)]
    assert journals == ["1", "6"]  # one per transaction type used, in type order; the IB is opening

    # VAT: the sale's revenue line carries the code, the base and the VAT; the VAT line carries none.
    by_account = {int(text(e, "s:AccountID")): e for e in lines_of(root)}
    revenue = by_account[3000]
    assert text(revenue, "s:TaxInformation/s:TaxCode") == "3"
    assert text(revenue, "s:TaxInformation/s:TaxPercentage") == "25"
    assert text(revenue, "s:TaxInformation/s:TaxBase") == "1000.00"
    assert text(revenue, "s:TaxInformation/s:CreditTaxAmount/s:Amount") == "250.00"
    assert by_account[2700].find("s:TaxInformation", NS) is None
    assert text(by_account[6800], "s:TaxInformation/s:DebitTaxAmount/s:Amount") == "100.00"
    # The EUR line states its currency amount and rate.
    eur = by_account[1921]
    stated = [text(eur, f"s:DebitAmount/s:{name}") for name in ("Amount", "CurrencyCode", "CurrencyAmount")]
    assert stated == ["1150.00", "EUR", "100.00"]
    assert text(eur, "s:DebitAmount/s:ExchangeRate") == "11.5"

    # Parties: lines name them by external id, else by id; each states its balance on its account.
    assert text(by_account[2400], "s:SupplierID") == "L-7"
    named = {text(e, "s:CustomerID") for e in lines_of(root) if e.find("s:CustomerID", NS) is not None}
    assert named == {"K-100", "1"}
    customers_found = {
        text(c, "s:CustomerID"): c for c in root.iterfind("s:MasterFiles/s:Customers/s:Customer", NS)
    }
    assert set(customers_found) == {"1", "K-100"}
    k100 = customers_found["K-100"]
    assert text(k100, "s:RegistrationNumber") == "987654321"
    assert text(k100, "s:BalanceAccount/s:AccountID") == "1500"
    assert signed(child(k100, "s:BalanceAccount"), "Closing") == Decimal(1250)
    assert signed(child(customers_found["1"], "s:BalanceAccount"), "Closing") == 0  # 80 in, 80 out
    supplier = child(root, "s:MasterFiles/s:Suppliers/s:Supplier")
    assert text(supplier, "s:SupplierID") == "L-7"
    assert signed(child(supplier, "s:BalanceAccount"), "Closing") == Decimal(-500)

    # Tax table: every code of the organization with its standard code and rate.
    details = root.findall("s:MasterFiles/s:TaxTable/s:TaxTableEntry/s:TaxCodeDetails", NS)
    assert len(details) == summary.tax_codes == len(STANDARD_TAX_CODES)
    rates = {
        text(d, "s:TaxCode"): (text(d, "s:StandardTaxCode"), text(d, "s:TaxPercentage")) for d in details
    }
    assert rates["3"] == ("3", "25")
    assert rates["12"] == ("12", "11.11")


def test_an_empty_year_still_validates(
    engine: sa.Engine, organization: Organization, api: Api, schema: etree.XMLSchema
) -> None:
    root, summary = export(engine, organization, 2026, schema)
    assert text(root, "s:GeneralLedgerEntries/s:NumberOfEntries") == "0"
    assert text(root, "s:GeneralLedgerEntries/s:TotalDebit") == "0.00"
    assert root.find("s:GeneralLedgerEntries/s:Journal", NS) is None
    assert root.find("s:MasterFiles/s:GeneralLedgerAccounts", NS) is None
    assert (summary.vouchers, summary.lines, summary.accounts) == (0, 0, 0)

    # A year without lines after one with some states the balance sheet it inherited, and no results.
    api.post_voucher(voucher("2023-03-01", line(1920, 700), line(3000, -700)))
    root, _ = export(engine, organization, 2025, schema)
    assert file_balances(root) == {1920: (Decimal(700), Decimal(700))}
    assert api_balances(api, 2025) == {1920: (Decimal(700), Decimal(700))}
    assert transactions_of(root) == []


def test_a_fiscal_year_from_july_runs_from_period_7_to_period_6(
    engine: sa.Engine, schema: etree.XMLSchema
) -> None:
    organization = new_organization(engine, fiscal_year_start_month=7, open_years=range(2023, 2026))
    with Api.for_organization(engine, organization) as api:
        api.post_voucher(voucher("2024-06-30", line(1920, 300), line(3000, -300)))  # fiscal year 2023
        api.post_voucher(voucher("2024-07-01", line(1920, 40), line(3000, -40)))  # fiscal year 2024
        api.post_voucher(voucher("2025-06-30", line(1920, 2), line(3000, -2)))  # fiscal year 2024
        root, _ = export(engine, organization, 2024, schema)
        assert (
            file_balances(root)
            == api_balances(api, 2024)
            == {
                1920: (Decimal(300), Decimal(342)),
                3000: (Decimal(0), Decimal(-42)),
            }
        )
    criteria = [text(root, f"s:Header/s:SelectionCriteria/s:{name}") for name in SELECTION]
    assert criteria == ["7", "2024", "6", "2025"]
    periods = [(text(t, "s:Period"), text(t, "s:PeriodYear")) for t in transactions_of(root)]
    assert periods == [("7", "2024"), ("6", "2025")]


def test_a_voucher_across_the_year_end_is_split_between_the_two_files(
    engine: sa.Engine, organization: Organization, schema: etree.XMLSchema
) -> None:
    with write_transaction(engine) as connection:
        draft = VoucherDraft(
            6,
            date(2024, 12, 31),
            (
                LineDraft(1920, 100),
                LineDraft(3000, -100),
                LineDraft(1920, 60, day=date(2025, 1, 1)),
                LineDraft(3000, -60, day=date(2025, 1, 1)),
            ),
        )
        post_vouchers(
            connection,
            organization.organization_id,
            [build_voucher(draft, load_ledger_context(connection, organization))],
        )
    root_2024, _ = export(engine, organization, 2024, schema)
    root_2025, _ = export(engine, organization, 2025, schema)
    (first,) = transactions_of(root_2024)
    (second,) = transactions_of(root_2025)
    assert text(first, "s:TransactionID") == text(second, "s:TransactionID") == "6-1"
    assert [line_amount(e) for e in first.iterfind("s:Line", NS)] == [100, -100]
    assert [line_amount(e) for e in second.iterfind("s:Line", NS)] == [60, -60]
    # In 2025 the voucher date lies outside the year, so the transaction takes its first line date there.
    assert text(second, "s:TransactionDate") == "2025-01-01"
    assert text(first, "s:TransactionDate") == "2024-12-31"
    assert first.find("s:Line/s:ValueDate", NS) is None


def test_a_customer_id_missing_from_the_register_is_still_declared(
    engine: sa.Engine, organization: Organization, schema: etree.XMLSchema
) -> None:
    with write_transaction(engine) as connection:
        draft = VoucherDraft(6, date(2024, 2, 1), (LineDraft(1500, 75, customer_id=99), LineDraft(3000, -75)))
        context = load_ledger_context(connection, organization)
        post_vouchers(connection, organization.organization_id, [build_voucher(draft, context)])
    root, _ = export(engine, organization, 2024, schema)  # which checks that every CustomerID is declared
    customer = child(root, "s:MasterFiles/s:Customers/s:Customer")
    assert text(customer, "s:CustomerID") == "99"
    assert text(customer, "s:Name") == "customer 99 (not in the register)"
    assert signed(child(customer, "s:BalanceAccount"), "Closing") == Decimal(75)


def test_a_stored_grouping_wins_over_the_fallback(
    engine: sa.Engine, organization: Organization, api: Api, schema: etree.XMLSchema
) -> None:
    api.post_voucher(voucher("2024-02-01", line(1920, 10), line(2710, -10)))
    with write_transaction(engine) as connection:
        connection.execute(
            accounts.update()
            .where((accounts.c.organization_id == organization.organization_id) & (accounts.c.number == 1920))
            .values(grouping_category="RF-1167", grouping_code="1920")
        )
    root, _ = export(engine, organization, 2024, schema)
    grouping = {
        text(a, "s:AccountID"): (text(a, "s:GroupingCategory"), text(a, "s:GroupingCode"))
        for a in root.iterfind("s:MasterFiles/s:GeneralLedgerAccounts/s:Account", NS)
    }
    assert grouping == {"1920": ("RF-1167", "1920"), "2710": ("kortsiktigGjeld", "2740")}


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1200, ("balanseverdiForAnleggsmiddel", "1205")),
        (1500, ("balanseverdiForOmloepsmiddel", "1500")),
        (1922, ("balanseverdiForOmloepsmiddel", "1920")),
        (1950, ("balanseverdiForOmloepsmiddel", "1950")),
        (2050, ("egenkapital", "2050")),
        (2705, ("kortsiktigGjeld", "2740")),
        (2940, ("kortsiktigGjeld", "2949")),
        (3100, ("salgsinntekt", "3100")),
        (3900, ("annenDriftsinntekt", "3900")),
        (4300, ("varekostnad", "4005")),
        (5092, ("loennskostnad", "5000")),
        (6900, ("annenDriftskostnad", "6995")),
        (7140, ("annenDriftskostnad", "7165")),
        (8040, ("finansinntekt", "8050")),
        (8160, ("finanskostnad", "8160")),
        (8300, ("skattekostnad", "8300")),
        (8800, ("resultatDisponeringForSAF-T", "8800")),
        (19201, ("balanseverdiForOmloepsmiddel", "1920")),
        (8500, ("NA", "NA")),
        (9100, ("NA", "NA")),
    ],
)
def test_the_fallback_grouping_follows_the_ns_4102_ranges(number: int, expected: tuple[str, str]) -> None:
    assert grouping_of(number) == expected


def test_every_account_of_the_standard_chart_has_a_fallback_grouping() -> None:
    assert all(grouping_of(account.number) != ("NA", "NA") for account in STANDARD_CHART)


@pytest.mark.slow
def test_a_year_of_50_000_lines_exports_in_bounded_memory(
    engine: sa.Engine, organization: Organization, schema: etree.XMLSchema, tmp_path: Path
) -> None:
    # 12 500 vouchers of four lines, one every day of 2024 in turn.
    vouchers_count, per_voucher = 12_500, 4
    first = date(2024, 1, 1)
    batch = []
    for index in range(vouchers_count):
        day = first + timedelta(days=index % 366)
        lines = tuple(
            PostingLine(n, account, day, day, amount, "NOK", amount, Decimal(1), 0, 0, f"linje {n}")
            for n, (account, amount) in enumerate(
                ((1920, 10_000 + index), (3000, -(10_000 + index)), (6300, 2_500), (2990, -2_500)), start=1
            )
        )
        batch.append(PostingVoucher(6, day, f"bilag {index}", None, lines))
    with write_transaction(engine) as connection:
        for start in range(0, vouchers_count, 2_500):
            post_vouchers(connection, organization.organization_id, batch[start : start + 2_500])
    del batch
    output = tmp_path / f"saft-{uuid.uuid4().hex}.xml"
    tracemalloc.start()
    try:
        with read_transaction(engine) as connection:
            summary = export_saft(connection, organization, 2024, output, today=CREATED)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert summary.lines == vouchers_count * per_voucher
    assert summary.vouchers == vouchers_count
    # About 2 MiB whatever the size (measured for 10 000 to 100 000 lines); holding the year's lines at once
    # would take tens of MiB.
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    root = etree.parse(str(output)).getroot()
    assert schema.validate(root), schema.error_log
    assert text(root, "s:GeneralLedgerEntries/s:NumberOfEntries") == str(vouchers_count)
