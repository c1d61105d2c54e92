"""Sixteen clients racing for the same object get the answers one client at a time would get (SPEC,
Reliability): never a 500.

Each race sends sixteen identical requests from sixteen threads, released together by a barrier, to a real
``kontobok serve`` (uvicorn) on SQLite and on PostgreSQL:

- reversing one voucher: one 201 and fifteen 409s, one reversal stored;
- reversing one voucher under one ``Idempotency-Key``: sixteen 201s with the same body, one reversal stored;
- creating one bank account, one ledger account: one 201 and fifteen 409s, one row stored;
- opening one fiscal year: sixteen 201s (opening an open year changes nothing), one year stored.

On SQLite writers queue on the database's write lock; on PostgreSQL they run side by side under READ
COMMITTED, which is where a check-then-insert used to let fifteen of them reach the unique index.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from kontobok.api.scopes import ALL_SCOPES
from kontobok.store.clients import create_client
from kontobok.store.database import write_transaction
from kontobok.store.schema import accounts, bank_accounts, fiscal_years, vouchers
from tests.factories import bank_account_body, new_organization
from tests.reliability._harness import Server, running_server, url_of

CLIENTS = 16


@pytest.fixture(scope="module")
def server(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(url_of(engine), tmp_path_factory.mktemp("races") / "serve.log") as running:
        yield running


class Racer:
    """One organization's token on the running server, and a way to send one request from many threads."""

    def __init__(self, engine: sa.Engine, server: Server) -> None:
        self.engine = engine
        self.server = server
        self.organization_id = new_organization(engine).organization_id
        with write_transaction(engine) as connection:
            credentials = create_client(connection, self.organization_id, frozenset(ALL_SCOPES))
        answer = httpx.post(
            f"{server.base_url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            },
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.post(
            f"{self.server.base_url}{path}",
            json=body,
            headers={**self.headers, **(headers or {})},
            timeout=60,
        )

    def race(self, path: str, body: Any, headers: dict[str, str] | None = None) -> list[httpx.Response]:
        """``CLIENTS`` copies of one POST, each on a connection of its own, started together."""
        barrier = threading.Barrier(CLIENTS)

        def one(_: int) -> httpx.Response:
            with httpx.Client(base_url=self.server.base_url, timeout=60) as client:
                client.get("/health")  # connected before the start
                barrier.wait(30)
                return client.post(path, json=body, headers={**self.headers, **(headers or {})})

        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(one, range(CLIENTS)))
        statuses = Counter(answer.status_code for answer in answers)
        print(
            f"\n[race/{self.engine.dialect.name}] {CLIENTS} x POST {path.split('/')[2]}: "
            f"{dict(sorted(statuses.items()))} in {time.monotonic() - started:.2f} s"
        )
        assert self.server.process.poll() is None, self.server.log_text()[-4000:]
        return answers

    def count(self, table: sa.Table, *conditions: Any) -> int:
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.organization_id == self.organization_id, *conditions)
            ).scalar_one()
        return int(found)


@pytest.fixture
def racer(engine: sa.Engine, server: Server) -> Racer:
    return Racer(engine, server)


def one_winner(answers: list[httpx.Response]) -> httpx.Response:
    """Exactly one 201 and the rest 409 in the vendor's error shape; the 201."""
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {201: 1, 409: CLIENTS - 1}, [(a.status_code, a.text[:300]) for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["name"] == "ConflictError", answer.text
    return next(answer for answer in answers if answer.status_code == 201)


def posted_voucher(racer: Racer) -> str:
    body = {
        "transactionTypeNumber": 6,
        "date": "2024-03-05",
        "lines": [
            {"accountNumber": 1920, "amount": 100, "tax": {"number": 0}},
            {"accountNumber": 3000, "amount": -100, "tax": {"number": 0}},
        ],
    }
    answer = racer.post("/v1/transactions", body)
    assert answer.status_code == 201, answer.text
    transaction_id: str = answer.json()["transactionId"]
    return transaction_id


def test_concurrent_reversals_of_one_voucher_reverse_it_once(racer: Racer) -> None:
    original = posted_voucher(racer)

    winner = one_winner(racer.race(f"/v1/transactions/{original}/reverse", None))

    assert winner.json()["reverses"] == original
    assert racer.count(vouchers, vouchers.c.reverses_voucher_id.is_not(None)) == 1
    assert racer.count(vouchers) == 2


def test_concurrent_reversals_under_one_key_are_one_reversal_and_its_replays(racer: Racer) -> None:
    original = posted_voucher(racer)

    answers = racer.race(f"/v1/transactions/{original}/reverse", None, {"Idempotency-Key": "undo-once"})

    assert [answer.status_code for answer in answers] == [201] * CLIENTS, [a.text[:300] for a in answers]
    assert len({answer.content for answer in answers}) == 1
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == CLIENTS - 1
    assert racer.count(vouchers) == 2


def test_concurrent_creations_of_one_bank_account_create_it_once(racer: Racer) -> None:
    one_winner(racer.race("/v1/bankaccounts", bank_account_body()))

    assert racer.count(bank_accounts) == 1


def test_concurrent_creations_of_one_ledger_account_create_it_once(racer: Racer) -> None:
    one_winner(racer.race("/v1/accounts", {"number": 6301, "name": "Leie lager"}))

    assert racer.count(accounts, accounts.c.number == 6301) == 1


def test_concurrent_openings_of_one_fiscal_year_open_it_once(racer: Racer) -> None:
    answers = racer.race("/v1/fiscalyears", {"year": 2030})

    assert [answer.status_code for answer in answers] == [201] * CLIENTS, [a.text[:300] for a in answers]
    assert len({answer.content for answer in answers}) == 1
    assert racer.count(fiscal_years, fiscal_years.c.year == 2030) == 1
