"""How many statements one balance request sends: each is a round trip, and on Citus a coordinator's plan.

Counted with SQLAlchemy's ``before_cursor_execute`` on a real database: the token check, the reads and, on
PostgreSQL, the transaction's ``BEGIN`` and ``COMMIT`` (psycopg sends them as statements of their own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from tests.factories import Api, bank_account_body, line, voucher


@contextmanager
def _counting(engine: sa.Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def before(_c: Any, _cursor: Any, sql: str, _p: Any, _context: Any, _many: bool) -> None:
        sent.append(sql)

    def begin(_connection: Any) -> None:
        sent.append("BEGIN")

    def commit(_connection: Any) -> None:
        sent.append("COMMIT")

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "begin", begin)
    sa.event.listen(engine, "commit", commit)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "begin", begin)
        sa.event.remove(engine, "commit", commit)


def _statements(engine: sa.Engine, api: Api, path: str, params: dict[str, str]) -> list[str]:
    with _counting(engine) as sent:
        answer = api.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return [text for text in sent if not text.startswith(("BEGIN IMMEDIATE", "BEGIN DEFERRED"))]


def test_balance_requests_send_few_statements(engine: sa.Engine, api: Api) -> None:
    for month in range(1, 13):
        api.post_voucher(voucher(f"2024-{month:02}-15", line(1920, 100 * month), line(3000, -100 * month)))
    bank = api.account_id(1920)
    account_id = api.post("/v1/bankaccounts", bank_account_body()).json()["id"]
    year = {"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}
    counts = {
        "one account": _statements(
            engine, api, f"/v1/accountbalances/{bank}", {"dateFrom": "2021-01-01", "dateTo": "2025-12-31"}
        ),
        "all accounts": _statements(engine, api, "/v1/accountbalances", year),
        "powens": _statements(
            engine,
            api,
            f"/2.0/users/me/accounts/{account_id}/balances",
            {"min_date": "2024-01-01", "max_date": "2024-12-31"},
        ),
        "page": _statements(engine, api, "/v1/transactionlines", {**year, "limit": "3", "page": "3"}),
    }
    for name, sent in counts.items():
        print(name, len(sent))
        for text in sent:
            print("   ", " ".join(text.split())[:150])
    assert False
