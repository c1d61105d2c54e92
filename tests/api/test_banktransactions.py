"""``/v1/banktransactions`` through real HTTP, on both backends.

A bank transaction is posted with a positive ``amount.value`` and a direction (``type``); its own bank
account fills ``fromBankAccount`` (outbound) or ``toBankAccount`` (inbound). The reference is unique per
organization: a second ``POST`` with it is a 409 and stores nothing. Reading takes inclusive booking dates at
most two years apart, ``limit`` 1–100 and pages with an RFC 8288 ``link`` header.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.factories import Api, new_organization
from tests.powens import exact

D = Decimal
BBAN = "86011117947"
COUNTERPARTY = "12345678903"


def new_account(api: Api, number: str = BBAN, currency: str = "NOK") -> dict[str, Any]:
    answer = api.post(
        "/v1/bankaccounts",
        {
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
        },
    )
    assert answer.status_code == 201, answer.text
    account: dict[str, Any] = answer.json()
    return account


def transaction_body(
    account_id: str,
    reference: str,
    *,
    kind: str = "inbound",
    value: Any = 100,
    day: str = "2024-03-04",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "bankTransactionReference": reference,
        "type": kind,
        "bankAccount": {"id": account_id},
        "paymentReference": {"type": "text", "value": f"Betaling {reference}"},
        "amount": {"value": value, "currency": {"code": "NOK"}},
        "date": day,
        **extra,
    }


def post(api: Api, account_id: str, reference: str, **kwargs: Any) -> dict[str, Any]:
    answer = api.post("/v1/banktransactions", transaction_body(account_id, reference, **kwargs))
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = exact(answer)
    return created


def listed(api: Api, **params: Any) -> httpx.Response:
    query = {"dateFrom": "2024-01-01", "dateTo": "2024-12-31", **params}
    return api.get("/v1/banktransactions", params=query)


def references(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["bankTransactionReference"] for item in answer.json()]


def links(answer: httpx.Response) -> dict[str, str]:
    """``rel`` → URL of the ``link`` header."""
    header = answer.headers.get("link", "")
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', header)}


def page_of(url: str) -> int:
    found = re.search(r"[?&]page=(\d+)", url)
    assert found is not None, url
    return int(found.group(1))


def validation_paths(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert body["error"]["name"] == "ValidationError"
    problems = body["error"]["payload"]["validationErrors"]
    assert problems, body
    return [problem["path"] for problem in problems]


def assert_not_found(answer: httpx.Response) -> None:
    assert answer.status_code == 404, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert body["trackingId"] == answer.headers["X-Trace-Id"]


@pytest.fixture
def account_id(api: Api) -> str:
    return str(new_account(api)["id"])


# --- posting -----------------------------------------------------------------------------------------------


def test_inbound_and_outbound_fill_their_own_side(api: Api, account_id: str) -> None:
    inbound = post(
        api,
        account_id,
        "INBOUND-0000001",
        value=1500.5,
        fromBankAccount={"number": COUNTERPARTY, "type": "bban"},
    )
    outbound = post(
        api,
        account_id,
        "OUTBOUND-000001",
        kind="outbound",
        value=0.35,
        day="2024-03-05",
        toBankAccount={"number": COUNTERPARTY, "type": "bban"},
    )

    for created in (inbound, outbound):
        assert created["status"] == "created"
        assert created["bankAccount"] == {"id": account_id}
        assert created["createdAt"].endswith("Z")
    assert inbound["type"] == "inbound"
    assert inbound["amount"] == {"value": D("1500.5"), "currency": {"code": "NOK"}}
    assert inbound["date"] == "2024-03-04"
    assert inbound["toBankAccount"] == {"number": BBAN, "type": "bban"}
    assert inbound["fromBankAccount"] == {"number": COUNTERPARTY, "type": "bban"}
    assert inbound["paymentReference"] == {"type": "text", "value": "Betaling INBOUND-0000001"}
    assert outbound["type"] == "outbound"
    assert outbound["amount"] == {"value": D("0.35"), "currency": {"code": "NOK"}}
    assert outbound["fromBankAccount"] == {"number": BBAN, "type": "bban"}
    assert outbound["toBankAccount"] == {"number": COUNTERPARTY, "type": "bban"}

    for created in (inbound, outbound):
        fetched = api.get(f"/v1/banktransactions/{created['bankTransactionReference']}")
        assert fetched.status_code == 200, fetched.text
        assert exact(fetched) == created
    assert exact(listed(api)) == [inbound, outbound]


def test_without_the_other_side_only_the_own_side_is_filled(api: Api, account_id: str) -> None:
    inbound = post(api, account_id, "INBOUND-NOFROM-1")
    assert inbound["toBankAccount"] == {"number": BBAN, "type": "bban"}
    assert inbound.get("fromBankAccount") in (None, {"number": None, "type": None})


def test_a_duplicate_reference_is_409_and_stores_nothing(api: Api, account_id: str) -> None:
    first = post(api, account_id, "DUPLICATE-00001", value=100)
    again = api.post(
        "/v1/banktransactions",
        transaction_body(account_id, "DUPLICATE-00001", kind="outbound", value=999, day="2024-03-09"),
    )

    assert again.status_code == 409, again.text
    assert again.json()["trackingId"] == again.headers["X-Trace-Id"]
    assert exact(api.get("/v1/banktransactions/DUPLICATE-00001")) == first
    assert references(listed(api)) == ["DUPLICATE-00001"]


def test_the_reference_is_unique_per_organization_only(api: Api, engine: sa.Engine, account_id: str) -> None:
    post(api, account_id, "SHARED-REF-0001")
    with Api.for_organization(engine, new_organization(engine)) as other:
        theirs = str(new_account(other)["id"])
        assert post(other, theirs, "SHARED-REF-0001", value=7)["amount"]["value"] == 7
    assert exact(api.get("/v1/banktransactions/SHARED-REF-0001"))["amount"]["value"] == 100


@pytest.mark.parametrize(
    ("change", "path"),
    [
        pytest.param({"bankTransactionReference": "REF-12345"}, "/bankTransactionReference", id="9-chars"),
        pytest.param({"bankTransactionReference": "R" * 131}, "/bankTransactionReference", id="131-chars"),
        pytest.param({"amount": {"value": 0, "currency": {"code": "NOK"}}}, "/amount/value", id="zero"),
        pytest.param({"amount": {"value": -5, "currency": {"code": "NOK"}}}, "/amount/value", id="negative"),
        pytest.param(
            {"amount": {"value": 1.005, "currency": {"code": "NOK"}}}, "/amount/value", id="three-decimals"
        ),
        pytest.param({"bankAccount": {"id": str(uuid.uuid4())}}, "/bankAccount/id", id="unknown-account"),
        pytest.param({"bankAccount": {"id": "not-a-guid"}}, "/bankAccount/id", id="malformed-account"),
        pytest.param({"type": "sideways"}, "/type", id="bad-type"),
    ],
)
def test_bad_input_is_400_and_stores_nothing(
    api: Api, account_id: str, change: dict[str, Any], path: str
) -> None:
    body = {**transaction_body(account_id, "BAD-INPUT-00001"), **change}
    assert path in validation_paths(api.post("/v1/banktransactions", body))
    assert references(listed(api)) == []


def test_ten_and_130_characters_are_accepted(api: Api, account_id: str) -> None:
    post(api, account_id, "R" * 10)
    post(api, account_id, "S" * 130)
    assert sorted(references(listed(api))) == ["R" * 10, "S" * 130]


def test_another_organizations_account_is_unknown(api: Api, engine: sa.Engine) -> None:
    with Api.for_organization(engine, new_organization(engine)) as other:
        theirs = str(new_account(other)["id"])
        answer = api.post("/v1/banktransactions", transaction_body(theirs, "FOREIGN-ACCOUNT-1"))
        assert "/bankAccount/id" in validation_paths(answer)
        assert references(listed(other)) == []


# --- reading -----------------------------------------------------------------------------------------------


def test_date_range_is_inclusive_and_ordered(api: Api, account_id: str) -> None:
    for reference, day in [
        ("REF-D-0000003", "2024-03-03"),
        ("REF-B-0000002", "2024-03-02"),
        ("REF-A-0000002", "2024-03-02"),
        ("REF-E-0000001", "2024-03-01"),
        ("REF-C-0000004", "2024-03-04"),
    ]:
        post(api, account_id, reference, day=day)

    answer = listed(api, dateFrom="2024-03-02", dateTo="2024-03-03")
    assert references(answer) == ["REF-A-0000002", "REF-B-0000002", "REF-D-0000003"]
    assert references(listed(api, dateFrom="2024-03-04", dateTo="2024-03-04")) == ["REF-C-0000004"]
    assert references(listed(api, dateFrom="2024-03-05", dateTo="2024-03-31")) == []


def test_the_range_is_at_most_two_years(api: Api, account_id: str) -> None:
    assert listed(api, dateFrom="2023-01-01", dateTo="2025-01-01").status_code == 200
    assert "/dateTo" in validation_paths(listed(api, dateFrom="2023-01-01", dateTo="2025-01-02"))
    assert validation_paths(listed(api, dateFrom="2024-03-05", dateTo="2024-03-04"))
    assert validation_paths(listed(api, dateFrom="2024-02-30"))


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": 1001}])
def test_limit_and_page_are_bounded(api: Api, params: dict[str, int]) -> None:
    assert [path.lstrip("/") for path in validation_paths(listed(api, **params))] == list(params)


def test_limit_100_and_page_1000_are_allowed(api: Api) -> None:
    assert listed(api, limit=100).status_code == 200
    assert listed(api, page=1000).json() == []


def test_paging_with_the_link_header(api: Api, account_id: str) -> None:
    expected = [f"PAGE-REF-{n:05d}" for n in range(1, 8)]
    for n, reference in enumerate(expected, start=1):
        post(api, account_id, reference, day=f"2024-03-{n:02d}")

    first = listed(api, limit=3)
    assert references(first) == expected[:3]
    first_links = links(first)
    assert set(first_links) == {"first", "self", "next"}
    assert (page_of(first_links["first"]), page_of(first_links["self"]), page_of(first_links["next"])) == (
        1,
        1,
        2,
    )

    seen: list[str] = []
    url: str | None = first_links["first"]
    pages: list[dict[str, str]] = []
    while url is not None:
        answer = api.get(url)
        seen += references(answer)
        pages.append(links(answer))
        url = pages[-1].get("next")
    assert seen == expected
    assert len(pages) == 3
    middle, last = pages[1], pages[2]
    assert set(middle) == {"first", "self", "prev", "next"}
    assert (page_of(middle["prev"]), page_of(middle["self"]), page_of(middle["next"])) == (1, 2, 3)
    assert set(last) == {"first", "self", "prev"}
    assert (page_of(last["prev"]), page_of(last["self"])) == (2, 3)
    # the link keeps the query: the same filter, the same limit
    assert "limit=3" in last["first"]
    assert "dateFrom=2024-01-01" in last["first"]

    past_the_end = listed(api, limit=3, page=4)
    assert past_the_end.json() == []
    assert "next" not in links(past_the_end)


def test_a_full_last_page_has_no_next(api: Api, account_id: str) -> None:
    for n in range(1, 5):
        post(api, account_id, f"FULL-PAGE-{n:05d}")
    second = listed(api, limit=2, page=2)
    assert len(second.json()) == 2
    assert set(links(second)) == {"first", "self", "prev"}


def test_bank_account_filter(api: Api, account_id: str) -> None:
    other_account = str(new_account(api, number=COUNTERPARTY)["id"])
    post(api, account_id, "FILTER-MINE-001")
    post(api, other_account, "FILTER-OTHER-01")
    post(api, account_id, "FILTER-MINE-002", day="2024-03-05")

    assert references(listed(api, bankAccountId=account_id)) == ["FILTER-MINE-001", "FILTER-MINE-002"]
    assert references(listed(api, bankAccountId=other_account)) == ["FILTER-OTHER-01"]
    assert references(listed(api, bankAccountId=str(uuid.uuid4()))) == []
    assert references(listed(api)) == ["FILTER-MINE-001", "FILTER-OTHER-01", "FILTER-MINE-002"]
    assert validation_paths(listed(api, bankAccountId="not-a-guid"))


def test_reading_an_unknown_or_foreign_reference_is_404(api: Api, engine: sa.Engine) -> None:
    assert_not_found(api.get("/v1/banktransactions/NO-SUCH-REFERENCE"))
    with Api.for_organization(engine, new_organization(engine)) as other:
        theirs = str(new_account(other)["id"])
        post(other, theirs, "THEIR-REFERENCE-1")
        assert other.get("/v1/banktransactions/THEIR-REFERENCE-1").status_code == 200
    assert_not_found(api.get("/v1/banktransactions/THEIR-REFERENCE-1"))
    assert references(listed(api)) == []
