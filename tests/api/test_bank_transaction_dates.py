"""``GET /v1/banktransactions``: ``dateFrom`` and ``dateTo`` accept ISO 8601 date-times, as the vendor
documents, meaning their day in the organization's time zone (Europe/Oslo here); garbage stays a 400."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.test_transactions import validation_problems
from tests.factories import Api
from tests.test_reconcile import bank_transaction, new_bank_account


def booked(api: Api, date_from: str, date_to: str) -> list[str]:
    answer = api.get("/v1/banktransactions", params={"dateFrom": date_from, "dateTo": date_to})
    assert answer.status_code == 200, answer.text
    return [item["date"] for item in answer.json()]


@pytest.fixture
def three_days(api: Api) -> Api:
    account_id = new_bank_account(api)
    for day in ("2023-12-31", "2024-01-01", "2024-01-02"):
        bank_transaction(api, account_id, f"DATES-{day}", day, Decimal("100"))
    return api


def test_a_date_time_means_its_day_in_the_organization_s_time_zone(three_days: Api) -> None:
    api = three_days
    assert booked(api, "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z") == ["2024-01-01"]
    # 23:30 UTC on 31 December is 00:30 on 1 January in Oslo; 23:00 UTC on 1 January is midnight on the 2nd
    assert booked(api, "2023-12-31T23:30:00Z", "2024-01-01T23:00:00Z") == ["2024-01-01", "2024-01-02"]
    # 22:59 UTC on 1 January is still the 1st in Oslo; an explicit offset counts the same way
    assert booked(api, "2023-12-31T22:59:59Z", "2024-01-01T22:59:59Z") == ["2023-12-31", "2024-01-01"]
    assert booked(api, "2024-01-01T00:30:00+01:00", "2024-01-02T08:00:00.5+0100") == [
        "2024-01-01",
        "2024-01-02",
    ]
    # without an offset the time is already Oslo's
    assert booked(api, "2023-12-31T23:30:00", "2023-12-31 23:59") == ["2023-12-31"]
    assert booked(api, "2023-12-31", "2024-01-02") == ["2023-12-31", "2024-01-01", "2024-01-02"]


@pytest.mark.parametrize(
    "bad",
    [
        "2024-01-01garbage",
        "20240101",
        "1704067200",
        "2024-01-01T25:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-01T00:00:00+25:00",
        "2024-01-01T",
        "",
        "0001-01-01T00:30:00+01:00",
    ],
)
def test_garbage_is_still_a_400(three_days: Api, bad: str) -> None:
    for params, path in (
        ({"dateFrom": bad, "dateTo": "2024-01-02"}, "/dateFrom"),
        ({"dateFrom": "2024-01-01", "dateTo": bad}, "/dateTo"),
    ):
        problems = validation_problems(three_days.get("/v1/banktransactions", params=params))
        assert path in {p["path"] for p in problems}, (bad, problems)
