"""Writers for the concurrency tests: each posts its vouchers one per database transaction.

``post_through_store`` is the target of a process started with the ``spawn`` method: it opens an engine of
its own on the database URL, as a separate server process would, and posts through the store
(``post_drafts`` in ``write_transaction``). ``post_through_http`` is a thread's work against a running
``kontobok serve``. Both wait on a barrier so that the writers really start together, and both send the
same kind of voucher: three lines on the same three accounts, of one transaction type, each dated before
the previous one (back-dated), on days the other writers use too, so that they all add to the same per-day
totals rows.
"""

from __future__ import annotations

import random
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

import httpx
import simplejson

from kontobok.store.database import create_engine, write_transaction
from kontobok.store.organizations import get_organization
from kontobok.store.posting import post_drafts
from kontobok.wire.office import TransactionInput, to_voucher_draft
from tests.reliability._harness import Sent, line, voucher

#: The accounts every voucher posts to: an expense, a receivable, the bank.
ACCOUNTS = (6300, 1500, 1920)
LATEST_DAY = date(2024, 12, 20)


def writer_voucher(rng: random.Random, index: int, type_number: int, tag: str) -> dict[str, Any]:
    """The ``index``-th voucher of a writer: every writer's ``index``-th voucher is on the same day, and
    each is three days before the one before it."""
    expense, receivable = (Decimal(rng.randint(1, 5_000_000)) / 100 for _ in range(2))
    day = LATEST_DAY - timedelta(days=3 * index)
    return voucher(
        day.isoformat(),
        line(ACCOUNTS[0], expense),
        line(ACCOUNTS[1], receivable),
        line(ACCOUNTS[2], -(expense + receivable)),
        type_number=type_number,
        comment=f"{tag} #{index}",
    )


@dataclass
class WriterResult:
    writer: int
    sent: Sent = field(default_factory=Sent)  # what was acknowledged as posted
    attempted: int = 0
    numbers: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


class ResultQueue(Protocol):
    def put(self, item: WriterResult, /) -> None: ...


class StartBarrier(Protocol):
    def wait(self, timeout: float | None = None, /) -> int: ...


def post_through_store(
    url: str,
    organization_id: int,
    writer: int,
    count: int,
    type_number: int,
    seed: str,
    barrier: StartBarrier,
    results: ResultQueue,
) -> None:
    """A process's work: post ``count`` vouchers through the store, one transaction each."""
    result = WriterResult(writer)
    engine = create_engine(url)
    try:
        rng = random.Random(f"{seed}-{writer}")
        with engine.connect() as connection:
            organization = get_organization(connection, organization_id)
        barrier.wait(120)
        started = time.monotonic()
        for index in range(count):
            body = writer_voucher(rng, index, type_number, f"store writer {writer}")
            draft = to_voucher_draft(TransactionInput.model_validate(body))
            result.attempted += 1
            try:
                with write_transaction(engine) as connection:
                    [posted] = post_drafts(connection, organization, [draft])
            except Exception:  # every failure is a posting the test must report
                result.errors.append(traceback.format_exc(limit=3))
                continue
            result.sent.add(body)
            result.numbers.append(posted.voucher_number)
        result.seconds = time.monotonic() - started
    except Exception:  # reported to the parent, which fails the test with it
        result.errors.append(traceback.format_exc())
    finally:
        engine.dispose()
        results.put(result)


def post_through_http(
    base_url: str,
    token: str,
    writer: int,
    count: int,
    type_number: int,
    seed: str,
    barrier: threading.Barrier,
) -> WriterResult:
    """A thread's work: post ``count`` vouchers to ``POST /v1/transactions``, each under its own
    ``Idempotency-Key``, on one keep-alive connection."""
    result = WriterResult(writer)
    rng = random.Random(f"{seed}-{writer}")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
        barrier.wait(120)
        started = time.monotonic()
        for index in range(count):
            body = writer_voucher(rng, index, type_number, f"http writer {writer}")
            result.attempted += 1
            try:
                answer = client.post(
                    "/v1/transactions",
                    content=simplejson.dumps(body, use_decimal=True),
                    headers={"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
                )
            except httpx.HTTPError as error:
                result.errors.append(repr(error))
                continue
            if answer.status_code != 201:
                result.errors.append(f"{answer.status_code} {answer.text[:500]}")
                continue
            result.sent.add(body)
            result.numbers.append(int(answer.json()["number"]))
        result.seconds = time.monotonic() - started
    return result
