"""Importing SAF-T files the tests write themselves, in versions 1.30 and 1.10, through the real CLI.

The books: a company starting 2024 with bank, receivables, equipment, equity and supplier debt; a sale with
output VAT to a customer, a purchase with input VAT from a supplier, the customer paying. Every closing
balance below is worked out by hand from the openings and the lines.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.store.organizations import Organization
from tests.factories import Api, new_organization
from tests.saft_files import (
    Account,
    Balance,
    Company,
    Journal,
    Line,
    Party,
    Tax,
    TaxCode,
    Transaction,
    write_saft,
)

D = Decimal
COMPANY = Company("Testfirma AS", "923609016")
PERIOD = (date(2024, 1, 1), date(2024, 12, 31))
JOURNAL = Journal("GL")
# opening and stated closing per account (debit positive):
#   1920 bank        100 000.00 + 12 500.00 (customer pays) - 6 250.00 (supplier paid)  = 106 250.00
#   1500 receivables  20 000.00 + 12 500.00 (sale) - 12 500.00 (paid)                   =  20 000.00
#   1250 equipment    30 000.00                                                          =  30 000.00
#   2050 equity     -150 000.00                                                          = -150 000.00
#   2400 suppliers            0 - 6 250.00 (purchase) + 6 250.00 (paid)                  =       0
#   3000 sales                0 - 10 000.00                                              = -10 000.00
#   2700 output VAT           0 - 2 500.00                                               =  -2 500.00
#   4000 purchases            0 + 5 000.00                                               =   5 000.00
#   2710 input VAT            0 + 1 250.00                                               =   1 250.00
BOOKS = {
    "1920": (D("100000.00"), D("106250.00")),
    "1500": (D("20000.00"), D("20000.00")),
    "1250": (D("30000.00"), D("30000.00")),
    "2050": (D("-150000.00"), D("-150000.00")),
    "2400": (D("0"), D("0")),
    "3000": (D("0"), D("-10000.00")),
    "2700": (D("0"), D("-2500.00")),
    "4000": (D("0"), D("5000.00")),
    "2710": (D("0"), D("1250.00")),
}
TRANSACTIONS = (
    Transaction(
        JOURNAL,
        "1",
        date(2024, 3, 5),
        (
            Line("1500", D("12500.00"), "Faktura 1", customer_id="K1"),
            Line("3000", D("-10000.00"), "Faktura 1", tax=Tax("3", D("25"), D("-2500.00"))),
            Line("2700", D("-2500.00"), "Faktura 1 mva"),
        ),
        description="Faktura 1",
    ),
    Transaction(
        JOURNAL,
        "2",
        date(2024, 4, 10),
        (
            Line("4000", D("5000.00"), "Innkjøp", tax=Tax("1", D("25"), D("1250.00"))),
            Line("2710", D("1250.00"), "Innkjøp mva"),
            Line("2400", D("-6250.00"), "Innkjøp", supplier_id="L1"),
        ),
        description="Innkjøp",
    ),
    Transaction(
        JOURNAL,
        "3",
        date(2024, 4, 20),
        (
            Line("1920", D("12500.00"), "Innbetaling"),
            Line("1500", D("-12500.00"), "Innbetaling", customer_id="K1"),
        ),
        description="Innbetaling",
    ),
    Transaction(
        JOURNAL,
        "4",
        date(2024, 5, 2),
        (Line("2400", D("6250.00"), "Betaling", supplier_id="L1"), Line("1920", D("-6250.00"), "Betaling")),
        description="Betaling",
    ),
)


def write_books(
    path: Path,
    version: str,
    *,
    closings: dict[str, Decimal] | None = None,
    openings: dict[str, Decimal] | None = None,
) -> Path:
    closings, openings = closings or {}, openings or {}
    accounts = [
        Account(number, f"Konto {number}", openings.get(number, opening), closings.get(number, closing))
        for number, (opening, closing) in BOOKS.items()
    ]
    customer = Party("K1", "Kunde AS", "923609016", (Balance("1500", D("0"), D("0")),))
    supplier = Party("L1", "Leverandør AS", None, (Balance("2400", D("0"), closings.get("L1", D("0"))),))
    write_saft(
        path,
        version=version,  # type: ignore[arg-type]
        company=COMPANY,
        period=PERIOD,
        accounts=accounts,
        customers=[customer],
        suppliers=[supplier],
        tax_codes=[TaxCode("1", "1", D("25")), TaxCode("3", "3", D("25"))],
        transactions=TRANSACTIONS,
    )
    return path


def run(engine: sa.Engine, organization: Organization, path: Path, *extra: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    arguments = ["import", "saft", str(path), "--organization", str(organization.organization_id)]
    return CliRunner().invoke(app, [*arguments, "--database-url", url, *extra])


def report_of(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, (result.output, result.exception)
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1], parse_float=Decimal)
    return report


def year_balances(api: Api, number: int) -> tuple[Decimal, Decimal]:
    """Opening of 1 January and closing of 31 December through /v1/accountbalances."""
    months = api.balances(number, "2024-01-01", "2024-12-31")
    return Decimal(str(months[0]["opening"])), Decimal(str(months[-1]["closing"]))


@pytest.mark.parametrize("version", ["1.30", "1.10"])
def test_a_file_imports_and_every_account_reads_back_its_stated_balances(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path, version: str
) -> None:
    report = report_of(run(engine, organization, write_books(tmp_path / "books.xml", version), "--json"))

    assert report["differences"] == []
    assert report["partyDifferences"] == []
    assert report["vouchers"] == 5  # the incoming balance and four transactions
    assert report["suspense"] == 0
    for number, (opening, closing) in BOOKS.items():
        assert year_balances(api, int(number)) == (opening, closing), number
    lines = api.get("/v1/transactionlines", params={"dateFrom": "2024-03-01", "dateTo": "2024-03-31"}).json()
    assert [(line["account"]["number"], line["tax"]["id"]) for line in lines] == [
        (1500, 0),
        (3000, 3),
        (2700, 0),
    ]
    assert lines[0]["customer"]["id"] > 0


def test_wrong_closing_balances_are_each_reported_with_the_amount(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    path = write_books(
        tmp_path / "wrong.xml",
        "1.30",
        closings={"1920": D("106000.00"), "3000": D("-10100.00"), "L1": D("-10")},
    )
    report = report_of(run(engine, organization, path, "--json"))

    assert report["differences"] == [
        # stated 106 000.00 against 100 000 + 12 500 - 6 250 = 106 250.00
        {"account": 1920, "stated": 106000, "computed": 106250, "difference": -250},
        {"account": 3000, "stated": -10100, "computed": -10000, "difference": -100},
    ]
    assert report["partyDifferences"] == [{"supplier": "L1", "stated": -10, "computed": 0, "difference": -10}]
    # nothing is adjusted: the ledger holds opening + lines
    assert year_balances(api, 1920) == (D("100000.00"), D("106250.00"))


def test_openings_that_do_not_balance_go_to_the_suspense_account(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    path = write_books(tmp_path / "open.xml", "1.30", openings={"1250": D("30500.00")})
    report = report_of(run(engine, organization, path, "--json"))

    assert report["suspense"] == -500  # the openings sum to +500.00; 2999 takes -500.00
    assert 2999 in report["accountsCreated"]
    assert year_balances(api, 2999) == (D("-500.00"), D("-500.00"))
    assert year_balances(api, 1250) == (D("30500.00"), D("30500.00"))
    assert report["differences"] == [
        {"account": 1250, "stated": 30000, "computed": 30500, "difference": -500}
    ]


def test_a_second_import_adds_nothing(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    path = write_books(tmp_path / "books.xml", "1.30")
    report_of(run(engine, organization, path, "--json"))
    again = run(engine, organization, path, "--json")
    assert report_of(again)["vouchers"] == 0
    assert "imported already" in again.output
    assert year_balances(api, 1920) == (D("100000.00"), D("106250.00"))


def test_a_bad_file_leaves_nothing_and_names_the_line(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    path = write_books(tmp_path / "books.xml", "1.30")
    text = path.read_text(encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(
        text.replace(
            "<TransactionDate>2024-04-10</TransactionDate>", "<TransactionDate>2024-04-31</TransactionDate>"
        )
    )
    result = run(engine, organization, broken)
    assert result.exit_code != 0
    assert "TransactionDate" in result.output + str(result.exception)
    assert (
        api.get("/v1/transactionlines", params={"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}).json()
        == []
    )
    assert year_balances(api, 1920) == (D(0), D(0))


def test_a_closed_fiscal_year_refuses_the_import(engine: sa.Engine, tmp_path: Path) -> None:
    organization = new_organization(engine, open_years=range(2024, 2025))
    with Api.for_organization(engine, organization) as api:
        assert api.post("/v1/fiscalyears/2024/close").status_code == 200
        result = run(engine, organization, write_books(tmp_path / "books.xml", "1.30"))
        assert result.exit_code != 0
        assert (
            api.get("/v1/transactionlines", params={"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}).json()
            == []
        )


def test_a_customers_opening_balance_travels_on_the_incoming_balance(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    # customer K1 owes 2 000.00 of the 20 000.00 receivables at the start; K1's stated balances
    # (2 000.00 → 2 000.00 + 12 500.00 - 12 500.00) reconcile, but no longer add up to account 1500's
    path = tmp_path / "party.xml"
    customer = Party("K1", "Kunde AS", None, (Balance("1500", D("2000.00"), D("2000.00")),))
    write_saft(
        path,
        version="1.30",
        company=COMPANY,
        period=PERIOD,
        accounts=[Account(n, f"Konto {n}", o, c) for n, (o, c) in BOOKS.items()],
        customers=[customer],
        tax_codes=[TaxCode("1", "1", D("25")), TaxCode("30", "3", D("25")), TaxCode("5", "20", D("0"))],
        transactions=TRANSACTIONS,
    )
    report = report_of(run(engine, organization, path, "--json"))
    assert report["partyDifferences"] == []
    assert any("parties on account 1500" in warning for warning in report["warnings"])

    opening_lines = api.get(
        "/v1/transactionlines",
        params={"dateFrom": "2024-01-01", "dateTo": "2024-01-02", "accountNumber": 1500},
    ).json()
    by_customer = {line.get("customer", {}).get("id"): line["amount"] for line in opening_lines}
    assert sorted(by_customer.values()) == [2000, 18000]  # K1's part and the rest of 1500's opening
    assert year_balances(api, 1500) == (D("20000.00"), D("20000.00"))


def test_a_tax_code_maps_to_its_standard_code_not_to_its_own_number(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    # the file's code 3 states standard code 31 (15 %): its lines must carry 31, not kontobok's code 3
    path = tmp_path / "tax.xml"
    write_saft(
        path,
        version="1.30",
        company=COMPANY,
        period=PERIOD,
        accounts=[Account(n, f"Konto {n}", o, c) for n, (o, c) in BOOKS.items()],
        tax_codes=[TaxCode("1", "1", D("25")), TaxCode("3", "31", D("15"))],
        transactions=TRANSACTIONS,
    )
    report_of(run(engine, organization, path, "--json"))
    sale = api.get(
        "/v1/transactionlines",
        params={"dateFrom": "2024-03-05", "dateTo": "2024-03-06", "accountNumber": 3000},
    ).json()
    assert [line["tax"] for line in sale] == [{"id": 31, "rate": 15}]
