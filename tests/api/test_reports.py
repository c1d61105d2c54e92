"""``/v1/reports``: the reports over HTTP, as JSON and CSV, on the book of ``tests/report_book.py``."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from kontobok.api.scopes import ACCOUNT_BALANCE_READ, ACCOUNT_READ, TAX_READ
from tests.api.test_extensions import assert_vendor_error, problem_keywords
from tests.factories import Api, new_organization
from tests.journal import exact_json
from tests.report_book import post_first_quarter

QUARTER = {"dateFrom": "2025-01-01", "dateTo": "2025-03-31"}


@pytest.fixture
def books(api: Api) -> Api:
    post_first_quarter(api)
    return api


def _ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return exact_json(answer)


def _amounts(section: dict[str, Any]) -> dict[int, Any]:
    return {account["number"]: account["amount"] for account in section["accounts"]}


def test_trial_balance_json(books: Api) -> None:
    body = _ok(
        books.get("/v1/reports/trialbalance", params={"dateFrom": "2025-02-01", "dateTo": "2025-02-28"})
    )
    assert (body["dateFrom"], body["dateTo"]) == ("2025-02-01", "2025-02-28")
    bank = next(row for row in body["accounts"] if row["number"] == 1920)
    assert {key: bank[key] for key in ("name", "opening", "debit", "credit", "closing")} == {
        "name": "Bankinnskudd",
        "opening": 100000,
        "debit": 0,
        "credit": -20000,
        "closing": 80000,
    }
    assert body["totals"] == {"opening": 0, "debit": 28000, "credit": -28000, "closing": 0}
    assert [row["number"] for row in body["accounts"]] == sorted(row["number"] for row in body["accounts"])


def test_balance_sheet_json(books: Api) -> None:
    body = _ok(books.get("/v1/reports/balancesheet", params={"date": "2025-03-31"}))
    assert body["assets"]["total"] == body["equityAndLiabilities"]["total"] == 98800
    assert [group["key"] for group in body["assets"]["groups"]] == ["fixedAssets", "currentAssets"]
    equity, long_term, current = body["equityAndLiabilities"]["groups"]
    assert (equity["key"], long_term["key"], current["key"]) == (
        "equity",
        "longTermLiabilities",
        "currentLiabilities",
    )
    assert _amounts(equity) == {2000: 40000, 2050: 70000}
    assert equity["total"] == 88900
    assert body["resultForTheYear"] == -21100
    assert body["resultOfEarlierYears"] == 0


def test_income_statement_json_with_the_previous_year_and_quarters(books: Api) -> None:
    body = _ok(
        books.get(
            "/v1/reports/incomestatement",
            params={**QUARTER, "compare": "previousYear", "interval": "quarter"},
        )
    )
    assert _amounts(body["operatingIncome"]) == {3000: 10000, 3100: 2000}
    expenses = body["operatingExpenses"]
    assert (expenses["total"], expenses["goods"]["total"], expenses["payroll"]["total"]) == (
        33400,
        6400,
        20000,
    )
    assert (expenses["depreciation"]["total"], expenses["other"]["total"]) == (1000, 6000)
    assert body["operatingResult"] == -21400
    assert body["financialItems"] == {
        "total": 300,
        "income": {
            "key": "financialIncome",
            "name": "Finansinntekter",
            "total": 300,
            "accounts": [
                {"id": books.account_id(8050), "number": 8050, "name": "Annen renteinntekt", "amount": 300}
            ],
        },
        "expenses": {"key": "financialExpenses", "name": "Finanskostnader", "total": 0, "accounts": []},
    }
    assert body["result"] == body["resultBeforeTax"] == -21100
    assert body["previousYear"]["dateFrom"] == "2024-01-01"
    assert body["previousYear"]["result"] == 0
    assert [(p["dateFrom"], p["dateTo"], p["result"]) for p in body["periods"]] == [
        ("2025-01-01", "2025-03-31", -21100)
    ]


def test_income_statement_leaves_out_what_was_not_asked_for(books: Api) -> None:
    body = _ok(books.get("/v1/reports/incomestatement", params=QUARTER))
    assert "previousYear" not in body
    assert "periods" not in body


def test_vat_report_json(books: Api) -> None:
    body = _ok(books.get("/v1/reports/vat", params=QUARTER))
    assert [(c["code"], c["kind"], c["basis"], c["vat"]) for c in body["codes"]] == [
        (1, "input", 6400, 1600),
        (3, "output", 10000, 2500),
        (5, "output", 2000, 0),
        (86, "reverseChargeOutput", 1000, 250),
        (86, "reverseChargeInput", 1000, 250),
    ]
    assert (body["output"], body["deductible"], body["payable"]) == (2750, 1850, 900)


def test_amounts_with_fractions_are_exact(api: Api) -> None:
    api.post_voucher(
        {"transactionTypeNumber": 1, "date": "2025-05-05", "lines": [
            {"accountNumber": 1500, "amount": 100.1, "tax": {"number": 0}},
            {"accountNumber": 3000, "amount": -100.1, "tax": {"number": 3}},
        ]}
    )  # fmt: skip
    body = _ok(api.get("/v1/reports/vat", params={"dateFrom": "2025-05-01", "dateTo": "2025-05-31"}))
    assert [(c["basis"], c["vat"]) for c in body["codes"]] == [(Decimal("80.08"), Decimal("20.02"))]
    answer = api.get("/v1/reports/vat", params={"dateFrom": "2025-05-01", "dateTo": "2025-05-31"},
                     headers={"Accept": "text/csv"})  # fmt: skip
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[1][3:] == ["80.08", "20.02"]


def test_csv_answers(books: Api) -> None:
    accept = {"Accept": "text/csv"}
    trial = books.get("/v1/reports/trialbalance", params=QUARTER, headers=accept)
    assert trial.status_code == 200, trial.text
    assert trial.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(trial.text)))
    assert {"number": "1920", "name": "Bankinnskudd", "opening": "100000", "debit": "300",
            "credit": "-25000", "closing": "75300"} in rows  # fmt: skip
    assert rows[-1]["name"] == "Sum"

    sheet = list(csv.DictReader(io.StringIO(books.get(
        "/v1/reports/balancesheet", params={"date": "2025-03-31"}, headers=accept).text)))  # fmt: skip
    totals = {row["side"]: row["amount"] for row in sheet if row["line"] == "total" and not row["group"]}
    assert totals == {"assets": "98800", "equityAndLiabilities": "98800"}

    statement = books.get(
        "/v1/reports/incomestatement", params={**QUARTER, "interval": "month"}, headers=accept
    ).text
    table = list(csv.reader(io.StringIO(statement)))
    assert table[0] == [
        "section", "line", "number", "name", "2025-01-01..2025-01-31", "2025-02-01..2025-02-28",
        "2025-03-01..2025-03-31", "2025-01-01..2025-03-31",
    ]  # fmt: skip
    assert table[-1] == ["result", "total", "", "Årsresultat", "12000", "-26400", "-6700", "-21100"]
    assert ["operatingExpenses", "account", "6300", "Leie lokale", "0", "0", "6000", "6000"] in table

    vat = list(csv.DictReader(io.StringIO(books.get("/v1/reports/vat", params=QUARTER, headers=accept).text)))
    assert vat[-1] == {"code": "", "kind": "payable", "name": "Å betale (negativt: til gode)", "basis": "",
                       "vat": "900"}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "params", "problem"),
    [
        ("trialbalance", {"dateFrom": "2025-03-01", "dateTo": "2025-02-01"}, ("/dateFrom", "range")),
        ("trialbalance", {"dateFrom": "2024-12-01", "dateTo": "2025-01-31"}, ("/dateTo", "range")),
        ("incomestatement", {"dateFrom": "2025-01-01", "dateTo": "2026-01-01"}, ("/dateTo", "range")),
        ("vat", {"dateFrom": "2025-11-01", "dateTo": "2026-02-28"}, ("/dateTo", "range")),
        ("balancesheet", {"date": "0999-12-31"}, ("/date", "range")),
        ("trialbalance", {"dateFrom": "0001-01-01", "dateTo": "2025-01-01"}, ("/dateFrom", "range")),
    ],
)
def test_bad_ranges_are_400(api: Api, path: str, params: dict[str, str], problem: tuple[str, str]) -> None:
    assert problem in problem_keywords(api.get(f"/v1/reports/{path}", params=params))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("trialbalance", {"dateFrom": "2025-02-30", "dateTo": "2025-03-01"}),
        ("trialbalance", {"dateFrom": "2025-01-01"}),
        ("balancesheet", {"date": "yesterday"}),
        ("incomestatement", {**QUARTER, "interval": "week"}),
        ("incomestatement", {**QUARTER, "compare": "lastWeek"}),
    ],
)
def test_malformed_parameters_are_400(api: Api, path: str, params: dict[str, str]) -> None:
    error = assert_vendor_error(api.get(f"/v1/reports/{path}", params=params), 400)
    assert error["name"] == "ValidationError"


def test_reports_need_the_read_scopes(api: Api, engine: sa.Engine) -> None:
    with Api.for_organization(engine, api.organization, scopes=[ACCOUNT_READ, TAX_READ]) as limited:
        for path in ("trialbalance", "incomestatement", "vat"):
            assert_vendor_error(limited.get(f"/v1/reports/{path}", params=QUARTER), 403)
        assert_vendor_error(limited.get("/v1/reports/balancesheet", params={"date": "2025-01-01"}), 403)
    with Api.for_organization(
        engine, api.organization, scopes=[ACCOUNT_BALANCE_READ, ACCOUNT_READ]
    ) as reader:
        assert reader.get("/v1/reports/balancesheet", params={"date": "2025-01-01"}).status_code == 200
    assert_vendor_error(api.client.get("/v1/reports/vat", params=QUARTER), 401)


def test_another_organizations_books_are_not_in_the_reports(books: Api, engine: sa.Engine) -> None:
    with Api.for_organization(engine, new_organization(engine)) as other:
        body = _ok(other.get("/v1/reports/trialbalance", params=QUARTER))
        assert body["accounts"] == []
        assert _ok(other.get("/v1/reports/vat", params=QUARTER))["codes"] == []
