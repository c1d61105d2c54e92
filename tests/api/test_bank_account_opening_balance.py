"""``POST /v1/bankaccounts`` with a ``balance``: stored as the account's first reported balance, in the same
transaction as the account, and read back by the Office bank accounts and by Powens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.test_transactions import validation_problems
from tests.factories import Api, bank_account_body


def created(api: Api, balance: dict[str, Any]) -> dict[str, Any]:
    answer = api.post("/v1/bankaccounts", bank_account_body(balance=balance))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_balance_given_on_creation_is_the_first_reported_balance(api: Api) -> None:
    given = {"amount": 1234.5, "timestamp": "2024-06-01T12:00:00Z", "currency": {"code": "NOK"}}

    account = created(api, given)

    expected = {
        "amount": 1234.5,
        "timestamp": "2024-06-01T12:00:00Z",
        "currency": {"code": "NOK", "rate": 1},
    }
    assert account["balance"] == expected
    [listed] = api.get("/v1/bankaccounts").json()
    assert listed["balance"] == expected
    assert api.get(f"/v1/bankaccounts/{account['id']}").json()["balance"] == expected
    assert "balance" not in api.get("/v1/bankaccounts", params={"before": "2024-06-01"}).json()[0]
    # Powens: the account's balance now, and the end-of-day balance from 1 June on
    [powens] = api.get("/2.0/users/me/accounts").json()["accounts"]
    assert powens["balance"] == 1234.5
    groups = api.get(
        f"/2.0/users/me/accounts/{account['id']}/balances",
        params={"min_date": "2024-05-31", "max_date": "2024-06-02"},
    ).json()
    daily = [(d["date"], d["balance"]) for g in groups["balances"] for d in g["daily_balances"]]
    assert daily == [("2024-05-31", 1234.5), ("2024-06-01", 1234.5), ("2024-06-02", 1234.5)]


def test_without_timestamp_and_currency_the_balance_is_at_creation_in_the_account_s_currency(
    api: Api,
) -> None:
    before = datetime.now(UTC)

    account = created(api, {"amount": -50})

    after = datetime.now(UTC)
    balance = api.get("/v1/bankaccounts").json()[0]["balance"]
    assert (balance["amount"], balance["currency"]["code"]) == (-50, "NOK")
    at = datetime.fromisoformat(balance["timestamp"])
    assert before - timedelta(seconds=1) <= at <= after
    assert account["balance"] == balance


@pytest.mark.parametrize(
    ("balance", "path"),
    [
        ({"amount": 1.234}, "/balance/amount"),
        ({"amount": 1, "currency": {"code": "XXX"}}, "/balance/currency/code"),
        ({"amount": 1, "timestamp": "0999-01-01T00:00:00Z"}, "/balance/timestamp"),
        ({"amount": "1"}, "/balance/amount"),
        ({"timestamp": "2024-06-01T12:00:00Z"}, "/balance/amount"),
    ],
)
def test_a_bad_balance_is_a_400_and_stores_no_account(api: Api, balance: dict[str, Any], path: str) -> None:
    problems = validation_problems(api.post("/v1/bankaccounts", bank_account_body(balance=balance)))

    assert path in {p["path"] for p in problems}, problems
    assert api.get("/v1/bankaccounts").json() == []
