"""How many statements one balance request sends: each is a round trip, and on Citus a coordinator's plan.

Counted with SQLAlchemy's ``before_cursor_execute`` on a real database: the token check, the reads and, on
PostgreSQL, a transaction's ``BEGIN`` and ``COMMIT`` (psycopg sends them as statements of their own). Before
the balance reads were folded, the same requests sent 8, 6, 11 and 6 statements on PostgreSQL.
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

    def sends(connection: sa.Connection) -> bool:
        """A transaction in autocommit sends no BEGIN or COMMIT; SQLite's BEGIN is a statement already."""
        level = connection.get_execution_options().get("isolation_level")
        return connection.dialect.name == "postgresql" and level != "AUTOCOMMIT"

    def begin(connection: sa.Connection) -> None:
        if sends(connection):
            sent.append("BEGIN")

    def commit(connection: sa.Connection) -> None:
        if sends(connection):
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
    return [
        text for text in sent if text.split()[0] not in {"BEGIN", "COMMIT"} or text in {"BEGIN", "COMMIT"}
    ]


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
    # the token check is one statement; on PostgreSQL the reads run without a transaction (READ COMMITTED
    # gives each statement its own snapshot either way); SQLite's read transactions send a BEGIN each
    expected = {"one account": 3, "all accounts": 3, "powens": 6, "page": 4}
    if engine.dialect.name == "sqlite":
        expected = {name: sent + 2 for name, sent in expected.items()}
    assert {name: len(sent) for name, sent in counts.items()} == expected, counts
