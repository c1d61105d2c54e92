"""``asOf``: the books as they stood at an instant, through real HTTP, on both backends.

The story of every test: a January sale is posted, the instant ``T`` is noted, then a voucher back-dated into
January is posted and the sale is reversed. As of ``T`` January shows the sale alone; without ``asOf`` it
shows everything.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from kontobok.store.bank_accounts import add_reported_balance
from kontobok.store.bank_transactions import BankTransaction, add_bank_transactions
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization
from tests.api.test_banktransactions import new_account, post
from tests.factories import Api, line, voucher
from tests.powens import assert_powens_error, seed_bank_book


def _instant_between(api: Api, before: Any) -> str:
    """An instant after everything posted so far and before anything posted next."""
    del api, before
    time.sleep(0.002)
    instant = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    time.sleep(0.002)
    return instant


def _january(api: Api, **params: Any) -> dict[int, Any]:
    answer = api.get(
        "/v1/accountbalances", params={"dateFrom": "2024-01-01", "dateTo": "2024-01-31", **params}
    )
    assert answer.status_code == 200, answer.text
    return {record["account"]["number"]: record["balances"][0] for record in answer.json()}


@pytest.fixture
def story(api: Api) -> str:
    sale = api.post_voucher(voucher("2024-01-15", line(1920, 1000.00), line(3000, -1000.00)))
    instant = _instant_between(api, sale)
    api.post_voucher(voucher("2024-01-05", line(6300, 200.00), line(1920, -200.00)))  # back-dated
    assert api.post(f"/v1/transactions/{sale}/reverse", {"date": "2024-01-20"}).status_code == 201
    return instant


def test_account_balances_as_of_leave_out_what_was_recorded_later(api: Api, story: str) -> None:
    now = _january(api)
    assert now[1920]["closing"] == -200.00  # 1000 - 200 - 1000
    assert now[6300]["closing"] == 200.00
    then = _january(api, asOf=story)
    assert set(then) == {1920, 3000}
    assert then[1920] == {"date": "2024-01-01", "opening": 0, "closing": 1000.00, "change": 1000.00}
    assert then[3000]["closing"] == -1000.00


def test_one_account_as_of_an_instant_and_the_days_after_it(api: Api, story: str) -> None:
    assert api.balances(1920, "2024-01-01", "2024-03-31", asOf=story) == [
        {"date": "2024-01-01", "opening": 0, "closing": 1000.00, "change": 1000.00},
        {"date": "2024-02-01", "opening": 1000.00, "closing": 1000.00, "change": 0},
        {"date": "2024-03-01", "opening": 1000.00, "closing": 1000.00, "change": 0},
    ]
    # February alone: what January carried in is as of the instant too
    assert api.balances(1920, "2024-02-01", "2024-02-29", asOf=story)[0]["opening"] == 1000.00
    assert api.balances(6300, "2024-01-01", "2024-01-31", asOf=story)[0]["closing"] == 0


def test_an_instant_before_everything_shows_nothing_and_one_after_shows_all(api: Api, story: str) -> None:
    assert _january(api, asOf="2000-01-01T00:00:00+01:00") == {}
    assert _january(api, asOf="2999-01-01T00:00:00Z") == _january(api)


def test_transaction_lines_as_of_leave_out_later_lines(api: Api, story: str) -> None:
    params = {"dateFrom": "2024-01-01", "dateTo": "2024-02-01"}
    everything = api.get("/v1/transactionlines", params=params).json()
    assert len(everything) == 6
    then = api.get("/v1/transactionlines", params={**params, "asOf": story}).json()
    assert [(row["account"]["number"], row["amount"]) for row in then] == [(1920, 1000.00), (3000, -1000.00)]


def test_bank_transactions_as_of_leave_out_later_imports(api: Api) -> None:
    account = new_account(api)["id"]
    post(api, account, "EARLY-0000001", day="2024-01-10")
    instant = _instant_between(api, None)
    post(api, account, "LATE-00000001", day="2024-01-09")
    params = {"dateFrom": "2024-01-01", "dateTo": "2024-01-31"}
    answer = api.get("/v1/banktransactions", params={**params, "asOf": instant})
    assert answer.status_code == 200, answer.text
    assert [row["bankTransactionReference"] for row in answer.json()] == ["EARLY-0000001"]
    assert len(api.get("/v1/banktransactions", params=params).json()) == 2


@pytest.mark.parametrize(
    "as_of",
    [
        "2024-01-31",
        "2024-01-31T12:00:00",
        "yesterday",
        "2024-13-01T00:00:00Z",
        "",
        "9999-12-31T23:59:59-23:59",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/v1/accountbalances?dateFrom=2024-01-01&dateTo=2024-01-31",
        "/v1/transactionlines?dateFrom=2024-01-01&dateTo=2024-02-01",
        "/v1/banktransactions?dateFrom=2024-01-01&dateTo=2024-01-31",
    ],
)
def test_an_as_of_that_is_not_an_instant_is_a_400_naming_it(api: Api, path: str, as_of: str) -> None:
    answer = api.get(path, params={"asOf": as_of})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["name"] == "ValidationError"
    assert [problem["path"] for problem in error["payload"]["validationErrors"]] == ["/asOf"]


def test_powens_balances_as_of_leave_out_later_transactions_and_reported_balances(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    account = seed_bank_book(engine, organization)
    path = f"/2.0/users/me/accounts/{account.bank_account_id}/balances"
    params = {"min_date": "2023-12-01", "max_date": "2024-03-31"}
    before = api.get(path, params=params).json()["balances"]
    instant = _instant_between(api, None)
    with write_transaction(engine) as connection:
        late = BankTransaction("REF-LATE-0001", account.bank_account_id, -50_000, "NOK", date(2024, 1, 25))
        early = BankTransaction("REF-LATE-0002", account.bank_account_id, 20_000, "NOK", date(2023, 12, 1))
        add_bank_transactions(connection, organization.organization_id, [late, early])
        add_reported_balance(
            connection,
            organization.organization_id,
            account.bank_account_id,
            reported_at=datetime(2024, 3, 20, 22, 0, tzinfo=UTC),
            day=date(2024, 3, 20),
            amount=123_400,
            currency="NOK",
            source="api",
        )
    now = api.get(path, params=params).json()["balances"]
    assert now != before
    then = api.get(path, params={**params, "asOf": instant})
    assert then.status_code == 200, then.text
    assert then.json()["balances"] == before


def test_powens_balances_refuse_an_as_of_that_is_not_an_instant_in_powens_format(
    api: Api, engine: sa.Engine, organization: Organization
) -> None:
    account = seed_bank_book(engine, organization)
    answer = api.get(
        f"/2.0/users/me/accounts/{account.bank_account_id}/balances", params={"asOf": "2024-01-01"}
    )
    assert_powens_error(answer, 400)
