"""``GET /v1/transactionlines`` with a ``limit`` above 1000: the vendor sets no maximum, so kontobok answers
1000 lines a page and a client that follows the ``link`` header's ``next`` gets every line exactly once."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.api.test_transactions import validation_problems
from tests.factories import Api, line, voucher

RANGE = {"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}


def many_lines(api: Api, count: int, day: str) -> None:
    """One voucher of ``count`` lines (count even): pairs of 1920 debit and 3000 credit."""
    pairs = [(line(1920, n + 1), line(3000, -(n + 1))) for n in range(count // 2)]
    api.post_voucher(voucher(day, *(item for pair in pairs for item in pair)))


def next_link(answer: httpx.Response) -> str | None:
    found = re.search(r'<([^>]+)>; rel="next"', answer.headers["link"])
    return found.group(1) if found else None


def follow(api: Api, params: dict[str, Any]) -> tuple[list[str], list[int]]:
    """Every line id reached by following ``next`` from page 1, and each page's size."""
    answer = api.get("/v1/transactionlines", params=params)
    ids: list[str] = []
    sizes: list[int] = []
    while True:
        assert answer.status_code == 200, answer.text
        sizes.append(len(answer.json()))
        ids.extend(item["id"] for item in answer.json())
        url = next_link(answer)
        if url is None:
            return ids, sizes
        answer = api.get(url)


def test_a_limit_above_1000_is_served_1000_a_page_and_next_reaches_every_line(api: Api) -> None:
    for day in ("2024-03-05", "2024-03-06", "2024-03-07"):
        many_lines(api, 1000 if day != "2024-03-07" else 500, day)

    by_5000, sizes = follow(api, {**RANGE, "limit": 5000})
    by_1000, _ = follow(api, {**RANGE, "limit": 1000})

    assert sizes == [1000, 1000, 500]
    assert len(by_5000) == len(set(by_5000)) == 2500
    assert by_5000 == by_1000
    first = api.get("/v1/transactionlines", params={**RANGE, "limit": 5000})
    assert "limit=1000" in (next_link(first) or "")
    # page 2 asked directly with the large limit is the same second thousand
    page_two = api.get("/v1/transactionlines", params={**RANGE, "limit": 5000, "page": 2})
    assert [item["id"] for item in page_two.json()] == by_5000[1000:2000]


def test_the_largest_32_bit_limit_is_answered_and_nothing_beyond(api: Api) -> None:
    many_lines(api, 4, "2024-03-05")

    answer = api.get("/v1/transactionlines", params={**RANGE, "limit": 2**31 - 1})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()) == 4
    assert 'rel="next"' not in answer.headers["link"]
    for bad in (2**31, 0, -1):
        problems = validation_problems(api.get("/v1/transactionlines", params={**RANGE, "limit": bad}))
        assert "/limit" in {p["path"] for p in problems}
