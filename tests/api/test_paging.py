"""Deep pages start from per-day line counts; they must list exactly what one big page lists."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Api, line, voucher

RANGE = {"dateFrom": "2024-01-01", "dateTo": "2024-02-01"}


def post_books(api: Api) -> None:
    # uneven days: 1 line on some days, many on others, three accounts, two transaction types
    for day in (2, 2, 2, 3, 5, 5, 9, 9, 9, 9, 17, 31):
        amount = day * 10
        api.post_voucher(
            voucher(
                f"2024-01-{day:02d}",
                line(1920, amount),
                line(3000, -amount + 1),
                line(1500, -1),
                type_number=5 if day % 2 else 1,
            )
        )
    api.post_voucher(voucher("2024-02-01", line(1920, 5), line(3000, -5)))  # outside the range


def ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()]


@pytest.mark.parametrize(
    "filters",
    [{}, {"accountNumber": 1920}, {"accountNumber": 1500}, {"transactionTypeId": 5}, {"accountNumber": 4000}],
    ids=["range only", "account 1920", "account 1500", "type filter (no counts)", "account without lines"],
)
def test_every_page_size_lists_the_same_lines_as_one_page(api: Api, filters: dict[str, Any]) -> None:
    post_books(api)
    everything = ids(api.get("/v1/transactionlines", params={**RANGE, **filters, "limit": 1000}))
    for limit in (1, 2, 5, 7):
        paged: list[str] = []
        page = 1
        while True:
            found = ids(
                api.get("/v1/transactionlines", params={**RANGE, **filters, "limit": limit, "page": page})
            )
            paged.extend(found)
            if len(found) < limit:
                break
            page += 1
        assert paged == everything, f"limit {limit}"
    past_end = api.get("/v1/transactionlines", params={**RANGE, **filters, "limit": 5, "page": 100})
    assert ids(past_end) == []


def test_an_account_filter_by_id_pages_like_one_by_number(api: Api) -> None:
    post_books(api)
    by_id = {"accountId": api.account_id(1920)}
    second_page = {**RANGE, "limit": 4, "page": 2}
    expected = ids(api.get("/v1/transactionlines", params={**second_page, "accountNumber": 1920}))
    assert ids(api.get("/v1/transactionlines", params={**second_page, **by_id})) == expected
    assert len(expected) == 4
    mismatched = {**second_page, **by_id, "accountNumber": 1500}
    assert ids(api.get("/v1/transactionlines", params=mismatched)) == []
