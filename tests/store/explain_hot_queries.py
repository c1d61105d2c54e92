"""The PostgreSQL plans of kontobok's hot queries, as ``docs/scaling.md`` quotes them.

    .venv/bin/python -m tests.store.explain_hot_queries [--organizations 8] [--lines 40000]

Starts a throwaway PostgreSQL server, gives each of several organizations the same books (two-line
vouchers every day of 2023-2025 over a handful of accounts), runs ``ANALYZE``, then calls the hot endpoints
of one organization through the real app while recording the SQL they send, and prints ``EXPLAIN (ANALYZE,
COSTS OFF, TIMING OFF, SUMMARY OFF)`` of each recorded statement with the parameters it was sent with.
Under Citus each of these statements runs unchanged on the one shard that holds the organization; the plan
printed here is the plan that shard's PostgreSQL would choose.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from kontobok.importers.jsonl import read_transaction_inputs
from kontobok.store.bulk import post_all
from kontobok.store.database import create_engine, migrate, write_transaction
from kontobok.store.organizations import Organization
from tests.factories import Api, line, new_organization, voucher
from tests.support.postgres import running_postgres

COUNTER_ACCOUNTS = (3000, 4000, 6300, 1500, 2400, 7700)


def _write_books(path: Path, lines: int) -> None:
    first, span = date(2023, 1, 1), 3 * 365
    with path.open("w") as out:
        for number in range(lines // 2):
            day = first + timedelta(days=number * span // (lines // 2))
            amount = 100 + number % 997
            other = COUNTER_ACCOUNTS[number % len(COUNTER_ACCOUNTS)]
            out.write(json.dumps(voucher(day.isoformat(), line(1920, amount), line(other, -amount))) + "\n")


@contextmanager
def _recorded(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def before_cursor_execute(
        _connection: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        seen.append((sql, parameters))

    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


def _explain(engine: sa.Engine, title: str, statements: list[tuple[str, Any]]) -> None:
    print(f"\n## {title}")
    with engine.connect() as connection:
        for sql, parameters in statements:
            if not sql.lstrip().upper().startswith("SELECT") or "FROM organizations" in sql:
                continue
            print(f"\n-- {' '.join(sql.split())[:160]}")
            plan = connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, parameters
            )
            for (row,) in plan:
                print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--organizations", type=int, default=8)
    parser.add_argument("--lines", type=int, default=40_000, help="transaction lines per organization")
    options = parser.parse_args()
    with running_postgres() as url, tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(url)
        migrate(engine)
        books = Path(scratch) / "books.jsonl"
        _write_books(books, options.lines)
        organizations: list[Organization] = []
        for _ in range(options.organizations):
            organization = new_organization(engine, open_years=range(2023, 2026))
            with write_transaction(engine) as connection:
                post_all(connection, organization, read_transaction_inputs(books))
            organizations.append(organization)
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        middle = organizations[len(organizations) // 2]
        print(
            f"{options.organizations} organizations x {options.lines} lines; explaining organization "
            f"{middle.organization_id}"
        )
        with Api.for_organization(engine, middle) as api:
            bank = api.account_id(1920)
            calls = {
                "/v1/accountbalances/{id} over 36 months": (
                    f"/v1/accountbalances/{bank}",
                    {"dateFrom": "2023-01-01", "dateTo": "2025-12-31"},
                ),
                "/v1/accountbalances, every account, one year": (
                    "/v1/accountbalances",
                    {"dateFrom": "2025-01-01", "dateTo": "2025-12-31"},
                ),
                "/v1/transactionlines page 1": (
                    "/v1/transactionlines",
                    {"dateFrom": "2023-01-01", "dateTo": "2026-01-01", "limit": 50},
                ),
                "/v1/transactionlines deep page (page 700 of 800)": (
                    "/v1/transactionlines",
                    {"dateFrom": "2023-01-01", "dateTo": "2026-01-01", "limit": 50, "page": 700},
                ),
            }
            for title, (path, params) in calls.items():
                with _recorded(engine) as seen:
                    answer = api.get(path, params=params)
                assert answer.status_code == 200, answer.text
                _explain(engine, title, seen)
        engine.dispose()


if __name__ == "__main__":
    main()
