"""One benchmark run: for each size, generate the books, let ledger-cli read them, and import and serve them
on every backend.

Sizes are ten thousand lines and the size asked for, so every figure at the large size stands next to the
same figure at the small one. Without ``--database-url``, the backends are a new SQLite file and a throwaway
PostgreSQL server (when PostgreSQL is installed); with it, a new organization is made in each database given.
"""

from __future__ import annotations

import json
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from kontobok.api.scopes import ALL_SCOPES
from kontobok.bench.dataset import FIRST_DAY, LAST_DAY, OPERATING, generate_vouchers
from kontobok.bench.files import WrittenBooks, write_books
from kontobok.bench.latency import LatencyMeasure, measure, operating_account_id, token_for
from kontobok.bench.ledger_cli import LedgerMeasure, ledger_available, ledger_monthly
from kontobok.bench.loading import ImportMeasure, import_books, new_organization
from kontobok.bench.postgres import postgres_unavailable_reason, running_postgres
from kontobok.bench.server import machine, running_server
from kontobok.store.clients import create_client
from kontobok.store.database import create_engine, open_database, write_transaction
from kontobok.store.distribution import citus_version

SMALL = 10_000
Say = Callable[[str], None]


@dataclass(frozen=True)
class BackendRun:
    backend: str
    imported: ImportMeasure
    latency: list[LatencyMeasure]
    monthly_closings: tuple[Decimal, ...]


@dataclass
class SizeRun:
    lines: int
    vouchers: int
    bank_entries: int
    generate_seconds: float
    ledger: LedgerMeasure | None
    backends: list[BackendRun] = field(default_factory=list)

    def agrees_with_ledger(self) -> bool | None:
        """Whether every backend's monthly closings of 1920 equal ledger-cli's (None without ledger-cli)."""
        if self.ledger is None:
            return None
        return all(run.monthly_closings == self.ledger.monthly_closings for run in self.backends)


@dataclass
class BenchReport:
    started: str
    machine: str
    python: str
    sqlite: str
    sizes: list[SizeRun] = field(default_factory=list)


def sizes_for(lines: int) -> list[int]:
    return sorted({SMALL, lines})


def run_bench(
    lines: int,
    database_urls: Sequence[str],
    *,
    requests: int,
    workdir: Path | None = None,
    say: Say = print,
) -> BenchReport:
    report = BenchReport(
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine(),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
    )
    with ExitStack() as stack:
        root = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kontobok-bench-")))
        backends = stack.enter_context(_backends(database_urls, root, say))
        for size in sizes_for(lines):
            report.sizes.append(_run_size(size, backends, root, requests=requests, say=say))
    return report


def backend_name(url: str) -> str:
    """``sqlite``, ``postgresql``, or ``citus`` for a PostgreSQL database with the Citus extension."""
    name = url.split(":", 1)[0].split("+", 1)[0]
    if name != "postgresql":
        return name
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return "citus" if citus_version(connection) is not None else name
    finally:
        engine.dispose()


@contextmanager
def _backends(database_urls: Sequence[str], root: Path, say: Say) -> Iterator[list[tuple[str, str | None]]]:
    """``(name, url)`` pairs; a ``None`` url means a new SQLite file per size."""
    if database_urls:
        yield [(backend_name(url), url) for url in database_urls]
        return
    reason = postgres_unavailable_reason()
    if reason is not None:
        say(f"PostgreSQL is not measured: {reason}")
        yield [("sqlite", None)]
        return
    with running_postgres() as postgres_url:
        yield [("sqlite", None), ("postgresql", postgres_url)]


def _run_size(
    size: int, backends: list[tuple[str, str | None]], root: Path, *, requests: int, say: Say
) -> SizeRun:
    say(f"{size:,} lines: generating the books")
    started = time.perf_counter()
    written = write_books(
        generate_vouchers(size), root / f"books-{size}.jsonl", root / f"books-{size}.ledger"
    )
    run = SizeRun(
        lines=written.lines,
        vouchers=written.vouchers,
        bank_entries=written.bank_entries,
        generate_seconds=time.perf_counter() - started,
        ledger=None,
    )
    if ledger_available():
        say(f"{size:,} lines: ledger-cli reads the journal")
        run.ledger = ledger_monthly(root / f"books-{size}.ledger", OPERATING, written.lines)
    else:
        say("ledger-cli is not installed: its column stays empty")
    for name, url in backends:
        database_url = url or f"sqlite:///{root / f'bench-{size}.db'}"
        run.backends.append(_run_backend(name, database_url, size, written, root, requests=requests, say=say))
    (root / f"books-{size}.jsonl").unlink()
    return run


def _run_backend(
    name: str, database_url: str, size: int, written: WrittenBooks, root: Path, *, requests: int, say: Say
) -> BackendRun:
    organization_id = new_organization(database_url, f"Benchmark {size:,} lines")
    say(f"{size:,} lines, {name}: importing (organization {organization_id})")
    imported = import_books(database_url, organization_id, root / f"books-{size}.jsonl", written)
    say(
        f"{size:,} lines, {name}: {imported.lines_per_second:,.0f} lines/s, "
        f"peak RSS {imported.peak_rss_bytes / 2**20:,.0f} MiB; measuring latency"
    )
    engine = open_database(database_url)
    try:
        with write_transaction(engine) as connection:
            credentials = create_client(connection, organization_id, ALL_SCOPES)
    finally:
        engine.dispose()
    with running_server(database_url) as server:
        latency = measure(
            server.base_url,
            credentials.client_id,
            credentials.client_secret,
            lines=written.lines,
            requests=requests,
        )
        closings = _monthly_closings(server.base_url, credentials.client_id, credentials.client_secret)
    return BackendRun(name, imported, latency, closings)


def _monthly_closings(base_url: str, client_id: str, client_secret: str) -> tuple[Decimal, ...]:
    """1920's closing balance of every month, read through the API with exact numbers."""
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        token = token_for(client, client_id, client_secret)
        client.headers["Authorization"] = f"Bearer {token}"
        answer = client.get(
            f"/v1/accountbalances/{operating_account_id(client)}",
            params={"dateFrom": FIRST_DAY.isoformat(), "dateTo": LAST_DAY.isoformat()},
        )
        body: Any = json.loads(answer.text, parse_float=Decimal)
    record = body[0] if isinstance(body, list) else body
    return tuple(Decimal(balance["closing"]) for balance in record["balances"])
