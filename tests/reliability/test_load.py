"""The short form of the load test: a real ``kontobok serve`` under 64 concurrent clients, on each backend.

A fixed number of requests (reads and writes mixed as in :mod:`tests.reliability.load`) goes to a server
started on 127.0.0.1 for the test. The test measures correctness under concurrency, not time: every request
answers 2xx, the server logs no error, and every voucher answered 201 is in the books afterwards, once,
with the balance of its account moved by exactly the sum posted (postings lost: 0). Latency figures come
from the long form (``scripts/load``) and are written in ``docs/reliability.md``.
"""

from __future__ import annotations

import pytest

from kontobok.bench.server import percentile
from tests.reliability.load import DEFAULT_MIX, POST, Plan, load_test, seed_organization

CLIENTS = 64
REQUESTS = 1000
#: A safety bound only: the run stops here even if the requests are not all sent (it is not asserted).
MAX_SECONDS = 120.0


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_64_clients_get_no_errors_and_lose_no_posting(backend: str, request: pytest.FixtureRequest) -> None:
    database_url: str = request.getfixturevalue(f"{backend}_url")
    credentials = seed_organization(database_url)
    plan = Plan(clients=CLIENTS, requests=REQUESTS, duration=MAX_SECONDS)

    report = load_test(database_url, credentials, plan, backend=backend)

    summary = "\n".join([*report.error_examples, *report.server_log_problems[:10]])
    assert report.total.requests > 0
    assert report.errors == 0, f"{report.errors} of {report.total.requests} requests failed:\n{summary}"
    assert report.server_log_problems == (), summary
    assert report.server_exit_code == 0
    writes = next(k for k in report.kinds if k.kind == POST)
    assert report.postings.posted == writes.requests > 0
    assert report.postings.lost == 0, report.postings
    assert report.postings.found == report.postings.posted
    assert report.postings.malformed == 0, report.postings
    assert report.postings.balance_moved == report.postings.balance_expected, report.postings


def test_the_schedule_keeps_the_mix_and_its_length() -> None:
    plan = Plan(requests=1003)
    kinds = plan.schedule()
    assert len(kinds) == 1003
    total = sum(DEFAULT_MIX.values())
    for kind, weight in DEFAULT_MIX.items():
        assert abs(kinds.count(kind) - 1003 * weight / total) <= 3
    assert plan.schedule() == kinds  # deterministic


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([3.0], 0.9) == 3.0
    assert percentile([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert percentile([], 0.5) == 0.0
