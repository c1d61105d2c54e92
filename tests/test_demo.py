"""The demo company, as a newcomer meets it: loaded once, consistent, and its bank account readable."""

from __future__ import annotations

import io
from decimal import Decimal
from itertools import pairwise

import sqlalchemy as sa
from rich.console import Console

from kontobok.demo import load_demo
from kontobok.store.database import read_transaction
from kontobok.store.verification import verify_books
from tests.factories import Api


def exact(number: float) -> Decimal:
    """The decimal a JSON number was written as (Python's float repr is its shortest exact spelling)."""
    return Decimal(repr(number))


def test_the_demo_loads_once_and_its_bank_account_chains_through_2024(engine: sa.Engine) -> None:
    console = Console(file=io.StringIO())
    organization = load_demo(engine, console=console, host="127.0.0.1", port=8000)
    again = load_demo(engine, console=console, host="127.0.0.1", port=8000)
    assert again.organization_id == organization.organization_id

    with read_transaction(engine) as connection:
        report = verify_books(connection, organization.organization_id)
    assert report.ok
    assert report.vouchers_checked >= 20_000

    with Api.for_organization(engine, organization) as api:
        months = api.balances(1920, "2024-01-01", "2024-12-31")
    assert [month["date"] for month in months] == [f"2024-{m:02d}-01" for m in range(1, 13)]
    assert all(a["closing"] == b["opening"] for a, b in pairwise(months))
    assert all(exact(m["closing"]) - exact(m["opening"]) == exact(m["change"]) for m in months)
    assert "client_secret" in console.file.getvalue()  # type: ignore[attr-defined]
