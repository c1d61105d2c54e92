"""Watching a running ``kontobok import transactions`` process from outside, to kill it at a chosen point.

Two things are observed, neither of which needs the importer's cooperation:

- whether its write transaction has begun (it claims the file in that transaction before posting anything):
  on SQLite, the importer then holds the database's write lock, so a ``BEGIN IMMEDIATE`` without a busy
  timeout fails; on PostgreSQL, its backend (found by the ``application_name`` put into its URL) holds a
  lock on ``imported_files``;
- how far it has read the file it posts: the read position of the file in ``/proc/PID/fdinfo``. The
  importer hashes the file before its transaction begins, so a position read once the transaction is open
  belongs to the posting pass. Vouchers are posted in batches of 1000 as they are read, so the position
  runs at most one batch ahead of what was written; once the file is closed, only the last batch and the
  commit remain, and once the transaction has ended after that, it has committed (for a file without a bad
  line; the tests here use only such files) and the process is printing its summary and exiting.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

_IMPORTER_CLAIMED = sa.text(
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE a.application_name = :name AND l.relation = 'imported_files'::regclass"
)
_IMPORTER_CONNECTED = sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")


def with_application_name(url: str, name: str) -> str:
    """A PostgreSQL URL whose connections show ``name`` in ``pg_stat_activity``; SQLite URLs unchanged."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.update_query_dict({"application_name": name}).render_as_string(hide_password=False)


#: Seconds between two looks: fine enough for a posting pass of a second or more, light on the CPU.
POLL = 0.004
#: While the importer starts (a second of CPU-bound imports), look less often, so as not to slow it down.
STARTING_POLL = 0.01

#: The stages of an import, in order, as seen from outside.
STARTING = "starting: no transaction yet"
CLAIMED = "claimed: transaction open, no line read yet"
POSTING = "posting"
COMMITTING = "last batch and commit: file read to the end"
COMMITTED = "committed, process still running"
EXITED = "exited before the kill"


@dataclass(frozen=True)
class Observation:
    elapsed: float
    stage: str
    read: int | None = None  # bytes of the file read by the posting pass, while it is open

    def describe(self, size: int) -> str:
        if self.stage == POSTING and self.read is not None:
            return f"posting: {100 * self.read / size:.0f}% of the file read"
        return self.stage


class ImportWatch:
    """One importer process and the database it writes to."""

    def __init__(
        self, process: subprocess.Popen[bytes], engine: sa.Engine, application_name: str, file: Path
    ) -> None:
        self.process = process
        self.engine = engine
        self.application_name = application_name
        self.file = str(file.resolve())
        self.size = file.stat().st_size
        self.started = time.monotonic()
        self._stage = STARTING
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: sa.Connection | None = None
        if engine.dialect.name == "sqlite":
            assert engine.url.database
            self._sqlite = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None)
        else:
            # Autocommit: pg_stat_activity is a snapshot taken once per transaction.
            self._postgres = engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._postgres is not None:
            self._postgres.close()

    def observe(self) -> Observation:
        elapsed = time.monotonic() - self.started
        if self.process.poll() is not None:
            return Observation(elapsed, EXITED)
        if self._stage == STARTING and self._transaction_open():
            self._stage = CLAIMED
        elif self._stage == COMMITTING and not self._transaction_open():
            self._stage = COMMITTED
        read = None
        if self._stage in (CLAIMED, POSTING):
            read = self._read_position()
            if read is not None:
                self._stage = POSTING
            elif self._stage == POSTING:
                self._stage = COMMITTING
        return Observation(elapsed, self._stage, read)

    def wait_for(self, reached: float = 0.0, *, timeout: float = 60) -> Observation:
        """Wait until the posting pass has read the fraction ``reached`` of the file (0: its transaction is
        open; 1: the file is read to the end and closed), or the process has exited."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.observe()
            if (
                seen.stage in (COMMITTING, COMMITTED, EXITED)
                or (reached == 0 and seen.stage == CLAIMED)
                or (reached < 1 and seen.read is not None and seen.read >= reached * self.size)
            ):
                return seen
            assert time.monotonic() < deadline, f"the importer made no progress: {seen}"
            time.sleep(POLL if seen.stage != STARTING else STARTING_POLL)

    def wait_for_commit(self, *, timeout: float = 60) -> Observation:
        """Wait until the import's transaction has ended after the whole file was read (the commit; the
        process still runs, printing its summary and exiting), or the process has exited."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.observe()
            if seen.stage in (COMMITTED, EXITED):
                return seen
            assert time.monotonic() < deadline, f"the importer made no progress: {seen}"
            time.sleep(0.001 if seen.stage == COMMITTING else POLL)

    def kill(self) -> Observation:
        """SIGKILL the importer now; what was observed just before it."""
        seen = self.observe()
        if seen.stage != EXITED:
            self.process.kill()
        self.process.wait(timeout=30)
        return seen

    def wait_for_backend_to_go(self, *, timeout: float = 30) -> float:
        """On PostgreSQL, wait until the killed importer's backend has ended (its transaction is over);
        the seconds that took."""
        started = time.monotonic()
        if self._postgres is None:
            return 0.0
        while self._postgres.execute(_IMPORTER_CONNECTED, {"name": self.application_name}).scalar_one():
            assert time.monotonic() < started + timeout, "the killed importer's backend did not end"
            time.sleep(0.002)
        return time.monotonic() - started

    def _transaction_open(self) -> bool:
        if self._sqlite is not None:
            try:
                self._sqlite.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return True
            self._sqlite.execute("ROLLBACK")
            return False
        assert self._postgres is not None
        return bool(self._postgres.execute(_IMPORTER_CLAIMED, {"name": self.application_name}).scalar_one())

    def _read_position(self) -> int | None:
        pid = self.process.pid
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            return None
        for descriptor in descriptors:
            try:
                if os.readlink(f"/proc/{pid}/fd/{descriptor}") != self.file:
                    continue
                info = Path(f"/proc/{pid}/fdinfo/{descriptor}").read_text(encoding="ascii")
            except OSError:
                continue
            for row in info.splitlines():
                if row.startswith("pos:"):
                    return int(row.split()[1])
        return None
