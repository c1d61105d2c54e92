"""``POST /v1/transactions`` through real HTTP: numbering, VAT, currencies, validation and idempotency.

Every figure expected below is worked out by hand in a comment next to it, so a reader can check the rule
rather than trust the implementation. Amounts are written as JSON numbers; ``1250.1`` on the wire is the
exact decimal 1250.10, because kontobok parses request numbers as decimals.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.factories import Api, line, new_organization, voucher

EVERYTHING = {"dateFrom": "2000-01-01", "dateTo": "2100-01-01", "limit": 1000}
COMMENT_76 = "x" * 76


def all_lines(api: Api) -> list[dict[str, Any]]:
    answer = api.get("/v1/transactionlines", params=EVERYTHING)
    assert answer.status_code == 200, answer.text
    lines: list[dict[str, Any]] = answer.json()
    return lines


def lines_of(api: Api, transaction_id: str) -> list[dict[str, Any]]:
    return [item for item in all_lines(api) if item["transaction"]["id"] == transaction_id]


def posted(api: Api, body: dict[str, Any]) -> list[tuple[int, Any]]:
    """Post ``body`` and read back its lines as ``(account number, amount)`` in line order."""
    return [(item["account"]["number"], item["amount"]) for item in lines_of(api, api.post_voucher(body))]


def validation_problems(answer: httpx.Response) -> list[dict[str, Any]]:
    """The ``validationErrors`` of a 400 in the vendor's shape, after checking that shape."""
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert body["error"]["name"] == "ValidationError"
    problems: list[dict[str, Any]] = body["error"]["payload"]["validationErrors"]
    assert problems
    for problem in problems:
        assert set(problem) == {"path", "keyword", "message"}
        assert all(isinstance(value, str) for value in problem.values())
    return problems


def assert_vendor_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error", "trackingId"}
    assert body["trackingId"] == answer.headers["X-Trace-Id"]
    assert isinstance(body["error"]["name"], str)
    assert isinstance(body["error"]["message"], str)
    error: dict[str, Any] = body["error"]
    return error


def sale(day: str = "2024-03-05", amount: float = 100, type_number: int = 6) -> dict[str, Any]:
    return voucher(day, line(1920, amount), line(3000, -amount), type_number=type_number)


# --- numbering ---------------------------------------------------------------------------------------------


def test_a_voucher_gets_a_guid_and_number_one(api: Api) -> None:
    answer = api.post("/v1/transactions", sale(type_number=1))

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == {"transactionId", "number"}
    assert str(uuid.UUID(body["transactionId"])) == body["transactionId"].lower()
    assert body["number"] == 1
    assert answer.headers["X-Trace-Id"]


def test_numbers_are_gapless_per_transaction_type_and_a_rejected_voucher_takes_none(api: Api) -> None:
    def number(body: dict[str, Any]) -> int:
        answer = api.post("/v1/transactions", body)
        assert answer.status_code == 201, answer.text
        result: int = answer.json()["number"]
        return result

    first = number(sale(type_number=1))
    rejected = api.post(
        "/v1/transactions", voucher("2024-03-05", line(1920, 100), line(3000, -99), type_number=1)
    )
    second = number(sale(type_number=1))
    other_type = number(sale(type_number=2))
    third = number(sale(type_number=1))
    rejected_in_2 = api.post("/v1/transactions", voucher("2020-01-01", *sale()["lines"], type_number=2))
    second_of_2 = number(sale(type_number=2))

    assert rejected.status_code == 400
    assert rejected_in_2.status_code == 400
    assert (first, second, third) == (1, 2, 3)
    assert (other_type, second_of_2) == (1, 2)
    ids = {item["transaction"]["id"] for item in all_lines(api)}
    assert len(ids) == 5


# --- VAT ---------------------------------------------------------------------------------------------------


def test_output_vat_25_percent_is_split_from_the_gross_amount(api: Api) -> None:
    # gross 1250 at 25 %: VAT = 1250 × 25/125 = 250, net = 1000
    lines = lines_of(
        api,
        api.post_voucher(voucher("2024-03-05", line(1500, 1250), line(3000, -1250, tax=3), type_number=1)),
    )

    assert [(item["account"]["number"], item["amount"]) for item in lines] == [
        (1500, 1250),
        (3000, -1000),
        (2700, -250),
    ]
    assert [item["tax"] for item in lines] == [
        {"id": 0, "rate": 0},
        {"id": 3, "rate": 25},
        {"id": 3, "rate": 25},
    ]


def test_output_vat_15_percent_rounds_to_the_ore(api: Api) -> None:
    # gross 100.00 at 15 %: VAT = 100 × 15/115 = 13.0434… → 13.04, net = 100 − 13.04 = 86.96
    assert posted(api, voucher("2024-03-05", line(1500, 100), line(3000, -100, tax=31))) == [
        (1500, 100),
        (3000, -86.96),
        (2701, -13.04),
    ]


def test_output_vat_12_percent_rounds_half_even(api: Api) -> None:
    # gross 100.66 at 12 %: VAT = 100.66 × 12/112 = 10.785 exactly → half-even 10.78 (half-up would be 10.79);
    # net = 100.66 − 10.78 = 89.88
    assert posted(api, voucher("2024-03-05", line(1500, 100.66), line(3000, -100.66, tax=33))) == [
        (1500, 100.66),
        (3000, -89.88),
        (2702, -10.78),
    ]


def test_input_vat_goes_to_2710(api: Api) -> None:
    # gross 500 at 25 %: VAT = 500 × 25/125 = 100 on 2710, net = 400 on the cost account
    assert posted(api, voucher("2024-03-05", line(6300, 500, tax=1), line(2400, -500), type_number=2)) == [
        (6300, 400),
        (2710, 100),
        (2400, -500),
    ]


def test_a_given_tax_amount_replaces_the_computed_vat(api: Api) -> None:
    # gross 500 with tax.amount 99.99: VAT = 99.99 (not 100), net = 500 − 99.99 = 400.01
    input_line = {**line(6300, 500), "tax": {"number": 1, "amount": 99.99}}

    assert posted(api, voucher("2024-03-05", input_line, line(2400, -500), type_number=2)) == [
        (6300, 400.01),
        (2710, 99.99),
        (2400, -500),
    ]


def test_a_tax_amount_with_the_wrong_sign_is_refused(api: Api) -> None:
    input_line = {**line(6300, 500), "tax": {"number": 1, "amount": -100}}

    problems = validation_problems(
        api.post("/v1/transactions", voucher("2024-03-05", input_line, line(2400, -500)))
    )

    assert "/lines/0/tax/amount" in {p["path"] for p in problems}
    assert all_lines(api) == []


def test_reverse_charge_with_deduction_owes_and_reclaims_the_vat(api: Api) -> None:
    # code 86, net 1000 at 25 %: VAT = 250, owed on 2705 (credit) and reclaimed on 2710 (debit)
    assert posted(api, voucher("2024-03-05", line(6300, 1000, tax=86), line(2400, -1000), type_number=2)) == [
        (6300, 1000),
        (2710, 250),
        (2705, -250),
        (2400, -1000),
    ]


def test_reverse_charge_without_deduction_makes_the_vat_a_cost(api: Api) -> None:
    # code 87, net 1000 at 25 %: VAT = 250 owed on 2705 and debited to the line's own account 6300
    assert posted(api, voucher("2024-03-05", line(6300, 1000, tax=87), line(2400, -1000), type_number=2)) == [
        (6300, 1000),
        (6300, 250),
        (2705, -250),
        (2400, -1000),
    ]


def test_a_foreign_currency_line_is_converted_at_its_rate(api: Api) -> None:
    # EUR 123.45 at 11.4567 NOK/EUR = 1414.329615 NOK → rounded half-even to the øre: 1414.33
    eur = line(1921, 123.45, currency={"code": "EUR", "rate": 11.4567})
    lines = lines_of(api, api.post_voucher(voucher("2024-03-05", eur, line(3000, -1414.33))))

    assert [
        (item["account"]["number"], item["amount"], item["baseAmount"], item["currency"]) for item in lines
    ] == [
        (1921, 123.45, 1414.33, {"code": "EUR", "rate": 11.4567}),
        (3000, -1414.33, -1414.33, {"code": "NOK", "rate": 1}),
    ]


def test_vat_in_a_foreign_currency_is_split_in_that_currency(api: Api) -> None:
    # EUR −125 gross at 25 %: VAT = −25 EUR, net = −100 EUR.
    # Base: net = round(−100 × 11.5) = −1150.00 NOK;
    #       VAT = round(−125 × 11.5) − (−1150) = −1437.50 + 1150 = −287.50 NOK
    eur = line(3000, -125, tax=3, currency={"code": "EUR", "rate": 11.5})
    lines = lines_of(api, api.post_voucher(voucher("2024-03-05", line(1500, 1437.5), eur, type_number=1)))

    assert [(item["account"]["number"], item["amount"], item["baseAmount"]) for item in lines] == [
        (1500, 1437.5, 1437.5),
        (3000, -100, -1150),
        (2700, -25, -287.5),
    ]


# --- rejected vouchers -------------------------------------------------------------------------------------

BALANCED = [line(1920, 100), line(3000, -100)]
THOUSAND_AND_ONE = [line(1920, 1) for _ in range(1000)] + [line(3000, -1000)]

REJECTED: list[Any] = [
    pytest.param(
        voucher("2024-03-05", line(1920, 100), line(3000, -99.5)), "/lines", "balanced", id="unbalanced"
    ),
    pytest.param(voucher("2020-06-30", *BALANCED), "/date", "openFiscalYear", id="year-not-open"),
    pytest.param(
        voucher("2024-03-05", line(1234, 100), line(3000, -100)),
        "/lines/0/accountNumber",
        "exists",
        id="unknown-account",
    ),
    pytest.param(
        voucher("2024-03-05", line(1920, 100), line(3000, -100, tax=77)),
        "/lines/1/tax/number",
        "exists",
        id="unknown-tax-code",
    ),
    pytest.param(
        voucher("2024-03-05", line(1920, 100, comment=COMMENT_76), line(3000, -100)),
        "/lines/0/comment",
        "maxLength",
        id="line-comment-76",
    ),
    pytest.param(
        voucher("2024-03-05", *BALANCED, comment=COMMENT_76), "/comment", "maxLength", id="voucher-comment-76"
    ),
    pytest.param(
        voucher("2024-03-05", line(1921, 100, currency={"code": "eur", "rate": 11.5}), line(3000, -1150)),
        "/lines/0/currency/code",
        "pattern",
        id="lower-case-currency",
    ),
    pytest.param(
        voucher("2024-03-05", line(1920, "100"), line(3000, -100)),
        "/lines/0/amount",
        "type",
        id="string-amount",
    ),
    pytest.param(
        voucher("2024-03-05", line(1920, 10.005), line(3000, -10.005)),
        "/lines/0/amount",
        "multipleOf",
        id="too-many-decimals",
    ),
    pytest.param({"transactionTypeNumber": 6, "date": "2024-03-05"}, "/lines", "required", id="no-lines"),
    pytest.param(
        voucher("2024-03-05", {"accountNumber": 1920, "amount": 100}, line(3000, -100)),
        "/lines/0/tax",
        "required",
        id="line-without-tax",
    ),
    pytest.param(voucher("2024-03-05", *THOUSAND_AND_ONE), "/lines", "maxItems", id="1001-lines"),
    pytest.param(
        voucher("2024-03-05", *BALANCED, type_number=0), "/transactionTypeNumber", "minimum", id="type-0"
    ),
    pytest.param(
        voucher("2024-03-05", *BALANCED, type_number=99), "/transactionTypeNumber", "exists", id="type-99"
    ),
    pytest.param(
        voucher("2024-03-05", line(1920, 100, currency={"code": "NOK", "rate": 2}), line(3000, -200)),
        "/lines/0/currency/rate",
        "const",
        id="base-currency-rate-2",
    ),
    pytest.param(
        voucher("2024-03-05", line(1921, 100, currency={"code": "XXX", "rate": 2}), line(3000, -200)),
        "/lines/0/currency/code",
        "enum",
        id="unknown-currency",
    ),
    pytest.param(
        voucher("2024-03-05", line(1921, 1.5, currency={"code": "JPY", "rate": 0.07}), line(3000, -0.11)),
        "/lines/0/amount",
        "multipleOf",
        id="decimals-in-jpy",
    ),
    pytest.param(
        voucher("2024-03-05", {**line(6300, 500), "tax": {"number": 0, "amount": 5}}, line(2400, -500)),
        "/lines/0/tax/amount",
        "const",
        id="tax-amount-without-vat",
    ),
    pytest.param(
        voucher("2024-03-05", line(1921, 100, currency={"code": "EUR", "rate": 0}), line(3000, -100)),
        "/lines/0/currency/rate",
        "exclusiveMinimum",
        id="rate-0",
    ),
]


@pytest.mark.parametrize(("body", "path", "keyword"), REJECTED)
def test_a_bad_voucher_is_a_400_that_stores_nothing(
    api: Api, body: dict[str, Any], path: str, keyword: str
) -> None:
    problems = validation_problems(api.post("/v1/transactions", body))

    assert (path, keyword) in {(p["path"], p["keyword"]) for p in problems}, problems
    assert all_lines(api) == []
    assert api.post("/v1/transactions", sale()).json()["number"] == 1


def test_a_base_amount_too_large_to_store_is_a_400_not_a_500(api: Api) -> None:
    # Each line is within ±999 999 999 999.99 in its own currency, and the voucher balances, but in NOK
    # 999 999 999 999.99 × 1 000 000 = 999 999 999 999 990 000 NOK, about 10^20 øre: beyond a 64-bit
    # integer, and far beyond the ±999 999 999 999.99 a line may carry.
    huge = 999999999999.99
    body = voucher(
        "2024-03-05",
        line(1921, huge, currency={"code": "EUR", "rate": 1000000}),
        line(1922, -huge, currency={"code": "USD", "rate": 1000000}),
    )

    answer = api.post("/v1/transactions", body)

    assert {p["path"] for p in validation_problems(answer)} & {"/lines/0/amount", "/lines/0/currency/rate"}
    assert all_lines(api) == []
    assert api.post("/v1/transactions", sale()).json()["number"] == 1


def test_an_unbalanced_voucher_names_the_date_and_the_sum(api: Api) -> None:
    # 100 − 99.50 = 0.50 too much debit on 2024-03-05
    body = voucher("2024-03-05", line(1920, 100), line(3000, -99.5))

    [problem] = validation_problems(api.post("/v1/transactions", body))

    assert problem["keyword"] == "balanced"
    assert "2024-03-05" in problem["message"]
    assert "0.5" in problem["message"]


def test_every_unbalanced_date_is_named(api: Api) -> None:
    # 5 March: 100 − 90 = 10; 6 March: −100 + 90 = −10. The voucher sums to 0 but each date does not.
    body = voucher(
        "2024-03-05",
        line(1920, 100),
        line(3000, -90),
        line(1920, -100, date="2024-03-06"),
        line(3000, 90, date="2024-03-06"),
    )

    problems = validation_problems(api.post("/v1/transactions", body))

    messages = sorted(p["message"] for p in problems if p["keyword"] == "balanced")
    assert len(messages) == 2
    assert "2024-03-05" in messages[0]
    assert "10" in messages[0]
    assert "2024-03-06" in messages[1]
    assert "-10" in messages[1]


def test_all_problems_of_a_voucher_come_in_one_answer(api: Api) -> None:
    body = voucher("2024-03-05", line(1234, 100), line(3000, -100, tax=77))

    problems = validation_problems(api.post("/v1/transactions", body))

    assert {(p["path"], p["keyword"]) for p in problems} >= {
        ("/lines/0/accountNumber", "exists"),
        ("/lines/1/tax/number", "exists"),
    }


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_body_that_is_not_json_is_a_400_that_stores_nothing(api: Api, content_type: str) -> None:
    answer = api.client.post(
        "/v1/transactions",
        content=b'{"transactionTypeNumber": 6, "date": "2024-03-05", "lines": [',
        headers={**api.auth, "Content-Type": content_type},
    )

    validation_problems(answer)
    assert all_lines(api) == []
    assert api.post("/v1/transactions", sale()).json()["number"] == 1


def test_an_empty_body_is_a_400(api: Api) -> None:
    answer = api.client.post("/v1/transactions", headers={**api.auth, "Content-Type": "application/json"})

    validation_problems(answer)
    assert all_lines(api) == []


def test_a_voucher_without_lines_is_a_400(api: Api) -> None:
    problems = validation_problems(api.post("/v1/transactions", voucher("2024-03-05")))

    assert ("/lines", "minItems") in {(p["path"], p["keyword"]) for p in problems}


def test_exactly_1000_lines_are_accepted(api: Api) -> None:
    lines = [line(1920, 1) for _ in range(999)] + [line(3000, -999)]

    answer = api.post("/v1/transactions", voucher("2024-03-05", *lines))

    assert answer.status_code == 201, answer.text
    assert len(all_lines(api)) == 1000


# --- Idempotency-Key ---------------------------------------------------------------------------------------


def test_the_same_key_and_body_answer_the_first_answer_and_store_one_voucher(api: Api) -> None:
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}

    first = api.post("/v1/transactions", sale(), headers=key)
    again = api.post("/v1/transactions", sale(), headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(all_lines(api)) == 2
    assert api.post("/v1/transactions", sale()).json()["number"] == 2


def test_the_same_key_with_another_body_is_a_409(api: Api) -> None:
    key = {"Idempotency-Key": "k-409"}
    first = api.post("/v1/transactions", sale(amount=100), headers=key)

    conflict = api.post("/v1/transactions", sale(amount=200), headers=key)

    assert first.status_code == 201
    assert_vendor_error(conflict, 409)
    assert [item["amount"] for item in all_lines(api)] == [100, -100]


def test_a_failed_request_does_not_use_up_its_key(api: Api) -> None:
    key = {"Idempotency-Key": "k-fix"}
    wrong = api.post("/v1/transactions", voucher("2024-03-05", line(1920, 100), line(3000, -90)), headers=key)

    right = api.post("/v1/transactions", sale(), headers=key)
    replay = api.post("/v1/transactions", sale(), headers=key)

    validation_problems(wrong)
    assert right.status_code == 201, right.text
    assert right.json()["number"] == 1
    assert replay.json() == right.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert len(all_lines(api)) == 2


def test_concurrent_retries_with_one_key_post_once(api: Api) -> None:
    key = {"Idempotency-Key": "burst"}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: api.post("/v1/transactions", sale(), headers=key), range(12)))

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.text for answer in answers}) == 1
    assert len(all_lines(api)) == 2


def test_concurrent_vouchers_get_gapless_numbers(api: Api) -> None:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: api.post("/v1/transactions", sale()), range(12)))

    assert sorted(answer.json()["number"] for answer in answers) == list(range(1, 13))
    assert len(all_lines(api)) == 24


def test_an_idempotency_key_belongs_to_one_organization(api: Api, engine: sa.Engine) -> None:
    key = {"Idempotency-Key": "shared-key"}
    mine = api.post("/v1/transactions", sale(), headers=key)
    with Api.for_organization(engine, new_organization(engine)) as other:
        theirs = other.post("/v1/transactions", sale(), headers=key)
        assert len(all_lines(other)) == 2

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["transactionId"] != mine.json()["transactionId"]
