"""Closing a fiscal year moves its result to equity; reopening it reverses that.

A 2024 with a profit of 6 000: sales 10 000 (3000) and rent 4 000 (6300), paid through the bank.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_extensions import all_lines, assert_vendor_error, problem_keywords
from tests.factories import Api, line, voucher
from tests.journal import exact_json

YEAR_2024 = {"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}


@pytest.fixture
def books(api: Api) -> Api:
    api.post_voucher(voucher("2024-05-01", line(1920, 10000), line(3000, -10000)))
    api.post_voucher(voucher("2024-06-01", line(6300, 4000), line(1920, -4000)))
    return api


def _ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return exact_json(answer)


def _closing_lines(api: Api) -> list[tuple[str, int, Any, int]]:
    return [
        (item["date"], item["account"]["number"], item["baseAmount"], item["transactionType"]["id"])
        for item in all_lines(api)
        if item["transactionType"]["id"] == 11
    ]


def _profit_and_loss_sum(api: Api) -> Any:
    body = _ok(api.get("/v1/reports/trialbalance", params=YEAR_2024))
    return sum(row["closing"] for row in body["accounts"] if str(row["number"])[0] not in "12")


def test_closing_moves_the_result_to_equity(books: Api) -> None:
    closed = books.post("/v1/fiscalyears/2024/close")

    assert closed.status_code == 200, closed.text
    assert _closing_lines(books) == [("2024-12-31", 8800, 6000, 11), ("2024-12-31", 2050, -6000, 11)]
    assert _profit_and_loss_sum(books) == 0
    # the income statement still shows the year's result: 8800 carries it away, it is no income or expense
    assert _ok(books.get("/v1/reports/incomestatement", params=YEAR_2024))["result"] == 6000
    sheet = _ok(books.get("/v1/reports/balancesheet", params={"date": "2024-12-31"}))
    assert sheet["resultForTheYear"] == 0
    equity = sheet["equityAndLiabilities"]["groups"][0]
    assert {a["number"]: a["amount"] for a in equity["accounts"]} == {2050: 6000}
    assert sheet["assets"]["total"] == sheet["equityAndLiabilities"]["total"] == 6000
    # the next year: profit and loss starts at zero, 2050 carries the result
    assert books.balances(2050, "2025-01-01", "2025-01-31")[0]["opening"] == -6000
    assert books.balances(3000, "2025-01-01", "2025-01-31")[0]["opening"] == 0
    assert books.balances(8800, "2025-01-01", "2025-01-31")[0]["opening"] == 0
    trial = _ok(
        books.get("/v1/reports/trialbalance", params={"dateFrom": "2025-01-01", "dateTo": "2025-01-31"})
    )
    assert trial["totals"]["opening"] == 0


def test_an_unclosed_earlier_year_stays_in_equity(books: Api) -> None:
    sheet = _ok(books.get("/v1/reports/balancesheet", params={"date": "2025-06-30"}))
    assert (sheet["resultForTheYear"], sheet["resultOfEarlierYears"]) == (0, 6000)
    assert sheet["assets"]["total"] == sheet["equityAndLiabilities"]["total"] == 6000
    trial = _ok(
        books.get("/v1/reports/trialbalance", params={"dateFrom": "2025-01-01", "dateTo": "2025-01-31"})
    )
    assert trial["totals"]["opening"] == 6000


def test_reopening_reverses_the_closing_and_closing_again_moves_the_new_result(books: Api) -> None:
    assert books.post("/v1/fiscalyears/2024/close").status_code == 200
    assert books.post("/v1/fiscalyears", {"year": 2024}).status_code == 201

    assert books.balances(2050, "2025-01-01", "2025-01-31")[0]["opening"] == 0
    assert _profit_and_loss_sum(books) == -6000
    books.post_voucher(voucher("2024-12-15", line(6300, 1000), line(1920, -1000)))

    again = books.post("/v1/fiscalyears/2024/close", params={"equityAccount": 2080})

    assert again.status_code == 200, again.text
    assert _closing_lines(books)[-2:] == [("2024-12-31", 8800, 5000, 11), ("2024-12-31", 2080, -5000, 11)]
    assert _profit_and_loss_sum(books) == 0
    assert books.balances(2080, "2025-01-01", "2025-01-31")[0]["opening"] == -5000
    assert books.balances(2050, "2025-01-01", "2025-01-31")[0]["opening"] == 0


def test_closing_a_closed_year_or_a_year_without_result_posts_nothing(books: Api) -> None:
    assert books.post("/v1/fiscalyears/2024/close").status_code == 200
    assert books.post("/v1/fiscalyears/2024/close").status_code == 200
    assert books.post("/v1/fiscalyears/2023/close").status_code == 200
    assert len(_closing_lines(books)) == 2


def test_closing_under_an_idempotency_key_is_done_once(books: Api) -> None:
    key = {"Idempotency-Key": "close-2024"}
    first = books.post("/v1/fiscalyears/2024/close", headers=key)
    assert books.post("/v1/fiscalyears", {"year": 2024}).status_code == 201
    replay = books.post("/v1/fiscalyears/2024/close", headers=key)

    assert replay.status_code == 200
    assert replay.json() == first.json()
    # the replay did not close the reopened year again: the closing and its reversal only
    assert len(_closing_lines(books)) == 4
    assert books.balances(2050, "2025-01-01", "2025-01-31")[0]["opening"] == 0
    assert_vendor_error(
        books.post("/v1/fiscalyears/2024/close", params={"equityAccount": 2080}, headers=key), 409
    )


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"resultAccount": 1920}, "/resultAccount"),
        ({"resultAccount": 8999}, "/resultAccount"),
        ({"equityAccount": 2400}, "/equityAccount"),
        ({"equityAccount": 3000}, "/equityAccount"),
    ],
)
def test_closing_with_unsuitable_accounts_is_a_400_and_closes_nothing(
    books: Api, params: dict[str, int], path: str
) -> None:
    assert (path, "exists") in problem_keywords(books.post("/v1/fiscalyears/2024/close", params=params))
    assert _closing_lines(books) == []
    assert books.post_voucher(voucher("2024-12-31", line(1920, 1), line(3000, -1)))
