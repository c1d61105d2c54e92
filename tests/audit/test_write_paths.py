"""Every path that writes to the books journals what it writes: ``kontobok audit verify`` stays ok after it.

Each test takes one write path through the API or the CLI, as a user would, then runs ``kontobok audit
verify`` on the same database and expects exit 0 with ``ok`` and more entries than before (or as many, for
the paths that write outside the books: API clients, key generations, webhooks, monitors, drafts waiting).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.services.drafts import create_draft
from kontobok.store.clients import create_client
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.schema import fiscal_years
from tests.api.test_partial_deduction import partial, purchase
from tests.factories import Api, bank_account_body, line, voucher
from tests.test_statement_import import ASNB, run_import


def _cli(engine: sa.Engine, *args: str) -> Any:
    return CliRunner().invoke(
        app, [*args, "--database-url", engine.url.render_as_string(hide_password=False)]
    )


def _verified(engine: sa.Engine, api: Api) -> int:
    """Run ``kontobok audit verify``: exit 0 and ``ok``; the number of journal entries."""
    result = _cli(engine, "audit", "verify", "--organization", str(api.organization.organization_id))
    body = json.loads(result.stdout)
    assert (result.exit_code, body["ok"], body["problems"]) == (0, True, []), result.output
    entries: int = body["entries"]
    return entries


@pytest.fixture
def books(api: Api) -> Api:
    """A 2024 with a profit of 6 000."""
    api.post_voucher(voucher("2024-05-01", line(1920, 10000), line(3000, -10000)))
    api.post_voucher(voucher("2024-06-01", line(6300, 4000), line(1920, -4000)))
    return api


def _closing_voucher_id(engine: sa.Engine, api: Api) -> Any:
    with read_transaction(engine) as connection:
        return connection.execute(
            sa.select(fiscal_years.c.closing_voucher_id).where(
                (fiscal_years.c.organization_id == api.organization.organization_id)
                & (fiscal_years.c.year == 2024)
            )
        ).scalar_one()


def test_closing_a_year_with_a_result_and_reopening_it_verify(engine: sa.Engine, books: Api) -> None:
    before = _verified(engine, books)
    closed = books.post("/v1/fiscalyears/2024/close")
    assert closed.status_code == 200, closed.text
    assert _closing_voucher_id(engine, books) is not None
    after_closing = _verified(engine, books)
    assert after_closing > before
    reopened = books.post("/v1/fiscalyears", {"year": 2024})
    assert reopened.status_code in (200, 201), reopened.text
    assert _closing_voucher_id(engine, books) is None
    after_reopening = _verified(engine, books)
    assert after_reopening > after_closing
    # and closed once more: a second closing voucher, recorded again
    assert books.post("/v1/fiscalyears/2024/close").status_code == 200
    assert _verified(engine, books) > after_reopening


def test_a_bank_account_created_with_a_balance_verifies(engine: sa.Engine, api: Api) -> None:
    before = _verified(engine, api)
    balance = {"amount": 1234.5, "timestamp": "2024-06-01T12:00:00Z", "currency": {"code": "NOK"}}
    answer = api.post("/v1/bankaccounts", bank_account_body(balance=balance))
    assert answer.status_code == 201, answer.text
    assert _verified(engine, api) > before


def test_a_partially_deducted_voucher_verifies(engine: sa.Engine, api: Api) -> None:
    before = _verified(engine, api)
    api.post_voucher(purchase(partial(6300, 1250, 1, 50), 1250))
    assert _verified(engine, api) > before


def test_a_statement_import_verifies(engine: sa.Engine, api: Api) -> None:
    before = _verified(engine, api)
    report = run_import(engine, api, "mt940", ASNB)
    assert report["statements"]
    assert _verified(engine, api) > before


def test_webhooks_monitors_and_a_confirmed_draft_verify(engine: sa.Engine, api: Api) -> None:
    organization = str(api.organization.organization_id)
    before = _verified(engine, api)
    added = _cli(engine, "webhook", "add", "--organization", organization, "--url", "http://127.0.0.1:9/hook")
    assert added.exit_code == 0, added.output
    monitor = _cli(
        engine,
        "webhook",
        "monitor",
        "add",
        "--organization",
        organization,
        "--account",
        "1920",
        "--below",
        "10",
    )
    assert monitor.exit_code == 0, monitor.output
    body = voucher("2024-03-01", line(1920, 500), line(3000, -500))
    draft = create_draft(engine, api.organization.organization_id, body, "March sale")
    assert _verified(engine, api) == before  # nothing of this is in the books yet
    confirmed = _cli(engine, "draft", "confirm", "--organization", organization, draft["id"])
    assert confirmed.exit_code == 0, confirmed.output
    assert _verified(engine, api) > before
    lines = api.get("/v1/transactionlines", params={"dateFrom": "2024-03-01", "dateTo": "2024-03-02"}).json()
    assert sorted(row["account"]["number"] for row in lines) == [1920, 3000]


def test_revoking_a_client_and_rotating_the_key_leave_verify_ok(engine: sa.Engine, api: Api) -> None:
    organization = str(api.organization.organization_id)
    api.post_voucher(voucher("2024-01-10", line(1920, 100), line(3000, -100)))
    before = _verified(engine, api)
    with write_transaction(engine) as connection:
        client = create_client(connection, api.organization.organization_id, frozenset({"account:read"}))
    revoked = _cli(
        engine, "client", "revoke", "--organization", organization, "--client-id", client.client_id
    )
    assert revoked.exit_code == 0, revoked.output
    rotated = _cli(engine, "org", "rotate-key", "--organization", organization)
    assert rotated.exit_code == 0, rotated.output
    assert json.loads(rotated.stdout)["keyGeneration"] >= 1
    assert _verified(engine, api) == before
