"""Per-day and per-month totals never leave the signed 64-bit range, on either backend.

Hostile postings of the largest amounts the API allows, through the bulk import and through the API, bring
an account's total for one day to just under ``2**63`` minor units. One more voucher that day, or one more
in the same month, is refused naming the account and the day (or month), and stores nothing. On SQLite,
where an overflowing ``+`` silently turns into a REAL, no integer column of any table holds one afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import simplejson
import sqlalchemy as sa

from kontobok.core.money import MAX_AMOUNT
from kontobok.store.organizations import Organization
from kontobok.store.schema import metadata
from tests.factories import Api, line, voucher
from tests.hostile import assert_refused, run_import, run_kontobok, stored_rows
from tests.journal import write_jsonl

SIDE = 500  # lines per side of a voucher of 1000 lines
# vouchers of 500 x 999 999 999 999.99 on 1920 that fit one day's total: 184 x 5e16 < 2**63 - 1 < 185 x 5e16
FITTING = 184


def hostile(day: str) -> dict[str, Any]:
    return voucher(day, *[line(1920, MAX_AMOUNT)] * SIDE, *[line(3000, -MAX_AMOUNT)] * SIDE)


def post(api: Api, body: dict[str, Any]) -> Any:
    """``POST /v1/transactions`` with the amounts written as exact JSON numbers."""
    headers = {**api.auth, "Content-Type": "application/json"}
    return api.client.post(
        "/v1/transactions", content=simplejson.dumps(body, use_decimal=True), headers=headers
    )


def real_values(engine: sa.Engine) -> dict[str, int]:
    """Per ``table.column`` of an integer type: how many values SQLite holds as REAL."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.Integer):
                    count = connection.execute(
                        sa.text(f"SELECT count(*) FROM {table.name} WHERE typeof({column.name}) = 'real'")
                    ).scalar_one()
                    if count:
                        found[f"{table.name}.{column.name}"] = int(count)
    return found


def test_a_posting_past_the_64_bit_range_is_refused_naming_account_and_day(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    near = write_jsonl(tmp_path / "near.jsonl", [hostile("2024-03-05")] * FITTING)
    assert run_import(engine, organization, "transactions", near).exit_code == 0
    before = stored_rows(engine, organization)

    # one more voucher that day, through the import and through the API
    past = write_jsonl(tmp_path / "past.jsonl", [hostile("2024-03-05")])
    assert_refused(run_import(engine, organization, "transactions", past), "account 1920 on 2024-03-05")
    answer = post(api, hostile("2024-03-05"))
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["name"] == "ValidationError"
    assert "account 1920 on 2024-03-05" in error["payload"]["validationErrors"][0]["message"]

    # another day of the same month: the day's total fits, the month's does not
    answer = post(api, hostile("2024-03-06"))
    assert answer.status_code == 400, answer.text
    assert "account 1920 for 2024-03" in answer.json()["error"]["message"]

    assert stored_rows(engine, organization) == before
    if engine.dialect.name == "sqlite":
        assert real_values(engine) == {}
    verified = run_kontobok(engine, "verify", "--organization", str(organization.organization_id))
    assert verified.exit_code == 0, verified.stderr
    exported = run_kontobok(
        engine,
        "export",
        "saft",
        "--organization",
        str(organization.organization_id),
        "--year",
        "2024",
        "--output",
        str(tmp_path / "saft.xml"),
    )
    assert exported.exit_code == 0, exported.stderr
