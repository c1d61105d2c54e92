"""The demo company, as a newcomer meets it: loaded once, consistent, and its bank agreeing with its books.

The demo is loaded once per database backend for the whole module; the tests only read it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import accumulate, pairwise
from typing import Any

import pytest
import sqlalchemy as sa
from rich.console import Console

from kontobok.demo import DEMO_YEARS, load_demo
from kontobok.demo_bank import BankMovement, monthly_statements, tap_bank_movements
from kontobok.demo_data import generate_demo_vouchers
from kontobok.store.database import read_transaction
from kontobok.store.organizations import Organization
from kontobok.store.verification import verify_books
from kontobok.wire.bank_identifiers import checked_account_number
from tests.factories import Api

FIRST, LAST = f"{DEMO_YEARS.start}-01-01", f"{DEMO_YEARS.stop - 1}-12-31"
MONTHS = [f"{year}-{month:02d}" for year in DEMO_YEARS for month in range(1, 13)]


@dataclass(frozen=True)
class Demo:
    organization: Organization
    console: Console


@pytest.fixture(scope="module")
def demo(engine: sa.Engine) -> Demo:
    console = Console(file=io.StringIO())
    return Demo(load_demo(engine, console=console, host="127.0.0.1", port=8000), console)


@pytest.fixture(scope="module")
def api(engine: sa.Engine, demo: Demo) -> Iterator[Api]:
    with Api.for_organization(engine, demo.organization) as client:
        yield client


def exact(answer: Any) -> Any:
    """The JSON body with every fractional number as the ``Decimal`` it was written as."""
    assert answer.status_code == 200, answer.text
    return json.loads(answer.text, parse_float=Decimal)


def bank_accounts(api: Api) -> dict[str, dict[str, Any]]:
    """The demo's bank accounts by currency."""
    return {account["currency"]: account for account in exact(api.get("/v1/bankaccounts"))}


def powens_months(api: Api, account_id: str) -> list[dict[str, Any]]:
    answer = api.get(
        f"/2.0/users/me/accounts/{account_id}/balances", params={"min_date": FIRST, "max_date": LAST}
    )
    months: list[dict[str, Any]] = exact(answer)["balances"]
    assert [month["min_date"][:7] for month in months] == MONTHS
    return months


def test_the_demo_loads_once_and_its_books_verify(engine: sa.Engine, demo: Demo) -> None:
    again = load_demo(engine, console=demo.console, host="127.0.0.1", port=8000)
    assert again.organization_id == demo.organization.organization_id
    with read_transaction(engine) as connection:
        report = verify_books(connection, demo.organization.organization_id)
    assert report.ok
    assert report.vouchers_checked >= 20_000
    output = demo.console.file.getvalue()  # type: ignore[attr-defined]
    assert "client_secret" in output
    assert "Added three bank accounts" in output


def test_its_bank_ledger_account_chains_through_2024(api: Api) -> None:
    months = api.balances(1920, "2024-01-01", "2024-12-31")
    assert [month["date"] for month in months] == [f"2024-{m:02d}-01" for m in range(1, 13)]
    assert all(a["closing"] == b["opening"] for a, b in pairwise(months))
    assert all(
        Decimal(repr(m["closing"])) - Decimal(repr(m["opening"])) == Decimal(repr(m["change"]))
        for m in months
    )


def test_three_bank_accounts_in_nok_eur_and_usd(api: Api, demo: Demo) -> None:
    accounts = bank_accounts(api)
    assert {code: a["ledgerAccount"]["number"] for code, a in accounts.items()} == {
        "NOK": 1920,
        "EUR": 1921,
        "USD": 1922,
    }
    assert accounts["NOK"]["number"] == "86011117947"
    assert accounts["NOK"]["type"] == "bban"
    assert [accounts[code]["type"] for code in ("EUR", "USD")] == ["iban", "iban"]
    for account in accounts.values():
        assert checked_account_number(account["number"], account["type"]) == account["number"]
        assert account["bic"] == "DNBANOKKXXX"
        assert account["owner"]["organizationNumber"] == demo.organization.organization_number
        assert "@" in account["owner"]["contact"]["email"]
    assert len({account["number"] for account in accounts.values()}) == 3


def test_the_nok_account_ends_every_month_where_the_ledger_does(api: Api) -> None:
    account = bank_accounts(api)["NOK"]
    months = powens_months(api, account["id"])
    answer = api.get(
        f"/v1/accountbalances/{api.account_id(1920)}", params={"dateFrom": FIRST, "dateTo": LAST}
    )
    ledger = exact(answer)[0]["balances"]
    assert [element["date"][:7] for element in ledger] == MONTHS
    assert [Decimal(m["balance"]) for m in months] == [Decimal(e["closing"]) for e in ledger]
    overdrawn = {month["min_date"][:7]: month["n_overdraft"] for month in months if month["n_overdraft"]}
    assert 1 <= sum(overdrawn.values()) <= 12, overdrawn
    # the last statement's closing is the balance the bank reported last
    after = exact(api.get(f"/v1/bankaccounts/{account['id']}", params={"before": f"{DEMO_YEARS.stop}-01-01"}))
    assert Decimal(after["balance"]["amount"]) == Decimal(months[-1]["balance"])


@pytest.mark.parametrize(("currency", "ledger_account"), [("EUR", 1921), ("USD", 1922)])
def test_a_currency_account_holds_the_sum_of_its_lines_in_its_currency(
    api: Api, currency: str, ledger_account: int
) -> None:
    months = powens_months(api, bank_accounts(api)[currency]["id"])
    lines = exact(
        api.get(
            "/v1/transactionlines",
            params={
                "accountNumber": ledger_account,
                "dateFrom": FIRST,
                "dateTo": f"{DEMO_YEARS.stop}-01-01",
                "limit": 1000,
            },
        )
    )
    assert 20 <= len(lines) < 1000
    assert {line["currency"]["code"] for line in lines} == {currency}
    moved = dict.fromkeys(MONTHS, Decimal(0))
    for line in lines:
        moved[line["date"][:7]] += Decimal(line["amount"])
    assert [Decimal(m["balance"]) for m in months] == list(accumulate(moved.values()))
    assert all(month["currencies"][0]["id"] == currency for month in months)
    assert all(month["n_overdraft"] == 0 for month in months)


def test_the_nok_account_reconciles_exactly_every_day_of_an_overdrawn_month(api: Api) -> None:
    account = bank_accounts(api)["NOK"]
    report = exact(
        api.get(
            f"/v1/bankaccounts/{account['id']}/reconciliation",
            params={"dateFrom": "2024-09-01", "dateTo": "2024-09-30"},
        )
    )
    assert len(report["days"]) == 30
    assert all(day["difference"] == 0 for day in report["days"]), report["days"]
    assert any(day["bankBalance"] < 0 for day in report["days"])
    assert report["balanceChecks"] == []


def test_bank_transactions_carry_the_vouchers_text_and_stable_references(api: Api) -> None:
    account = bank_accounts(api)["EUR"]
    listed = exact(
        api.get(
            "/v1/banktransactions",
            params={"dateFrom": FIRST, "dateTo": "2024-12-31", "bankAccountId": account["id"], "limit": 100},
        )
    )
    assert listed
    references = [item["bankTransactionReference"] for item in listed]
    assert all(reference.startswith("demo-1921-") for reference in references)
    first = next(item for item in listed if item["bankTransactionReference"] == "demo-1921-1")
    assert first["type"] == "inbound"
    assert first["paymentReference"]["value"].startswith("Kjøp av EUR")
    assert first["amount"]["currency"]["code"] == "EUR"


def test_monthly_statements_chain_from_the_incoming_balance() -> None:
    movements: list[BankMovement] = []
    for _ in tap_bank_movements(generate_demo_vouchers(DEMO_YEARS), movements):
        pass
    nok = [movement for movement in movements if movement.ledger_account == 1920]
    statements = monthly_statements(nok, DEMO_YEARS)
    assert [statement.month.begin for statement in statements] == [
        date(year, month, 1) for year in DEMO_YEARS for month in range(1, 13)
    ]
    assert statements[0].opening == sum(movement.amount for movement in nok if movement.opening) > 0
    assert all(a.closing == b.opening for a, b in pairwise(statements))
    assert all(s.closing - s.opening == sum(m.amount for m in s.movements) for s in statements)
    assert statements[-1].closing == sum(movement.amount for movement in nok)
