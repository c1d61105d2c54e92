"""Bank reconciliation: ``kontobok reconcile --json`` and ``GET /v1/bankaccounts/{id}/reconciliation``.

A bank account linked to ledger account 1920, vouchers posted on 1920 through ``POST /v1/transactions`` and
the bank's own transactions and balances through the Office bank paths. Every figure below is worked out
by hand in the test's table; ``difference = bank - ledger`` per day, and ``balanceChecks`` lists every
reported balance that is not the previous one plus the transactions booked in between.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from kontobok.cli import app
from kontobok.exchange_rates import rates_on
from tests.factories import Api, line, voucher
from tests.powens import exact

D = Decimal
BBAN = "86011117947"
EUR_BBAN = "15031234562"


def wire(amount: Any) -> Any:
    """A JSON number for the request body (``float`` writes 2-decimal amounts exactly)."""
    return float(amount) if isinstance(amount, Decimal) else amount


def new_bank_account(api: Api, number: str = BBAN, ledger: int | None = 1920, currency: str = "NOK") -> str:
    body: dict[str, Any] = {
        "type": "bban",
        "number": number,
        "bic": "DNBANOKKXXX",
        "name": "Driftskonto",
        "currency": currency,
        "owner": {
            "name": "Testfirma AS",
            "organizationNumber": "923609016",
            "contact": {"name": "Kari Nordmann", "email": "kari@example.no"},
        },
    }
    if ledger is not None:
        body["ledgerAccount"] = {"number": ledger}
    answer = api.post("/v1/bankaccounts", body)
    assert answer.status_code == 201, answer.text
    account_id: str = answer.json()["id"]
    return account_id


def report_balance(api: Api, account_id: str, amount: Any, timestamp: str, code: str = "NOK") -> None:
    answer = api.post(
        f"/v1/bankaccounts/{account_id}/balances",
        {"amount": wire(amount), "timestamp": timestamp, "currency": {"code": code}},
    )
    assert answer.status_code == 201, answer.text


def bank_transaction(
    api: Api, account_id: str, reference: str, day: str, amount: Decimal, code: str = "NOK"
) -> None:
    answer = api.post(
        "/v1/banktransactions",
        {
            "bankTransactionReference": reference,
            "type": "inbound" if amount > 0 else "outbound",
            "bankAccount": {"id": account_id},
            "paymentReference": {"type": "text", "value": reference},
            "amount": {"value": wire(abs(amount)), "currency": {"code": code}},
            "date": day,
        },
    )
    assert answer.status_code == 201, answer.text


def reconciliation(api: Api, account_id: str, first: str, last: str) -> dict[str, Any]:
    answer = api.get(
        f"/v1/bankaccounts/{account_id}/reconciliation", params={"dateFrom": first, "dateTo": last}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = exact(answer)
    return body


def run_cli(engine: sa.Engine, *args: str) -> Result:
    return CliRunner().invoke(
        app, [*args, "--database-url", engine.url.render_as_string(hide_password=False)]
    )


def reconcile_json(engine: sa.Engine, *args: str) -> dict[str, Any]:
    result = run_cli(engine, "reconcile", *args, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    report: dict[str, Any] = json.loads(result.stdout, parse_float=Decimal)
    return report


# The book, by hand. Ledger 1920: 10,000.00 on 02-29 (equity), +2,500.00 on 03-04 (a sale paid),
# -1,200.50 on 03-06 (rent), +800.00 on 03-08 (a customer's payment, which the bank books only on 03-11:
# a timing difference). The bank: 10,000.00 reported at 23:00 Oslo time on 02-29, the same three payments
# booked on 03-04, 03-06 and 03-11, and 11,000.00 reported on 03-12 where its transactions give
# 10,000.00 + 2,500.00 - 1,200.50 + 800.00 = 12,099.50.
EXPECTED_DAYS = [
    # date, bank, ledger, difference
    ("2024-03-01", D("10000"), D("10000"), D("0")),
    ("2024-03-02", D("10000"), D("10000"), D("0")),
    ("2024-03-03", D("10000"), D("10000"), D("0")),
    ("2024-03-04", D("12500"), D("12500"), D("0")),
    ("2024-03-05", D("12500"), D("12500"), D("0")),
    ("2024-03-06", D("11299.50"), D("11299.50"), D("0")),
    ("2024-03-07", D("11299.50"), D("11299.50"), D("0")),
    ("2024-03-08", D("11299.50"), D("12099.50"), D("-800")),
    ("2024-03-09", D("11299.50"), D("12099.50"), D("-800")),
    ("2024-03-10", D("11299.50"), D("12099.50"), D("-800")),
    ("2024-03-11", D("12099.50"), D("12099.50"), D("0")),
    ("2024-03-12", D("11000"), D("12099.50"), D("-1099.50")),  # the bank's own figure for its day
]
EXPECTED_CHECK = ("2024-03-12", D("11000"), D("12099.50"), D("-1099.50"))


@pytest.fixture
def book(api: Api) -> str:
    account_id = new_bank_account(api)
    api.post_voucher(voucher("2024-02-29", line(1920, 10000), line(2050, -10000)))
    api.post_voucher(voucher("2024-03-04", line(1920, 2500), line(3000, -2500)))
    api.post_voucher(voucher("2024-03-06", line(1920, -1200.5), line(6300, 1200.5)))
    api.post_voucher(voucher("2024-03-08", line(1920, 800), line(1500, -800)))
    report_balance(api, account_id, 10000, "2024-02-29T22:00:00Z")
    bank_transaction(api, account_id, "RECON-SALE-0304", "2024-03-04", D("2500"))
    bank_transaction(api, account_id, "RECON-RENT-0306", "2024-03-06", D("-1200.50"))
    bank_transaction(api, account_id, "RECON-CUST-0311", "2024-03-11", D("800"))
    report_balance(api, account_id, 11000, "2024-03-12T12:00:00Z")
    return account_id


def test_the_api_reconciles_day_by_day(api: Api, book: str) -> None:
    body = reconciliation(api, book, "2024-03-01", "2024-03-12")

    assert body["bankAccount"] == {"id": book, "currency": "NOK", "ledgerAccount": 1920}
    assert [
        (day["date"], day["bankBalance"], day["ledgerBalance"], day["difference"]) for day in body["days"]
    ] == EXPECTED_DAYS
    for day in body["days"]:
        assert day["rate"] == 1
        assert day["bankBalanceInBaseCurrency"] == day["bankBalance"]
    assert [(c["date"], c["reported"], c["computed"], c["difference"]) for c in body["balanceChecks"]] == [
        EXPECTED_CHECK
    ]
    assert body["balanceChecks"][0]["previousDate"] == "2024-02-29"


def test_the_cli_reconciles_day_by_day(engine: sa.Engine, api: Api, book: str) -> None:
    report = reconcile_json(engine, "--bank-account", book, "--from", "2024-03-01", "--to", "2024-03-12")
    with_organization = reconcile_json(
        engine,
        "--bank-account",
        book,
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-12",
        "--organization",
        str(api.organization.organization_id),
    )

    assert with_organization == report
    assert [
        (day["date"], day["bankBalance"], day["ledgerBalance"], day["difference"]) for day in report["days"]
    ] == EXPECTED_DAYS
    assert [(c["date"], c["reported"], c["computed"], c["difference"]) for c in report["balanceChecks"]] == [
        EXPECTED_CHECK
    ]


def test_the_cli_agrees_with_the_api(engine: sa.Engine, api: Api, book: str) -> None:
    report = reconcile_json(engine, "--bank-account", book, "--from", "2024-02-28", "--to", "2024-03-15")
    body = reconciliation(api, book, "2024-02-28", "2024-03-15")
    assert [(d["date"], d["bankBalance"], d["ledgerBalance"], d["difference"]) for d in report["days"]] == [
        (d["date"], d["bankBalance"], d["ledgerBalance"], d["difference"]) for d in body["days"]
    ]
    # before the first reported balance the bank's balance is worked back from it: no movement, 10,000.00;
    # the ledger is 0 until the equity voucher of 02-29
    assert [(d["date"], d["bankBalance"], d["ledgerBalance"]) for d in body["days"][:2]] == [
        ("2024-02-28", 10000, 0),
        ("2024-02-29", 10000, 10000),
    ]
    # after the bank's 11,000.00 of 03-12 nothing moves
    assert {d["bankBalance"] for d in body["days"][-3:]} == {11000}


def test_a_balance_that_agrees_raises_no_check(api: Api) -> None:
    account_id = new_bank_account(api)
    report_balance(api, account_id, 100, "2024-03-01T10:00:00Z")
    bank_transaction(api, account_id, "AGREE-0000000001", "2024-03-02", D("50.25"))
    report_balance(api, account_id, D("150.25"), "2024-03-03T10:00:00Z")
    body = reconciliation(api, account_id, "2024-03-01", "2024-03-03")
    assert body["balanceChecks"] == []
    assert [d["bankBalance"] for d in body["days"]] == [100, D("150.25"), D("150.25")]
    # the ledger has nothing on 1920 in this organization
    assert [d["difference"] for d in body["days"]] == [100, D("150.25"), D("150.25")]


def test_without_a_linked_ledger_account_the_ledger_side_is_null(engine: sa.Engine, api: Api) -> None:
    account_id = new_bank_account(api, ledger=None)
    report_balance(api, account_id, 500, "2024-03-01T10:00:00Z")

    body = reconciliation(api, account_id, "2024-03-01", "2024-03-02")
    report = reconcile_json(
        engine, "--bank-account", account_id, "--from", "2024-03-01", "--to", "2024-03-02"
    )

    assert body["bankAccount"]["ledgerAccount"] is None
    for days in (body["days"], report["days"]):
        assert [(d["bankBalance"], d["ledgerBalance"], d["difference"]) for d in days] == [
            (500, None, None),
            (500, None, None),
        ]


def test_a_foreign_currency_account_is_valued_at_the_days_ecb_rate(api: Api) -> None:
    """A EUR account against ledger 1920 in NOK: 1,000.00 EUR reported on Friday 2024-03-01, +250.00 EUR
    booked on Monday 03-04; the ledger holds 11,443.00 NOK from 03-01 (1,000.00 at that Friday's 11.443)."""
    account_id = new_bank_account(api, number=EUR_BBAN, currency="EUR")
    report_balance(api, account_id, 1000, "2024-03-01T12:00:00Z", code="EUR")
    bank_transaction(api, account_id, "EUR-INBOUND-0304", "2024-03-04", D("250"), code="EUR")
    api.post_voucher(voucher("2024-03-01", line(1920, 11443), line(2050, -11443)))

    body = reconciliation(api, account_id, "2024-03-01", "2024-03-05")

    assert body["bankAccount"] == {"id": account_id, "currency": "EUR", "ledgerAccount": 1920}
    expected = []
    for number, bank in ((1, D(1000)), (2, D(1000)), (3, D(1000)), (4, D(1250)), (5, D(1250))):
        day = date(2024, 3, number)
        found = rates_on(day)
        assert found is not None
        rate = found[1]["NOK"].quantize(D("0.000001"), rounding=ROUND_HALF_EVEN)
        in_base = (bank * rate).quantize(D("0.01"), rounding=ROUND_HALF_EVEN)
        expected.append((day.isoformat(), bank, rate, in_base, D(11443), in_base - D(11443)))
    assert [
        (
            d["date"],
            d["bankBalance"],
            d["rate"],
            d["bankBalanceInBaseCurrency"],
            d["ledgerBalance"],
            d["difference"],
        )
        for d in body["days"]
    ] == expected
    # by hand: the weekend keeps Friday's 11.443; Monday's 1,250.00 x 11.4325 = 14,290.625, half-even
    # 14,290.62; Tuesday's x 11.475 = 14,343.75
    assert [d["rate"] for d in body["days"]] == [
        D("11.443"),
        D("11.443"),
        D("11.443"),
        D("11.4325"),
        D("11.475"),
    ]
    assert [d["bankBalanceInBaseCurrency"] for d in body["days"]] == [
        11443,
        11443,
        11443,
        D("14290.62"),
        D("14343.75"),
    ]
    assert [d["difference"] for d in body["days"]] == [0, 0, 0, D("2847.62"), D("2900.75")]
    assert body["balanceChecks"] == []


def test_bad_requests(engine: sa.Engine, api: Api, book: str) -> None:
    for params in (
        {"dateFrom": "2024-03-05", "dateTo": "2024-03-01"},
        {"dateFrom": "2024-03-01"},
        {"dateFrom": "2024-02-30", "dateTo": "2024-03-01"},
    ):
        answer = api.get(f"/v1/bankaccounts/{book}/reconciliation", params=params)
        assert answer.status_code == 400, (params, answer.text)
        assert answer.json()["error"]["name"] == "ValidationError"
    for unknown in ("00000000-0000-0000-0000-000000000000", "not-a-guid"):
        answer = api.get(
            f"/v1/bankaccounts/{unknown}/reconciliation",
            params={"dateFrom": "2024-03-01", "dateTo": "2024-03-02"},
        )
        assert answer.status_code == 404, answer.text
    unknown_account = run_cli(
        engine,
        "reconcile",
        "--bank-account",
        "00000000-0000-0000-0000-000000000000",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-02",
    )
    assert unknown_account.exit_code == 2, unknown_account.output
    bad_date = run_cli(
        engine, "reconcile", "--bank-account", book, "--from", "2024-03-32", "--to", "2024-04-01"
    )
    assert bad_date.exit_code == 2, bad_date.output


def test_the_cli_shows_base_currency_figures_in_the_base_currency(engine: sa.Engine, api: Api) -> None:
    """A JPY account (no minor unit) against ledger 1920 in NOK (two decimals): the ledger balance and the
    difference are NOK amounts in the CLI as in the API, and the CLI also gives the bank's balance in NOK."""
    account_id = new_bank_account(api, number=EUR_BBAN, currency="JPY")
    report_balance(api, account_id, 100000, "2024-03-01T12:00:00Z", code="JPY")
    api.post_voucher(voucher("2024-03-01", line(1920, 7000.5), line(2050, -7000.5)))
    keys = ("date", "bankBalance", "bankBalanceInBaseCurrency", "ledgerBalance", "difference")

    body = reconciliation(api, account_id, "2024-03-01", "2024-03-01")
    report = reconcile_json(
        engine, "--bank-account", account_id, "--from", "2024-03-01", "--to", "2024-03-01"
    )

    found = rates_on(date(2024, 3, 1))
    assert found is not None
    rate = (found[1]["NOK"] / found[1]["JPY"]).quantize(D("0.000001"), rounding=ROUND_HALF_EVEN)
    in_base = (100000 * rate).quantize(D("0.01"), rounding=ROUND_HALF_EVEN)
    expected = {
        "date": "2024-03-01",
        "bankBalance": 100000,
        "bankBalanceInBaseCurrency": in_base,
        "ledgerBalance": D("7000.50"),
        "difference": in_base - D("7000.50"),
    }
    assert {key: body["days"][0][key] for key in keys} == expected
    assert {key: report["days"][0].get(key) for key in keys} == expected
