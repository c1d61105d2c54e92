"""The change feed ``GET /v1/events``: complete, in commit order, resumable, and refusing bad cursors."""

from __future__ import annotations

import base64
import threading
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from kontobok.api.scopes import BANK_TRANSACTION_READ, TRANSACTION_READ
from kontobok.importers.camt053 import read_camt053
from kontobok.importers.jsonl import file_sha256
from kontobok.store.database import write_transaction
from kontobok.store.imports import claim_import, record_import_summary
from kontobok.store.organizations import Organization, get_organization
from kontobok.store.statement_import import import_statements
from tests.factories import Api, bank_account_body, line, voucher
from tests.fixtures import FIXTURES


def read_all(api: Api, after: str | None = None, limit: int = 100) -> tuple[list[dict[str, Any]], str]:
    events: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if after is not None:
            params["after"] = after
        answer = api.get("/v1/events", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json(parse_float=Decimal)
        events.extend(page["events"])
        after = page["next"]
        if not page["events"]:
            return events, after


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [event for event in events if event["type"] == kind]


def test_every_change_is_an_event_in_order_and_the_cursor_stays_usable(api: Api) -> None:
    events, cursor = read_all(api, limit=7)
    assert {event["type"] for event in events} >= {"account.created", "fiscalyear.opened", "taxcode.created"}
    assert len(of_type(events, "account.created")) == len(api.get("/v1/accounts").json())

    posted = api.post_voucher(voucher("2024-03-01", line(1920, 1500.5), line(3000, -1500.5)))
    reversal = api.post(f"/v1/transactions/{posted}/reverse", {})
    assert reversal.status_code in (200, 201), reversal.text
    account = api.post("/v1/accounts", {"number": 1930, "name": "Bank 2"})
    assert account.status_code == 201, account.text
    bank = api.post("/v1/bankaccounts", bank_account_body())
    assert bank.status_code == 201, bank.text
    closed = api.post("/v1/fiscalyears/2023/close", {})
    assert closed.status_code in (200, 204), closed.text

    new, again = read_all(api, cursor)
    assert [event["type"] for event in new] == [
        "transaction.posted",
        "transaction.reversed",
        "account.created",
        "bankaccount.created",
        "fiscalyear.closed",
    ]
    first = new[0]["data"]
    assert first["id"] == posted
    assert [(item["accountNumber"], item["amount"]) for item in first["lines"]] == [
        (1920, Decimal("1500.5")),
        (3000, Decimal("-1500.5")),
    ]
    assert new[1]["data"]["reversesTransactionId"] == posted
    assert new[2]["data"]["number"] == 1930
    assert new[4]["data"]["year"] == 2023
    ids = [event["id"] for event in events + new]
    assert len(set(ids)) == len(ids)
    # after the last event the page is empty and the cursor stays where it was
    assert read_all(api, again) == ([], again)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        base64.urlsafe_b64encode(b"v1:abc:0").decode(),
        base64.urlsafe_b64encode(b"v2:1:0").decode(),
        base64.urlsafe_b64encode(b"v1:1:0; DROP TABLE").decode(),
        "x" * 65,
    ],
)
def test_a_cursor_that_no_page_gave_is_400(api: Api, cursor: str) -> None:
    answer = api.get("/v1/events", params={"after": cursor})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["name"] == "ValidationError"


def test_limit_is_bounded_and_the_scopes_are_checked(engine: sa.Engine, organization: Organization) -> None:
    with Api.for_organization(engine, organization) as api:
        assert api.get("/v1/events", params={"limit": 1001}).status_code == 400
        assert api.get("/v1/events", params={"limit": 0}).status_code == 400
        assert len(api.get("/v1/events", params={"limit": 3}).json()["events"]) == 3
    with Api.for_organization(engine, organization, scopes=[TRANSACTION_READ]) as ledger_only:
        assert ledger_only.get("/v1/events").status_code == 403
    with Api.for_organization(engine, organization, scopes=[TRANSACTION_READ, BANK_TRANSACTION_READ]) as both:
        assert both.get("/v1/events").status_code == 200
    with Api.for_organization(engine, organization) as api:
        assert api.client.get("/v1/events").status_code == 401


def test_replaying_the_feed_rebuilds_every_balance(api: Api) -> None:
    api.post_voucher(voucher("2024-01-15", line(1920, 1000), line(3000, -800), line(2700, -200)))
    second = api.post_voucher(voucher("2024-02-03", line(6300, 250.25), line(1920, -250.25)))
    api.post_voucher(voucher("2024-02-28", line(1500, 99.99), line(3000, -99.99)))
    assert api.post(f"/v1/transactions/{second}/reverse", {"date": "2024-03-10"}).status_code in (200, 201)
    api.post_voucher(voucher("2024-03-31", line(1920, 0.01), line(3000, -0.01)))

    events, _ = read_all(api, limit=50)
    movement: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for event in events:
        if event["type"] in ("transaction.posted", "transaction.reversed"):
            for item in event["data"]["lines"]:
                movement[item["accountNumber"]][item["date"]] += item["amount"]
    answer = api.get("/v1/accountbalances", params={"dateFrom": "2024-01-01", "dateTo": "2024-03-31"})
    assert answer.status_code == 200
    records = answer.json(parse_float=Decimal)
    assert {record["account"]["number"] for record in records} == set(movement)
    for record in records:
        days = movement[record["account"]["number"]]
        for month in record["balances"]:
            in_month = sum(
                (amount for day, amount in days.items() if day[:7] == month["date"][:7]), Decimal(0)
            )
            assert Decimal(str(month["change"])) == in_month, (record["account"], month)
            before = sum((amount for day, amount in days.items() if day < month["date"]), Decimal(0))
            assert Decimal(str(month["opening"])) == before


@pytest.mark.parametrize("writers", [4])
def test_concurrent_writers_each_voucher_once_in_commit_order(api: Api, writers: int) -> None:
    _, cursor = read_all(api)
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(worker: int) -> None:
        for round_ in range(6):
            amount = worker * 100 + round_ + 1
            answer = api.post(
                "/v1/transactions", voucher("2024-05-02", line(1920, amount), line(3000, -amount))
            )
            assert answer.status_code == 201, answer.text
            with lock:
                acknowledged.append(answer.json()["transactionId"])

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    events, _ = read_all(api, cursor, limit=5)
    posted = [event["data"] for event in of_type(events, "transaction.posted")]
    assert sorted(item["id"] for item in posted) == sorted(acknowledged)
    # commit order: the voucher numbers of one series are handed out in the order the postings commit
    numbers = [item["number"] for item in posted]
    assert numbers == sorted(numbers)
    positions = [tuple(int(part) for part in event["id"].split(".")) for event in events]
    assert positions == sorted(positions)


def test_bank_changes_and_statement_imports_are_events(engine: sa.Engine, api: Api) -> None:
    _, cursor = read_all(api)
    account = api.post("/v1/bankaccounts", bank_account_body()).json()
    reported = api.post(
        f"/v1/bankaccounts/{account['id']}/balances",
        {"amount": 1000.25, "timestamp": "2024-06-01T10:00:00Z", "currency": {"code": "NOK"}},
    )
    assert reported.status_code == 201, reported.text
    outbound = api.post(
        "/v1/banktransactions",
        {
            "bankTransactionReference": "FEED-OUT-000001",
            "type": "outbound",
            "bankAccount": {"id": account["id"]},
            "paymentReference": {"type": "text", "value": "Husleie"},
            "amount": {"value": 250.5, "currency": {"code": "NOK"}},
            "date": "2024-06-02",
        },
    )
    assert outbound.status_code == 201, outbound.text
    statement = FIXTURES / "camt053-dvbern" / "business_sample_camt.053.001.04.xml"
    organization_id = api.organization.organization_id
    with write_transaction(engine) as connection:
        books = get_organization(connection, organization_id)
        assert claim_import(connection, organization_id, "camt053", file_sha256(statement))
        result = import_statements(connection, books, read_camt053(statement), kind="camt053")
        record_import_summary(connection, organization_id, "camt053", file_sha256(statement), "imported")

    events, _ = read_all(api, cursor)
    types = [event["type"] for event in events]
    assert types[:3] == ["bankaccount.created", "bankbalance.reported", "banktransaction.created"]
    assert types[-1] == "statement.imported"
    assert {"banktransaction.created", "bankbalance.reported"} <= set(types[3:-1])
    balance, transaction = events[1]["data"], events[2]["data"]
    assert (balance["amount"], balance["currency"], balance["date"]) == (
        Decimal("1000.25"),
        "NOK",
        "2024-06-01",
    )
    assert (transaction["amount"], transaction["type"]) == (Decimal("-250.5"), "outbound")
    assert transaction["bankAccountId"] == account["id"]
    assert events[-1]["data"] == {"kind": "camt053", "sha256": file_sha256(statement), "summary": "imported"}
    assert result.entries_added == types.count("banktransaction.created") - 1
