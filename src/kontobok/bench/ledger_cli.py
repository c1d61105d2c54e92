"""ledger-cli reading the same books: what users run today to get monthly balances from a journal.

``ledger -M register ^A:1920$`` reads the whole journal and prints one line per month with the month's change
and the running balance. Its time is the time to read the data and answer one question; kontobok's import
rate is compared with that reading rate. The running balances are compared with kontobok's closings, so the
two did the same sums.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class LedgerMeasure:
    version: str
    seconds: float
    lines: int
    monthly_closings: tuple[Decimal, ...]

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds


def ledger_available() -> bool:
    return shutil.which("ledger") is not None


def ledger_monthly(journal: Path, account: int, lines: int) -> LedgerMeasure:
    """Time ``ledger`` computing ``account``'s monthly register over ``journal`` (``lines`` postings)."""
    version = subprocess.run(["ledger", "--version"], capture_output=True, text=True, check=True).stdout
    started = time.perf_counter()
    output = subprocess.run(
        ["ledger", "-f", str(journal), "-M", "register", f"^A:{account}$", "--no-color", "--wide"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seconds = time.perf_counter() - started
    closings = tuple(Decimal(line.split()[-2]) for line in output.splitlines() if line.strip())
    return LedgerMeasure(version.splitlines()[0].strip(), seconds, lines, closings)
