"""``asOf`` on ``/v1/reports/*`` and ``--as-of`` on ``kontobok report``: the reports as the books stood.

The story: an incoming balance and a January sale with VAT are posted and every report is read; the instant
``T`` is noted; then a sale back-dated onto the same day and the same accounts (so a day's totals are only
partly later), a purchase with VAT back-dated into early January, and a reversal of the first sale are
posted. Every report as of ``T`` is the first answer again, byte for byte; without ``asOf`` it is not.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from tests.api.test_as_of import _instant_between
from tests.factories import Api, line, voucher

REPORTS: list[tuple[str, dict[str, str]]] = [
    ("trialbalance", {"dateFrom": "2025-01-01", "dateTo": "2025-03-31"}),
    ("trialbalance", {"dateFrom": "2025-01-16", "dateTo": "2025-03-31"}),
    ("balancesheet", {"date": "2025-01-31"}),
    (
        "incomestatement",
        {"dateFrom": "2025-01-01", "dateTo": "2025-03-31", "interval": "month", "compare": "previousYear"},
    ),
    ("vat", {"dateFrom": "2025-01-01", "dateTo": "2025-02-28"}),
]
CLI_OPTIONS = {
    "trialbalance": ["--from", "2025-01-01", "--to", "2025-03-31"],
    "balancesheet": ["--date", "2025-01-31"],
    "incomestatement": ["--from", "2025-01-01", "--to", "2025-03-31"],
    "vat": ["--from", "2025-01-01", "--to", "2025-02-28"],
}
CLI_PARAMS = {
    "trialbalance": {"dateFrom": "2025-01-01", "dateTo": "2025-03-31"},
    "balancesheet": {"date": "2025-01-31"},
    "incomestatement": {"dateFrom": "2025-01-01", "dateTo": "2025-03-31"},
    "vat": {"dateFrom": "2025-01-01", "dateTo": "2025-02-28"},
}


def _reports(api: Api, **extra: str) -> list[Any]:
    answers = []
    for name, params in REPORTS:
        answer = api.get(f"/v1/reports/{name}", params={**params, **extra})
        assert answer.status_code == 200, answer.text
        as_csv = api.get(f"/v1/reports/{name}", params={**params, **extra}, headers={"Accept": "text/csv"})
        assert as_csv.status_code == 200, as_csv.text
        answers.append((answer.text, as_csv.text))
    return answers


@pytest.fixture
def story(api: Api) -> tuple[str, list[Any]]:
    """The instant ``T`` and every report as read at ``T``."""
    api.post_voucher(
        voucher("2025-01-01", line(1920, 50000), line(2000, -50000), type_number=10)  # incoming balance
    )
    sale = api.post_voucher(voucher("2025-01-15", line(1500, 12500), line(3000, -12500, tax=3)))
    first = _reports(api)
    instant = _instant_between(api, sale)
    api.post_voucher(voucher("2025-01-15", line(1500, 2500), line(3000, -2500, tax=3)))
    api.post_voucher(voucher("2025-01-05", line(4000, 800, tax=1), line(1920, -800)))
    assert api.post(f"/v1/transactions/{sale}/reverse", {"date": "2025-01-20"}).status_code == 201
    return instant, first


def test_every_report_as_of_an_instant_is_the_answer_read_then(
    api: Api, story: tuple[str, list[Any]]
) -> None:
    instant, first = story
    assert _reports(api, asOf=instant) == first
    now = _reports(api)
    assert all(later != earlier for later, earlier in zip(now, first, strict=True))


def test_the_trial_balances_debits_and_credits_leave_out_later_lines_of_a_shared_day(
    api: Api, story: tuple[str, list[Any]]
) -> None:
    instant, _ = story
    params = {"dateFrom": "2025-01-01", "dateTo": "2025-01-31"}
    then = api.get("/v1/reports/trialbalance", params={**params, "asOf": instant}).json()
    now = api.get("/v1/reports/trialbalance", params=params).json()
    rows_then = {row["number"]: row for row in then["accounts"]}
    rows_now = {row["number"]: row for row in now["accounts"]}
    # the incoming balance is the opening; the sale debited 1500 once and credited 3000 and 2700
    assert {key: rows_then[1500][key] for key in ("opening", "debit", "credit", "closing")} == {
        "opening": 0, "debit": 12500, "credit": 0, "closing": 12500,
    }  # fmt: skip
    assert rows_then[1920]["opening"] == 50000
    assert (rows_then[1920]["debit"], rows_then[1920]["credit"]) == (0, 0)
    assert 4000 not in rows_then
    assert then["totals"] == {"opening": 0, "debit": 12500, "credit": -12500, "closing": 0}
    # now: the back-dated sale on the same day and the reversal (its credit on 1500) are in
    assert (rows_now[1500]["debit"], rows_now[1500]["credit"]) == (15000, -12500)
    assert rows_now[1920]["credit"] == -800


def test_the_vat_report_as_of_leaves_out_later_lines(api: Api, story: tuple[str, list[Any]]) -> None:
    instant, _ = story
    params = {"dateFrom": "2025-01-01", "dateTo": "2025-01-31"}
    then = api.get("/v1/reports/vat", params={**params, "asOf": instant}).json()
    now = api.get("/v1/reports/vat", params=params).json()
    assert then["payable"] == 2500
    assert now["payable"] == 500 - 160  # the back-dated sale's VAT, less the purchase's deductible VAT


@pytest.mark.parametrize(
    "as_of", ["2025-01-31", "2025-01-31T12:00:00", "yesterday", "2025-13-01T00:00:00Z", ""]
)
@pytest.mark.parametrize(("name", "params"), REPORTS[1:])
def test_an_as_of_that_is_not_an_instant_is_a_400(
    api: Api, name: str, params: dict[str, str], as_of: str
) -> None:
    answer = api.get(f"/v1/reports/{name}", params={**params, "asOf": as_of})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["name"] == "ValidationError"
    assert [problem["path"] for problem in error["payload"]["validationErrors"]] == ["/asOf"]


def _cli(engine: sa.Engine, *args: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, ["report", *args, "--database-url", url])


@pytest.mark.parametrize("name", CLI_OPTIONS)
def test_the_cli_as_of_an_instant_prints_the_apis_answer_then(
    api: Api, engine: sa.Engine, story: tuple[str, list[Any]], name: str
) -> None:
    instant, _ = story
    organization = ["--organization", str(api.organization.organization_id)]
    printed = _cli(engine, name, *organization, *CLI_OPTIONS[name], "--as-of", instant, "--json")
    assert printed.exit_code == 0, printed.output
    then = api.get(f"/v1/reports/{name}", params={**CLI_PARAMS[name], "asOf": instant}).text
    assert json.loads(printed.stdout) == json.loads(then)
    assert json.loads(then) != json.loads(api.get(f"/v1/reports/{name}", params=CLI_PARAMS[name]).text)


def test_the_cli_refuses_an_as_of_that_is_not_an_instant(api: Api, engine: sa.Engine) -> None:
    organization = ["--organization", str(api.organization.organization_id)]
    printed = _cli(engine, "vat", *organization, *CLI_OPTIONS["vat"], "--as-of", "2025-01-31")
    assert printed.exit_code == 1
    assert "--as-of" in printed.output
    assert "Traceback" not in printed.output
