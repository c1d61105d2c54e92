"""Input at the edges that once gave a 500 or was accepted: each is a 400 now, and stores nothing."""

from __future__ import annotations

import pytest

from tests.factories import Api, line, voucher

RANGE = {"dateFrom": "2024-01-01", "dateTo": "2025-01-01"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/accounts", {"query": "\x00"}),
        ("/v1/transactionlines", {**RANGE, "invoiceNumber": "\x00"}),
        ("/v1/banktransactions/abc%00defghijk", {}),
        ("/2.0/users/me/accounts", {"x": "\x00"}),
    ],
)
def test_nul_in_a_path_or_query_is_a_400(api: Api, path: str, params: dict[str, str]) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == 400, answer.text
    assert answer.headers["X-Trace-Id"]


def test_nul_in_a_body_is_a_400_and_stores_nothing(api: Api) -> None:
    body = voucher("2024-03-01", line(1920, 10), line(3000, -10), comment="nul \x00 here")
    answer = api.post("/v1/transactions", body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["name"] == "ValidationError"
    assert api.get("/v1/transactionlines", params=RANGE).json() == []


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/accountbalances", {"dateFrom": "0", "dateTo": "2000-01-01"}),
        ("/v1/transactionlines", {"dateFrom": "0", "dateTo": "2000-01-01"}),
        ("/v1/bankaccounts", {"before": "0"}),
        ("/v1/bankaccounts", {"before": "0001-01-01"}),
        ("/v1/transactionlines", {**RANGE, "createdFrom": "0001-01-01T00:00:00+05:00"}),
        ("/v1/transactionlines", {**RANGE, "createdFrom": "9999-12-31T23:00:00-05:00"}),
        ("/v1/transactionlines", {**RANGE, "createdFrom": "1704067200"}),
    ],
)
def test_a_date_must_be_an_iso_date_in_range(api: Api, path: str, params: dict[str, str]) -> None:
    answer = api.get(path, params=params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["name"] == "ValidationError"


def test_a_number_is_not_a_voucher_date(api: Api) -> None:
    body = voucher("2024-03-01", line(1920, 10), line(3000, -10))
    body["date"] = "1704067200"
    answer = api.post("/v1/transactions", body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["payload"]["validationErrors"][0]["path"] == "/date"
    assert api.get("/v1/transactionlines", params=RANGE).json() == []
