"""``GET /2.0/users/{userId}/accounts`` and ``/accounts/{accountId}/transactions``.

The book is :func:`tests.powens.seed_bank_book`: eleven transactions (nine NOK, two EUR) on one account,
which, ordered by booking day and reference, are:

    01-03 NOK-0001, 01-08 NOK-0002, 01-10 NOK-0003, 01-20 NOK-0004, 01-31 NOK-0005, 02-05 NOK-0006,
    02-09 NOK-0007, 02-10 EUR-0001, 03-01 EUR-0002, 03-04 NOK-0008, 03-12 NOK-0009
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kontobok.api.powens.accounts import PowensAccountsList
from kontobok.api.powens.transactions import PowensTransactionsList
from kontobok.api.scopes import BANK_ACCOUNT_READ, BANK_TRANSACTION_READ
from kontobok.store.bank_accounts import BankAccount
from kontobok.store.bank_transactions import BankTransaction, add_bank_transactions
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization
from tests.factories import Api, new_organization
from tests.powens import (
    BBAN,
    EUR_TRANSACTIONS,
    IBAN,
    NOK_TRANSACTIONS,
    assert_powens_error,
    exact,
    new_bank_account,
    random_id,
    seed_bank_book,
)

D = Decimal
IN_ORDER = [
    reference
    for reference, day, _, _ in sorted(
        NOK_TRANSACTIONS + EUR_TRANSACTIONS, key=lambda item: (item[1], item[0])
    )
]


def transactions_path(account_id: object, user: object = "me") -> str:
    return f"/2.0/users/{user}/accounts/{account_id}/transactions"


def transactions_of(api: Api, account_id: object, **params: Any) -> dict[str, Any]:
    answer = api.get(transactions_path(account_id), params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = exact(answer)
    return body


def references(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["transactions"]]


@pytest.fixture
def account(engine: sa.Engine, organization: Organization) -> BankAccount:
    return seed_bank_book(engine, organization)


# --- accounts ----------------------------------------------------------------------------------------------


def test_accounts_are_listed_with_todays_balance(
    api: Api, engine: sa.Engine, organization: Organization, account: BankAccount
) -> None:
    empty = new_bank_account(engine, organization)

    answer = api.get("/2.0/users/me/accounts")

    assert answer.status_code == 200, answer.text
    body = exact(answer)
    assert body["total"] == 2
    PowensAccountsList.model_validate(body)
    seeded, bare = body["accounts"]
    zone = ZoneInfo(organization.time_zone)
    assert seeded == {
        "id": str(account.bank_account_id),
        "id_user": organization.organization_id,
        "number": IBAN,
        "iban": IBAN,
        "name": "Driftskonto",
        # the bank's 749.75 at the end of 2024-02-15, - 1,000.00 (03-04) + 300.00 (03-12) booked after it
        "balance": D("49.75"),
        # nothing is booked after today
        "coming": 0,
        "currency": {"id": "NOK", "symbol": "kr"},
        "type": "checking",
        "disabled": False,
        # created now, after every balance the bank reported (2024)
        "last_update": account.modified_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
    }
    # the bare account has no balance, so only the seeded one counts
    assert body["balances"] == {"NOK": D("49.75")}
    assert bare["id"] == str(empty.bank_account_id)
    assert (bare["number"], bare["iban"], bare["balance"]) == (BBAN, None, None)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", bare["last_update"])


def test_an_account_with_transactions_only_sums_them(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    account = new_bank_account(engine, organization, currency="EUR")
    with write_transaction(engine) as connection:
        add_bank_transactions(
            connection,
            organization.organization_id,
            [
                BankTransaction("REF-ONLY-0001", account.bank_account_id, 12_345, "EUR", date(2024, 5, 1)),
                BankTransaction("REF-ONLY-0002", account.bank_account_id, -345, "EUR", date(2024, 5, 2)),
            ],
        )

    (listed,) = exact(api.get("/2.0/users/me/accounts"))["accounts"]

    # no balance reported: 123.45 - 3.45 = 120.00, written as 120
    assert (listed["balance"], listed["currency"]) == (120, {"id": "EUR", "symbol": "€"})


def test_no_accounts(api: Api, organization: Organization) -> None:
    body = api.get(f"/2.0/users/{organization.organization_id}/accounts").json()

    assert body == {"accounts": [], "balances": {}, "total": 0}


def test_accounts_of_another_user_are_a_404(api: Api, engine: sa.Engine, account: BankAccount) -> None:
    other = new_organization(engine)

    assert_powens_error(api.get(f"/2.0/users/{other.organization_id}/accounts"), 404, "notFound")
    assert_powens_error(api.get("/2.0/users/you/accounts"), 404, "notFound")


def test_another_organizations_accounts_are_not_listed(
    api: Api, engine: sa.Engine, account: BankAccount
) -> None:
    seed_bank_book(engine, new_organization(engine))

    assert [item["id"] for item in api.get("/2.0/users/me/accounts").json()["accounts"]] == [
        str(account.bank_account_id)
    ]


def test_listing_accounts_needs_the_account_scope(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    assert_powens_error(api.client.get("/2.0/users/me/accounts"), 401)
    with Api.for_organization(engine, organization, scopes=[BANK_TRANSACTION_READ]) as limited:
        assert_powens_error(limited.get("/2.0/users/me/accounts"), 403)


# --- transactions ------------------------------------------------------------------------------------------


def test_all_transactions_by_default(api: Api, account: BankAccount) -> None:
    body = transactions_of(api, account.bank_account_id)

    assert references(body) == IN_ORDER
    assert body["total"] == 11
    PowensTransactionsList.model_validate(body)
    assert (body["first_date"], body["last_date"]) == ("2024-01-03", "2024-03-12")
    assert (body["result_min_date"], body["result_max_date"]) == ("2024-01-03", "2024-03-12")


def test_a_transaction_as_powens_writes_it(api: Api, account: BankAccount) -> None:
    items = {item["id"]: item for item in transactions_of(api, account.bank_account_id)["transactions"]}

    assert items["REF-NOK-0002"] == {
        "id": "REF-NOK-0002",
        "id_account": str(account.bank_account_id),
        "date": "2024-01-08",
        "rdate": "2024-01-08",
        "vdate": "2024-01-09",
        "value": D("-3500.5"),
        "original_wording": "Betaling REF-NOK-0002",
        "wording": "Betaling REF-NOK-0002",
        "type": "transfer",
        "coming": False,
        "currency": {"id": "NOK", "symbol": "kr"},
        "bdate": "2024-01-08",
        "application_date": "2024-01-08",
        "gross_value": D("-3500.5"),
        "active": True,
        "deleted": None,
        "last_update": items["REF-NOK-0002"]["last_update"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", items["REF-NOK-0002"]["last_update"])
    assert (items["REF-EUR-0001"]["value"], items["REF-EUR-0001"]["vdate"]) == (100, None)
    assert items["REF-EUR-0001"]["currency"] == {"id": "EUR", "symbol": "€"}


def test_pages_cover_every_transaction_once(api: Api, account: BankAccount) -> None:
    pages = [transactions_of(api, account.bank_account_id, limit=4, offset=offset) for offset in (0, 4, 8)]

    assert [references(page) for page in pages] == [IN_ORDER[0:4], IN_ORDER[4:8], IN_ORDER[8:11]]
    assert [page["total"] for page in pages] == [11, 11, 11]
    past_the_end = transactions_of(api, account.bank_account_id, offset=11)
    assert (references(past_the_end), past_the_end["total"]) == ([], 11)


def test_dates_are_inclusive_booking_days(api: Api, account: BankAccount) -> None:
    body = transactions_of(api, account.bank_account_id, min_date="2024-02-05", max_date="2024-03-04")

    assert references(body) == [
        "REF-NOK-0006",
        "REF-NOK-0007",
        "REF-EUR-0001",
        "REF-EUR-0002",
        "REF-NOK-0008",
    ]
    assert body["total"] == 5
    assert (body["result_min_date"], body["result_max_date"]) == ("2024-02-05", "2024-03-04")
    assert (body["first_date"], body["last_date"]) == ("2024-01-03", "2024-03-12")


def test_one_open_end(api: Api, account: BankAccount) -> None:
    since = transactions_of(api, account.bank_account_id, min_date="2024-03-02", limit=1)
    until = transactions_of(api, account.bank_account_id, max_date="2024-01-08")

    assert (references(since), since["total"]) == (["REF-NOK-0008"], 2)
    assert (since["result_min_date"], since["result_max_date"]) == ("2024-03-02", "2024-03-12")
    assert references(until) == ["REF-NOK-0001", "REF-NOK-0002"]
    assert (until["result_min_date"], until["result_max_date"]) == ("2024-01-03", "2024-01-08")


def test_an_account_without_transactions(api: Api, engine: sa.Engine, organization: Organization) -> None:
    empty = new_bank_account(engine, organization)

    body = transactions_of(api, empty.bank_account_id)

    assert body == {
        "transactions": [],
        "first_date": None,
        "last_date": None,
        "result_min_date": None,
        "result_max_date": None,
        "total": 0,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1001},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": 2**31},
        {"min_date": "2024-03-05", "max_date": "2024-03-04"},
        {"max_date": "2024-02-30"},
    ],
    ids=["limit 0", "limit 1001", "limit a word", "offset -1", "offset 2^31", "min after max", "Feb 30"],
)
def test_bad_paging_or_dates_are_a_400(api: Api, account: BankAccount, params: dict[str, Any]) -> None:
    answer = api.get(transactions_path(account.bank_account_id), params=params)

    assert_powens_error(answer, 400, "invalidValue")


def test_the_limits_themselves_are_allowed(api: Api, account: BankAccount) -> None:
    assert len(transactions_of(api, account.bank_account_id, limit=1)["transactions"]) == 1
    assert len(transactions_of(api, account.bank_account_id, limit=1000)["transactions"]) == 11


def test_transactions_of_another_organization_are_a_404(
    api: Api, engine: sa.Engine, organization: Organization, account: BankAccount
) -> None:
    other = new_organization(engine)
    theirs = seed_bank_book(engine, other)

    assert_powens_error(api.get(transactions_path(theirs.bank_account_id)), 404, "notFound")
    assert_powens_error(api.get(transactions_path(random_id())), 404, "notFound")
    assert_powens_error(api.get(transactions_path("nope")), 404, "notFound")
    assert_powens_error(
        api.get(transactions_path(account.bank_account_id, other.organization_id)), 404, "notFound"
    )
    assert transactions_of(api, account.bank_account_id)["total"] == 11  # theirs were not counted


def test_listing_transactions_needs_the_transaction_scope(
    api: Api, engine: sa.Engine, organization: Organization, account: BankAccount
) -> None:
    target = transactions_path(account.bank_account_id, organization.organization_id)
    assert_powens_error(api.client.get(target), 401)
    with Api.for_organization(engine, organization, scopes=[BANK_ACCOUNT_READ]) as limited:
        assert_powens_error(limited.get(target), 403)
    with Api.for_organization(engine, organization, scopes=[BANK_TRANSACTION_READ]) as enough:
        assert enough.get(target).status_code == 200
