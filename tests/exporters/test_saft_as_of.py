"""SAF-T export as of an instant: a filed export is reproduced byte for byte, whatever was posted since."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from lxml import etree
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.exporters.saft import export_saft
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.journal import record_rows
from kontobok.store.organizations import Organization
from kontobok.store.schema import accounts
from tests.exporters.test_saft_export import NS, all_text
from tests.factories import Api, line, voucher


def _export(engine: sa.Engine, organization: Organization, as_of: datetime | None) -> bytes:
    output = io.BytesIO()
    with read_transaction(engine, snapshot=True) as connection:
        export_saft(connection, organization, 2024, output, as_of=as_of)
    return output.getvalue()


def _instant() -> datetime:
    time.sleep(0.002)
    instant = datetime.now(UTC)
    time.sleep(0.002)
    return instant


def test_an_export_as_of_an_instant_is_the_same_bytes_after_more_postings(
    engine: sa.Engine, organization: Organization, api: Api
) -> None:
    sale = api.post_voucher(voucher("2024-01-15", line(1500, 1250), line(3000, -1250, tax=3)))
    api.post_voucher(voucher("2024-03-01", line(6300, 400), line(1920, -400)))
    instant = _instant()
    filed = _export(engine, organization, instant)

    # afterwards: a back-dated voucher, a reversal, a new account, and a changed mapping of an old one
    api.post_voucher(voucher("2024-01-02", line(6800, 99), line(1920, -99)))
    assert api.post(f"/v1/transactions/{sale}/reverse", {}).status_code == 201
    assert api.post(
        "/v1/accounts", {"number": 1925, "name": "Ny bank", "tax": {"number": 0}}
    ).status_code in (
        200,
        201,
    )
    api.post_voucher(voucher("2024-05-01", line(1925, 10), line(1920, -10)))
    with write_transaction(engine) as connection:
        mine = (accounts.c.organization_id == organization.organization_id) & (accounts.c.number == 1920)
        connection.execute(accounts.update().where(mine).values(name="Omdøpt", grouping_code="1921"))
        record_rows(connection, accounts, organization.organization_id, mine)

    assert _export(engine, organization, instant) == filed
    now = _export(engine, organization, None)
    assert now != filed
    root = etree.fromstring(filed)
    assert root.findtext("s:Header/s:AuditFileDateCreated", namespaces=NS) == instant.date().isoformat()
    assert all_text(root, "s:GeneralLedgerEntries/s:Journal/s:Transaction/s:TransactionDate") == [
        "2024-01-15",
        "2024-03-01",
    ]
    assert "1925" not in all_text(root, "s:MasterFiles/s:GeneralLedgerAccounts/s:Account/s:AccountID")
    assert "1925" in all_text(
        etree.fromstring(now), "s:MasterFiles/s:GeneralLedgerAccounts/s:Account/s:AccountID"
    )


def test_the_cli_writes_the_same_file_twice_and_refuses_a_day_as_an_instant(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    api.post_voucher(voucher("2024-02-01", line(1920, 10), line(3000, -10)))
    instant = _instant().isoformat()
    url = engine.url.render_as_string(hide_password=False)
    base = ["export", "saft", "--organization", str(organization.organization_id), "--year", "2024"]
    first, second = tmp_path / "first.xml", tmp_path / "second.xml"
    for output in (first, second):
        result = CliRunner().invoke(
            app, [*base, "--output", str(output), "--as-of", instant, "--database-url", url]
        )
        assert result.exit_code == 0, result.output
        api.post_voucher(voucher("2024-02-02", line(1920, 5), line(3000, -5)))
    assert first.read_bytes() == second.read_bytes()
    refused = CliRunner().invoke(
        app, [*base, "--output", str(tmp_path / "x.xml"), "--as-of", "2024-12-31", "--database-url", url]
    )
    assert refused.exit_code == 2
    assert "not an ISO 8601 instant" in refused.output
    assert not (tmp_path / "x.xml").exists()
