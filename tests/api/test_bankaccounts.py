"""``/v1/bankaccounts`` and ``/v1/bankaccounts/{id}/balances`` through real HTTP, on both backends.

Identifiers are checked as SPEC.md and docs/semantics.md ask: an IBAN by mod 97 (and the national number's
own check), a Norwegian BBAN by its mod-11 check digit, the BIC, the owner's organization number and the
contact's e-mail; every bad field is named in one 400 in the vendor's validation shape and nothing is
stored. Reported balances carry ``currency.rate``: 1 in the base currency, else the ECB cross rate of the
balance's local day (or the last business day before it), computed here from the ECB figures themselves.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from kontobok.exchange_rates import rates_on
from tests.factories import Api, bank_account_body, new_organization
from tests.powens import exact

D = Decimal
BBAN = "86011117947"
IBAN = "NO9386011117947"
OTHER_BBAN = "12345678903"


def created_account(api: Api, **overrides: Any) -> dict[str, Any]:
    answer = api.post("/v1/bankaccounts", bank_account_body(**overrides))
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = exact(answer)
    return created


def validation_problems(answer: httpx.Response) -> list[dict[str, Any]]:
    """The ``validationErrors`` of a 400 in the vendor's shape, after checking that shape."""
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}, body
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert body["error"]["name"] == "ValidationError"
    problems: list[dict[str, Any]] = body["error"]["payload"]["validationErrors"]
    assert problems, body
    for problem in problems:
        assert set(problem) == {"path", "keyword", "message"}, problem
        assert all(isinstance(value, str) and value for value in problem.values()), problem
    return problems


def assert_not_found(answer: httpx.Response) -> None:
    assert answer.status_code == 404, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}, body
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert isinstance(body["error"]["name"], str)
    assert isinstance(body["error"]["message"], str)


def listed(api: Api, **params: str) -> list[dict[str, Any]]:
    answer = api.get("/v1/bankaccounts", params=params)
    assert answer.status_code == 200, answer.text
    accounts: list[dict[str, Any]] = exact(answer)
    return accounts


def post_balance(api: Api, account_id: str, amount: Any, timestamp: str, code: str = "NOK") -> httpx.Response:
    return api.post(
        f"/v1/bankaccounts/{account_id}/balances",
        {"amount": amount, "timestamp": timestamp, "currency": {"code": code}},
    )


def ecb_cross_rate(currency: str, base: str, day: date) -> Decimal:
    """Base units per ``currency`` unit from the ECB's euro rates of ``day`` or the business day before."""
    found = rates_on(day)
    assert found is not None
    per_euro = found[1]
    return (per_euro[base] / per_euro[currency]).quantize(D("0.000001"), rounding=ROUND_HALF_EVEN)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- creating ----------------------------------------------------------------------------------------------


def test_a_bban_account_is_created_and_listed(api: Api) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    created = created_account(api)

    assert uuid.UUID(created["id"])
    assert created["number"] == BBAN
    assert created["type"] == "bban"
    assert created["bic"] == "DNBANOKKXXX"
    assert created["name"] == "Driftskonto"
    assert created["currency"] == "NOK"
    assert created["ledgerAccount"] == {"number": 1920}
    assert created["owner"] == {
        "name": "Testfirma AS",
        "organizationNumber": "923609016",
        "contact": {"name": "Kari Nordmann", "email": "kari@example.no"},
    }
    assert "balance" not in created
    created_at, modified_at = parse_time(created["createdAt"]), parse_time(created["modifiedAt"])
    assert before <= created_at <= datetime.now(UTC) + timedelta(seconds=5)
    assert modified_at >= created_at

    assert listed(api) == [created]
    one = api.get(f"/v1/bankaccounts/{created['id']}")
    assert one.status_code == 200, one.text
    assert exact(one) == created


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        pytest.param("8601.11.17947", BBAN, id="dots"),
        pytest.param("8601 11 17947", BBAN, id="spaces"),
        pytest.param("8601-11-17947", BBAN, id="hyphens"),
        pytest.param("1234.56-789 03", OTHER_BBAN, id="mixed"),
        # eleven digits that pass mod 11: the leading zeros stay, it is not read as a 7-digit postgiro number
        pytest.param("0000.40.90403", "00004090403", id="leading-zeros"),
    ],
)
def test_a_bban_with_separators_is_stored_compact(api: Api, written: str, stored: str) -> None:
    created = created_account(api, number=written)
    assert created["number"] == stored
    assert [account["number"] for account in listed(api)] == [stored]
    assert exact(api.get(f"/v1/bankaccounts/{created['id']}"))["number"] == stored


def test_an_iban_account_is_created(api: Api) -> None:
    created = created_account(api, type="iban", number="NO93 8601 1117 947")
    assert created["number"] == IBAN
    assert created["type"] == "iban"
    fetched = api.get(f"/v1/bankaccounts/{created['id']}")
    assert exact(fetched)["number"] == IBAN


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to the body: set the field at the slash-separated ``path`` to ``value``."""

    def change(body: dict[str, Any]) -> None:
        *parents, last = path.strip("/").split("/")
        target = body
        for part in parents:
            target = target[part]
        target[last] = value

    return change


BAD_FIELDS = [
    # (changes, the path named, its keyword or None when SPEC.md only asks for a 400 naming the field)
    pytest.param([_set("/type", "iban"), _set("/number", "NO9486011117947")], "/number", "format", id="iban"),
    pytest.param([_set("/number", "86011117948")], "/number", "format", id="bban-mod11"),
    pytest.param([_set("/number", "8601111794")], "/number", "format", id="bban-10-digits"),
    pytest.param([_set("/number", "860111179470")], "/number", "format", id="bban-12-digits"),
    # a 7-digit postgiro number passes its own (Luhn) check, but is not an 11-digit account number
    pytest.param([_set("/number", "4090403")], "/number", "format", id="bban-7-digit-postgiro"),
    # fails mod 11 as eleven digits; once read as "0000018" with the zeros dropped, it was accepted
    pytest.param([_set("/number", "00000000018")], "/number", "format", id="bban-leading-zeros-mod11"),
    pytest.param([_set("/number", "8601/11/17947")], "/number", "format", id="bban-slashes"),
    pytest.param([_set("/number", "8601111794A")], "/number", "format", id="bban-letter"),
    pytest.param([_set("/bic", "DNBANOKK1")], "/bic", "format", id="bic"),
    pytest.param(
        [_set("/owner/organizationNumber", "923609017")], "/owner/organizationNumber", "format", id="orgnr"
    ),
    pytest.param([_set("/owner/contact/email", "nope")], "/owner/contact/email", "format", id="email"),
    pytest.param([_set("/ledgerAccount/number", 1111)], "/ledgerAccount/number", None, id="ledger-account"),
    pytest.param([_set("/transactionType", {"number": 99})], "/transactionType/number", None, id="type-99"),
    pytest.param([_set("/type", "giro")], "/type", None, id="type-giro"),
]


@pytest.mark.parametrize(("changes", "path", "keyword"), BAD_FIELDS)
def test_a_bad_field_is_a_400_naming_it_and_stores_nothing(
    api: Api, changes: list[Callable[[dict[str, Any]], None]], path: str, keyword: str | None
) -> None:
    body = bank_account_body()
    for change in changes:
        change(body)

    problems = validation_problems(api.post("/v1/bankaccounts", body))

    assert [problem["path"] for problem in problems] == [path], problems
    if keyword is not None:
        assert problems[0]["keyword"] == keyword, problems
    assert listed(api) == []


def test_a_bban_whose_check_digit_would_be_10_is_refused_whatever_its_last_digit(api: Api) -> None:
    """8601111705: remainder 1 under mod 11, so no eleventh digit makes it an account number."""
    for last in "0123456789":
        problems = validation_problems(
            api.post("/v1/bankaccounts", bank_account_body(number=f"8601111705{last}"))
        )
        assert [(problem["path"], problem["keyword"]) for problem in problems] == [("/number", "format")]
    assert listed(api) == []


def test_every_bad_identifier_is_reported_in_one_answer(api: Api) -> None:
    body = bank_account_body(type="iban", number="NO9486011117947", bic="DNBANOKK1")
    body["owner"]["organizationNumber"] = "923609017"
    body["owner"]["contact"]["email"] = "nope"

    problems = validation_problems(api.post("/v1/bankaccounts", body))

    assert {problem["path"]: problem["keyword"] for problem in problems} == {
        "/number": "format",
        "/bic": "format",
        "/owner/organizationNumber": "format",
        "/owner/contact/email": "format",
    }
    assert listed(api) == []


def test_both_bad_references_into_the_books_are_reported_in_one_answer(api: Api) -> None:
    body = bank_account_body(ledgerAccount={"number": 1111}, transactionType={"number": 99})
    problems = validation_problems(api.post("/v1/bankaccounts", body))
    assert sorted(problem["path"] for problem in problems) == [
        "/ledgerAccount/number",
        "/transactionType/number",
    ]
    assert listed(api) == []


def test_references_into_the_books_are_checked_once_the_body_is_well_formed(api: Api) -> None:
    """docs/semantics.md: the body's own problems first, all at once; then its references into the books."""
    body = bank_account_body(bic="DNBANOKK1", ledgerAccount={"number": 1111})
    problems = validation_problems(api.post("/v1/bankaccounts", body))
    assert [problem["path"] for problem in problems] == ["/bic"]
    problems = validation_problems(
        api.post("/v1/bankaccounts", bank_account_body(ledgerAccount={"number": 1111}))
    )
    assert [problem["path"] for problem in problems] == ["/ledgerAccount/number"]
    assert listed(api) == []


def test_a_number_the_organization_has_is_a_409(api: Api) -> None:
    first = created_account(api)
    for number in (BBAN, "8601.11.17947"):
        again = api.post("/v1/bankaccounts", bank_account_body(number=number, name="Another name"))
        assert again.status_code == 409, again.text
        assert again.json()["trackingId"] == again.headers["X-Trace-Id"]
    assert listed(api) == [first]


def test_another_organization_may_use_the_same_number(api: Api, engine: sa.Engine) -> None:
    created_account(api)
    with Api.for_organization(engine, new_organization(engine)) as other:
        assert created_account(other)["number"] == BBAN
        assert len(listed(other)) == 1
    assert len(listed(api)) == 1


def test_unknown_malformed_and_foreign_ids_are_404(api: Api, engine: sa.Engine) -> None:
    mine = created_account(api)
    with Api.for_organization(engine, new_organization(engine)) as other:
        theirs = created_account(other)
        for unknown in (str(uuid.uuid4()), "not-a-guid", "12345", theirs["id"]):
            assert_not_found(api.get(f"/v1/bankaccounts/{unknown}"))
            answer = post_balance(api, unknown, 100, "2024-06-01T10:00:00Z")
            assert_not_found(answer)
        # the other organization's account got no balance from us, and ours is still only ours
        assert "balance" not in exact(other.get(f"/v1/bankaccounts/{theirs['id']}"))
        assert_not_found(other.get(f"/v1/bankaccounts/{mine['id']}"))
    assert [account["id"] for account in listed(api)] == [mine["id"]]


# --- balances ----------------------------------------------------------------------------------------------


def test_a_balance_in_the_base_currency_is_echoed_with_rate_1(api: Api) -> None:
    account = created_account(api)
    answer = post_balance(api, account["id"], 1500.5, "2024-06-01T10:00:00Z")

    assert answer.status_code == 201, answer.text
    assert exact(answer) == {
        "amount": D("1500.5"),
        "timestamp": "2024-06-01T10:00:00Z",
        "currency": {"code": "NOK", "rate": 1},
    }
    shown = exact(api.get(f"/v1/bankaccounts/{account['id']}"))["balance"]
    assert shown == exact(answer)


def test_a_usd_balance_carries_the_ecb_cross_rate_of_its_day(api: Api) -> None:
    account = created_account(api, currency="USD")
    expected = ecb_cross_rate("USD", "NOK", date(2024, 7, 1))
    assert expected == D("10.638902")

    answer = post_balance(api, account["id"], -250.75, "2024-07-01T10:00:00Z", code="USD")

    assert answer.status_code == 201, answer.text
    assert exact(answer) == {
        "amount": D("-250.75"),
        "timestamp": "2024-07-01T10:00:00Z",
        "currency": {"code": "USD", "rate": expected},
    }


def test_a_saturday_balance_uses_fridays_rate(api: Api) -> None:
    account = created_account(api, currency="USD")
    friday = ecb_cross_rate("USD", "NOK", date(2024, 7, 5))
    found = rates_on(date(2024, 7, 6))
    assert found is not None
    assert found[0] == date(2024, 7, 5)  # the ECB published nothing on the Saturday
    assert friday != ecb_cross_rate("USD", "NOK", date(2024, 7, 4))

    answer = post_balance(api, account["id"], 10, "2024-07-06T12:00:00Z", code="USD")

    assert answer.status_code == 201, answer.text
    assert exact(answer)["currency"] == {"code": "USD", "rate": friday}


def test_the_rate_follows_the_local_day_not_the_utc_day(api: Api) -> None:
    """2024-07-04T22:30Z is 2024-07-05 00:30 in Oslo: the rate is the 5th's."""
    account = created_account(api, currency="USD")
    answer = post_balance(api, account["id"], 10, "2024-07-04T22:30:00Z", code="USD")
    assert answer.status_code == 201, answer.text
    assert exact(answer)["currency"]["rate"] == ecb_cross_rate("USD", "NOK", date(2024, 7, 5))


def test_before_picks_the_last_balance_before_the_local_day(api: Api) -> None:
    account = created_account(api)
    late_evening = post_balance(api, account["id"], 1000, "2024-06-01T21:30:00Z")  # 23:30 on 06-01 in Oslo
    next_morning = post_balance(api, account["id"], 2000.25, "2024-06-02T10:00:00Z")
    assert late_evening.status_code == next_morning.status_code == 201

    def balance_before(day: str | None) -> Any:
        params = {} if day is None else {"before": day}
        (only,) = listed(api, **params)
        one = api.get(f"/v1/bankaccounts/{account['id']}", params=params)
        assert one.status_code == 200, one.text
        assert exact(one) == only
        return only.get("balance")

    # strictly before 2024-06-02 00:00 in Oslo, which is 2024-06-01T22:00Z
    assert balance_before("2024-06-02") == {
        "amount": 1000,
        "timestamp": "2024-06-01T21:30:00Z",
        "currency": {"code": "NOK", "rate": 1},
    }
    assert balance_before("2024-06-03") == {
        "amount": D("2000.25"),
        "timestamp": "2024-06-02T10:00:00Z",
        "currency": {"code": "NOK", "rate": 1},
    }
    assert balance_before("2024-06-01") is None
    assert balance_before(None) == exact(next_morning)


def test_the_last_recorded_of_two_balances_with_one_timestamp_wins(api: Api) -> None:
    account = created_account(api)
    for amount in (100, 300):
        assert post_balance(api, account["id"], amount, "2024-06-01T10:00:00Z").status_code == 201
    assert listed(api)[0]["balance"]["amount"] == 300


def test_a_timestamp_without_zone_is_utc(api: Api) -> None:
    account = created_account(api)
    answer = post_balance(api, account["id"], 5, "2024-06-01T21:30:00")
    assert answer.status_code == 201, answer.text
    assert exact(answer)["timestamp"] == "2024-06-01T21:30:00Z"
    assert listed(api, before="2024-06-02")[0]["balance"]["amount"] == 5


@pytest.mark.parametrize(
    ("change", "path"),
    [
        pytest.param({"currency": {"code": "usd"}}, "/currency/code", id="lower-case"),
        pytest.param({"currency": {"code": "XXX"}}, "/currency/code", id="unknown-currency"),
        pytest.param({"amount": 10.123}, "/amount", id="three-decimals"),
        pytest.param({"amount": "10.00"}, "/amount", id="string-amount"),
        pytest.param({"timestamp": "yesterday"}, "/timestamp", id="bad-timestamp"),
    ],
)
def test_a_bad_balance_is_a_400_and_stores_nothing(api: Api, change: dict[str, Any], path: str) -> None:
    account = created_account(api)
    body = {"amount": 10, "timestamp": "2024-06-01T10:00:00Z", "currency": {"code": "NOK"}}
    body = {**copy.deepcopy(body), **change}

    problems = validation_problems(api.post(f"/v1/bankaccounts/{account['id']}/balances", body))

    assert path in [problem["path"] for problem in problems], problems
    assert "balance" not in listed(api)[0]
