"""Balances over all time may pass the signed 64-bit range; every read answers them exactly, never a 500.

Each per-day and per-month total is kept inside the range when it is written
(``tests/test_stored_totals.py``), but an account's balance sums many of them. Here account 1920 takes about
half of ``2**63`` minor units in each of January and February 2024 (hostile vouchers of the largest amounts
the API allows, through the bulk import), so its balance from March on is just past ``2**63``: more than
SQLite's own ``sum()`` can hold, and more than ``bigint``.
The balances, the reports, ``verify`` and the SAF-T export read it on both backends.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import simplejson
import sqlalchemy as sa

from kontobok.core.money import MAX_AMOUNT
from kontobok.store.organizations import Organization
from tests.factories import Api, bank_account_body
from tests.hostile import run_import, run_kontobok
from tests.journal import write_jsonl
from tests.test_stored_totals import FITTING, SIDE, hostile

PER_MONTH = FITTING // 2 + 1
# what 1920 holds after January and February: PER_MONTH vouchers of SIDE lines of MAX_AMOUNT, twice
EXPECTED = 2 * PER_MONTH * SIDE * Decimal(MAX_AMOUNT)


def _exact(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return simplejson.loads(answer.text, use_decimal=True)


def test_balances_past_64_bits_are_read_exactly(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    books = write_jsonl(tmp_path / "books.jsonl", [hostile("2024-01-10"), hostile("2024-02-10")] * PER_MONTH)
    assert run_import(engine, organization, "transactions", books).exit_code == 0
    assert 2**63 < EXPECTED * 100 < 2**64
    bank = api.account_id(1920)

    # carried into the range from the months before it, summed in SQL
    march = {"dateFrom": "2024-03-01", "dateTo": "2024-03-31"}
    (record,) = [
        found
        for found in _exact(api.get("/v1/accountbalances", params=march))
        if found["account"]["number"] == 1920
    ]
    assert record["balances"][0]["opening"] == record["balances"][0]["closing"] == EXPECTED
    (one,) = _exact(api.get(f"/v1/accountbalances/{bank}", params={**march, "type": "Period"}))
    assert one["balances"][0]["closing"] == EXPECTED
    (year,) = _exact(
        api.get(f"/v1/accountbalances/{bank}", params={"dateFrom": "2024-01-01", "dateTo": "2024-12-31"})
    )
    assert year["balances"][-1]["closing"] == EXPECTED
    as_of = _exact(api.get(f"/v1/accountbalances/{bank}", params={**march, "asOf": "2100-01-01T00:00:00Z"}))
    assert as_of[0]["balances"][0]["closing"] == EXPECTED

    # the reports
    # the reports: exact, or refused in the vendor's error format when a total cannot be written exactly
    year_span = {"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}
    for path, params in (
        ("/v1/reports/balancesheet", {"date": "2024-03-31"}),
        ("/v1/reports/trialbalance", year_span),
        ("/v1/reports/incomestatement", year_span),
    ):
        answer = api.get(path, params=params)
        assert answer.status_code in (200, 400), answer.text
        if answer.status_code == 400:
            assert answer.json()["error"]["name"] == "ValidationError"

    # Powens, for the bank account on 1920 (its bank-side history is empty; the read must still answer)
    account_id = api.post("/v1/bankaccounts", bank_account_body()).json()["id"]
    powens = api.get(
        f"/2.0/users/me/accounts/{account_id}/balances",
        params={"min_date": "2024-01-01", "max_date": "2024-12-31"},
    )
    assert powens.status_code == 200, powens.text

    # the operator's commands
    verified = run_kontobok(engine, "verify", "--organization", str(organization.organization_id))
    assert verified.exit_code == 0, verified.stderr
    output = tmp_path / "saft.xml"
    exported = run_kontobok(
        engine, "export", "saft", "--organization", str(organization.organization_id), "--year", "2024",
        "--output", str(output),
    )  # fmt: skip
    assert exported.exit_code == 0, exported.stderr
    assert str(EXPECTED.quantize(Decimal("0.01"))) in output.read_text()
