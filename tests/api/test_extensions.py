"""kontobok's extensions, what the vendor does in its user interface.

New accounts in the chart, opening and closing fiscal years, and reversing a posted voucher.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from kontobok.api.scopes import ACCOUNT_READ, TRANSACTION_READ, TRANSACTION_WRITE
from tests.factories import Api, line, voucher

EVERYTHING = {"dateFrom": "2000-01-01", "dateTo": "2100-01-01", "limit": 1000}


def all_lines(api: Api) -> list[dict[str, Any]]:
    answer = api.get("/v1/transactionlines", params=EVERYTHING)
    assert answer.status_code == 200, answer.text
    lines: list[dict[str, Any]] = answer.json()
    return lines


def sums_by_account(api: Api) -> dict[int, Decimal]:
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for item in all_lines(api):
        sums[item["account"]["number"]] += Decimal(str(item["baseAmount"]))
    return dict(sums)


def assert_vendor_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    error: dict[str, Any] = body["error"]
    return error


def problem_keywords(answer: httpx.Response) -> set[tuple[str, str]]:
    error = assert_vendor_error(answer, 400)
    assert error["name"] == "ValidationError"
    return {(p["path"], p["keyword"]) for p in error["payload"]["validationErrors"]}


def sale(day: str, amount: float = 100, **extra: Any) -> dict[str, Any]:
    return voucher(day, line(1920, amount), line(3000, -amount), **extra)


# --- accounts ----------------------------------------------------------------------------------------------


def test_a_new_account_is_listed_and_can_be_posted_to(api: Api) -> None:
    answer = api.post("/v1/accounts", {"number": 1930, "name": "Bankinnskudd driftskonto"})

    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["number"] == 1930
    assert created["name"] == "Bankinnskudd driftskonto"
    assert created["taxId"] == 0
    assert created["id"] >= 1000001
    listed = api.get("/v1/accounts").json()
    assert created in listed
    assert [account["number"] for account in listed] == sorted(account["number"] for account in listed)
    assert api.get(f"/v1/accounts/{created['id']}").json() == created
    transaction_id = api.post_voucher(voucher("2024-03-05", line(1930, 250), line(3000, -250)))
    assert [
        (item["account"], item["amount"]) for item in all_lines(api) if item["account"]["number"] == 1930
    ] == [({"id": created["id"], "number": 1930, "name": "Bankinnskudd driftskonto"}, 250)]
    assert transaction_id


def test_a_new_account_with_a_tax_code(api: Api) -> None:
    answer = api.post("/v1/accounts", {"number": 3010, "name": "Salg, middels sats", "taxId": 31})

    assert answer.status_code == 201, answer.text
    assert answer.json()["taxId"] == 31


def test_a_duplicate_account_number_is_a_409(api: Api) -> None:
    before = api.get("/v1/accounts").json()

    answer = api.post("/v1/accounts", {"number": 1920, "name": "Bank igjen"})

    assert_vendor_error(answer, 409)
    assert api.get("/v1/accounts").json() == before


def test_an_account_with_an_unknown_tax_code_is_a_404(api: Api) -> None:
    assert_vendor_error(api.post("/v1/accounts", {"number": 1931, "name": "X", "taxId": 77}), 404)
    assert 1931 not in {account["number"] for account in api.get("/v1/accounts").json()}


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Uten nummer"},
        {"number": 1935},
        {"number": "1935", "name": "Nummer som tekst"},
        {"number": 1935, "name": ""},
        {"number": 1935, "name": "x" * 201},
    ],
)
def test_a_bad_account_is_a_400(api: Api, body: dict[str, Any]) -> None:
    problem_keywords(api.post("/v1/accounts", body))


def test_creating_an_account_needs_the_write_scope(api: Api, engine: sa.Engine) -> None:
    scopes = [ACCOUNT_READ, TRANSACTION_READ, TRANSACTION_WRITE]
    with Api.for_organization(engine, api.organization, scopes=scopes) as limited:
        assert_vendor_error(limited.post("/v1/accounts", {"number": 1930, "name": "Bank 2"}), 403)
        assert_vendor_error(limited.post("/v1/fiscalyears", {"year": 2027}), 403)
        assert_vendor_error(limited.post("/v1/fiscalyears/2024/close"), 403)


# --- fiscal years ------------------------------------------------------------------------------------------


def years(api: Api) -> dict[str, bool]:
    answer = api.get("/v1/fiscalperiods", params={"type": "Year"})
    assert answer.status_code == 200, answer.text
    return {year["startingDate"][:4]: year["isClosed"] for year in answer.json()}


def test_opening_a_year_allows_posting_in_it(api: Api) -> None:
    assert "/date" in {path for path, _ in problem_keywords(api.post("/v1/transactions", sale("2027-02-01")))}

    answer = api.post("/v1/fiscalyears", {"year": 2027})

    assert answer.status_code == 201, answer.text
    opened = answer.json()
    assert opened["startingDate"] == "2027-01-01"
    assert opened["endingDate"] == "2027-12-31"
    assert opened["isClosed"] is False
    assert years(api)["2027"] is False
    assert api.post("/v1/transactions", sale("2027-02-01")).json()["number"] == 1


def test_opening_an_open_year_again_changes_nothing(api: Api) -> None:
    before = years(api)

    answer = api.post("/v1/fiscalyears", {"year": 2024})

    assert answer.status_code == 201, answer.text
    assert years(api) == before


def test_closing_a_year_locks_it_and_reopening_unlocks_it(api: Api) -> None:
    api.post_voucher(sale("2024-06-01"))

    closed = api.post("/v1/fiscalyears/2024/close")

    assert closed.status_code == 200, closed.text
    assert closed.json()["isClosed"] is True
    assert years(api)["2024"] is True
    assert ("/date", "openFiscalYear") in problem_keywords(api.post("/v1/transactions", sale("2024-12-31")))
    assert ("/lines/1/date", "openFiscalYear") in problem_keywords(
        api.post(
            "/v1/transactions",
            voucher("2025-01-01", line(1920, 100), line(3000, -100, date="2024-12-31"),
                    line(1920, -100, date="2024-12-31"), line(3000, 100)),
        )
    )  # fmt: skip
    # the sale and the closing voucher that moved its result to equity
    assert len(all_lines(api)) == 4
    assert api.post("/v1/transactions", sale("2025-01-01")).json()["number"] == 2

    reopened = api.post("/v1/fiscalyears", {"year": 2024})

    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["isClosed"] is False
    assert api.post("/v1/transactions", sale("2024-12-31")).json()["number"] == 3


def test_closing_an_unknown_year_is_a_404(api: Api) -> None:
    assert_vendor_error(api.post("/v1/fiscalyears/2019/close"), 404)


@pytest.mark.parametrize("body", [{"year": "2027"}, {"year": 1800}, {}, {"year": 2027.5}])
def test_a_bad_year_is_a_400(api: Api, body: dict[str, Any]) -> None:
    problem_keywords(api.post("/v1/fiscalyears", body))


# --- reversal ----------------------------------------------------------------------------------------------


def test_a_reversal_negates_every_line_and_brings_balances_back_to_zero(api: Api) -> None:
    # gross 1250 at 25 %: 1500 +1250, 3000 −1000, 2700 −250
    original = api.post_voucher(
        voucher("2024-03-05", line(1500, 1250), line(3000, -1250, tax=3), type_number=1, comment="Faktura 1")
    )
    api.post_voucher(voucher("2024-03-06", line(1500, 10), line(3000, -10), type_number=1))

    answer = api.post(f"/v1/transactions/{original}/reverse")

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["reverses"] == original
    assert body["number"] == 3  # same transaction type as the original, next in its series
    reversal = body["transactionId"]
    assert reversal != original
    lines = all_lines(api)
    original_lines = [item for item in lines if item["transaction"]["id"] == original]
    reversal_lines = [item for item in lines if item["transaction"]["id"] == reversal]
    assert [(item["account"]["number"], item["amount"], item["date"]) for item in reversal_lines] == [
        (1500, -1250, "2024-03-05"),
        (3000, 1000, "2024-03-05"),
        (2700, 250, "2024-03-05"),
    ]
    assert [item["tax"] for item in reversal_lines] == [item["tax"] for item in original_lines]
    assert {item["transactionType"]["id"] for item in reversal_lines} == {1}
    # the original is untouched
    assert [(item["account"]["number"], item["amount"]) for item in original_lines] == [
        (1500, 1250),
        (3000, -1000),
        (2700, -250),
    ]
    assert sums_by_account(api) == {1500: 10, 3000: -10, 2700: 0}
    assert api.balances(2700, "2024-03-01", "2024-03-31") == [
        {"date": "2024-03-01", "opening": 0, "closing": 0, "change": 0}
    ]


def test_a_reversal_on_a_date_with_a_comment(api: Api) -> None:
    original = api.post_voucher(
        voucher("2024-03-05", line(1921, 100, currency={"code": "EUR", "rate": 11.5}), line(3000, -1150))
    )

    answer = api.post(f"/v1/transactions/{original}/reverse", {"date": "2024-04-02", "comment": "Feilført"})

    assert answer.status_code == 201, answer.text
    reversal = [
        item for item in all_lines(api) if item["transaction"]["id"] == answer.json()["transactionId"]
    ]
    assert [
        (item["account"]["number"], item["amount"], item["baseAmount"], item["currency"], item["date"],
         item["comment"])
        for item in reversal
    ] == [
        (1921, -100, -1150, {"code": "EUR", "rate": 11.5}, "2024-04-02", "Feilført"),
        (3000, 1150, 1150, {"code": "NOK", "rate": 1}, "2024-04-02", "Feilført"),
    ]  # fmt: skip
    assert sums_by_account(api) == {1921: 0, 3000: 0}
    assert api.balances(1921, "2024-03-01", "2024-04-30") == [
        {"date": "2024-03-01", "opening": 0, "closing": 1150, "change": 1150},
        {"date": "2024-04-01", "opening": 1150, "closing": 0, "change": -1150},
    ]


def test_a_voucher_is_reversed_only_once(api: Api) -> None:
    original = api.post_voucher(sale("2024-03-05"))
    assert api.post(f"/v1/transactions/{original}/reverse").status_code == 201

    again = api.post(f"/v1/transactions/{original}/reverse")

    assert_vendor_error(again, 409)
    assert len(all_lines(api)) == 4


def test_reversing_an_unknown_or_foreign_voucher_is_a_404(api: Api, engine: sa.Engine) -> None:
    from tests.factories import new_organization

    with Api.for_organization(engine, new_organization(engine)) as other:
        theirs = other.post_voucher(sale("2024-03-05"))

    assert_vendor_error(api.post(f"/v1/transactions/{uuid.uuid4()}/reverse"), 404)
    assert_vendor_error(api.post(f"/v1/transactions/{theirs}/reverse"), 404)
    problem_keywords(api.post("/v1/transactions/not-a-guid/reverse"))
    assert all_lines(api) == []


def test_a_reversal_into_a_closed_year_is_a_400(api: Api) -> None:
    in_2024 = api.post_voucher(sale("2024-11-05"))
    in_2025 = api.post_voucher(sale("2025-01-05"))
    assert api.post("/v1/fiscalyears/2024/close").status_code == 200

    on_original_date = api.post(f"/v1/transactions/{in_2024}/reverse")
    into_2024 = api.post(f"/v1/transactions/{in_2025}/reverse", {"date": "2024-12-31"})
    into_2020 = api.post(f"/v1/transactions/{in_2025}/reverse", {"date": "2020-01-02"})

    assert ("/date", "openFiscalYear") in problem_keywords(on_original_date)
    assert ("/date", "openFiscalYear") in problem_keywords(into_2024)
    assert ("/date", "openFiscalYear") in problem_keywords(into_2020)
    # the two sales and the voucher that closed 2024
    assert len(all_lines(api)) == 6
    # nothing was consumed: the reversal of the 2025 voucher into 2025 still works and is number 3
    answer = api.post(f"/v1/transactions/{in_2025}/reverse", {"date": "2025-01-31"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == 3


def test_a_reversal_under_an_idempotency_key_is_posted_once(api: Api) -> None:
    original = api.post_voucher(sale("2024-03-05"))
    key = {"Idempotency-Key": "undo-1"}

    first = api.post(f"/v1/transactions/{original}/reverse", headers=key)
    again = api.post(f"/v1/transactions/{original}/reverse", headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(all_lines(api)) == 4
