"""A killed import loses nothing that was committed and leaves nothing half-written (SPEC, Reliability).

The real ``kontobok import transactions`` command runs as a child process on the session's SQLite file and
PostgreSQL server and is killed with SIGKILL (no handler, no clean-up, as a crash or the OOM killer would)
at points spread over its life: a seeded moment while it starts, as its transaction claims the file, at
two seeded fractions of the file read, a seeded moment after the whole file is read (last batch and commit
pending), and, into a second organization, just after its commit while it prints and exits. After each
kill the books hold either nothing of the file (no voucher, no line, no per-day total, no claimed file,
voucher counters unchanged) or all of it, never a part; ``verify_books`` holds and, on SQLite, the file
passes ``PRAGMA integrity_check``. After the kills before the commit, the import runs to the end and has
posted every voucher exactly once (numbers 1..n per type, lines, per-account sums equal to the file's),
and a third run adds nothing.

The seed is fixed (``KONTOBOK_FAULT_SEED`` overrides it); timings still vary with the machine, so each
kill's stage is observed rather than assumed (see ``_import_watch``), and printed with its outcome.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from kontobok.store.verification import verify_books
from tests.factories import new_organization
from tests.journal import write_jsonl
from tests.reliability._harness import (
    Holdings,
    Sent,
    child_environment,
    holdings,
    kontobok_command,
    random_voucher,
    sqlite_integrity,
    url_of,
    voucher_numbers,
)
from tests.reliability._import_watch import (
    COMMITTED,
    COMMITTING,
    EXITED,
    ImportWatch,
    Observation,
    with_application_name,
)

SEED = int(os.environ.get("KONTOBOK_FAULT_SEED", "20240611"))
#: Posted in batches of 1000: 3500 leaves a last batch of 500 to write after the file is read, so that a
#: kill right after the read lands before the commit. About 1 s of posting on either backend, 1.5 s in all.
VOUCHERS = 3500


@dataclass(frozen=True)
class KillPoint:
    name: str
    reach: Callable[[ImportWatch], Observation]


def _after(seconds: float) -> Callable[[ImportWatch], Observation]:
    def reach(watch: ImportWatch) -> Observation:
        time.sleep(max(0.0, watch.started + seconds - time.monotonic()))
        return watch.observe()

    return reach


def _at(fraction: float, then_sleep: float = 0.0) -> Callable[[ImportWatch], Observation]:
    def reach(watch: ImportWatch) -> Observation:
        seen = watch.wait_for(fraction)
        time.sleep(then_sleep)
        return seen

    return reach


def kill_points(rng: random.Random) -> list[KillPoint]:
    """Early to late: each of these finds nothing committed when the import is killed."""
    startup = rng.uniform(0.05, 0.4)
    early, middle = rng.uniform(0.1, 0.45), rng.uniform(0.5, 0.9)
    near = rng.uniform(0.0, 0.02)
    return [
        KillPoint(f"before posting: {startup:.2f} s after the start", _after(startup)),
        KillPoint("as the transaction claims the file", _at(0.0)),
        KillPoint(f"mid-way: {early:.0%} of the file read", _at(early)),
        KillPoint(f"mid-way: {middle:.0%} of the file read", _at(middle)),
        KillPoint(f"near the end: {near * 1000:.0f} ms after the file is read", _at(1.0, near)),
    ]


AFTER_THE_COMMIT = KillPoint("after the commit, before the process exits", ImportWatch.wait_for_commit)


@dataclass(frozen=True)
class KillRecord:
    point: str
    stage: str
    after: float
    outcome: str
    backend_gone: float


def _holds(engine: sa.Engine, organization_id: int) -> None:
    with engine.connect() as connection:
        report = verify_books(connection, organization_id)
    assert report.ok, report
    if engine.dialect.name == "sqlite":
        assert sqlite_integrity(engine) == ["ok"]


def _whole(found: Holdings, before: Holdings, sent: Sent) -> None:
    """All of the file, once: every voucher with its number, every line, every account's sum."""
    assert found.vouchers == dict(sent.vouchers)
    assert found.lines == sent.lines
    assert found.sums == sent.nonzero_sums()
    assert found.claimed_files == 1
    assert found.next_numbers == {
        kind: number + sent.vouchers.get(kind, 0) for kind, number in before.next_numbers.items()
    }


@dataclass(frozen=True)
class Importer:
    """``kontobok import transactions`` of one file into one organization, each run under its own
    ``application_name`` (on PostgreSQL) so that the watch can find its backend."""

    engine: sa.Engine
    source: Path
    organization_id: int
    logs: Path

    def command(self, name: str) -> list[str]:
        return kontobok_command(
            "import",
            "transactions",
            str(self.source),
            "--organization",
            str(self.organization_id),
            "--database-url",
            with_application_name(url_of(self.engine), name),
        )

    def run(self, name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(name),
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            env=child_environment(),
        )

    def kill_at(self, point: KillPoint, name: str) -> tuple[Observation, float]:
        """Start the import, SIGKILL it at ``point``; what was seen just before, and how long its backend
        outlived it (PostgreSQL). Returns once the process and its backend are gone."""
        log = self.logs / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                self.command(name), stdout=output, stderr=subprocess.STDOUT, env=child_environment()
            )
        watch = ImportWatch(process, self.engine, name, self.source)
        try:
            point.reach(watch)
            seen = watch.kill()
            backend_gone = watch.wait_for_backend_to_go()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            watch.close()
        expected = 0 if seen.stage == EXITED else -signal.SIGKILL
        assert process.returncode == expected, log.read_text(encoding="utf-8", errors="replace")
        return seen, backend_gone


def _kill_and_check(
    importer: Importer, point: KillPoint, name: str, before: Holdings, sent: Sent, *, imported: bool
) -> KillRecord:
    """Kill an import at ``point``; the books then hold nothing of the file or all of it, and are sound.
    ``imported``: a run before this one committed the file already."""
    seen, backend_gone = importer.kill_at(point, name)
    found = holdings(importer.engine, importer.organization_id)
    if imported:
        outcome = "all (committed by an earlier run)"
        _whole(found, before, sent)
    elif found.voucher_count == 0:
        outcome = "nothing"
        assert found == before, (point.name, seen)
    else:
        outcome = "all"
        _whole(found, before, sent)
        # Only an import that has read the whole file can have committed.
        assert seen.stage in (COMMITTING, COMMITTED, EXITED), (point.name, seen)
    _holds(importer.engine, importer.organization_id)
    size = importer.source.stat().st_size
    return KillRecord(point.name, seen.describe(size), seen.elapsed, outcome, backend_gone)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="watching the importer needs Linux /proc")
def test_a_killed_import_leaves_all_or_nothing_and_a_rerun_completes_it_once(
    engine: sa.Engine, tmp_path: Path
) -> None:
    started = time.monotonic()
    backend = engine.dialect.name
    rng = random.Random(f"{SEED}-{backend}")
    sent = Sent()
    bodies = []
    for _ in range(VOUCHERS):
        body = random_voucher(rng)
        sent.add(body)
        bodies.append(body)
    source = write_jsonl(tmp_path / "vouchers.jsonl", bodies)
    importer = Importer(engine, source, new_organization(engine).organization_id, tmp_path)
    organization_id = importer.organization_id
    before = holdings(engine, organization_id)
    assert before.voucher_count == before.claimed_files == before.daily_total_rows == 0

    # Killed before its commit, again and again: nothing of the file each time. (Should a stalled machine
    # let the import commit before a kill, every later run must find all of it.)
    records: list[KillRecord] = []
    committed = False
    for index, point in enumerate(kill_points(rng)):
        name = f"kontobok-fault-{organization_id}-{index}"
        records.append(_kill_and_check(importer, point, name, before, sent, imported=committed))
        committed = committed or records[-1].outcome == "all"
    assert any(record.stage.startswith("posting") and record.outcome == "nothing" for record in records)

    # Run to the end: every voucher once, numbered 1..n per type with no gap.
    rerun = importer.run(f"kontobok-fault-{organization_id}-rerun")
    assert rerun.returncode == 0, rerun.stderr
    if committed:
        assert "imported already" in rerun.stderr, rerun.stderr
    else:
        assert f"Imported {VOUCHERS} vouchers, {sent.lines} lines" in rerun.stderr, rerun.stderr
    complete = holdings(engine, organization_id)
    _whole(complete, before, sent)
    for kind, count in sent.vouchers.items():
        assert voucher_numbers(engine, organization_id, kind) == list(range(1, count + 1))
    _holds(engine, organization_id)

    # A third run adds nothing.
    third = importer.run(f"kontobok-fault-{organization_id}-third")
    assert third.returncode == 0, third.stderr
    assert "imported already" in third.stderr, third.stderr
    assert holdings(engine, organization_id) == complete
    _holds(engine, organization_id)

    # Killed once its transaction has committed (into another organization): all of the file is kept.
    other = Importer(engine, source, new_organization(engine).organization_id, tmp_path)
    other_before = holdings(engine, other.organization_id)
    name = f"kontobok-fault-{other.organization_id}"
    late = _kill_and_check(other, AFTER_THE_COMMIT, name, other_before, sent, imported=False)
    assert late.outcome == "all", late
    assert late.stage in (COMMITTED, EXITED), late
    records.append(late)

    kills = [record for record in records if record.stage != EXITED]
    elapsed = time.monotonic() - started
    print(f"\n[faults/{backend}] {VOUCHERS} vouchers, {sent.lines} lines, seed {SEED}")
    for record in records:
        gone = f", backend gone {1000 * record.backend_gone:.0f} ms later" if backend == "postgresql" else ""
        print(f"  {record.point:<44} at {record.after:5.2f} s, {record.stage:<44} -> {record.outcome}{gone}")
    print(
        f"  kills performed: {len(kills)} of {len(records)}; rerun: "
        f"{'found it imported already' if committed else 'imported it'}; "
        f"third run: nothing added; elapsed {elapsed:.1f} s"
    )
