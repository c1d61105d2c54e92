"""Helpers for the fault and concurrency tests: real ``kontobok`` processes on the fixtures' databases.

Everything here talks to a database the way an operator would see it: through its URL (with the password,
so that a child process can connect), through the ``kontobok`` command of the virtualenv the tests run in,
and through plain SQL counts of what an organization holds.
"""

from __future__ import annotations

import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from kontobok.store.schema import (
    account_daily_totals,
    imported_files,
    transaction_lines,
    transaction_types,
    vouchers,
)

#: Accounts whose standard tax code is 0, so that a line is stored exactly as it was sent (no VAT split).
PLAIN_ACCOUNTS = (1500, 1900, 1920, 2400, 2990, 3900, 6300, 7790)


def line(account: int, amount: Decimal) -> dict[str, Any]:
    """One line of a ``TransactionInput`` without VAT (as ``tests.factories.line``, which this module does
    not import: it loads the whole web stack, and the writer processes spawned from here do not need it)."""
    return {"accountNumber": account, "amount": amount, "tax": {"number": 0}}


def voucher(day: str, *lines: dict[str, Any], type_number: int, **extra: Any) -> dict[str, Any]:
    """A ``TransactionInput`` posted on ``day``."""
    return {"transactionTypeNumber": type_number, "date": day, "lines": list(lines), **extra}


def url_of(engine: sa.Engine) -> str:
    """The engine's URL as a child process needs it (password included)."""
    return engine.url.render_as_string(hide_password=False)


def kontobok_command(*args: str) -> list[str]:
    """The ``kontobok`` console script of the running virtualenv, with ``args``."""
    script = Path(sys.executable).with_name("kontobok")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from kontobok.cli import main; main()", *args]


def child_environment() -> dict[str, str]:
    """The environment for a child ``kontobok``: ours, without ``KONTOBOK_DATABASE_URL`` (children get
    ``--database-url``), and with deprecation warnings silenced so that they do not mix into its output."""
    environment = {key: value for key, value in os.environ.items() if key != "KONTOBOK_DATABASE_URL"}
    environment["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return environment


def minor_units(amount: Decimal) -> int:
    """NOK amounts in øre, the unit kontobok stores."""
    cents = amount * 100
    assert cents == cents.to_integral_value(), amount
    return int(cents)


@dataclass
class Sent:
    """What a set of vouchers adds up to: how many per transaction type, how many lines, sums per account."""

    vouchers: Counter[int] = field(default_factory=Counter)
    lines: int = 0
    sums: Counter[int] = field(default_factory=Counter)

    def add(self, body: dict[str, Any]) -> None:
        self.vouchers[int(body["transactionTypeNumber"])] += 1
        for item in body["lines"]:
            self.lines += 1
            self.sums[int(item["accountNumber"])] += minor_units(Decimal(item["amount"]))

    def merge(self, other: Sent) -> None:
        self.vouchers.update(other.vouchers)
        self.lines += other.lines
        self.sums.update(other.sums)

    @property
    def voucher_count(self) -> int:
        return sum(self.vouchers.values())

    def nonzero_sums(self) -> dict[int, int]:
        return {account: total for account, total in self.sums.items() if total != 0}


def random_voucher(
    rng: random.Random,
    *,
    type_numbers: Sequence[int] = (1, 5, 6),
    accounts: Sequence[int] = PLAIN_ACCOUNTS,
    first_day: date = date(2024, 1, 1),
    days: int = 366,
    **extra: Any,
) -> dict[str, Any]:
    """A balanced ``TransactionInput`` of 2–4 lines in NOK on a random day, amounts exact to the øre."""
    count = rng.randint(2, min(4, len(accounts)))
    chosen = rng.sample(list(accounts), count)
    amounts = [Decimal(rng.randint(1, 2_000_000)) / 100 for _ in range(count - 1)]
    lines = [line(account, amount) for account, amount in zip(chosen, amounts, strict=False)]
    lines.append(line(chosen[-1], -sum(amounts, Decimal(0))))
    day = first_day + timedelta(days=rng.randrange(days))
    return voucher(day.isoformat(), *lines, type_number=rng.choice(list(type_numbers)), **extra)


@dataclass(frozen=True)
class Holdings:
    """What one organization holds, counted in the database."""

    vouchers: dict[int, int]
    lines: int
    sums: dict[int, int]
    next_numbers: dict[int, int]
    claimed_files: int
    daily_total_rows: int

    @property
    def voucher_count(self) -> int:
        return sum(self.vouchers.values())


def holdings(engine: sa.Engine, organization_id: int) -> Holdings:
    mine_v = vouchers.c.organization_id == organization_id
    mine_l = transaction_lines.c.organization_id == organization_id
    with engine.connect() as connection:
        per_type = connection.execute(
            sa.select(vouchers.c.transaction_type_number, sa.func.count())
            .where(mine_v)
            .group_by(vouchers.c.transaction_type_number)
        )
        lines = connection.execute(sa.select(sa.func.count()).where(mine_l)).scalar_one()
        sums = connection.execute(
            sa.select(transaction_lines.c.account_number, sa.func.sum(transaction_lines.c.amount))
            .where(mine_l)
            .group_by(transaction_lines.c.account_number)
        )
        numbers = connection.execute(
            sa.select(transaction_types.c.number, transaction_types.c.next_voucher_number).where(
                transaction_types.c.organization_id == organization_id
            )
        )
        claimed = connection.execute(
            sa.select(sa.func.count()).where(imported_files.c.organization_id == organization_id)
        ).scalar_one()
        totals = connection.execute(
            sa.select(sa.func.count()).where(account_daily_totals.c.organization_id == organization_id)
        ).scalar_one()
        return Holdings(
            vouchers={int(kind): int(count) for kind, count in per_type},
            lines=int(lines),
            sums={int(account): int(total) for account, total in sums if int(total) != 0},
            next_numbers={int(kind): int(number) for kind, number in numbers},
            claimed_files=int(claimed),
            daily_total_rows=int(totals),
        )


def voucher_numbers(engine: sa.Engine, organization_id: int, type_number: int) -> list[int]:
    """The numbers of the organization's vouchers of one type, in order (duplicates kept)."""
    with engine.connect() as connection:
        return [
            int(number)
            for number in connection.execute(
                sa.select(vouchers.c.voucher_number)
                .where(
                    (vouchers.c.organization_id == organization_id)
                    & (vouchers.c.transaction_type_number == type_number)
                )
                .order_by(vouchers.c.voucher_number)
            ).scalars()
        ]


def sqlite_integrity(engine: sa.Engine) -> list[str]:
    """``PRAGMA integrity_check`` on the SQLite file, read with a connection of its own."""
    path = engine.url.database
    assert path
    connection = sqlite3.connect(path, timeout=60)
    try:
        return [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_server(url: str, log: Path, *, startup_timeout: float = 30) -> Iterator[Server]:
    """``kontobok serve`` (uvicorn) on 127.0.0.1 and a free port on the database ``url``, ready to answer."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            kontobok_command("serve", "--database-url", url, "--host", "127.0.0.1", "--port", str(port)),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=child_environment(),
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            assert process.poll() is None, f"kontobok serve exited:\n{server.log_text()[-4000:]}"
            try:
                if httpx.get(f"{server.base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"kontobok serve not ready:\n{server.log_text()[-4000:]}"
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
