"""``kontobok report``: the same figures as ``/v1/reports``, as a table, as the API's JSON and as its CSV."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from kontobok.cli import app
from tests.factories import Api
from tests.report_book import post_first_quarter

QUARTER = ["--from", "2025-01-01", "--to", "2025-03-31"]
REPORTS = [
    ("trialbalance", QUARTER, {"dateFrom": "2025-01-01", "dateTo": "2025-03-31"}),
    ("balancesheet", ["--date", "2025-03-31"], {"date": "2025-03-31"}),
    ("incomestatement", [*QUARTER, "--interval", "month", "--compare-previous-year"],
     {"dateFrom": "2025-01-01", "dateTo": "2025-03-31", "interval": "month", "compare": "previousYear"}),
    ("vat", QUARTER, {"dateFrom": "2025-01-01", "dateTo": "2025-03-31"}),
]  # fmt: skip


def _run(engine: sa.Engine, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, ["report", *args, "--database-url", url])


@pytest.fixture
def books(api: Api) -> Api:
    post_first_quarter(api)
    return api


@pytest.mark.parametrize(("name", "options", "params"), REPORTS)
def test_json_and_csv_are_the_apis(
    engine: sa.Engine, books: Api, name: str, options: list[str], params: dict[str, str]
) -> None:
    organization = ["--organization", str(books.organization.organization_id)]
    as_json = _run(engine, name, *organization, *options, "--json")
    as_csv = _run(engine, name, *organization, *options, "--csv")

    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == json.loads(books.get(f"/v1/reports/{name}", params=params).text)
    assert as_csv.exit_code == 0, as_csv.output
    from_api = books.get(f"/v1/reports/{name}", params=params, headers={"Accept": "text/csv"}).text
    assert as_csv.stdout.splitlines() == from_api.splitlines()


def test_the_table_shows_the_figures(engine: sa.Engine, books: Api) -> None:
    organization = ["--organization", str(books.organization.organization_id)]
    shown = _run(engine, "incomestatement", *organization, *QUARTER)
    assert shown.exit_code == 0, shown.output
    assert "Resultatregnskap 2025-01-01 – 2025-03-31" in shown.stdout
    assert any("Årsresultat" in row and "-21100" in row for row in shown.stdout.splitlines())
    vat = _run(engine, "vat", *organization, *QUARTER)
    assert any("payable" in row and "900" in row for row in vat.stdout.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trialbalance", "--from", "2025-03-01", "--to", "2025-02-01"], "dateFrom must not be after dateTo"),
        (["vat", "--from", "2025-12-01", "--to", "2026-01-31"], "one calendar year"),
    ],
)
def test_a_refused_report_is_a_message_not_a_traceback(
    engine: sa.Engine, books: Api, args: list[str], message: str
) -> None:
    result = _run(engine, *args, "--organization", str(books.organization.organization_id))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_unknown_organization_is_a_message(engine: sa.Engine) -> None:
    result = _run(engine, "balancesheet", "--organization", "987654", "--date", "2025-01-01")
    assert result.exit_code == 1
    assert "organization 987654 does not exist" in result.output
