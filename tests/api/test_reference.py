"""Reference lists (taxes, transaction types, currencies, fiscal periods, accounts) and the API as a whole."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from tests.factories import Api, new_organization


def ok(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_vendor_error(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert set(body["error"]) >= {"name", "message"}
    assert body["trackingId"] == answer.headers["X-Trace-Id"]


# --- taxes -------------------------------------------------------------------------------------------------


def test_taxes_list_the_standard_codes_with_their_rates(api: Api) -> None:
    taxes = ok(api.get("/v1/taxes"))

    rates = {tax["number"]: tax["rate"] for tax in taxes}
    assert {code: rates[code] for code in (0, 1, 3, 31, 33)} == {0: 0, 1: 25, 3: 25, 31: 15, 33: 12}
    assert rates[11] == 15
    assert rates[13] == 12
    assert rates[32] == 11.11
    assert rates[86] == 25
    assert rates[87] == 25
    assert set(rates) >= {0, 1, 11, 12, 13, 14, 15, 3, 31, 32, 33, 5, 51, 52, 6, *range(81, 90), 91, 92}
    for tax in taxes:
        assert tax["id"] == tax["number"]
        assert isinstance(tax["name"], str)
        assert tax["name"]


def test_one_tax_code_by_id(api: Api) -> None:
    tax = ok(api.get("/v1/taxes/31"))

    assert tax["id"] == 31
    assert tax["number"] == 31
    assert tax["rate"] == 15
    assert tax in ok(api.get("/v1/taxes"))


@pytest.mark.parametrize("unknown", [77, 2, 9999])
def test_an_unknown_tax_code_is_a_404(api: Api, unknown: int) -> None:
    assert_vendor_error(api.get(f"/v1/taxes/{unknown}"), 404)


@pytest.mark.parametrize("bad", ["x", "-1", "1.5"])
def test_a_malformed_tax_id_is_a_400(api: Api, bad: str) -> None:
    assert_vendor_error(api.get(f"/v1/taxes/{bad}"), 400)


# --- transaction types -------------------------------------------------------------------------------------


def test_transaction_types_include_the_incoming_balance(api: Api) -> None:
    kinds = {kind["number"]: kind for kind in ok(api.get("/v1/transactiontypes"))}

    assert kinds[10] == {"id": 10, "number": 10, "name": "Inngående balanse"}
    assert {1, 2, 3, 4, 5, 6, 10} <= set(kinds)
    assert kinds[1]["name"] == "Utgående faktura"
    assert kinds[2]["name"] == "Inngående faktura"


# --- currencies --------------------------------------------------------------------------------------------


def test_currencies_list_nok_at_one_and_eur_at_a_positive_rate(api: Api) -> None:
    rates = {currency["code"]: currency["rate"] for currency in ok(api.get("/v1/currencies"))}

    assert rates["NOK"] == 1
    assert isinstance(rates["EUR"], int | float)
    assert rates["EUR"] > 0
    assert {"USD", "SEK", "DKK", "GBP"} <= set(rates)
    assert all(rate > 0 for rate in rates.values())


def test_currency_rates_are_exact_numbers_on_the_wire(api: Api) -> None:
    listed = json.loads(api.get("/v1/currencies").text, parse_float=Decimal)
    rates = {item["code"]: item["rate"] for item in listed}

    # written as JSON numbers, with six decimals at most: the cross rate is rounded to 0.000001
    assert all(isinstance(rate, int | Decimal) for rate in rates.values())
    assert all(Decimal(rate) == Decimal(rate).quantize(Decimal("0.000001")) for rate in rates.values())


# --- fiscal periods ----------------------------------------------------------------------------------------


def test_fiscal_years_by_default(api: Api) -> None:
    default = ok(api.get("/v1/fiscalperiods"))
    years = ok(api.get("/v1/fiscalperiods", params={"type": "Year"}))

    assert default == years
    assert [(y["type"], y["startingDate"], y["endingDate"], y["isClosed"]) for y in years] == [
        ("Year", "2023-01-01", "2023-12-31", False),
        ("Year", "2024-01-01", "2024-12-31", False),
        ("Year", "2025-01-01", "2025-12-31", False),
        ("Year", "2026-01-01", "2026-12-31", False),
    ]
    assert len({y["id"] for y in years}) == 4


def test_periods_are_the_twelve_months_of_each_year(api: Api) -> None:
    periods = ok(api.get("/v1/fiscalperiods", params={"type": "Period"}))

    assert len(periods) == 4 * 12
    assert {p["type"] for p in periods} == {"Period"}
    of_2024 = [(p["startingDate"], p["endingDate"]) for p in periods if p["startingDate"].startswith("2024")]
    assert len(of_2024) == 12
    assert of_2024[0] == ("2024-01-01", "2024-01-31")
    assert of_2024[1] == ("2024-02-01", "2024-02-29")
    assert of_2024[11] == ("2024-12-01", "2024-12-31")
    assert len({p["id"] for p in periods}) == 48


def test_all_gives_years_and_periods(api: Api) -> None:
    everything = ok(api.get("/v1/fiscalperiods", params={"type": "All"}))

    assert [p["type"] for p in everything].count("Year") == 4
    assert [p["type"] for p in everything].count("Period") == 48


def test_a_closed_year_and_its_periods_say_so(api: Api) -> None:
    assert api.post("/v1/fiscalyears/2023/close").status_code == 200

    everything = ok(api.get("/v1/fiscalperiods", params={"type": "All"}))

    closed = {p["startingDate"] for p in everything if p["isClosed"]}
    assert closed == {"2023-01-01", *(f"2023-{month:02d}-01" for month in range(1, 13))}


def test_a_fiscal_year_follows_the_start_month(engine: sa.Engine) -> None:
    organization = new_organization(engine, open_years=range(2024, 2025), fiscal_year_start_month=7)
    with Api.for_organization(engine, organization) as api:
        years = ok(api.get("/v1/fiscalperiods"))
        periods = ok(api.get("/v1/fiscalperiods", params={"type": "Period"}))

    assert [(y["startingDate"], y["endingDate"]) for y in years] == [("2024-07-01", "2025-06-30")]
    assert len(periods) == 12
    assert (periods[0]["startingDate"], periods[-1]["endingDate"]) == ("2024-07-01", "2025-06-30")


def test_another_period_type_is_a_400(api: Api) -> None:
    assert_vendor_error(api.get("/v1/fiscalperiods", params={"type": "Month"}), 400)


# --- accounts ----------------------------------------------------------------------------------------------


def test_accounts_query_finds_the_bank_account(api: Api) -> None:
    found = ok(api.get("/v1/accounts", params={"query": "bank"}))

    numbers = [account["number"] for account in found]
    assert 1920 in numbers
    assert 3000 not in numbers
    assert all("bank" in account["name"].lower() or "bank" in str(account["number"]) for account in found)


def test_accounts_query_by_number(api: Api) -> None:
    found = ok(api.get("/v1/accounts", params={"query": "2710"}))

    assert [account["number"] for account in found] == [2710]


def test_the_standard_chart(api: Api) -> None:
    chart = ok(api.get("/v1/accounts"))

    numbers = {account["number"] for account in chart}
    assert numbers >= {1500, 1920, 2050, 2400, 2700, 2710, 3000, 4000, 5000, 6300, 7700, 8050, 8150, 8800}
    by_number = {account["number"]: account for account in chart}
    assert by_number[3000]["taxId"] == 3
    assert ok(api.get(f"/v1/accounts/{by_number[1920]['id']}")) == by_number[1920]


def test_an_unknown_account_id_is_a_404(api: Api) -> None:
    assert_vendor_error(api.get("/v1/accounts/999"), 404)
    assert_vendor_error(api.get("/v1/accounts/abc"), 400)


# --- the API as a whole ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/nothing", "/nothing", "/v1/transactionlines/x/y"])
def test_an_unknown_path_is_a_404_in_the_vendor_shape(api: Api, path: str) -> None:
    assert_vendor_error(api.get(path), 404)
    assert_vendor_error(api.client.get(path), 404)


def test_a_wrong_method_is_a_405_in_the_vendor_shape(api: Api) -> None:
    assert_vendor_error(api.client.put("/v1/transactions", headers=api.auth, json={}), 405)


def test_the_openapi_document_lists_the_paths_and_tags_the_extensions(engine: sa.Engine) -> None:
    with TestClient(create_app(engine)) as client:
        document = ok(client.get("/openapi.json"))

    paths = document["paths"]
    assert set(paths) >= {
        "/oauth/token",
        "/v1/accountbalances",
        "/v1/accountbalances/{id}",
        "/v1/accounts",
        "/v1/accounts/{id}",
        "/v1/currencies",
        "/v1/fiscalperiods",
        "/v1/taxes",
        "/v1/taxes/{id}",
        "/v1/transactionlines",
        "/v1/transactionlines/{id}",
        "/v1/transactiontypes",
        "/v1/transactions",
        "/v1/transactions/{id}/reverse",
        "/v1/fiscalyears",
        "/v1/fiscalyears/{year}/close",
    }
    extensions = {
        (method, path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "kontobok extensions" in operation.get("tags", [])
    }
    assert extensions == {
        ("get", "/v1/bankaccounts/{id}/reconciliation"),
        ("post", "/v1/accounts"),
        ("post", "/v1/fiscalyears"),
        ("post", "/v1/fiscalyears/{year}/close"),
        ("post", "/v1/transactions/{id}/reverse"),
        ("get", "/v1/reports/trialbalance"),
        ("get", "/v1/reports/balancesheet"),
        ("get", "/v1/reports/incomestatement"),
        ("get", "/v1/reports/vat"),
        ("get", "/v1/events"),
        ("post", "/v1/webhooks"),
        ("get", "/v1/webhooks"),
        ("delete", "/v1/webhooks/{id}"),
        ("get", "/v1/webhooks/{id}/deliveries"),
        ("post", "/v1/monitors"),
        ("get", "/v1/monitors"),
        ("delete", "/v1/monitors/{id}"),
    }
    assert "kontobok extensions" in {tag["name"] for tag in document.get("tags", [])}
    parameters = {p["name"] for p in paths["/v1/transactionlines"]["get"]["parameters"]}
    assert parameters >= {
        "dateFrom",
        "dateTo",
        "createdFrom",
        "modifiedFrom",
        "createdAfter",
        "modifiedAfter",
        "transactionNumber",
        "transactionTypeId",
        "accountId",
        "accountNumber",
        "invoiceNumber",
        "currencyCode",
        "limit",
        "page",
        "includeDimensions",
    }
