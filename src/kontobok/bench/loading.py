"""Importing the benchmark's books as a user would, and measuring it.

The ledger goes in through ``kontobok import transactions`` run as its own process, so the time is the whole
command's (start-up and the file's checksum included) and the peak memory is that process's own. The bank
side goes in through the same statement path the camt.053 and MT940 importers use once a file is parsed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from kontobok.bench.dataset import YEARS
from kontobok.bench.files import WrittenBooks, daily_statements
from kontobok.store.database import open_database, write_transaction
from kontobok.store.organizations import create_organization, get_organization
from kontobok.store.statement_import import import_statements

BENCH_ORGANIZATION_NUMBER = "915000002"


@dataclass(frozen=True)
class ImportMeasure:
    lines: int
    vouchers: int
    seconds: float
    peak_rss_bytes: int
    bank_entries: int
    bank_seconds: float

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds


class ImportFailed(RuntimeError):
    pass


def new_organization(database_url: str, name: str) -> int:
    """A new organization for one benchmark run, with the five years open."""
    engine = open_database(database_url)
    try:
        with write_transaction(engine) as connection:
            organization = create_organization(
                connection, name=name, organization_number=BENCH_ORGANIZATION_NUMBER, open_years=YEARS
            )
        return organization.organization_id
    finally:
        engine.dispose()


def import_books(
    database_url: str, organization_id: int, jsonl: Path, written: WrittenBooks
) -> ImportMeasure:
    """Import the ledger with the ``kontobok`` command, then the bank's daily statements."""
    command = [sys.executable, "-m", "kontobok", "import", "transactions", str(jsonl)]
    command += ["--organization", str(organization_id), "--database-url", database_url]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise ImportFailed(f"kontobok import transactions exited with {process.returncode}: {errors}")
    bank_seconds = _import_bank(database_url, organization_id, written)
    return ImportMeasure(
        lines=written.lines,
        vouchers=written.vouchers,
        seconds=seconds,
        peak_rss_bytes=usage.ru_maxrss * 1024,
        bank_entries=written.bank_entries,
        bank_seconds=bank_seconds,
    )


def _import_bank(database_url: str, organization_id: int, written: WrittenBooks) -> float:
    engine = open_database(database_url)
    try:
        started = time.perf_counter()
        with write_transaction(engine) as connection:
            organization = get_organization(connection, organization_id)
            import_statements(connection, organization, daily_statements(written), kind="camt053")
        return time.perf_counter() - started
    finally:
        engine.dispose()
