"""How long the dashboard's overview takes to render at a given size of the books.

``python -m kontobok.bench.dashboard --lines 1000000 [--database-url URL]`` generates the benchmark's
deterministic data set (:mod:`kontobok.bench.dataset`), imports it with ``kontobok import transactions`` and
the bank's daily statements, starts a real ``kontobok serve``, logs in to the dashboard, and requests the
overview of the last fiscal year (and every other report page) many times, printing p50 and p99 of the
wall time per request as the client sees it. The overview reads per-month and per-day totals, never the
lines, so its time should not grow with their number.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from kontobok.api.scopes import ALL_SCOPES
from kontobok.bench.dataset import LAST_DAY, generate_vouchers
from kontobok.bench.files import write_books
from kontobok.bench.loading import import_books, new_organization
from kontobok.bench.server import percentile, running_server
from kontobok.store.clients import create_client
from kontobok.store.database import open_database, write_transaction

PAGES = (
    f"/ui/?year={LAST_DAY.year}",
    f"/ui/balancesheet?date={LAST_DAY.isoformat()}",
    f"/ui/incomestatement?year={LAST_DAY.year}",
    f"/ui/vat?year={LAST_DAY.year}&term=6",
    f"/ui/accounts?year={LAST_DAY.year}",
    "/ui/bank",
)


@dataclass(frozen=True)
class PageTiming:
    path: str
    p50_ms: float
    p99_ms: float
    mean_ms: float


def load_books(database_url: str, lines: int, folder: Path) -> tuple[int, int]:
    """The benchmark's books in a new organization: its id and the number of lines stored."""
    written = write_books(generate_vouchers(lines), folder / "books.jsonl", folder / "books.journal")
    organization_id = new_organization(database_url, f"Dashboard bench {lines} lines")
    import_books(database_url, organization_id, folder / "books.jsonl", written)
    return organization_id, written.lines


def session_cookie(client: httpx.Client, client_id: str, client_secret: str) -> str:
    """Log in through the login form; the session cookie's value (sent by hand: the server is plain HTTP)."""
    form = client.get("/ui/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/ui/login",
        data={"client_id": client_id, "client_secret": client_secret, "csrf_token": token.group(1)},
        headers={"Cookie": f"kontobok_login={form.cookies['kontobok_login']}"},
    )
    if answer.status_code != 303:
        raise RuntimeError(f"login failed: {answer.status_code}")
    return answer.cookies["kontobok_session"]


def time_pages(base_url: str, cookie: str, requests: int) -> list[PageTiming]:
    timings = []
    with httpx.Client(
        base_url=base_url, timeout=60.0, headers={"Cookie": f"kontobok_session={cookie}"}
    ) as client:
        for path in PAGES:
            for _ in range(3):  # warm the caches of the server and the database
                client.get(path).raise_for_status()
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            timings.append(
                PageTiming(
                    path, percentile(samples, 0.5), percentile(samples, 0.99), statistics.fmean(samples)
                )
            )
    return timings


def measure(database_url: str | None, lines: int, requests: int) -> tuple[int, list[PageTiming]]:
    with tempfile.TemporaryDirectory(prefix="kontobok-dashboard-bench-") as directory:
        folder = Path(directory)
        url = database_url or f"sqlite:///{folder / 'kontobok.db'}"
        organization_id, stored = load_books(url, lines, folder)
        engine = open_database(url)
        with write_transaction(engine) as connection:
            credentials = create_client(connection, organization_id, ALL_SCOPES)
        engine.dispose()
        with running_server(url) as server, httpx.Client(base_url=server.base_url) as client:
            cookie = session_cookie(client, credentials.client_id, credentials.client_secret)
            return stored, time_pages(server.base_url, cookie, requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="Default: a new SQLite file.")
    arguments = parser.parse_args()
    stored, timings = measure(arguments.database_url, arguments.lines, arguments.requests)
    print(f"{stored} lines stored; {arguments.requests} requests per page")
    print("| page | p50 ms | p99 ms | mean ms |")
    print("|---|---:|---:|---:|")
    for timing in timings:
        print(f"| `{timing.path}` | {timing.p50_ms:.1f} | {timing.p99_ms:.1f} | {timing.mean_ms:.1f} |")


if __name__ == "__main__":
    main()
