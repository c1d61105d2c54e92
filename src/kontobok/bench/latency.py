"""Latency of the read endpoints through HTTP, measured from a process other than the server's.

Before measuring, a day's worth of vouchers (the books' lines spread over their five years) is posted
through the API after noting the instant: the balance reports are measured once more with ``asOf`` that
instant, which is what reading the books as they stood a day ago costs.

Each endpoint gets a few warm-up requests and then a fixed number of measured ones, one after the other on
one keep-alive connection, so what is measured is the server's answer time and not a queue. ``/health``
answers without touching the database: the other endpoints' requests per second are given as a share of
its own, which takes the HTTP stack and the client out of the comparison.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from kontobok.bench.dataset import FIRST_DAY, LAST_DAY, OPERATING, YEARS
from kontobok.bench.server import percentile

WARM_UP = 20
DEEP_PAGE = 20_000
PAGE_SIZE = 50


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    params: dict[str, str]


@dataclass(frozen=True)
class LatencyMeasure:
    endpoint: str
    path: str
    requests: int
    p50_ms: float
    p99_ms: float
    requests_per_second: float
    share_of_trivial: float = 0.0
    body_bytes: int = 0


def token_for(client: httpx.Client, client_id: str, client_secret: str) -> str:
    """A bearer token from ``/oauth/token`` for the client's credentials."""
    answer = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret},
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def _check(answer: httpx.Response) -> httpx.Response:
    if answer.status_code != 200:
        raise RuntimeError(f"{answer.request.url} answered {answer.status_code}: {answer.text[:500]}")
    return answer


def operating_account_id(client: httpx.Client) -> int:
    """The API's id of ledger account 1920, the operating bank account."""
    accounts = _check(client.get("/v1/accounts")).json()
    found: int = next(account["id"] for account in accounts if account["number"] == OPERATING)
    return found


def post_a_day(client: httpx.Client, lines: int) -> tuple[str, int]:
    """Note the instant, then post a day's share of ``lines`` as two-line vouchers dated in the last year
    (between two expense accounts, so the operating account's balances stay those of the generated books);
    return the instant and the lines posted."""
    instant = datetime.now(UTC).isoformat()
    vouchers = max(1, lines // (len(YEARS) * 365) // 2)
    for number in range(vouchers):
        day = LAST_DAY.replace(month=1 + number % 12, day=1 + number % 28).isoformat()
        body = {
            "transactionTypeNumber": 6,
            "date": day,
            "lines": [
                {"accountNumber": 6800, "amount": 100 + number, "tax": {"number": 0}},
                {"accountNumber": 6300, "amount": -100 - number, "tax": {"number": 0}},
            ],
        }
        answer = client.post("/v1/transactions", json=body)
        if answer.status_code != 201:
            raise RuntimeError(f"posting a day's voucher answered {answer.status_code}: {answer.text[:500]}")
    return instant, 2 * vouchers


def endpoints(client: httpx.Client, lines: int, as_of: tuple[str, int] | None = None) -> list[Endpoint]:
    """The measured requests, with ids looked up through the API itself. The deep page is page 20,000, or
    the last page when the books have fewer. With ``as_of`` (an instant and the lines posted since), the
    balance reports once more as of that instant."""
    operating = operating_account_id(client)
    last_year = str(LAST_DAY.year)
    whole = {"dateFrom": FIRST_DAY.isoformat(), "dateTo": LAST_DAY.isoformat()}
    every_day = {"dateFrom": FIRST_DAY.isoformat(), "dateTo": f"{LAST_DAY.year + 1}-01-01"}
    page = {**every_day, "limit": str(PAGE_SIZE)}
    deep = min(DEEP_PAGE, -(-lines // PAGE_SIZE))
    bank_accounts = _check(client.get("/2.0/users/me/accounts")).json()["accounts"]
    bank = next(account["id"] for account in bank_accounts if account["currency"]["id"] == "NOK")
    last_year_span = {"dateFrom": f"{last_year}-01-01", "dateTo": f"{last_year}-12-31"}
    measured = [
        Endpoint("health (trivial)", "/health", {}),
        Endpoint("one account, 60 months", f"/v1/accountbalances/{operating}", whole),
        Endpoint("all accounts, one year", "/v1/accountbalances", last_year_span),
        Endpoint("transaction lines, page 1", "/v1/transactionlines", {**page, "page": "1"}),
        Endpoint(f"transaction lines, page {deep:,}", "/v1/transactionlines", {**page, "page": str(deep)}),
        Endpoint(
            "Powens balances, 365 days",
            f"/2.0/users/me/accounts/{bank}/balances",
            {"min_date": f"{last_year}-01-01", "max_date": f"{last_year}-12-31"},
        ),
    ]
    if as_of is not None:
        instant, since = as_of
        measured += [
            Endpoint(
                f"one account, 60 months, asOf a day back ({since:,} lines since)",
                f"/v1/accountbalances/{operating}",
                {**whole, "asOf": instant},
            ),
            Endpoint(
                f"all accounts, one year, asOf a day back ({since:,} lines since)",
                "/v1/accountbalances",
                {**last_year_span, "asOf": instant},
            ),
        ]
    return measured


def measure(
    base_url: str, client_id: str, client_secret: str, *, lines: int, requests: int
) -> list[LatencyMeasure]:
    """Every endpoint's p50, p99 and requests per second over ``requests`` sequential requests."""
    with httpx.Client(base_url=base_url, timeout=120.0) as client:
        client.headers["Authorization"] = f"Bearer {token_for(client, client_id, client_secret)}"
        as_of = post_a_day(client, lines)
        measured = [_measure_one(client, endpoint, requests) for endpoint in endpoints(client, lines, as_of)]
    trivial = measured[0].requests_per_second
    return [
        dataclasses.replace(figure, share_of_trivial=figure.requests_per_second / trivial)
        for figure in measured
    ]


def _measure_one(client: httpx.Client, endpoint: Endpoint, requests: int) -> LatencyMeasure:
    for _ in range(WARM_UP):
        _check(client.get(endpoint.path, params=endpoint.params))
    timings: list[float] = []
    size = 0
    started = time.perf_counter()
    for _ in range(requests):
        before = time.perf_counter()
        answer = _check(client.get(endpoint.path, params=endpoint.params))
        timings.append((time.perf_counter() - before) * 1000)
        size = len(answer.content)
    elapsed = time.perf_counter() - started
    ordered: Sequence[float] = sorted(timings)
    return LatencyMeasure(
        endpoint=endpoint.name,
        path=endpoint.path,
        requests=requests,
        p50_ms=percentile(ordered, 0.50),
        p99_ms=percentile(ordered, 0.99),
        requests_per_second=requests / elapsed,
        body_bytes=size,
    )
