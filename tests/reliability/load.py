"""A bounded load generator for a real ``kontobok serve`` on loopback.

It starts the server as a subprocess (one uvicorn process, as a user would run it) on ``127.0.0.1`` and a
free port, waits for ``/health``, and runs C concurrent clients (asyncio, one ``httpx.AsyncClient`` and so
one keep-alive connection each) until a fixed number of requests has been sent or a fixed time has passed,
whichever comes first. Every request goes to 127.0.0.1 only, and the loop is bounded in count and in time.

The mix (by default) is the read-heavy traffic of an integration, plus writes:

- 60% ``GET /v1/accountbalances/{id}`` over the twelve months of a year, for one of a few accounts;
- 10% ``GET /v1/transactionlines`` page 1, and 10% a deep page (the last non-empty page, found at start);
- 10% Powens ``GET /2.0/users/me/accounts/{id}/balances`` over a year, with its daily balances;
- 10% ``POST /v1/transactions``: a balanced voucher with a unique ``Idempotency-Key``.

Each request's latency and status are recorded; an error is a non-2xx answer or an exception (time-out,
dropped connection). After the run, every voucher that was answered 201 is read back through
``/v1/transactionlines`` (the writes carry a per-run invoice number to find them by) and the balance of the
account they debit must have moved by exactly their sum: "postings lost" counts what is missing.

Run the long form with ``scripts/load``, or directly::

    python -m tests.reliability.load --backend sqlite --setup demo --clients 64 --requests 20000 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from kontobok.api.scopes import ALL_SCOPES
from kontobok.bench.server import HOST, Server, machine, percentile, running_server
from kontobok.store.bulk import post_all
from kontobok.store.clients import create_client
from kontobok.store.database import open_database, write_transaction
from kontobok.store.organizations import create_organization
from kontobok.wire.office import TransactionInput, to_voucher_draft

BALANCES = "accountbalances"
LINES = "transactionlines p1"
LINES_DEEP = "transactionlines deep"
POWENS = "powens balances"
POST = "post transaction"
KINDS = (BALANCES, LINES, LINES_DEEP, POWENS, POST)
DEFAULT_MIX: Mapping[str, int] = {BALANCES: 60, LINES: 10, LINES_DEEP: 10, POWENS: 10, POST: 10}

#: Accounts whose monthly balances are read (those of them the chart has).
READ_ACCOUNTS = (1920, 1500, 3000, 4000, 6300, 2400)
#: Writes debit this account and credit SALES_ACCOUNT; its balance must move by exactly their sum.
WRITE_ACCOUNT = 1500
SALES_ACCOUNT = 3000
LINES_LIMIT = 50
#: The span that transactionlines pages through (dateTo exclusive).
LINES_SPAN = ("2020-01-01", "2030-01-01")

BBAN = "86011117947"
SEED_ORGANIZATION_NUMBER = "923609016"


# --- who to talk to ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """An organization and an API client with every scope."""

    organization_id: int
    client_id: str
    client_secret: str


def _seed_pairs() -> Sequence[tuple[int, int]]:
    # (debit, credit), every one balanced and without VAT.
    return ((1920, 3000), (6300, 1920), (4000, 2400), (1500, 3000), (1920, 1500), (7700, 1920))


def seed_organization(
    database_url: str, *, vouchers: int = 400, year: int = 2024, seed: int = 1
) -> Credentials:
    """A fresh organization with ``vouchers`` vouchers over ``year`` and an API client; written in-process."""
    rng = random.Random(seed)
    engine = open_database(database_url)
    try:
        with write_transaction(engine) as connection:
            organization = create_organization(
                connection,
                name=f"Lasttest {uuid.uuid4().hex[:8]} AS",
                organization_number=SEED_ORGANIZATION_NUMBER,
                open_years=range(year - 1, year + 2),
            )
            start = date(year, 1, 1)
            drafts = []
            for number in range(1, vouchers + 1):
                debit, credit = rng.choice(_seed_pairs())
                amount = Decimal(rng.randint(100, 5_000_000)) / 100
                body = {
                    "transactionTypeNumber": 6,
                    "date": (start + timedelta(days=rng.randrange(365))).isoformat(),
                    "comment": f"seed {number}",
                    "lines": [
                        {"accountNumber": debit, "amount": amount, "tax": {"number": 0}},
                        {"accountNumber": credit, "amount": -amount, "tax": {"number": 0}},
                    ],
                }
                drafts.append((f"seed {number}", to_voucher_draft(TransactionInput.model_validate(body))))
            post_all(connection, organization, drafts)
            credentials = create_client(connection, organization.organization_id, ALL_SCOPES)
        return Credentials(organization.organization_id, credentials.client_id, credentials.client_secret)
    finally:
        engine.dispose()


def demo_organization(database_url: str) -> Credentials:
    """The demo company (loaded once, as ``kontobok demo`` does) and a new API client for it."""
    from kontobok.demo import find_demo, load_demo  # only the long form needs the demo

    engine = open_database(database_url)
    try:
        load_demo(engine, console=Console(file=io.StringIO()), host=HOST, port=0)
        with write_transaction(engine) as connection:
            organization = find_demo(connection)
            assert organization is not None
            credentials = create_client(connection, organization.organization_id, ALL_SCOPES)
        return Credentials(organization.organization_id, credentials.client_id, credentials.client_secret)
    finally:
        engine.dispose()


# --- the server --------------------------------------------------------------------------------------------


# --- what the clients do -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """What the requests name, found on the server before the load starts."""

    token: str
    account_ids: tuple[int, ...]
    write_account_id: int
    bank_account_ids: tuple[str, ...]
    deep_page: int


@dataclass(frozen=True)
class Sample:
    kind: str
    status: int  # 0 for an exception
    seconds: float


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    error_examples: list[str] = field(default_factory=list)
    posted: dict[str, Decimal] = field(default_factory=dict)  # transaction id -> amount debited

    def add(self, sample: Sample, problem: str | None = None) -> None:
        self.samples.append(sample)
        if problem is not None and len(self.error_examples) < 10:
            self.error_examples.append(f"{sample.kind}: {problem}")


def _exact(response: httpx.Response) -> Any:
    return json.loads(response.text, parse_float=Decimal)


def token_for(client: httpx.Client, credentials: Credentials) -> str:
    answer = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


def ensure_bank_data(client: httpx.Client, *, year: int = 2024, transactions: int = 60) -> None:
    """A bank account linked to 1920 with a reported balance and ``transactions`` bank transactions, unless
    the organization has bank accounts already (the demo company does)."""
    listed = client.get("/v1/bankaccounts")
    listed.raise_for_status()
    if listed.json():
        return
    created = client.post(
        "/v1/bankaccounts",
        json={
            "type": "bban",
            "number": BBAN,
            "bic": "DNBANOKKXXX",
            "name": "Driftskonto",
            "owner": {
                "name": "Lasttest AS",
                "organizationNumber": SEED_ORGANIZATION_NUMBER,
                "contact": {"name": "Kari Nordmann", "email": "kari@example.no"},
            },
            "ledgerAccount": {"number": 1920},
        },
    )
    created.raise_for_status()
    account_id = created.json()["id"]
    client.post(
        f"/v1/bankaccounts/{account_id}/balances",
        json={"amount": 25000, "timestamp": f"{year}-01-01T00:00:00Z", "currency": {"code": "NOK"}},
    ).raise_for_status()
    rng = random.Random(year)
    for number in range(transactions):
        day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        client.post(
            "/v1/banktransactions",
            json={
                "bankTransactionReference": f"LOAD-SEED-{number:05d}",
                "type": rng.choice(("inbound", "outbound")),
                "bankAccount": {"id": account_id},
                "paymentReference": {"type": "text", "value": f"Betaling {number}"},
                "amount": {"value": rng.randint(100, 900_000) / 100, "currency": {"code": "NOK"}},
                "date": day.isoformat(),
            },
        ).raise_for_status()


def _lines_page(client: httpx.Client, page: int) -> int:
    answer = client.get(
        "/v1/transactionlines",
        params={"dateFrom": LINES_SPAN[0], "dateTo": LINES_SPAN[1], "limit": LINES_LIMIT, "page": page},
    )
    answer.raise_for_status()
    return len(answer.json())


def last_page(client: httpx.Client) -> int:
    """The last non-empty page of transaction lines (doubling, then bisecting: a few dozen requests)."""
    if _lines_page(client, 1) == 0:
        return 1
    low, high = 1, 2
    while _lines_page(client, high) > 0:
        low, high = high, high * 2
    while high - low > 1:  # low is non-empty, high is empty
        middle = (low + high) // 2
        if _lines_page(client, middle) > 0:
            low = middle
        else:
            high = middle
    return low


def discover(base_url: str, credentials: Credentials) -> Targets:
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        token = token_for(client, credentials)
        client.headers["Authorization"] = f"Bearer {token}"
        ensure_bank_data(client)
        accounts = client.get("/v1/accounts")
        accounts.raise_for_status()
        by_number = {int(a["number"]): int(a["id"]) for a in accounts.json()}
        banks = client.get("/v1/bankaccounts")
        banks.raise_for_status()
        return Targets(
            token=token,
            account_ids=tuple(by_number[n] for n in READ_ACCOUNTS if n in by_number),
            write_account_id=by_number[WRITE_ACCOUNT],
            bank_account_ids=tuple(str(b["id"]) for b in banks.json()),
            deep_page=last_page(client),
        )


def write_body(rng: random.Random, year: int, marker: str) -> tuple[dict[str, Any], Decimal]:
    """A balanced voucher: debit WRITE_ACCOUNT, credit SALES_ACCOUNT, both lines tagged with ``marker``."""
    cents = rng.randint(1, 10_000_000)
    amount = Decimal(cents) / 100
    day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    invoice = {"number": marker}
    body = {
        "transactionTypeNumber": 6,
        "date": day.isoformat(),
        "comment": "load test",
        "lines": [
            {"accountNumber": WRITE_ACCOUNT, "amount": cents / 100, "tax": {"number": 0}, "invoice": invoice},
            {
                "accountNumber": SALES_ACCOUNT,
                "amount": -cents / 100,
                "tax": {"number": 0},
                "invoice": invoice,
            },
        ],
    }
    return body, amount


@dataclass(frozen=True)
class Plan:
    clients: int = 64
    requests: int = 1500
    duration: float = 30.0
    year: int = 2024
    seed: int = 7
    mix: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    request_timeout: float = 60.0

    def schedule(self) -> list[str]:
        """The kind of each request, in the proportions of ``mix``, shuffled (deterministic by ``seed``)."""
        total = sum(self.mix.values())
        kinds = [kind for kind, weight in self.mix.items() for _ in range(self.requests * weight // total)]
        kinds += [max(self.mix, key=lambda k: self.mix[k])] * (self.requests - len(kinds))
        random.Random(self.seed).shuffle(kinds)
        return kinds


async def _one(
    client: httpx.AsyncClient,
    kind: str,
    index: int,
    plan: Plan,
    targets: Targets,
    marker: str,
    recorder: Recorder,
) -> None:
    rng = random.Random(plan.seed * 1_000_003 + index)
    year = plan.year
    amount: Decimal | None = None
    headers: dict[str, str] = {}
    body: dict[str, Any] | None = None
    if kind == BALANCES:
        method, path = "GET", f"/v1/accountbalances/{rng.choice(targets.account_ids)}"
        params: dict[str, Any] = {"dateFrom": f"{year}-01-01", "dateTo": f"{year}-12-31"}
    elif kind in (LINES, LINES_DEEP):
        method, path = "GET", "/v1/transactionlines"
        page = 1 if kind == LINES else targets.deep_page
        params = {"dateFrom": LINES_SPAN[0], "dateTo": LINES_SPAN[1], "limit": LINES_LIMIT, "page": page}
    elif kind == POWENS:
        method = "GET"
        path = f"/2.0/users/me/accounts/{rng.choice(targets.bank_account_ids)}/balances"
        params = {"min_date": f"{year}-01-01", "max_date": f"{year}-12-31"}
    else:
        method, path, params = "POST", "/v1/transactions", {}
        body, amount = write_body(rng, year, marker)
        headers["Idempotency-Key"] = str(uuid.uuid4())
    started = time.perf_counter()
    try:
        answer = await client.request(method, path, params=params, json=body, headers=headers)
        await answer.aread()
    except (httpx.HTTPError, OSError) as error:
        recorder.add(Sample(kind, 0, time.perf_counter() - started), f"{type(error).__name__}: {error}")
        return
    elapsed = time.perf_counter() - started
    if not 200 <= answer.status_code < 300:
        recorder.add(Sample(kind, answer.status_code, elapsed), f"{answer.status_code} {answer.text[:300]}")
        return
    recorder.add(Sample(kind, answer.status_code, elapsed))
    if amount is not None:
        recorder.posted[str(answer.json()["transactionId"])] = amount


async def _drive(base_url: str, plan: Plan, targets: Targets, marker: str, recorder: Recorder) -> float:
    schedule = plan.schedule()
    cursor = iter(range(len(schedule)))
    started = time.monotonic()
    deadline = started + plan.duration

    async def worker() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(
            base_url=base_url,
            timeout=plan.request_timeout,
            limits=limits,
            headers={"Authorization": f"Bearer {targets.token}"},
        ) as client:
            for index in cursor:  # shared by every worker: each index is taken once
                if time.monotonic() >= deadline:
                    return
                await _one(client, schedule[index], index, plan, targets, marker, recorder)

    await asyncio.gather(*(worker() for _ in range(plan.clients)))
    return time.monotonic() - started


# --- figures -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindFigures:
    kind: str
    requests: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, kind: str, samples: Sequence[Sample]) -> KindFigures:
        latencies = sorted(s.seconds * 1000 for s in samples)
        return cls(
            kind=kind,
            requests=len(samples),
            errors=sum(1 for s in samples if not 200 <= s.status < 300),
            p50_ms=percentile(latencies, 0.50),
            p90_ms=percentile(latencies, 0.90),
            p99_ms=percentile(latencies, 0.99),
            max_ms=latencies[-1] if latencies else 0.0,
        )


@dataclass(frozen=True)
class PostingCheck:
    """The writes answered 201, read back afterwards."""

    posted: int
    found: int
    lost: int
    malformed: int  # vouchers found with other than two lines or not summing to zero
    balance_moved: Decimal
    balance_expected: Decimal

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.malformed == 0 and self.balance_moved == self.balance_expected


@dataclass(frozen=True)
class LoadReport:
    backend: str
    clients: int
    planned: int
    duration_s: float
    total: KindFigures
    kinds: tuple[KindFigures, ...]
    error_examples: tuple[str, ...]
    postings: PostingCheck
    server_log_problems: tuple[str, ...]
    server_exit_code: int | None
    transaction_lines: int

    @property
    def errors(self) -> int:
        return self.total.errors

    @property
    def requests_per_second(self) -> float:
        return self.total.requests / self.duration_s if self.duration_s > 0 else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "clients": self.clients,
            "planned": self.planned,
            "requests": self.total.requests,
            "durationSeconds": round(self.duration_s, 2),
            "requestsPerSecond": round(self.requests_per_second, 1),
            "errors": self.errors,
            "kinds": [vars(k) for k in (*self.kinds, self.total)],
            "errorExamples": list(self.error_examples),
            "postings": {
                "posted": self.postings.posted,
                "found": self.postings.found,
                "lost": self.postings.lost,
                "malformed": self.postings.malformed,
                "balanceMoved": str(self.postings.balance_moved),
                "balanceExpected": str(self.postings.balance_expected),
            },
            "serverLogProblems": list(self.server_log_problems[:20]),
            "serverExitCode": self.server_exit_code,
            "transactionLines": self.transaction_lines,
        }


def markdown(reports: Sequence[LoadReport]) -> str:
    """The figures as a Markdown table, one block of rows per backend."""
    rows = [
        "| backend | kind | requests | errors | p50 ms | p90 ms | p99 ms | max ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for report in reports:
        for figures in (*report.kinds, report.total):
            name = figures.kind if figures is not report.total else "**all**"
            rows.append(
                f"| {report.backend} | {name} | {figures.requests:,} | {figures.errors} | "
                f"{figures.p50_ms:.1f} | {figures.p90_ms:.1f} | {figures.p99_ms:.1f} | {figures.max_ms:.1f} |"
            )
    rows += [
        "",
        "| backend | clients | lines in the books | requests | seconds | requests/s | errors | "
        "posted | read back | postings lost | server log errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows += [
        f"| {r.backend} | {r.clients} | {r.transaction_lines:,} | {r.total.requests:,} | "
        f"{r.duration_s:.1f} | {r.requests_per_second:.0f} | {r.errors} | {r.postings.posted:,} | "
        f"{r.postings.found:,} | {r.postings.lost} | {len(r.server_log_problems)} |"
        for r in reports
    ]
    return "\n".join(rows)


# --- reading the writes back -------------------------------------------------------------------------------


def closing_balance(client: httpx.Client, account_id: int, year: int) -> Decimal:
    answer = client.get(
        f"/v1/accountbalances/{account_id}", params={"dateFrom": f"{year}-01-01", "dateTo": f"{year}-12-31"}
    )
    answer.raise_for_status()
    closing: Decimal = Decimal(_exact(answer)[0]["balances"][-1]["closing"])
    return closing


def line_count(client: httpx.Client) -> int:
    """Lines in the books over LINES_SPAN (the last page's position, one request for the tail)."""
    page = last_page(client)
    return (page - 1) * LINES_LIMIT + _lines_page(client, page)


def check_postings(
    client: httpx.Client, marker: str, posted: Mapping[str, Decimal], *, year: int, balance_moved: Decimal
) -> PostingCheck:
    """Find every line carrying ``marker`` and compare the vouchers with those answered 201."""
    vouchers: dict[str, list[Decimal]] = {}
    page = 1
    while page <= 10_000:  # bounded: 10M lines at 1000 a page
        answer = client.get(
            "/v1/transactionlines",
            params={
                "dateFrom": f"{year}-01-01",
                "dateTo": f"{year + 1}-01-01",
                "invoiceNumber": marker,
                "limit": 1000,
                "page": page,
            },
        )
        answer.raise_for_status()
        lines = _exact(answer)
        for line in lines:
            vouchers.setdefault(str(line["transaction"]["id"]), []).append(Decimal(line["amount"]))
        if len(lines) < 1000:
            break
        page += 1
    found = set(vouchers) & set(posted)
    malformed = sum(1 for amounts in vouchers.values() if len(amounts) != 2 or sum(amounts) != 0)
    malformed += len(set(vouchers) - set(posted))  # a voucher nobody was told about
    return PostingCheck(
        posted=len(posted),
        found=len(found),
        lost=len(set(posted) - found),
        malformed=malformed,
        balance_moved=balance_moved,
        balance_expected=sum(posted.values(), Decimal(0)),
    )


# --- one run -----------------------------------------------------------------------------------------------


def run_load(server: Server, credentials: Credentials, plan: Plan, *, backend: str) -> LoadReport:
    """Run ``plan`` against a running server, read the writes back, and return the figures.

    The server is stopped by its context manager; call :meth:`with_server_log` after that to add what its
    log says.
    """
    targets = discover(server.base_url, credentials)
    marker = f"LOAD-{uuid.uuid4().hex[:12]}"
    headers = {"Authorization": f"Bearer {targets.token}"}
    with httpx.Client(base_url=server.base_url, timeout=120.0, headers=headers) as client:
        before = closing_balance(client, targets.write_account_id, plan.year)
        recorder = Recorder()
        duration = asyncio.run(_drive(server.base_url, plan, targets, marker, recorder))
        after = closing_balance(client, targets.write_account_id, plan.year)
        postings = check_postings(
            client, marker, recorder.posted, year=plan.year, balance_moved=after - before
        )
        lines = line_count(client)
    by_kind = {kind: [s for s in recorder.samples if s.kind == kind] for kind in KINDS}
    return LoadReport(
        backend=backend,
        clients=plan.clients,
        planned=plan.requests,
        duration_s=duration,
        total=KindFigures.of("all", recorder.samples),
        kinds=tuple(KindFigures.of(kind, samples) for kind, samples in by_kind.items() if samples),
        error_examples=tuple(recorder.error_examples),
        postings=postings,
        server_log_problems=(),
        server_exit_code=None,
        transaction_lines=lines,
    )


def with_server_log(report: LoadReport, server: Server) -> LoadReport:
    """``report`` with the stopped server's exit code and the error lines of its log."""
    return dataclasses.replace(
        report, server_log_problems=server.log_problems, server_exit_code=server.exit_code
    )


def load_test(database_url: str, credentials: Credentials, plan: Plan, *, backend: str) -> LoadReport:
    """Start a server on ``database_url``, run ``plan`` against it, stop it, and return the figures."""
    with running_server(database_url) as server:
        report = run_load(server, credentials, plan, backend=backend)
    return with_server_log(report, server)


# --- the long form -----------------------------------------------------------------------------------------


def _long_form(backend: str, database_url: str, setup: str, plan: Plan) -> LoadReport:
    print(f"{backend}: {machine()}", file=sys.stderr)
    started = time.monotonic()
    if setup == "demo":
        credentials = demo_organization(database_url)
    else:
        credentials = seed_organization(database_url, year=plan.year)
    print(f"{backend}: {setup} data ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    report = load_test(database_url, credentials, plan, backend=backend)
    print(f"{backend}: {report.total.requests} requests in {report.duration_s:.1f} s", file=sys.stderr)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--sqlite-url", help="default: a new file in a temporary directory")
    parser.add_argument("--setup", choices=["demo", "seed"], default="demo")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds; the run stops at either bound")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    plan = Plan(clients=args.clients, requests=args.requests, duration=args.duration)
    reports: list[LoadReport] = []
    for backend in args.backend or ["sqlite", "postgres"]:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="kontobok-load-") as directory:
                url = args.sqlite_url or f"sqlite:///{Path(directory) / 'load.db'}"
                reports.append(_long_form(backend, url, args.setup, plan))
        else:
            from tests.support.postgres import running_postgres

            with running_postgres() as url:
                reports.append(_long_form(backend, url, args.setup, plan))
    print(
        f"{machine()}; {plan.clients} clients, at most {plan.requests:,} requests or {plan.duration:.0f} s; "
        f"data: {args.setup}\n"
    )
    print(markdown(reports))
    failed = False
    for report in reports:
        for example in report.error_examples:
            print(f"\n{report.backend} error: {example}")
        for line in report.server_log_problems[:10]:
            print(f"\n{report.backend} server log: {line}")
        failed |= report.errors > 0 or not report.postings.ok or bool(report.server_log_problems)
    if args.json is not None:
        args.json.write_text(json.dumps([r.as_json() for r in reports], indent=2, default=str))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
