"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against ``kontobok serve``.

A demo company (one year of the demo books, with its bank) is loaded into a fresh SQLite file, served on
a free loopback port. The browser logs in, reads a balance, follows the drill-downs from the overview and the
balance sheet to a register and a voucher, filters the register, uploads a file and logs out, while every
request it makes and every console message is recorded: nothing may leave the server, and the console
must stay free of errors (a Content-Security-Policy violation is one).

``KONTOBOK_SCREENSHOTS=docs/screenshots`` saves a screenshot of every page, desktop and phone size.
Playwright's own browser download is never used. Without ``/usr/bin/chromium`` the test is skipped, except
under ``CI=true``, where it fails.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from kontobok.api.scopes import ALL_SCOPES
from kontobok.api.ui.formatting import format_minor
from kontobok.bench.server import Server, running_server
from kontobok.demo import load_demo
from kontobok.store.clients import ClientCredentials, create_client
from kontobok.store.database import open_database, write_transaction
from tests.factories import line, voucher

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
YEAR = 2025

pytestmark = pytest.mark.slow

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium", pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium", allow_module_level=True)

from playwright.sync_api import ConsoleMessage, Page, Request, ViewportSize, sync_playwright  # noqa: E402

DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, ClientCredentials]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}"
    engine = open_database(url)
    organization = load_demo(
        engine, console=Console(file=io.StringIO()), host="127.0.0.1", port=0, years=range(YEAR, YEAR + 1)
    )
    with write_transaction(engine) as connection:
        credentials = create_client(connection, organization.organization_id, ALL_SCOPES)
    engine.dispose()
    with running_server(url) as server:
        yield server, credentials
    assert server.log_problems == (), server.log_problems


def closing_balance(server: Server, credentials: ClientCredentials, number: int) -> int:
    """The account's balance at the year's end, as the API reports it, in minor units."""
    with httpx.Client(base_url=server.base_url) as client:
        token = client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": credentials.client_id,
                "client_secret": credentials.client_secret,
            },
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        accounts = client.get("/v1/accounts", params={"query": str(number)}, headers=headers).json()
        account_id = next(account["id"] for account in accounts if account["number"] == number)
        answer = client.get(
            f"/v1/accountbalances/{account_id}",
            params={"dateFrom": f"{YEAR}-12-01", "dateTo": f"{YEAR}-12-31"},
            headers=headers,
        )
    closing = json.loads(answer.text, parse_float=Decimal)[0]["balances"][-1]["closing"]
    return int(Decimal(closing) * 100)


class Shots:
    """Screenshots into ``KONTOBOK_SCREENSHOTS``, when it is set."""

    def __init__(self) -> None:
        folder = os.environ.get("KONTOBOK_SCREENSHOTS")
        self.folder = Path(folder) if folder else None
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Page, name: str, *, phone: bool = False, full: bool = True) -> None:
        if self.folder is None:
            return
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=full)
        if phone:
            desktop = page.viewport_size
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(300)
            page.screenshot(path=str(self.folder / f"{name}-phone.png"), full_page=False)
            assert desktop is not None
            page.set_viewport_size(desktop)
            page.wait_for_timeout(300)
            page.screenshot(path=str(self.folder / f"{name}.png"), full_page=full)


def test_a_user_logs_in_reads_the_books_and_imports_a_file(
    demo_server: tuple[Server, ClientCredentials], tmp_path: Path
) -> None:
    server, credentials = demo_server
    base = server.base_url
    expected_1920 = format_minor(closing_balance(server, credentials, 1920), "NOK")
    upload = tmp_path / "vouchers.jsonl"
    upload.write_text(
        json.dumps(
            voucher(f"{YEAR}-06-30", line(1920, 4321.5), line(3000, -4321.5), comment="Browser import")
        )
        + "\n"
    )
    requests: list[str] = []
    htmx_requests: list[str] = []
    problems: list[str] = []
    shots = Shots()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        requests.append(request.url)
        if request.headers.get("hx-request") == "true":
            htmx_requests.append(f"{request.method} {request.url}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=DESKTOP, locale="nb-NO")
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("request", on_request)

        page.goto(f"{base}/ui/")
        assert page.url.startswith(f"{base}/ui/login")
        shots.take(page, "login")
        # by keyboard alone: the client id field has the focus, Tab to the secret, Enter submits
        page.keyboard.type(credentials.client_id)
        page.keyboard.press("Tab")
        page.keyboard.type(credentials.client_secret)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/ui/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"

        # the overview: the bank balance as the API has it, and both charts drawn
        assert page.locator("h1").inner_text() == f"Overview {YEAR}"
        row = page.locator("#cash-balances tr", has_text="1920")
        assert row.locator("td.num").inner_text() == expected_1920
        page.locator("#balance-chart canvas").wait_for()
        page.locator("#month-chart canvas").wait_for()
        shots.take(page, "overview", phone=True)

        # drill down: overview → register → voucher
        row.get_by_role("link").click()
        page.wait_for_url(re.compile(r".*/ui/accounts/\d+$"))
        assert page.locator("h1").inner_text().startswith("1920 ")
        balances = page.locator("#register-lines tbody tr td:last-child").all_inner_texts()
        assert len(balances) > 10
        shots.take(page, "register", phone=True, full=False)
        page.locator("#register-lines tbody tr a").first.click()
        page.wait_for_url(re.compile(r".*/ui/vouchers/[0-9a-f-]+$"))
        assert page.locator("h1").inner_text().startswith("Voucher ")
        assert page.locator("#voucher-lines tbody tr").count() >= 2
        shots.take(page, "voucher")

        # the balance sheet balances, and its accounts lead to their registers
        page.get_by_role("link", name="Balance sheet").click()
        page.wait_for_url(f"{base}/ui/balancesheet")
        assert (
            page.locator("#assets-total").inner_text()
            == page.locator("#equity-and-liabilities-total").inner_text()
        )
        shots.take(page, "balancesheet", phone=True)
        page.get_by_role("link", name=re.compile(r"^1500 ")).click()
        page.wait_for_url(re.compile(r".*/ui/accounts/\d+\?to="))
        assert page.locator("h1").inner_text().startswith("1500 ")

        # filtering the register swaps its table in place (htmx) and keeps the address in step
        page.get_by_label("Text in comment or invoice number").fill("Faktura")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r".*q=Faktura.*"))
        comments = page.locator("#register-lines tbody tr td:nth-child(3)").all_inner_texts()
        assert comments
        assert all("faktura" in comment.lower() for comment in comments)
        assert any(entry.startswith("GET ") and "q=Faktura" in entry for entry in htmx_requests)

        for name, title in (
            ("incomestatement", "Income statement"),
            ("vat", "VAT"),
            ("bank", "Bank"),
            ("accounts", "Accounts"),
        ):
            page.get_by_role("link", name=title, exact=True).click()
            page.wait_for_url(re.compile(f".*/ui/{name}.*"))
            page.wait_for_load_state("networkidle")
            shots.take(page, name, full=name != "bank")
        assert page.locator("#accounts tbody tr").count() > 10

        # an upload, with the importer's report shown in place
        page.get_by_role("link", name="Import").click()
        page.get_by_label("File", exact=True).set_input_files(str(upload))
        page.get_by_role("button", name="Import").click()
        page.locator("#import-summary").wait_for()
        assert page.locator("#import-summary").inner_text() == "Imported 1 vouchers, 2 lines."
        assert f"POST {base}/ui/import" in htmx_requests
        shots.take(page, "import")
        page.goto(f"{base}/ui/")
        assert row.locator("td.num").inner_text() != expected_1920

        page.goto(f"{base}/docs")
        page.locator(".swagger-ui .info .title").wait_for()
        shots.take(page, "api-docs", full=False)

        page.goto(f"{base}/ui/")
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(f"{base}/ui/login")
        page.goto(f"{base}/ui/bank")
        assert page.url.startswith(f"{base}/ui/login")
        browser.close()

    assert problems == []
    assert requests
    outside = [url for url in requests if not url.startswith(f"{base}/")]
    assert outside == []
