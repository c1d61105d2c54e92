"""``GET /2.0/users/{userId}/accounts/{accountId}/balances``, every figure worked out by hand.

The book is :func:`tests.powens.seed_bank_book`: the bank's 10,000.00 at the end of 2024-01-10 and its
749.75 at the end of 2024-02-15, with NOK transactions before, between and after them and two EUR ones.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kontobok.api.powens.balances import BalanceGroupsList
from kontobok.api.scopes import BANK_ACCOUNT_READ, BANK_TRANSACTION_READ
from kontobok.store.bank_accounts import add_reported_balance
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization
from tests.factories import Api, new_organization
from tests.powens import assert_powens_error, exact, new_bank_account, seed_bank_book

D = Decimal
RANGE = {"min_date": "2024-01-05", "max_date": "2024-03-10"}


def path(account_id: object, user: object = "me") -> str:
    return f"/2.0/users/{user}/accounts/{account_id}/balances"


def balances_of(api: Api, account_id: object, **params: str) -> dict[str, Any]:
    answer = api.get(path(account_id), params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = exact(answer)
    return body


def figures(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["balance"], item["incomes"], item["expenses"], item["remains"])


def daily(group: dict[str, Any]) -> dict[str, Any]:
    return {day["date"]: day["balance"] for day in group["daily_balances"]}


@pytest.fixture
def account_id(engine: sa.Engine, organization: Organization) -> str:
    return str(seed_bank_book(engine, organization).bank_account_id)


def test_months_are_clipped_to_the_range(api: Api, account_id: str) -> None:
    body = balances_of(api, account_id, **RANGE)

    assert [(g["min_date"], g["max_date"]) for g in body["balances"]] == [
        ("2024-01-05", "2024-01-31"),
        ("2024-02-01", "2024-02-29"),
        ("2024-03-01", "2024-03-10"),
    ]
    assert (body["result_min_date"], body["result_max_date"]) == ("2024-01-05", "2024-03-10")
    # the first transaction (01-03) and the last (03-12) lie outside the range; they still bound the data
    assert (body["first_date"], body["last_date"]) == ("2024-01-03", "2024-03-12")
    assert [len(g["daily_balances"]) for g in body["balances"]] == [27, 29, 10]


def test_group_figures(api: Api, account_id: str) -> None:
    january, february, march = balances_of(api, account_id, **RANGE)["balances"]

    # January from the 5th: in 500.00 (01-10) + 750.00 (01-31); out 3,500.50 (01-08) + 1,200.25 (01-20);
    # 13,000.50 at the end of 01-04, - 3,450.75 = 9,549.75
    assert figures(january) == (D("9549.75"), 1250, D("-4700.75"), D("-3450.75"))
    assert january["n_overdraft"] == 0
    # February: -9,800.00 on the 5th and +1,000.00 on the 9th; 02-05 to 02-08 end at -250.25 (4 days)
    assert figures(february) == (D("749.75"), 1000, -9800, -8800)
    assert february["n_overdraft"] == 4
    # March to the 10th: -1,000.00 on the 4th; the 4th to the 10th end at -250.25 (7 days)
    assert figures(march) == (D("-250.25"), 0, -1000, -1000)
    assert march["n_overdraft"] == 7
    for group in (january, february, march):
        assert group["incomes"] >= 0
        assert group["expenses"] <= 0
        assert group["remains"] == group["incomes"] + group["expenses"]


def test_daily_balances_before_between_and_after_the_snapshots(api: Api, account_id: str) -> None:
    january, february, march = (daily(g) for g in balances_of(api, account_id, **RANGE)["balances"])

    # before the first snapshot, worked backwards from its 10,000.00
    assert january["2024-01-05"] == january["2024-01-07"] == D("13000.50")
    assert january["2024-01-08"] == january["2024-01-09"] == 9500
    assert january["2024-01-10"] == 10000
    # between the snapshots, forwards from the first
    assert january["2024-01-19"] == 10000
    assert january["2024-01-20"] == D("8799.75")
    assert january["2024-01-31"] == D("9549.75")
    assert february["2024-02-04"] == D("9549.75")
    assert february["2024-02-05"] == february["2024-02-08"] == D("-250.25")
    assert february["2024-02-09"] == february["2024-02-15"] == D("749.75")
    # after the last snapshot, forwards from it
    assert march["2024-03-03"] == D("749.75")
    assert march["2024-03-04"] == march["2024-03-10"] == D("-250.25")


def test_a_day_reports_its_own_flows(api: Api, account_id: str) -> None:
    january = balances_of(api, account_id, **RANGE)["balances"][0]["daily_balances"]
    by_day = {day["date"]: day for day in january}

    assert figures(by_day["2024-01-08"]) == (9500, 0, D("-3500.50"), D("-3500.50"))
    assert figures(by_day["2024-01-10"]) == (10000, 500, 0, 500)
    assert figures(by_day["2024-01-11"]) == (10000, 0, 0, 0)
    assert set(by_day["2024-01-11"]) == {"date", "balance", "incomes", "expenses", "remains"}


def test_days_before_any_transaction_are_worked_back_from_the_first_snapshot(
    api: Api, account_id: str
) -> None:
    (december, january) = balances_of(api, account_id, min_date="2023-12-30", max_date="2024-01-03")[
        "balances"
    ]

    # 13,000.50 at the end of 01-03, before the 2,000.00 that arrived that day: 11,000.50
    assert daily(december) == {"2023-12-30": D("11000.50"), "2023-12-31": D("11000.50")}
    assert daily(january) == {
        "2024-01-01": D("11000.50"),
        "2024-01-02": D("11000.50"),
        "2024-01-03": D("13000.50"),
    }


def test_a_second_currency_is_listed_after_the_account_currency(api: Api, account_id: str) -> None:
    january, february, march = balances_of(api, account_id, **RANGE)["balances"]

    assert [(c["id"], c["symbol"]) for c in march["currencies"]] == [("NOK", "kr"), ("EUR", "€")]
    nok, eur = march["currencies"]
    assert figures(nok) == figures(march)
    assert set(nok) == {"id", "symbol", "balance", "incomes", "expenses", "remains"}
    # EUR counts from 0 (no EUR balance reported): 100.00 from 02-10, 100.00 - 40.10 = 59.90 from 03-01
    assert figures(january["currencies"][1]) == (0, 0, 0, 0)
    assert figures(february["currencies"][1]) == (100, 100, 0, 100)
    assert figures(eur) == (D("59.9"), 0, D("-40.1"), D("-40.1"))


def test_a_currency_with_only_a_reported_balance_is_listed(
    api: Api, engine: sa.Engine, organization: Organization, account_id: str
) -> None:
    with write_transaction(engine) as connection:
        add_reported_balance(
            connection,
            organization.organization_id,
            uuid.UUID(account_id),
            reported_at=datetime(2024, 4, 1, 10, tzinfo=UTC),
            day=date(2024, 4, 1),
            amount=5_000,
            currency="USD",
            source="api",
        )

    body = balances_of(api, account_id, **RANGE)

    # USD has no transaction: its 50.00 at the end of 04-01 is its balance on every earlier day too
    assert [(c["id"], c["balance"]) for c in body["balances"][0]["currencies"]] == [
        ("NOK", D("9549.75")),
        ("EUR", 0),
        ("USD", 50),
    ]
    assert body["last_date"] == "2024-04-01"  # a reported balance's day is data too


def _current_month(now: datetime) -> tuple[str, str]:
    first = now.date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first.isoformat(), (following - timedelta(days=1)).isoformat()


def test_without_dates_the_current_month_without_daily_balances(
    api: Api, organization: Organization, account_id: str
) -> None:
    zone = ZoneInfo(organization.time_zone)
    before = _current_month(datetime.now(zone))
    body = balances_of(api, account_id)
    after = _current_month(datetime.now(zone))

    assert (body["result_min_date"], body["result_max_date"]) in (before, after)
    (group,) = body["balances"]
    assert (group["min_date"], group["max_date"]) == (body["result_min_date"], body["result_max_date"])
    assert "daily_balances" not in group
    # today: 749.75 - 1,000.00 + 300.00 = 49.75 NOK, nothing booked this month; EUR 59.90
    assert figures(group) == (D("49.75"), 0, 0, 0)
    assert group["n_overdraft"] == 0
    assert [c["balance"] for c in group["currencies"]] == [D("49.75"), D("59.9")]


def test_one_date_is_enough_for_daily_balances(api: Api, account_id: str) -> None:
    body = balances_of(api, account_id, min_date="2024-03-01")

    assert body["result_min_date"] == "2024-03-01"
    assert body["balances"][0]["daily_balances"][0] == {
        "date": "2024-03-01",
        "balance": D("749.75"),
        "incomes": 0,
        "expenses": 0,
        "remains": 0,
    }


def test_an_account_without_data(api: Api, engine: sa.Engine, organization: Organization) -> None:
    account = new_bank_account(engine, organization)

    body = balances_of(api, account.bank_account_id, min_date="2024-02-28", max_date="2024-03-01")

    assert (body["first_date"], body["last_date"]) == (None, None)
    february, march = body["balances"]
    assert figures(february) == (0, 0, 0, 0)
    assert [c["id"] for c in march["currencies"]] == ["NOK"]
    assert daily(february) == {"2024-02-28": 0, "2024-02-29": 0}


def test_amounts_are_json_numbers_in_the_documented_shape(api: Api, account_id: str) -> None:
    answer = api.get(path(account_id), params=RANGE)

    BalanceGroupsList.model_validate(answer.json())
    BalanceGroupsList.model_validate(api.get(path(account_id)).json())

    assert '"balance":9549.75' in answer.text
    assert '"expenses":-4700.75' in answer.text
    assert '"balance":59.9,' in answer.text


# --- users, accounts and access ----------------------------------------------------------------------------


def test_user_me_and_the_organization_id_are_the_same_user(
    api: Api, organization: Organization, account_id: str
) -> None:
    mine = api.get(path(account_id, "me"), params=RANGE)
    by_id = api.get(path(account_id, organization.organization_id), params=RANGE)

    assert mine.status_code == by_id.status_code == 200
    assert mine.json() == by_id.json()


@pytest.mark.parametrize("user", ["0", "me2", "ME", "-1", "99999999999999999999"])
def test_another_user_is_a_404(api: Api, account_id: str, user: str) -> None:
    assert_powens_error(api.get(path(account_id, user)), 404, "notFound")


def test_another_organizations_id_is_a_404(api: Api, engine: sa.Engine, account_id: str) -> None:
    other = new_organization(engine)

    assert_powens_error(api.get(path(account_id, other.organization_id)), 404, "notFound")


@pytest.mark.parametrize("account", ["6f1c2a4e-0b7d-4c1e-9a55-3d2f8e7b9c10", "not-a-uuid", "12345"])
def test_an_unknown_account_is_a_404(api: Api, account: str) -> None:
    assert_powens_error(api.get(path(account), params=RANGE), 404, "notFound")


def test_another_organizations_account_is_a_404(api: Api, engine: sa.Engine) -> None:
    other = new_organization(engine)
    theirs = seed_bank_book(engine, other)

    assert_powens_error(api.get(path(theirs.bank_account_id), params=RANGE), 404, "notFound")


def test_no_token_is_a_401(api: Api, account_id: str) -> None:
    assert_powens_error(api.client.get(path(account_id)), 401)


def test_a_token_without_the_account_scope_is_a_403(
    api: Api, engine: sa.Engine, organization: Organization, account_id: str
) -> None:
    with Api.for_organization(engine, organization, scopes=[BANK_TRANSACTION_READ]) as limited:
        assert_powens_error(limited.get(path(account_id)), 403)
    with Api.for_organization(engine, organization, scopes=[BANK_ACCOUNT_READ]) as enough:
        assert enough.get(path(account_id)).status_code == 200


# --- bad ranges --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"min_date": "2024-03-11", "max_date": "2024-03-10"},
        {"min_date": "2024-13-01"},
        {"max_date": "yesterday"},
        {"min_date": "2024-1-5"},
        {"min_date": ""},
        {"min_date": "0001-01-01", "max_date": "0001-01-31"},
        {"min_date": "9999-12-01", "max_date": "9999-12-31"},
        {"min_date": "2014-01-01", "max_date": "2024-01-10"},
    ],
    ids=["min after max", "month 13", "a word", "short", "empty", "year 1", "year 9999", "over 3660 days"],
)
def test_a_bad_range_is_a_400(api: Api, account_id: str, params: dict[str, str]) -> None:
    assert_powens_error(api.get(path(account_id), params=params), 400, "invalidValue")


def test_3660_days_are_allowed(api: Api, account_id: str) -> None:
    first = date(2015, 1, 1)
    last = first + timedelta(days=3659)
    body = balances_of(api, account_id, min_date=first.isoformat(), max_date=last.isoformat())

    assert sum(len(group["daily_balances"]) for group in body["balances"]) == 3660
    assert_powens_error(
        api.get(
            path(account_id),
            params={"min_date": first.isoformat(), "max_date": (last + timedelta(days=1)).isoformat()},
        ),
        400,
        "invalidValue",
    )
