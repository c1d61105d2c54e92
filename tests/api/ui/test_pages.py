"""The dashboard's pages through the real ASGI app: figures, formats, escaping and tenancy."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from kontobok.api.ui.web import CONTENT_SECURITY_POLICY
from kontobok.store.organizations import Organization
from tests.api.ui.dashboard import Dashboard, new_client
from tests.factories import Api, bank_account_body, line, new_organization, voucher

NBSP = "\u00a0"
MINUS = "\u2212"


@pytest.fixture
def dashboard(engine: sa.Engine, organization: Organization) -> Dashboard:
    dashboard = Dashboard(engine)
    assert dashboard.log_in(new_client(engine, organization)).status_code == 303
    return dashboard


def test_the_overview_shows_balances_and_the_result_in_norwegian_format(
    api: Api, dashboard: Dashboard
) -> None:
    api.post_voucher(voucher("2025-03-05", line(1920, 1234567.89), line(3000, -1234567.89)))
    api.post_voucher(voucher("2025-04-10", line(6300, 1000.50), line(1920, -1000.50)))

    page = dashboard.get("/ui/?year=2025")

    assert page.status_code == 200
    cash = page.text[page.text.index('id="cash-balances"') :]
    assert f"1{NBSP}233{NBSP}567,39" in cash.split("</table>")[0]
    result = re.search(r'id="year-result">([^<]+)<', page.text)
    assert result is not None
    assert result.group(1) == f"1{NBSP}233{NBSP}567,39"
    months = page.text[page.text.index('id="months"') :]
    assert f'<td>2025-03</td><td class="num">1{NBSP}234{NBSP}567,89</td>' in months
    assert f'<td>2025-04</td><td class="num">0,00</td><td class="num">1{NBSP}000,50</td>' in months
    assert f"{MINUS}1{NBSP}000,50" in months
    chart = json.loads(page.text.split('id="overview-data">')[1].split("</script>")[0])
    assert chart["series"][0]["minor"][-1] == 123356739
    assert chart["income"][2] == 123456789


def test_the_overview_defaults_to_the_year_of_the_last_lines(api: Api, dashboard: Dashboard) -> None:
    api.post_voucher(voucher("2024-11-05", line(1920, 100), line(3000, -100)))

    page = dashboard.get("/ui/")

    assert "<h1>Overview 2024</h1>" in page.text


def test_every_page_sends_a_strict_content_security_policy_and_no_cors(dashboard: Dashboard) -> None:
    for path in ("/ui/", "/ui/accounts", "/ui/bank", "/ui/import", "/ui/login"):
        page = dashboard.get(path)
        assert page.status_code == 200, path
        assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "default-src 'self'" in CONTENT_SECURITY_POLICY
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "Access-Control-Allow-Origin" not in page.headers
        assert "<script>" not in page.text
        assert " onclick=" not in page.text
        assert 'style="' not in page.text


def test_the_register_lists_lines_with_a_running_balance_and_pages(api: Api, dashboard: Dashboard) -> None:
    for day in range(1, 29):
        api.post_voucher(voucher(f"2025-02-{day:02}", line(1920, 10), line(3000, -10), comment=f"sale {day}"))
    api.post_voucher(voucher("2024-12-31", line(1920, 500), line(2050, -500)))
    account_id = api.account_id(1920)

    first = dashboard.get(f"/ui/accounts/{account_id}?from=2025-01-01")
    second = dashboard.get(f"/ui/accounts/{account_id}?from=2025-02-01&page=2")
    search = dashboard.get(f"/ui/accounts/{account_id}?q=SALE%202", headers={"HX-Request": "true"})

    assert first.status_code == 200
    assert first.text.count("/ui/vouchers/") == 28
    assert "500,00</td></tr>" in first.text  # the balance carried into 2025
    assert "780,00</td>" in first.text  # 500 + 28 × 10
    assert 'rel="next"' not in first.text
    page_one = dashboard.get(f"/ui/accounts/{account_id}")
    assert 'rel="next"' not in page_one.text
    assert second.text.count("/ui/vouchers/") == 0
    assert "<html" not in search.text
    assert search.text.count("/ui/vouchers/") == 10  # sale 2 and sale 20 … sale 28
    assert "Balance</th>" not in search.text


def test_the_register_pages_past_fifty_lines_with_the_balance_carried(api: Api, dashboard: Dashboard) -> None:
    lines = [line(1920, 1) for _ in range(60)] + [line(3000, -60)]
    api.post_voucher(voucher("2025-05-02", *lines))
    account_id = api.account_id(1920)

    first = dashboard.get(f"/ui/accounts/{account_id}")
    second = dashboard.get(f"/ui/accounts/{account_id}?page=2")

    assert first.text.count("/ui/vouchers/") == 50
    assert 'rel="next"' in first.text
    assert second.text.count("/ui/vouchers/") == 10
    assert ">50,00</td></tr>" in second.text  # the balance before the page
    assert ">60,00</td>" in second.text


def test_a_voucher_page_shows_its_lines_and_links_back(api: Api, dashboard: Dashboard) -> None:
    transaction_id = api.post_voucher(
        voucher("2025-06-01", line(1920, 250), line(3000, -250), comment="cash sale")
    )

    page = dashboard.get(f"/ui/vouchers/{transaction_id}")

    assert page.status_code == 200
    assert "cash sale" in page.text
    assert f'/ui/accounts/{api.account_id(3000)}"' in page.text
    assert "250,00" in page.text


def test_another_organizations_account_and_voucher_are_404(engine: sa.Engine, dashboard: Dashboard) -> None:
    other = new_organization(engine)
    with Api.for_organization(engine, other) as theirs:
        transaction_id = theirs.post_voucher(voucher("2025-06-01", line(1920, 7), line(3000, -7)))
        # account ids count per organization: an account only they have has an id unknown to us
        created = theirs.post("/v1/accounts", {"number": 1931, "name": "Their account"})
        assert created.status_code == 201, created.text
        their_account = created.json()["id"]

    assert dashboard.get(f"/ui/vouchers/{transaction_id}").status_code == 404
    assert dashboard.get(f"/ui/accounts/{their_account}").status_code == 404
    assert dashboard.get("/ui/vouchers/not-a-uuid").status_code == 404
    assert dashboard.get("/ui/accounts/999999999").status_code == 404


def test_odd_addresses_are_refused_without_a_server_error(dashboard: Dashboard) -> None:
    for path in (
        "/ui/accounts/99999999999999",
        "/ui/accounts/-1",
        "/ui/accounts/1000001?page=0",
        "/ui/accounts/1000001?from=2025-13-45&to=x",
        "/ui/?year=99999",
        "/ui/bank?month=2025-13",
        "/ui/vat?year=2025&term=9",
        "/ui/balancesheet?date=0001-01-01",
        "/ui/incomestatement?year=1901",
    ):
        answer = dashboard.get(path)
        assert answer.status_code < 500, (path, answer.text)


def test_names_are_escaped(api: Api, dashboard: Dashboard) -> None:
    name = "<script>alert('x')</script>"
    created = api.post("/v1/accounts", {"number": 1930, "name": name})
    assert created.status_code == 201, created.text
    api.post_voucher(voucher("2025-06-01", line(1930, 5, comment="<img src=x>"), line(3000, -5)))

    for path in ("/ui/?year=2025", "/ui/accounts?year=2025", f"/ui/accounts/{created.json()['id']}"):
        page = dashboard.get(path)
        assert page.status_code == 200
        assert name not in page.text
        assert "&lt;script&gt;" in page.text or "\\u003cscript\\u003e" in page.text
        assert "<img src=x>" not in page.text


def test_the_bank_page_highlights_a_difference(api: Api, dashboard: Dashboard) -> None:
    account = api.post("/v1/bankaccounts", bank_account_body())
    assert account.status_code == 201, account.text
    api.post_voucher(voucher("2025-03-03", line(1920, 100), line(3000, -100)))
    balance = api.post(
        f"/v1/bankaccounts/{account.json()['id']}/balances",
        {"amount": 150, "timestamp": "2025-03-10T12:00:00Z", "currency": {"code": "NOK"}},
    )
    assert balance.status_code == 201, balance.text

    page = dashboard.get("/ui/bank?month=2025-03")

    assert page.status_code == 200
    assert '<tr class="differs">' in page.text
    assert "<strong>50,00</strong>" in page.text
    assert "Driftskonto" in page.text


def test_the_swagger_ui_loads_from_kontobok_itself(dashboard: Dashboard) -> None:
    docs = dashboard.get("/docs")
    urls = re.findall(r"(?:src|href)=[\"']([^\"']+)", docs.text) + re.findall(r"url: '([^']+)'", docs.text)

    assert docs.status_code == 200
    assert urls
    assert all(url.startswith("/") for url in urls), urls
    for url in urls:
        if url.startswith("/ui/static/"):
            assert dashboard.get(url).status_code == 200, url
    assert dashboard.get("/redoc").status_code == 404


def test_the_report_pages_show_the_reports_services_figures(api: Api, dashboard: Dashboard) -> None:
    api.post_voucher(voucher("2025-03-05", line(1920, 1250), line(3000, -1250, tax=3)))
    api.post_voucher(voucher("2025-04-10", line(6300, 400), line(1920, -400)))

    sheet = dashboard.get("/ui/balancesheet?date=2025-12-31")
    income = dashboard.get("/ui/incomestatement?year=2025")
    vat = dashboard.get("/ui/vat?year=2025&term=2")
    other_term = dashboard.get("/ui/vat?year=2025&term=3")

    assert sheet.status_code == income.status_code == vat.status_code == 200
    assets = re.search(r'id="assets-total">([^<]+)<', sheet.text)
    others = re.search(r'id="equity-and-liabilities-total">([^<]+)<', sheet.text)
    assert assets is not None
    assert others is not None
    assert assets.group(1) == others.group(1) == "850,00"
    assert f'/ui/accounts/{api.account_id(1920)}?to=2025-12-31"' in sheet.text
    result = re.search(r'id="result">([^<]+)<', income.text)
    assert result is not None
    assert result.group(1) == "600,00"
    payable = re.search(r'id="vat-payable">([^<]+)<', vat.text)
    assert payable is not None
    assert payable.group(1) == "250,00"
    assert "No VAT in this term." in other_term.text


def test_the_navigation_marks_the_current_page(dashboard: Dashboard) -> None:
    page = dashboard.get("/ui/vat")

    assert '<a href="/ui/vat" aria-current="page">VAT</a>' in page.text
    assert '<a href="/ui/" aria-current' not in page.text
