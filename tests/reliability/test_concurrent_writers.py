"""Concurrent writers lose no posting and leave the stored totals equal to a recomputation (SPEC,
Reliability).

Four writers post fifty vouchers each, one voucher per database transaction, all of the same transaction
type, to the same three accounts, on days the others use too and each dated before the previous one; they
start together on a barrier. Two ways in, on SQLite and on PostgreSQL:

- through the store, from four processes started with ``spawn``, each with an engine of its own;
- through HTTP, from four threads against a real ``kontobok serve`` (uvicorn) on 127.0.0.1.

Afterwards every acknowledged voucher is there and nothing else: the type's voucher numbers are exactly
1..200 (no gap, no duplicate) and are the numbers the writers were given, the per-account sums equal what
was sent, and ``verify_books`` finds every stored per-day total equal to a recomputation from the lines; the
organization's journal is one unbroken chain with an entry per posting, matching the stored rows.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Empty

import httpx
import pytest
import sqlalchemy as sa

from kontobok.api.scopes import TRANSACTION_WRITE
from kontobok.services.audit import verify_journal
from kontobok.store.clients import create_client
from kontobok.store.database import write_transaction
from kontobok.store.schema import journal_entries
from kontobok.store.verification import verify_books
from tests.factories import new_organization
from tests.reliability._harness import (
    Holdings,
    Sent,
    holdings,
    running_server,
    sqlite_integrity,
    url_of,
    voucher_numbers,
)
from tests.reliability._writers import WriterResult, post_through_http, post_through_store

WRITERS = 4
VOUCHERS_EACH = 50
TYPE_NUMBER = 6
SEED = "concurrent-writers"
DEADLINE = 120.0


def _check(engine: sa.Engine, organization_id: int, before: Holdings, results: list[WriterResult]) -> str:
    """Everything acknowledged is stored once, numbered without gaps, and the totals hold; a summary."""
    sent = Sent()
    for result in results:
        sent.merge(result.sent)
    attempted = sum(result.attempted for result in results)
    errors = [error for result in results for error in result.errors]
    found = holdings(engine, organization_id)
    numbers = voucher_numbers(engine, organization_id, TYPE_NUMBER)
    lost = sent.voucher_count - len(numbers)
    summary = (
        f"sent {attempted}, acknowledged {sent.voucher_count}, stored {len(numbers)}, "
        f"lost {lost}, failed {len(errors)}"
    )
    assert not errors, (summary, errors[:3])
    assert attempted == sent.voucher_count == WRITERS * VOUCHERS_EACH
    assert numbers == list(range(1, WRITERS * VOUCHERS_EACH + 1)), summary
    assert sorted(number for result in results for number in result.numbers) == numbers
    assert found.vouchers == {TYPE_NUMBER: WRITERS * VOUCHERS_EACH}
    assert found.lines == sent.lines
    assert found.sums == sent.nonzero_sums()
    assert found.next_numbers[TYPE_NUMBER] == before.next_numbers[TYPE_NUMBER] + WRITERS * VOUCHERS_EACH
    with engine.connect() as connection:
        report = verify_books(connection, organization_id)
    assert report.ok, report
    assert (report.vouchers_checked, report.lines_checked) == (sent.voucher_count, sent.lines)
    with engine.connect() as connection:
        journal = verify_journal(connection, organization_id)
        postings = connection.execute(
            sa.select(sa.func.count()).where(
                (journal_entries.c.organization_id == organization_id)
                & (journal_entries.c.kind == "vouchers")
            )
        ).scalar_one()
    # one unbroken chain: every posting is one entry, each linked to the one before it
    assert journal.ok, journal.problems[:5]
    assert postings == sent.voucher_count
    if engine.dialect.name == "sqlite":
        assert sqlite_integrity(engine) == ["ok"]
    return summary


@pytest.mark.slow
def test_writer_processes_posting_through_the_store_lose_nothing(engine: sa.Engine) -> None:
    started = time.monotonic()
    organization_id = new_organization(engine).organization_id
    before = holdings(engine, organization_id)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS)
    queue = context.Queue()
    processes = [
        context.Process(
            target=post_through_store,
            args=(url_of(engine), organization_id, writer, VOUCHERS_EACH, TYPE_NUMBER, SEED, barrier, queue),
            daemon=True,
        )
        for writer in range(WRITERS)
    ]
    for process in processes:
        process.start()
    try:
        try:
            results: list[WriterResult] = [queue.get(timeout=DEADLINE) for _ in processes]
        except Empty:
            pytest.fail(f"a writer did not report: exit codes {[p.exitcode for p in processes]}")
        for process in processes:
            process.join(timeout=30)
            assert process.exitcode == 0
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    writing = max(result.seconds for result in results)

    summary = _check(engine, organization_id, before, results)

    print(
        f"\n[concurrent/{engine.dialect.name}/store] {WRITERS} processes x {VOUCHERS_EACH}: {summary}; "
        f"writing {writing:.2f} s ({WRITERS * VOUCHERS_EACH / writing:.0f} vouchers/s), "
        f"elapsed {time.monotonic() - started:.1f} s"
    )


@pytest.mark.slow
def test_writer_threads_posting_through_http_lose_nothing(engine: sa.Engine, tmp_path: Path) -> None:
    started = time.monotonic()
    organization_id = new_organization(engine).organization_id
    before = holdings(engine, organization_id)
    with write_transaction(engine) as connection:
        credentials = create_client(connection, organization_id, frozenset({TRANSACTION_WRITE}))

    with running_server(url_of(engine), tmp_path / "serve.log") as server:
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
        token = answer.json()["access_token"]
        barrier = threading.Barrier(WRITERS)
        with ThreadPoolExecutor(WRITERS) as pool:
            futures = [
                pool.submit(
                    post_through_http,
                    server.base_url,
                    token,
                    writer,
                    VOUCHERS_EACH,
                    TYPE_NUMBER,
                    SEED,
                    barrier,
                )
                for writer in range(WRITERS)
            ]
            results = [future.result(timeout=DEADLINE) for future in futures]
        assert server.process.poll() is None, server.log_text()[-4000:]
    writing = max(result.seconds for result in results)

    summary = _check(engine, organization_id, before, results)

    print(
        f"\n[concurrent/{engine.dialect.name}/http] {WRITERS} threads x {VOUCHERS_EACH}: {summary}; "
        f"writing {writing:.2f} s ({WRITERS * VOUCHERS_EACH / writing:.0f} vouchers/s), "
        f"elapsed {time.monotonic() - started:.1f} s"
    )
