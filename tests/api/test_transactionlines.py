"""``GET /v1/transactionlines`` and ``/v1/transactionlines/{id}`` through real HTTP.

``dateFrom`` is inclusive, ``dateTo`` exclusive; filters are ANDed; the order is date, voucher number, line;
pages are ``limit`` lines long, and the RFC 8288 ``link`` header leads from the first page to the last.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.factories import Api, line, new_organization, voucher

EVERYTHING = {"dateFrom": "2000-01-01", "dateTo": "2100-01-01"}
LINK = re.compile(r'<([^>]*)>\s*;\s*rel="([a-z]+)"')

Key = tuple[str, int, Any]


def read(api: Api, **params: Any) -> list[dict[str, Any]]:
    answer = api.get("/v1/transactionlines", params={**EVERYTHING, "limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    lines: list[dict[str, Any]] = answer.json()
    return lines


def keys(lines: list[dict[str, Any]]) -> list[Key]:
    """Each line as ``(transaction id, account number, amount)``."""
    return [(item["transaction"]["id"], item["account"]["number"], item["amount"]) for item in lines]


def links(answer: httpx.Response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(answer.headers.get("link", ""))}


def validation_problems(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert body["error"]["name"] == "ValidationError"
    problems: list[dict[str, Any]] = body["error"]["payload"]["validationErrors"]
    assert problems
    return problems


def simple(day: str, amount: float = 100, *, type_number: int = 6, **extra: Any) -> dict[str, Any]:
    return voucher(day, line(1920, amount), line(3000, -amount), type_number=type_number, **extra)


# --- date range and order ----------------------------------------------------------------------------------


def test_date_from_is_inclusive_and_date_to_exclusive(api: Api) -> None:
    for day in ("2024-02-29", "2024-03-01", "2024-03-31", "2024-04-01"):
        api.post_voucher(simple(day))

    def days(date_from: str, date_to: str) -> list[str]:
        return sorted({item["date"] for item in read(api, dateFrom=date_from, dateTo=date_to)})

    assert days("2024-03-01", "2024-04-01") == ["2024-03-01", "2024-03-31"]
    assert days("2024-03-01", "2024-03-31") == ["2024-03-01"]
    assert days("2024-02-29", "2024-03-01") == ["2024-02-29"]
    assert days("2024-03-01", "2024-03-01") == []


def test_date_from_after_date_to_is_a_400(api: Api) -> None:
    validation_problems(
        api.get("/v1/transactionlines", params={"dateFrom": "2024-04-01", "dateTo": "2024-03-01"})
    )


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"dateTo": "2024-04-01"}, "/dateFrom"),
        ({"dateFrom": "2024-03-01"}, "/dateTo"),
    ],
)
def test_a_missing_date_is_a_400_required(api: Api, params: dict[str, str], path: str) -> None:
    problems = validation_problems(api.get("/v1/transactionlines", params=params))

    assert (path, "required") in {(p["path"], p["keyword"]) for p in problems}


def test_a_bad_date_is_a_400(api: Api) -> None:
    validation_problems(
        api.get("/v1/transactionlines", params={"dateFrom": "2024-13-01", "dateTo": "2024-04-01"})
    )


def test_lines_come_by_date_then_voucher_number_then_line(api: Api) -> None:
    late = api.post_voucher(simple("2024-03-10", 1))
    early_a = api.post_voucher(
        voucher("2024-03-05", line(1500, 1250), line(3000, -1250, tax=3))
    )  # lines 1500, 3000 net, 2700 VAT
    early_b = api.post_voucher(simple("2024-03-05", 2))
    earliest = api.post_voucher(simple("2024-03-01", 3))

    assert keys(read(api)) == [
        (earliest, 1920, 3),
        (earliest, 3000, -3),
        (early_a, 1500, 1250),
        (early_a, 3000, -1000),
        (early_a, 2700, -250),
        (early_b, 1920, 2),
        (early_b, 3000, -2),
        (late, 1920, 1),
        (late, 3000, -1),
    ]
    numbers = {item["transaction"]["id"]: item["transaction"]["number"] for item in read(api)}
    assert [numbers[t] for t in (late, early_a, early_b, earliest)] == [1, 2, 3, 4]


def test_a_line_carries_the_vendor_fields(api: Api) -> None:
    transaction_id = api.post_voucher(
        voucher(
            "2024-03-05",
            line(1500, 1250, invoice={"number": "F-77", "dueDate": "2024-03-19"}, periodDate="2024-02-01"),
            line(3000, -1250, tax=3, comment="Salg"),
            type_number=1,
            documentId=4711,
            comment="Faktura 77",
        )
    )

    first, second, _ = read(api)

    assert first["transaction"] == {"id": transaction_id, "number": 1}
    assert first["account"] == {"id": api.account_id(1500), "number": 1500, "name": "Kundefordringer"}
    assert first["transactionType"] == {"id": 1}
    assert first["date"] == "2024-03-05"
    assert first["periodDate"] == "2024-02-01"
    assert first["invoice"] == {"number": "F-77", "dueDate": "2024-03-19"}
    assert first["documentId"] == 4711
    assert first["currency"] == {"code": "NOK", "rate": 1}
    assert first["comment"] == "Faktura 77"  # the voucher's comment, where the line has none
    assert second["comment"] == "Salg"
    assert second["periodDate"] == "2024-03-05"
    assert first["createdAt"] == first["modifiedAt"]
    uuid.UUID(first["id"])


# --- filters -----------------------------------------------------------------------------------------------


def test_every_filter_alone_and_together(api: Api) -> None:
    # type 1 #1: 1500 +1250 (invoice F-1), 3000 −1000, 2700 −250
    v1 = api.post_voucher(
        voucher(
            "2024-05-02",
            line(1500, 1250, invoice={"number": "F-1"}),
            line(3000, -1250, tax=3),
            type_number=1,
        )
    )
    # type 1 #2: 1500 +500, 3000 −500
    v2 = api.post_voucher(voucher("2024-05-03", line(1500, 500), line(3000, -500), type_number=1))
    # type 6 #1: 1921 EUR 100 at 11.5 = 1150 NOK, 3000 −1150
    v3 = api.post_voucher(
        voucher(
            "2024-05-03",
            line(1921, 100, currency={"code": "EUR", "rate": 11.5}),
            line(3000, -1150),
            type_number=6,
        )
    )
    # type 6 #2: 1920 +200 (invoice F-1), 3100 −200
    v4 = api.post_voucher(
        voucher("2024-05-04", line(1920, 200, invoice={"number": "F-1"}), line(3100, -200), type_number=6)
    )
    everything = keys(read(api))
    assert len(everything) == 9

    def only(**params: Any) -> list[Key]:
        return keys(read(api, **params))

    assert only(transactionNumber=2) == [(v2, 1500, 500), (v2, 3000, -500), (v4, 1920, 200), (v4, 3100, -200)]
    assert only(transactionTypeId=1) == [
        (v1, 1500, 1250),
        (v1, 3000, -1000),
        (v1, 2700, -250),
        (v2, 1500, 500),
        (v2, 3000, -500),
    ]
    # v2 and v3 share 3 May: v3 (number 1 of its type) comes before v2 (number 2 of its type)
    sales = [(v1, 3000, -1000), (v3, 3000, -1150), (v2, 3000, -500)]
    assert only(accountNumber=3000) == sales
    assert only(accountId=api.account_id(3000)) == sales
    assert only(invoiceNumber="F-1") == [(v1, 1500, 1250), (v4, 1920, 200)]
    assert only(currencyCode="EUR") == [(v3, 1921, 100)]
    assert only(currencyCode="NOK") == [key for key in everything if key != (v3, 1921, 100)]
    # ANDed
    assert only(transactionTypeId=1, accountNumber=3000) == [(v1, 3000, -1000), (v2, 3000, -500)]
    assert only(transactionNumber=1, accountNumber=3000) == [(v1, 3000, -1000), (v3, 3000, -1150)]
    assert only(transactionNumber=1, transactionTypeId=6, accountNumber=3000) == [(v3, 3000, -1150)]
    assert only(invoiceNumber="F-1", transactionTypeId=6) == [(v4, 1920, 200)]
    assert only(accountNumber=3000, dateFrom="2024-05-03", dateTo="2024-05-04") == [
        (v3, 3000, -1150),
        (v2, 3000, -500),
    ]
    assert only(accountNumber=3000, currencyCode="EUR") == []
    assert only(accountNumber=9999) == []


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _zulu(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def test_created_and_modified_filters_keep_later_lines(api: Api) -> None:
    before = api.post_voucher(simple("2024-06-01", 1))
    after = api.post_voucher(simple("2024-05-01", 2))
    created = {item["transaction"]["id"]: _instant(item["createdAt"]) for item in read(api)}
    assert created[after] > created[before]
    between = _zulu(created[before] + timedelta(microseconds=1))
    later_lines = [(after, 1920, 2), (after, 3000, -2)]

    for name in ("createdFrom", "modifiedFrom", "createdAfter", "modifiedAfter"):
        assert keys(read(api, **{name: between})) == later_lines, name
    # inclusive: a line created exactly at createdFrom is kept
    assert keys(read(api, createdFrom=_zulu(created[after]))) == later_lines
    assert len(read(api, createdFrom=_zulu(created[before]))) == 4
    # without a zone the time is UTC
    naive = (created[before] + timedelta(microseconds=1)).replace(tzinfo=None).isoformat()
    assert keys(read(api, createdFrom=naive)) == later_lines
    # ANDed with the others
    assert keys(read(api, createdFrom=between, accountNumber=3000)) == [(after, 3000, -2)]
    assert read(api, createdFrom=_zulu(created[after] + timedelta(seconds=1))) == []


def test_dimensions_come_only_when_asked_for(api: Api) -> None:
    api.post_voucher(
        voucher(
            "2024-03-05",
            line(1920, 100, dimensions=[{"dimensionType": 1, "value": "P-100"}]),
            line(3000, -100),
        )
    )

    plain = read(api)
    with_dimensions = read(api, includeDimensions="true")

    assert all("dimensions" not in item for item in plain)
    assert [item["dimensions"] for item in with_dimensions] == [
        [{"dimensionType": 1, "value": "P-100", "name": "P-100"}],
        [],
    ]


# --- paging ------------------------------------------------------------------------------------------------


def seven_lines(api: Api) -> None:
    # 4 lines on 5 January and 3 on 6 January
    api.post_voucher(voucher("2024-01-05", line(1920, 30), line(3000, -10), line(3000, -10), line(3000, -10)))
    api.post_voucher(voucher("2024-01-06", line(1920, 20), line(3000, -10), line(3000, -10)))


def test_limit_defaults_to_50(api: Api) -> None:
    api.post_voucher(voucher("2024-03-05", *[line(1920, 1) for _ in range(59)], line(3000, -59)))

    first = api.get("/v1/transactionlines", params=EVERYTHING)
    second = api.get("/v1/transactionlines", params={**EVERYTHING, "page": 2})

    assert len(first.json()) == 50
    assert len(second.json()) == 10
    assert "next" in links(first)
    assert "next" not in links(second)


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"limit": 0}, "/limit"),
        ({"limit": -1}, "/limit"),
        ({"page": 0}, "/page"),
        ({"page": "x"}, "/page"),
    ],
)
def test_a_bad_limit_or_page_is_a_400(api: Api, params: dict[str, Any], path: str) -> None:
    problems = validation_problems(api.get("/v1/transactionlines", params={**EVERYTHING, **params}))

    assert path in {p["path"] for p in problems}


@pytest.mark.parametrize(
    "name", ["transactionNumber", "transactionTypeId", "customerId", "accountId", "accountNumber"]
)
@pytest.mark.parametrize("value", [2**31, 2**31 - 1, -(2**31), 2**63])
def test_a_filter_beyond_the_integer_range_is_never_a_500(api: Api, name: str, value: int) -> None:
    api.post_voucher(simple("2024-03-05"))

    answer = api.get("/v1/transactionlines", params={**EVERYTHING, name: value})

    assert answer.status_code in {200, 400}, answer.text
    if answer.status_code == 200:
        assert answer.json() == []
    else:
        validation_problems(answer)


def test_limit_1000_is_allowed(api: Api) -> None:
    assert api.get("/v1/transactionlines", params={**EVERYTHING, "limit": 1000}).status_code == 200


def test_pages_of_three_over_seven_lines(api: Api) -> None:
    seven_lines(api)
    all_ids = [item["id"] for item in read(api)]

    pages = [
        api.get("/v1/transactionlines", params={**EVERYTHING, "limit": 3, "page": page})
        for page in (1, 2, 3, 4)
    ]

    assert [[item["id"] for item in page.json()] for page in pages] == [
        all_ids[0:3],
        all_ids[3:6],
        all_ids[6:7],
        [],
    ]
    assert [sorted(links(page)) for page in pages] == [
        ["first", "next"],
        ["first", "next", "prev"],
        ["first", "prev"],
        ["first", "prev"],
    ]
    for number, page in enumerate(pages, start=1):
        found = links(page)
        assert httpx.URL(found["first"]).params["page"] == "1"
        assert httpx.URL(found["first"]).params["limit"] == "3"
        if "prev" in found:
            assert httpx.URL(found["prev"]).params["page"] == str(number - 1)
        if "next" in found:
            assert httpx.URL(found["next"]).params["page"] == str(number + 1)


def test_following_next_visits_every_line_once(api: Api) -> None:
    seven_lines(api)
    api.post_voucher(simple("2024-01-05", 5, type_number=1))  # two more lines, inside the range
    api.post_voucher(simple("2024-02-01", 5))  # outside the range
    params = {"dateFrom": "2024-01-01", "dateTo": "2024-02-01", "limit": 2, "accountNumber": 3000}
    expected = [item["id"] for item in read(api, **params | {"limit": 1000})]
    assert len(expected) == 6

    seen: list[str] = []
    answer = api.get("/v1/transactionlines", params=params)
    for _ in range(10):
        assert answer.status_code == 200, answer.text
        seen.extend(item["id"] for item in answer.json())
        following = links(answer).get("next")
        if following is None:
            break
        next_url = httpx.URL(following)
        assert next_url.params["accountNumber"] == "3000"
        answer = api.get(following)

    assert seen == expected


def test_a_page_far_past_the_end_is_empty(api: Api) -> None:
    seven_lines(api)

    answer = api.get("/v1/transactionlines", params={**EVERYTHING, "page": 10_000_000})

    assert answer.status_code == 200
    assert answer.json() == []
    assert sorted(links(answer)) == ["first", "prev"]


# --- one line ----------------------------------------------------------------------------------------------


def test_one_line_by_id(api: Api) -> None:
    api.post_voucher(
        voucher(
            "2024-03-05", line(1920, 100, dimensions=[{"dimensionType": 2, "value": "A"}]), line(3000, -100)
        )
    )
    listed = read(api, includeDimensions="true")

    answer = api.get(f"/v1/transactionlines/{listed[0]['id']}")

    assert answer.status_code == 200, answer.text
    assert answer.json() == listed[0]


def test_another_organizations_line_is_not_found(api: Api, engine: sa.Engine) -> None:
    api.post_voucher(simple("2024-03-05"))
    mine = read(api)[0]["id"]

    with Api.for_organization(engine, new_organization(engine)) as other:
        answer = other.get(f"/v1/transactionlines/{mine}")
        assert read(other) == []

    assert answer.status_code == 404
    body = answer.json()
    assert body["error"]["name"] == "NotFoundError"
    assert body["trackingId"] == answer.headers["X-Trace-Id"]


def test_an_unknown_line_is_not_found(api: Api) -> None:
    assert api.get(f"/v1/transactionlines/{uuid.uuid4()}").status_code == 404


@pytest.mark.parametrize("bad_id", ["not-a-guid", "123", "0000"])
def test_a_malformed_line_id_is_a_400(api: Api, bad_id: str) -> None:
    validation_problems(api.get(f"/v1/transactionlines/{bad_id}"))
