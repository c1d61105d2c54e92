"""Error messages say what is wrong once, where it is, and about the parameter the client sent."""

from __future__ import annotations

import httpx

from tests.api.test_transactions import all_lines, validation_problems
from tests.factories import Api, line, voucher
from tests.test_reconcile import new_bank_account


def test_a_voucher_in_a_closed_year_names_its_date_once(api: Api) -> None:
    answer = api.post("/v1/transactions", voucher("2020-03-05", line(1920, 100), line(3000, -100)))

    problems = validation_problems(answer)
    assert problems == [
        {"path": "/date", "keyword": "openFiscalYear", "message": "2020-03-05 is not in an open fiscal year"}
    ]
    assert answer.json()["error"]["message"] == "/date: 2020-03-05 is not in an open fiscal year"


def test_lines_dated_apart_still_name_each_of_their_dates(api: Api) -> None:
    body = voucher("2024-03-05", line(1920, 100, date="2020-01-02"), line(3000, -100, date="2021-01-02"))
    problems = validation_problems(api.post("/v1/transactions", body))
    assert [(p["path"], p["message"]) for p in problems] == [
        ("/lines/0/date", "2020-01-02 is not in an open fiscal year"),
        ("/lines/1/date", "2021-01-02 is not in an open fiscal year"),
    ]


def test_malformed_json_names_the_line_and_the_column(api: Api) -> None:
    body = b'{\n  "transactionTypeNumber": 6,\n  "date": "2024-03-05"\n  "lines": []\n}'
    answer = api.client.post(
        "/v1/transactions", content=body, headers={**api.auth, "Content-Type": "application/json"}
    )

    problems = validation_problems(answer)
    expected = "Malformed JSON at line 4, column 3: Expecting ',' delimiter"
    assert problems == [{"path": "", "keyword": "format", "message": expected}]
    assert answer.json()["error"]["message"] == expected
    assert all_lines(api) == []


def test_powens_with_only_max_date_names_max_date(api: Api) -> None:
    account_id = new_bank_account(api)
    for path in ("balances", "transactions"):
        answer = api.get(f"/2.0/users/me/accounts/{account_id}/{path}", params={"max_date": "2020-01-31"})
        if path == "transactions":
            # without min_date the transactions start at the first one: nothing to compare
            assert answer.status_code == 200, answer.text
            continue
        assert answer.status_code == 400, answer.text
        body = answer.json()
        assert body["code"] == "invalidValue"
        assert body["message"].startswith("max_date: max_date 2020-01-31 is before ")
        assert "give min_date too" in body["message"]
        assert "min_date must not be after" not in body["message"]


def test_powens_with_only_a_future_min_date_names_min_date(api: Api) -> None:
    account_id = new_bank_account(api)
    answer = api.get(f"/2.0/users/me/accounts/{account_id}/balances", params={"min_date": "9000-01-01"})

    assert answer.status_code == 400, answer.text
    assert answer.json()["message"].startswith("min_date: min_date 9000-01-01 is after ")
    assert "give max_date too" in answer.json()["message"]


def test_a_json_token_request_is_told_to_send_a_form(api: Api) -> None:
    credentials = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    answers: list[httpx.Response] = [
        api.client.post("/oauth/token", json=credentials),
        api.client.post(
            "/oauth/token", content=b"grant_type=client_credentials", headers={"Content-Type": "text/plain"}
        ),
        api.client.post("/oauth/token"),
    ]
    for answer in answers:
        assert answer.status_code == 400, answer.text
        body = answer.json()
        assert body["error"] == "invalid_request", body
        assert "application/x-www-form-urlencoded" in body["error_description"]
    # a form still reaches the credential check
    form = api.client.post("/oauth/token", data=credentials)
    assert (form.status_code, form.json()["error"]) == (401, "invalid_client")
