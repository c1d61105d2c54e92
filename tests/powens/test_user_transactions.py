"""``GET /2.0/users/{userId}/transactions`` (every account, Powens' filters), ``/transactions/{id}`` and
``/users/me``, field by field against the Powens notes; errors in Powens' shape.

The book is :func:`tests.powens.seed_bank_book` (eleven transactions on one account) and a second EUR
account with two more.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kontobok.api.powens.transactions import PowensTransaction, PowensTransactionsList
from kontobok.api.scopes import BANK_ACCOUNT_READ
from kontobok.store.bank_accounts import BankAccount
from kontobok.store.bank_transactions import BankTransaction, add_bank_transactions
from kontobok.store.clock import utc_now
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization
from tests.factories import Api, new_organization
from tests.powens import assert_powens_error, exact, new_bank_account, seed_bank_book

D = Decimal
TRANSACTION_FIELDS = {
    "id", "id_account", "date", "rdate", "vdate", "bdate", "application_date", "value", "gross_value",
    "original_wording", "wording", "type", "coming", "currency", "active", "deleted", "last_update",
}  # fmt: skip


@pytest.fixture
def accounts(engine: sa.Engine, organization: Organization) -> tuple[BankAccount, BankAccount]:
    seeded = seed_bank_book(engine, organization)
    euro = new_bank_account(engine, organization, currency="EUR")
    with write_transaction(engine) as connection:
        add_bank_transactions(
            connection,
            organization.organization_id,
            [
                BankTransaction("REF-SAV-0001", euro.bank_account_id, 3_500_50, "EUR", date(2024, 2, 1),
                                payment_reference_value="Rente februar"),
                BankTransaction("REF-SAV-0002", euro.bank_account_id, -350_050, "EUR", date(2024, 2, 20),
                                payment_reference_value="Overføring"),
            ],
        )  # fmt: skip
    return seeded, euro


def listed(api: Api, **params: Any) -> dict[str, Any]:
    answer = api.get("/2.0/users/me/transactions", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = exact(answer)
    PowensTransactionsList.model_validate(body)
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["transactions"]]


def test_every_account_in_booking_order_with_powens_fields(
    api: Api, accounts: tuple[BankAccount, BankAccount]
) -> None:
    body = listed(api, limit=1000)
    assert body["total"] == 13
    assert ids(body)[:4] == ["REF-NOK-0001", "REF-NOK-0002", "REF-NOK-0003", "REF-NOK-0004"]
    assert {"REF-SAV-0001", "REF-EUR-0002"} <= set(ids(body))
    assert (body["first_date"], body["last_date"]) == ("2024-01-03", "2024-03-12")
    for item in body["transactions"]:
        assert set(item) == TRANSACTION_FIELDS
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", item["last_update"])
        assert (item["active"], item["deleted"], item["coming"]) == (True, None, False)
    saving = next(item for item in body["transactions"] if item["id"] == "REF-SAV-0001")
    assert (saving["value"], saving["gross_value"]) == (D("3500.5"), D("3500.5"))
    assert saving["id_account"] == str(accounts[1].bank_account_id)
    assert saving["currency"] == {"id": "EUR", "symbol": "€"}
    assert saving["wording"] == saving["original_wording"] == "Rente februar"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_date": "2024-02-01", "max_date": "2024-02-10"},
         ["REF-SAV-0001", "REF-NOK-0006", "REF-NOK-0007", "REF-EUR-0001"]),
        ({"income": "true", "max_date": "2024-01-31"}, ["REF-NOK-0001", "REF-NOK-0003", "REF-NOK-0005"]),
        ({"income": "false", "max_date": "2024-01-31"}, ["REF-NOK-0002", "REF-NOK-0004"]),
        ({"wording": "RENTE"}, ["REF-SAV-0001"]),
        ({"wording": "%"}, []),
        ({"value": "3500.50"}, ["REF-SAV-0001"]),
        ({"value": "-3500.5"}, ["REF-NOK-0002", "REF-SAV-0002"]),
        ({"value": "3500.5|-3500.5"}, ["REF-NOK-0002", "REF-SAV-0001", "REF-SAV-0002"]),
        ({"value": "±3500.5"}, ["REF-NOK-0002", "REF-SAV-0001", "REF-SAV-0002"]),
        ({"value": "100"}, ["REF-EUR-0001"]),
        ({"value": "0.001"}, []),
        ({"all": "true", "min_date": "2024-03-04"}, ["REF-NOK-0008", "REF-NOK-0009"]),
    ],
)  # fmt: skip
def test_filters(
    api: Api, accounts: tuple[BankAccount, BankAccount], params: dict[str, str], expected: list[str]
) -> None:
    body = listed(api, **params)
    assert sorted(ids(body)) == sorted(expected)
    assert body["total"] == len(expected)


def test_pages_with_offset_and_limit(api: Api, accounts: tuple[BankAccount, BankAccount]) -> None:
    every = ids(listed(api, limit=1000))
    pages = [ids(listed(api, limit=5, offset=offset)) for offset in (0, 5, 10)]
    assert [item for page in pages for item in page] == every
    assert listed(api, limit=5, offset=10)["total"] == 13


def test_last_update_gives_what_changed_since_the_last_sync(
    api: Api, engine: sa.Engine, organization: Organization, accounts: tuple[BankAccount, BankAccount]
) -> None:
    zone = ZoneInfo(organization.time_zone)
    time.sleep(1.1)  # last_update is written to the second
    synced = datetime.now(zone).strftime("%Y-%m-%d %H:%M:%S")
    time.sleep(1.1)
    assert listed(api, last_update=synced)["transactions"] == []
    with write_transaction(engine) as connection:
        add_bank_transactions(
            connection,
            organization.organization_id,
            [BankTransaction("REF-NEW-0001", accounts[0].bank_account_id, 100, "NOK", date(2024, 3, 20))],
        )
    assert ids(listed(api, last_update=synced)) == ["REF-NEW-0001"]
    assert ids(listed(api, last_update=utc_now().isoformat())) == []
    # the same instant with an offset, and the whole book before it
    assert ids(listed(api, last_update=datetime.fromisoformat(synced).replace(tzinfo=zone).isoformat())) == [
        "REF-NEW-0001"
    ]
    assert listed(api, last_update="2000-01-01 00:00:00")["total"] == 14


@pytest.mark.parametrize(
    "params",
    [
        {"value": "abc"},
        {"value": "--5"},
        {"value": "5|-x"},
        {"last_update": "yesterday"},
        {"last_update": "2024-13-01 00:00:00"},
        {"min_date": "2024-02-30"},
        {"min_date": "2024-03-01", "max_date": "2024-02-01"},
        {"income": "maybe"},
        {"limit": "0"},
        {"limit": "1001"},
        {"offset": "-1"},
    ],
)
def test_bad_filters_are_a_400_in_powens_shape(
    api: Api, accounts: tuple[BankAccount, BankAccount], params: dict[str, str]
) -> None:
    assert_powens_error(api.get("/2.0/users/me/transactions", params=params), 400)


def test_one_transaction_by_id(
    api: Api, engine: sa.Engine, accounts: tuple[BankAccount, BankAccount]
) -> None:
    answer = api.get("/2.0/users/me/transactions/REF-NOK-0002")
    assert answer.status_code == 200, answer.text
    item = exact(answer)
    PowensTransaction.model_validate(item)
    assert set(item) == TRANSACTION_FIELDS
    assert (item["id"], item["date"], item["value"]) == ("REF-NOK-0002", "2024-01-08", D("-3500.5"))
    assert_powens_error(api.get("/2.0/users/me/transactions/NO-SUCH-REF-01"), 404)
    assert_powens_error(api.get("/2.0/users/999999/transactions/REF-NOK-0002"), 404)
    with Api.for_organization(engine, new_organization(engine)) as other:
        assert_powens_error(other.get("/2.0/users/me/transactions/REF-NOK-0002"), 404)
        assert listed(other)["transactions"] == []


def test_the_transaction_scope_is_needed(
    engine: sa.Engine, organization: Organization, accounts: tuple[BankAccount, BankAccount]
) -> None:
    with Api.for_organization(engine, organization, scopes=[BANK_ACCOUNT_READ]) as narrow:
        assert_powens_error(narrow.get("/2.0/users/me/transactions"), 403)
        assert_powens_error(narrow.get("/2.0/users/me/transactions/REF-NOK-0002"), 403)


def test_users_me(api: Api, organization: Organization) -> None:
    answer = api.get("/2.0/users/me")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"id", "signin", "platform"}
    assert (body["id"], body["platform"]) == (organization.organization_id, "kontobok")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body["signin"])
    assert api.get(f"/2.0/users/{organization.organization_id}").json() == body
    assert_powens_error(api.get("/2.0/users/12345678"), 404)
    assert_powens_error(api.client.get("/2.0/users/me"), 401)


def test_accounts_balances_map_and_coming(api: Api, engine: sa.Engine, organization: Organization) -> None:
    first = new_bank_account(engine, organization, "10000000001", currency="NOK")
    second = new_bank_account(engine, organization, "10000000002", currency="NOK")
    third = new_bank_account(engine, organization, "10000000003", currency="EUR")
    future = date.today().replace(year=date.today().year + 1)
    with write_transaction(engine) as connection:
        add_bank_transactions(
            connection,
            organization.organization_id,
            [
                BankTransaction("REF-MAP-0001", first.bank_account_id, 100_50, "NOK", date(2024, 1, 1)),
                BankTransaction("REF-MAP-0002", second.bank_account_id, 200_25, "NOK", date(2024, 1, 1)),
                BankTransaction("REF-MAP-0003", third.bank_account_id, -5_00, "EUR", date(2024, 1, 1)),
                BankTransaction("REF-MAP-0004", first.bank_account_id, -40_00, "NOK", future),
            ],
        )
    body = exact(api.get("/2.0/users/me/accounts"))
    assert body["balances"] == {"EUR": -5, "NOK": D("300.75")}
    by_id = {item["id"]: item for item in body["accounts"]}
    assert by_id[str(first.bank_account_id)]["coming"] == -40
    assert by_id[str(first.bank_account_id)]["balance"] == D("100.5")
    assert by_id[str(second.bank_account_id)]["coming"] == 0
    assert exact(api.get("/2.0/users/me/transactions/REF-MAP-0004"))["coming"] is True
