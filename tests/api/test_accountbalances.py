"""``GET /v1/accountbalances`` and ``/v1/accountbalances/{id}`` through real HTTP, on both backends.

Every expected figure is worked out by hand in a comment next to it, the way an accountant would check the
report: opening + movement = closing, per element, with profit-and-loss accounts starting each fiscal year
at zero and balance-sheet accounts carrying over.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.factories import Api, line, new_organization, voucher

Element = tuple[str, float, float, float]
INCOMING_BALANCE = 10


def post_pair(api: Api, day: str, debit: int, credit: int, amount: float, **extra: Any) -> None:
    """One voucher on ``day``: ``amount`` debited to ``debit`` and credited to ``credit``."""
    api.post_voucher(voucher(day, line(debit, amount), line(credit, -amount), **extra))


def rows(elements: list[dict[str, Any]]) -> list[Element]:
    """The elements as ``(date, opening, closing, change)``, for assertions that read like a ledger."""
    return [(e["date"], e["opening"], e["closing"], e["change"]) for e in elements]


def assert_consistent(elements: list[dict[str, Any]]) -> None:
    """``change = closing - opening`` in every element (to the øre)."""
    for element in elements:
        assert round(element["closing"] - element["opening"], 2) == element["change"], element


def assert_chained(elements: list[dict[str, Any]]) -> None:
    """Each element opens where the one before it closed (balance-sheet accounts, no IB inside)."""
    for before, after in pairwise(elements):
        assert after["opening"] == before["closing"], (before, after)


def balances_of(api: Api, number: int, date_from: str, date_to: str, **params: Any) -> list[Element]:
    elements = api.balances(number, date_from, date_to, **params)
    assert_consistent(elements)
    return rows(elements)


def all_balances(api: Api, date_from: str, date_to: str, **params: Any) -> dict[int, list[Element]]:
    """``GET /v1/accountbalances`` as ``{account number: elements}``, checking the order by number."""
    answer = api.get("/v1/accountbalances", params={"dateFrom": date_from, "dateTo": date_to, **params})
    assert answer.status_code == 200, answer.text
    records = answer.json()
    numbers = [record["account"]["number"] for record in records]
    assert numbers == sorted(numbers)
    return {record["account"]["number"]: rows(record["balances"]) for record in records}


def assert_validation_error(answer: httpx.Response, path: str, keyword: str | None = None) -> None:
    """A 400 in the vendor's validation shape, naming ``path``, with ``trackingId`` = ``X-Trace-Id``."""
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert body["error"]["name"] == "ValidationError"
    problems = body["error"]["payload"]["validationErrors"]
    assert problems, body
    for problem in problems:
        assert set(problem) >= {"path", "keyword", "message"}, problem
        assert isinstance(problem["message"], str)
        assert problem["message"]
    assert path in [problem["path"] for problem in problems], problems
    if keyword is not None:
        assert keyword in [problem["keyword"] for problem in problems if problem["path"] == path], problems


def assert_not_found(answer: httpx.Response) -> None:
    """A 404 in the vendor's error shape, with ``trackingId`` = ``X-Trace-Id``."""
    assert answer.status_code == 404, answer.text
    body = answer.json()
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert isinstance(body["error"]["name"], str)
    assert body["error"]["name"]
    assert isinstance(body["error"]["message"], str)


# 1. dateFrom and dateTo are inclusive ---------------------------------------------------------------------


def test_date_from_and_date_to_are_both_inclusive(api: Api) -> None:
    post_pair(api, "2024-02-29", 1920, 2400, 200)  # the day before dateFrom: part of the opening
    post_pair(api, "2024-03-01", 1920, 2400, 300)  # exactly on dateFrom: movement
    post_pair(api, "2024-03-31", 1920, 2400, 1000)  # exactly on dateTo: movement, in the closing
    post_pair(api, "2024-04-01", 1920, 2400, 250)  # the day after dateTo: not in the answer

    # opening 200; closing 200 + 300 + 1000 = 1500; change 1500 - 200 = 1300
    assert balances_of(api, 1920, "2024-03-01", "2024-03-31") == [("2024-03-01", 200, 1500, 1300)]
    # one single day, dateFrom = dateTo = 2024-03-31: opening 200 + 300 = 500, closing 500 + 1000 = 1500
    assert balances_of(api, 1920, "2024-03-31", "2024-03-31") == [("2024-03-31", 500, 1500, 1000)]
    # ending the day before: the 2024-03-31 line is out; closing 200 + 300 = 500
    assert balances_of(api, 1920, "2024-03-01", "2024-03-30") == [("2024-03-01", 200, 500, 300)]


# 2. One element per calendar month, clipped ---------------------------------------------------------------


def test_one_element_per_month_clipped_to_the_range_and_chained(api: Api) -> None:
    post_pair(api, "2024-01-10", 1920, 2400, 100)  # before the range
    post_pair(api, "2024-01-20", 1920, 2400, 400)
    # nothing in February
    post_pair(api, "2024-03-05", 1920, 2400, 50.75)
    post_pair(api, "2024-03-20", 1920, 2400, 999)  # after the range

    elements = api.balances(1920, "2024-01-15", "2024-03-10")
    assert_consistent(elements)
    assert_chained(elements)
    assert rows(elements) == [
        ("2024-01-15", 100, 500, 400),  # 100 + 400 = 500
        ("2024-02-01", 500, 500, 0),  # no movement: present, opening = closing
        ("2024-03-01", 500, 550.75, 50.75),  # 500 + 50.75; the 999 of 03-20 is after dateTo
    ]
    # the credit side mirrors it: -100 → -500 → -500 → -550.75
    assert balances_of(api, 2400, "2024-01-15", "2024-03-10") == [
        ("2024-01-15", -100, -500, -400),
        ("2024-02-01", -500, -500, 0),
        ("2024-03-01", -500, -550.75, -50.75),
    ]


def test_a_range_inside_one_month_is_one_element_and_an_idle_account_is_all_zero(api: Api) -> None:
    post_pair(api, "2024-02-12", 1920, 2400, 80)

    # 2024-02-10..2024-02-20 meets only February: one element from 2024-02-10; 0 + 80 = 80
    assert balances_of(api, 1920, "2024-02-10", "2024-02-20") == [("2024-02-10", 0, 80, 80)]
    # an account with no lines at all still gets one element per month, all zero
    assert balances_of(api, 5000, "2024-01-01", "2024-03-31") == [
        ("2024-01-01", 0, 0, 0),
        ("2024-02-01", 0, 0, 0),
        ("2024-03-01", 0, 0, 0),
    ]


# 3. Profit and loss restarts at 0 on the first day of each fiscal year -------------------------------------


def test_profit_and_loss_restarts_each_calendar_fiscal_year_while_the_balance_sheet_carries(api: Api) -> None:
    post_pair(api, "2023-11-15", 1500, 3000, 1000)  # sale in November 2023
    post_pair(api, "2023-12-10", 1500, 3000, 2000)  # sale in December 2023
    post_pair(api, "2024-01-20", 1500, 3000, 500)  # sale in January 2024

    assert balances_of(api, 3000, "2023-11-01", "2024-02-29") == [
        ("2023-11-01", 0, -1000, -1000),
        ("2023-12-01", -1000, -3000, -2000),  # -1000 - 2000 = -3000: the 2023 result
        ("2024-01-01", 0, -500, -500),  # new fiscal year: opens at 0, not at -3000
        ("2024-02-01", -500, -500, 0),
    ]
    elements = api.balances(1500, "2023-11-01", "2024-02-29")
    assert_chained(elements)
    assert rows(elements) == [
        ("2023-11-01", 0, 1000, 1000),
        ("2023-12-01", 1000, 3000, 2000),  # 1000 + 2000
        ("2024-01-01", 3000, 3500, 500),  # carried over: 3000 + 500
        ("2024-02-01", 3500, 3500, 0),
    ]
    # a range starting mid-year opens P&L with the year's sum so far, never with last year's
    assert balances_of(api, 3000, "2023-12-15", "2023-12-31") == [("2023-12-15", -3000, -3000, 0)]
    assert balances_of(api, 3000, "2024-02-01", "2024-02-29") == [("2024-02-01", -500, -500, 0)]
    # 2025 has no sales: 3000 stands at 0 while 1500 still holds 3500
    assert balances_of(api, 3000, "2025-03-01", "2025-03-31") == [("2025-03-01", 0, 0, 0)]
    assert balances_of(api, 1500, "2025-03-01", "2025-03-31") == [("2025-03-01", 3500, 3500, 0)]


def test_profit_and_loss_restarts_on_1_july_when_the_fiscal_year_starts_in_july(engine: sa.Engine) -> None:
    organization = new_organization(engine, fiscal_year_start_month=7)
    with Api.for_organization(engine, organization) as api:
        post_pair(api, "2023-12-20", 1500, 3000, 100)  # fiscal year 2023 (2023-07-01..2024-06-30)
        post_pair(api, "2024-05-20", 1500, 3000, 800)  # fiscal year 2023
        post_pair(api, "2024-06-15", 1500, 3000, 200)  # fiscal year 2023, its last month
        post_pair(api, "2024-07-10", 1500, 3000, 300)  # fiscal year 2024

        # 1 January is no reset for this organization: January opens with December's -100
        assert balances_of(api, 3000, "2023-12-01", "2024-01-31") == [
            ("2023-12-01", 0, -100, -100),
            ("2024-01-01", -100, -100, 0),
        ]
        assert balances_of(api, 3000, "2024-06-01", "2024-07-31") == [
            ("2024-06-01", -900, -1100, -200),  # -100 - 800 = -900 carried in; -900 - 200 = -1100
            ("2024-07-01", 0, -300, -300),  # 1 July: new fiscal year, opens at 0
        ]
        # 1500: 100 + 800 = 900 in; 900 + 200 = 1100; carried into July; 1100 + 300 = 1400
        assert balances_of(api, 1500, "2024-06-01", "2024-07-31") == [
            ("2024-06-01", 900, 1100, 200),
            ("2024-07-01", 1100, 1400, 300),
        ]
        hal = api.get(
            f"/v1/accountbalances/{api.account_id(3000)}",
            params={"dateFrom": "2024-06-01", "dateTo": "2024-07-31"},
            headers={"Accept": "application/hal"},
        ).json()
        assert hal["fiscals"] == [
            {"startingDate": "2023-07-01", "endingAt": "2024-06-30"},
            {"startingDate": "2024-07-01", "endingAt": "2025-06-30"},
        ]


def test_a_custom_element_across_the_year_end_closes_in_the_new_year(api: Api) -> None:
    post_pair(api, "2023-12-10", 1500, 3000, 1000)
    post_pair(api, "2023-12-20", 1500, 3000, 2000)
    post_pair(api, "2024-01-20", 1500, 3000, 500)

    # [12-01..12-15]: 0 → -1000. (12-15..01-31] crosses 1 January: it opens at -1000 and closes with the
    # 2024 year's -500 (semantics.md), so change = -500 - (-1000) = 500.
    assert balances_of(api, 3000, "2023-12-01", "2024-01-31", periods="2023-12-15") == [
        ("2023-12-01", 0, -1000, -1000),
        ("2023-12-16", -1000, -500, 500),
    ]


# 4. keepIncoming -------------------------------------------------------------------------------------------


def post_incoming_balance_and_january(api: Api) -> None:
    api.post_voucher(
        voucher("2024-01-01", line(1920, 100000), line(2050, -100000), type_number=INCOMING_BALANCE)
    )
    post_pair(api, "2024-01-15", 1920, 3000, 2500)  # a sale paid to the bank
    post_pair(api, "2024-01-20", 6300, 1920, 400)  # rent paid from the bank


def test_incoming_balance_is_opening_by_default(api: Api) -> None:
    post_incoming_balance_and_january(api)

    # January's movement without the IB: 2500 - 400 = 2100; opening 0 + IB 100000 = 100000;
    # closing 100000 + 2100 = 102100
    expected = [("2024-01-01", 100000, 102100, 2100), ("2024-02-01", 102100, 102100, 0)]
    assert balances_of(api, 1920, "2024-01-01", "2024-02-29") == expected
    assert balances_of(api, 1920, "2024-01-01", "2024-02-29", keepIncoming="false") == expected
    # 2050 has only the IB: it is all opening, no change
    assert balances_of(api, 2050, "2024-01-01", "2024-01-31") == [("2024-01-01", -100000, -100000, 0)]


def test_keep_incoming_counts_the_incoming_balance_as_movement(api: Api) -> None:
    post_incoming_balance_and_january(api)

    # opening 0 (the IB is not carried in); change 100000 + 2500 - 400 = 102100; closing unchanged 102100
    assert balances_of(api, 1920, "2024-01-01", "2024-02-29", keepIncoming="true") == [
        ("2024-01-01", 0, 102100, 102100),
        ("2024-02-01", 102100, 102100, 0),
    ]
    assert balances_of(api, 2050, "2024-01-01", "2024-01-31", keepIncoming="true") == [
        ("2024-01-01", 0, -100000, -100000)
    ]


def test_the_incoming_balance_never_moves_the_closing(api: Api) -> None:
    post_incoming_balance_and_january(api)

    default = balances_of(api, 1920, "2023-12-01", "2024-01-31")
    kept = balances_of(api, 1920, "2023-12-01", "2024-01-31", keepIncoming="true")
    assert [element[2] for element in default] == [element[2] for element in kept] == [0, 102100]
    # December: 0 either way. January by default opens with the IB dated inside it: 0 + 100000
    assert default == [("2023-12-01", 0, 0, 0), ("2024-01-01", 100000, 102100, 2100)]
    assert kept == [("2023-12-01", 0, 0, 0), ("2024-01-01", 0, 102100, 102100)]
    # a range that starts after the IB carries it in either way: 100000 + 2100 = 102100
    for keep in ("false", "true"):
        assert balances_of(api, 1920, "2024-02-01", "2024-02-29", keepIncoming=keep) == [
            ("2024-02-01", 102100, 102100, 0)
        ]


# 5. periods ------------------------------------------------------------------------------------------------


def post_cut_fixture(api: Api) -> None:
    post_pair(api, "2023-12-31", 1920, 2400, 7)  # before the range: opening
    post_pair(api, "2024-01-10", 1920, 2400, 1000)  # on the first cut: first element
    post_pair(api, "2024-01-11", 1920, 2400, 200)  # the day after it: second element
    post_pair(api, "2024-02-20", 1920, 2400, 30)  # on the second cut: second element
    post_pair(api, "2024-02-21", 1920, 2400, 4)  # third element
    post_pair(api, "2024-03-31", 1920, 2400, 0.5)  # on dateTo: third element


CUT_ELEMENTS = [
    ("2024-01-01", 7, 1007, 1000),  # [01-01..01-10]: 7 + 1000
    ("2024-01-11", 1007, 1237, 230),  # (01-10..02-20]: 1007 + 200 + 30
    ("2024-02-21", 1237, 1241.5, 4.5),  # (02-20..03-31]: 1237 + 4 + 0.5
]


@pytest.mark.parametrize(
    "periods", ["2024-01-10,2024-02-20", "2024-01-10Z,2024-02-20Z", "2024-01-10,2024-02-20Z"]
)
def test_periods_cut_the_range_at_the_given_days(api: Api, periods: str) -> None:
    post_cut_fixture(api)

    elements = api.balances(1920, "2024-01-01", "2024-03-31", periods=periods)
    assert_consistent(elements)
    assert_chained(elements)
    assert rows(elements) == CUT_ELEMENTS


def test_a_last_cut_on_date_to_adds_no_empty_element(api: Api) -> None:
    post_cut_fixture(api)

    # [01-01..01-10]: 7 → 1007; (01-10..03-31]: 1007 + 200 + 30 + 4 + 0.5 = 1241.5
    assert balances_of(api, 1920, "2024-01-01", "2024-03-31", periods="2024-01-10,2024-03-31") == [
        ("2024-01-01", 7, 1007, 1000),
        ("2024-01-11", 1007, 1241.5, 234.5),
    ]
    # a single cut on dateTo: one element over the whole range, 7 → 1241.5
    assert balances_of(api, 1920, "2024-01-01", "2024-03-31", periods="2024-03-31") == [
        ("2024-01-01", 7, 1241.5, 1234.5)
    ]


# 6. type=Period --------------------------------------------------------------------------------------------


def test_type_period_groups_by_the_period_date(api: Api) -> None:
    api.post_voucher(
        voucher(
            "2024-01-31",
            line(1920, 600, periodDate="2024-02-01"),
            line(2400, -600, periodDate="2024-02-01"),
        )
    )

    by_date = [("2024-01-01", 0, 600, 600), ("2024-02-01", 600, 600, 0)]  # dated 01-31: January
    assert balances_of(api, 1920, "2024-01-01", "2024-02-29") == by_date
    assert balances_of(api, 1920, "2024-01-01", "2024-02-29", type="Date") == by_date
    # periodDate 02-01: February
    assert balances_of(api, 1920, "2024-01-01", "2024-02-29", type="Period") == [
        ("2024-01-01", 0, 0, 0),
        ("2024-02-01", 0, 600, 600),
    ]


def test_type_period_puts_a_profit_and_loss_line_in_its_period_s_fiscal_year(api: Api) -> None:
    api.post_voucher(
        voucher(
            "2023-12-31",
            line(1500, 750, periodDate="2024-01-01"),
            line(3000, -750, periodDate="2024-01-01"),
        )
    )

    # by date the sale is 2023's result and 3000 restarts at 0 in January
    assert balances_of(api, 3000, "2023-12-01", "2024-01-31") == [
        ("2023-12-01", 0, -750, -750),
        ("2024-01-01", 0, 0, 0),
    ]
    # by period it belongs to January 2024
    assert balances_of(api, 3000, "2023-12-01", "2024-01-31", type="Period") == [
        ("2023-12-01", 0, 0, 0),
        ("2024-01-01", 0, -750, -750),
    ]


# 7. HAL ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["application/hal", "application/hal+json"])
def test_hal_wraps_the_records_with_the_range_and_the_fiscal_years(api: Api, accept: str) -> None:
    post_pair(api, "2023-06-15", 1920, 2400, 100)
    params = {"dateFrom": "2023-06-01", "dateTo": "2024-03-31"}
    path = f"/v1/accountbalances/{api.account_id(1920)}"

    plain = api.get(path, params=params)
    hal = api.get(path, params=params, headers={"Accept": accept})

    assert plain.status_code == hal.status_code == 200
    assert plain.headers["content-type"].startswith("application/json")
    assert hal.headers["content-type"].startswith("application/hal+json")
    body = hal.json()
    assert set(body) == {"_embedded", "beginningAt", "endingAt", "fiscals"}
    assert body["_embedded"] == {"records": plain.json()}
    assert body["beginningAt"] == "2023-06-01"
    assert body["endingAt"] == "2024-03-31"
    assert body["fiscals"] == [
        {"startingDate": "2023-01-01", "endingAt": "2023-12-31"},
        {"startingDate": "2024-01-01", "endingAt": "2024-12-31"},
    ]
    # 10 months, June 2023 to March 2024; 1920 holds 100 from June on
    balances = body["_embedded"]["records"][0]["balances"]
    assert len(balances) == 10
    assert rows(balances)[0] == ("2023-06-01", 0, 100, 100)
    assert rows(balances)[-1] == ("2024-03-01", 100, 100, 0)


def test_hal_without_id_and_within_one_year(api: Api) -> None:
    post_pair(api, "2024-02-15", 1920, 2400, 100)

    answer = api.get(
        "/v1/accountbalances",
        params={"dateFrom": "2024-02-01", "dateTo": "2024-02-29"},
        headers={"Accept": "application/hal"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["fiscals"] == [{"startingDate": "2024-01-01", "endingAt": "2024-12-31"}]
    assert [record["account"]["number"] for record in body["_embedded"]["records"]] == [1920, 2400]


# 8. Without {id} -------------------------------------------------------------------------------------------


def test_all_accounts_lists_movement_and_non_zero_openings_by_number(api: Api) -> None:
    post_pair(api, "2024-01-15", 1500, 3000, 1200)  # before March: openings for 1500 and 3000
    api.post_voucher(voucher("2024-03-05", line(2400, -300), line(1920, 300)))  # lines not in number order
    api.post_voucher(voucher("2024-03-06", line(6300, 250), line(6300, -250)))  # a line, but nets to 0

    march = all_balances(api, "2024-03-01", "2024-03-31")
    assert list(march) == [1500, 1920, 2400, 3000, 6300]  # 5000 and the rest have nothing: absent
    assert march[1500] == [("2024-03-01", 1200, 1200, 0)]  # opening only, no movement in March
    assert march[1920] == [("2024-03-01", 0, 300, 300)]
    assert march[2400] == [("2024-03-01", 0, -300, -300)]
    assert march[3000] == [("2024-03-01", -1200, -1200, 0)]  # 2024's result so far
    assert march[6300] == [("2024-03-01", 0, 0, 0)]  # 250 - 250 = 0, but it has lines in March

    # In 2025 the P&L accounts restart at 0 and have no lines: absent. The balance sheet carries over.
    february_2025 = all_balances(api, "2025-02-01", "2025-02-28")
    assert february_2025 == {
        1500: [("2025-02-01", 1200, 1200, 0)],
        1920: [("2025-02-01", 300, 300, 0)],
        2400: [("2025-02-01", -300, -300, 0)],
    }
    # before anything was posted: nothing at all
    assert all_balances(api, "2023-01-01", "2023-12-31") == {}


def test_all_accounts_agree_with_the_single_account_answer(api: Api) -> None:
    post_pair(api, "2024-01-15", 1500, 3000, 1200)
    post_pair(api, "2024-03-05", 1920, 2400, 300)

    listed = all_balances(api, "2024-01-01", "2024-03-31", periods="2024-02-10")
    for number, elements in listed.items():
        assert balances_of(api, number, "2024-01-01", "2024-03-31", periods="2024-02-10") == elements


# 9. Errors -------------------------------------------------------------------------------------------------

VALID = {"dateFrom": "2024-01-01", "dateTo": "2024-03-31"}


@pytest.mark.parametrize(
    ("params", "path", "keyword"),
    [
        pytest.param(
            {"dateFrom": "2024-04-01", "dateTo": "2024-03-31"}, "/dateFrom", None, id="from-after-to"
        ),
        pytest.param({**VALID, "dateFrom": "2024-13-01"}, "/dateFrom", "format", id="bad-month"),
        pytest.param({**VALID, "dateTo": "2024-02-30"}, "/dateTo", "format", id="bad-day"),
        pytest.param({"dateTo": "2024-03-31"}, "/dateFrom", "required", id="missing-from"),
        pytest.param({"dateFrom": "2024-01-01"}, "/dateTo", "required", id="missing-to"),
        pytest.param({**VALID, "periods": "2024-1-1"}, "/periods", "pattern", id="periods-short"),
        pytest.param({**VALID, "periods": "abc"}, "/periods", "pattern", id="periods-abc"),
        pytest.param({**VALID, "periods": "2024-01-10,"}, "/periods", "pattern", id="periods-trailing-comma"),
        pytest.param({**VALID, "periods": "2024-02-30"}, "/periods", None, id="periods-not-a-date"),
        pytest.param({**VALID, "periods": "2024-04-01"}, "/periods", None, id="periods-after-range"),
        pytest.param({**VALID, "periods": "2023-12-31"}, "/periods", None, id="periods-before-range"),
        pytest.param(
            {**VALID, "periods": "2024-02-01,2024-01-15"}, "/periods", None, id="periods-decreasing"
        ),
        pytest.param({**VALID, "periods": "2024-02-01,2024-02-01"}, "/periods", None, id="periods-repeated"),
        pytest.param({**VALID, "type": "Month"}, "/type", "enum", id="type-month"),
        pytest.param({**VALID, "keepIncoming": "perhaps"}, "/keepIncoming", None, id="keep-incoming"),
    ],
)
def test_bad_queries_are_400_in_the_vendor_validation_shape(
    api: Api, params: dict[str, str], path: str, keyword: str | None
) -> None:
    for url in (f"/v1/accountbalances/{api.account_id(1920)}", "/v1/accountbalances"):
        assert_validation_error(api.get(url, params=params), path, keyword)


def test_unknown_account_is_404(api: Api) -> None:
    assert_not_found(api.get("/v1/accountbalances/999999", params=VALID))
    assert_not_found(api.get("/v1/accountbalances/0", params=VALID))


@pytest.mark.parametrize("account_id", ["abc", "1.5", "-1", "2147483648", "99999999999999999999"])
def test_a_malformed_or_out_of_range_id_is_a_client_error(api: Api, account_id: str) -> None:
    # semantics.md: a malformed id is a 400, a well-formed one this organization lacks a 404; never a 500
    answer = api.get(f"/v1/accountbalances/{account_id}", params=VALID)
    if answer.status_code == 400:
        assert_validation_error(answer, "/id")
    else:
        assert_not_found(answer)


@pytest.mark.parametrize("accept", ["application/json", "application/hal"])
@pytest.mark.parametrize(
    ("date_from", "date_to"), [("9999-12-01", "9999-12-31"), ("9999-01-01", "9999-01-31")]
)
def test_the_last_representable_year_is_no_server_error(
    api: Api, accept: str, date_from: str, date_to: str
) -> None:
    # 9999-12-31 is a valid date, and the fiscal year 9999 ends on it: a range in that year must be answered
    # (200) or refused (400), never a 500
    answer = api.get(
        f"/v1/accountbalances/{api.account_id(1920)}",
        params={"dateFrom": date_from, "dateTo": date_to},
        headers={"Accept": accept},
    )
    if answer.status_code == 400:
        assert_validation_error(answer, "/dateTo")
    else:
        assert answer.status_code == 200, answer.text


def test_another_organization_s_account_is_404_and_its_lines_never_show(api: Api, engine: sa.Engine) -> None:
    other = new_organization(engine)
    with Api.for_organization(engine, other) as stranger:
        created = stranger.post("/v1/accounts", {"number": 1925, "name": "Fremmed bank"})
        assert created.status_code == 201, created.text
        foreign_id = int(created.json()["id"])
        post_pair(stranger, "2024-02-10", 1925, 2400, 5000)
        post_pair(stranger, "2024-02-11", 1920, 2400, 700)
        # the stranger sees its own figures: 5000 on 1925
        assert balances_of(stranger, 1925, "2024-02-01", "2024-02-29") == [("2024-02-01", 0, 5000, 5000)]
        stranger_1920 = stranger.account_id(1920)

    assert_not_found(api.get(f"/v1/accountbalances/{foreign_id}", params=VALID))
    # account ids are per organization: the same id is our own 1920, with our own (empty) books
    answer = api.get(
        f"/v1/accountbalances/{stranger_1920}", params={"dateFrom": "2024-02-01", "dateTo": "2024-02-29"}
    )
    assert answer.status_code == 200, answer.text
    assert rows(answer.json()[0]["balances"]) == [("2024-02-01", 0, 0, 0)]
    assert all_balances(api, "2024-01-01", "2024-12-31") == {}


# 10. Foreign currency --------------------------------------------------------------------------------------


def post_in_euro(api: Api, day: str, euros: float, rate: float, kroner: float) -> None:
    """EUR on 1920 at ``rate`` NOK per EUR, against ``kroner`` NOK on 2400."""
    currency = {"code": "EUR", "rate": rate}
    api.post_voucher(voucher(day, line(1920, euros, currency=currency), line(2400, -kroner)))


def test_foreign_currency_lines_count_at_their_base_amount_rounded_half_even(api: Api) -> None:
    # 100.01 × 11.4821 = 1148.324821 → 1148.32 (the third decimal is 4: down)
    post_in_euro(api, "2024-01-10", 100.01, 11.4821, 1148.32)
    # 1.00 × 10.125 = 10.125, a tie: half-even gives 10.12 (2 is even), half-up would give 10.13
    post_in_euro(api, "2024-02-10", 1.00, 10.125, 10.12)
    # 3.00 × 10.125 = 30.375, a tie: half-even gives 30.38 (7 is odd), truncation would give 30.37
    post_in_euro(api, "2024-02-11", 3.00, 10.125, 30.38)

    # February: 1148.32 + 10.12 + 30.38 = 1188.82, change 10.12 + 30.38 = 40.50
    assert balances_of(api, 1920, "2024-01-01", "2024-02-29") == [
        ("2024-01-01", 0, 1148.32, 1148.32),
        ("2024-02-01", 1148.32, 1188.82, 40.5),
    ]
    assert balances_of(api, 2400, "2024-01-01", "2024-02-29") == [
        ("2024-01-01", 0, -1148.32, -1148.32),
        ("2024-02-01", -1148.32, -1188.82, -40.5),
    ]
