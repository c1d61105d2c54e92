"""An exported SAF-T file, imported into a new organization, gives the same balances.

The books have an incoming balance, sales and purchases with VAT, a foreign-currency line, customers and
suppliers and a reversal, in 2024, with a year of history before it; the export of 2024 must validate against
the Tax Administration's 1.30 schema, and every account's monthly balances over 2024 must read back the same
in the organization the file was imported into.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.store.organizations import Organization
from tests.factories import Api, line, new_organization, voucher
from tests.saft_files import schema_errors


def cli(engine: sa.Engine, *arguments: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, [*arguments, "--database-url", url])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def post_books(api: Api) -> None:
    api.post_voucher(voucher("2023-06-01", line(1920, 5000), line(3000, -5000, tax=3), type_number=1))
    # the year-end transfer of 2023's result (4000 net of VAT) to equity, so that 2024 opens balanced
    api.post_voucher(voucher("2023-12-31", line(8800, 4000), line(2050, -4000)))
    api.post_voucher(
        voucher("2024-01-01", line(1920, 10000), line(1250, 4000), line(2050, -14000), type_number=10)
    )
    api.post_voucher(voucher("2024-02-10", line(1500, 1250.10), line(3000, -1250.10, tax=3), type_number=1))
    api.post_voucher(voucher("2024-03-15", line(6800, 500, tax=1), line(2400, -500), type_number=2))
    eur: dict[str, Any] = {"currency": {"code": "EUR", "rate": 11.4821}}
    api.post_voucher(voucher("2024-04-02", line(4300, 100.01, **eur), line(1921, -100.01, **eur)))
    wrong = api.post_voucher(voucher("2024-05-05", line(7790, 99), line(1920, -99)))
    assert api.post(f"/v1/transactions/{wrong}/reverse", {"date": "2024-05-06"}).status_code == 201
    api.post_voucher(voucher("2024-12-31", line(1920, 1250.10), line(1500, -1250.10), type_number=5))


def balances_by_number(api: Api) -> dict[int, list[dict[str, Any]]]:
    answer = api.get("/v1/accountbalances", params={"dateFrom": "2024-01-01", "dateTo": "2024-12-31"})
    assert answer.status_code == 200, answer.text
    records = json.loads(answer.text, parse_float=Decimal)
    return {record["account"]["number"]: record["balances"] for record in records}


def test_an_exported_year_imports_into_a_new_organization_with_the_same_balances(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    post_books(api)
    exported = tmp_path / "2024.xml"
    cli(engine, "export", "saft", "--organization", str(organization.organization_id), "--year", "2024",
        "--output", str(exported))  # fmt: skip
    assert schema_errors(exported) == []

    copy = new_organization(engine, open_years=range(2024, 2025))
    result = cli(
        engine, "import", "saft", str(exported), "--organization", str(copy.organization_id), "--json"
    )
    report = json.loads(result.stdout.strip().splitlines()[-1], parse_float=Decimal)
    assert report["differences"] == []
    assert report["suspense"] == 0

    with Api.for_organization(engine, copy) as copied:
        assert balances_by_number(copied) == balances_by_number(api)
        # the profit-and-loss history before 2024 does not travel: 3000 opens 2024 at 0 in both
        assert balances_by_number(copied)[3000][0]["opening"] == 0
        assert balances_by_number(copied)[1920][0]["opening"] == 15000  # 5000 from 2023 + 10000 IB
        assert balances_by_number(copied)[2050][0]["opening"] == -18000  # 2023's result + the IB


def test_an_untransferred_result_shows_as_an_opening_imbalance(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    api.post_voucher(voucher("2023-06-01", line(1920, 5000), line(3000, -5000, tax=3), type_number=1))
    exported = tmp_path / "2024.xml"
    organization_id = str(organization.organization_id)
    result = cli(
        engine,
        "export",
        "saft",
        "--organization",
        organization_id,
        "--year",
        "2024",
        "--output",
        str(exported),
    )
    assert "sum to 4000" in result.output  # 1920 5000 - 2700 1000: 2023's result is still on 3000
    copy = new_organization(engine, open_years=range(2024, 2025))
    imported = cli(
        engine, "import", "saft", str(exported), "--organization", str(copy.organization_id), "--json"
    )
    assert json.loads(imported.stdout.strip().splitlines()[-1])["suspense"] == -4000
