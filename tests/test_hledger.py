"""The reports against an independent engine, hledger, on the same vouchers.

The seeded generator of ``tests/test_ledger_cli.py`` writes a few hundred vouchers (sales and purchases
with VAT, reverse charge, salaries, euro movements, accruals across dates, an incoming balance, vouchers of
the year before), the real CLI imports them, and the journal is written from the lines kontobok stored
(``tests/journal.py``). Each account is declared with its NS 4102 type for hledger: class 1 assets, 20
equity, 21–29 liabilities, 30–39 and 80 revenues, 40–79 and 81–87 expenses; 88, 89 and class 9 have no type,
as they have no place in kontobok's income statement. Then:

- the balance sheet's assets, liabilities and equity totals equal ``hledger bs`` (whose ``Net`` is assets
  minus liabilities);
- the income statement's income, expenses and result equal ``hledger is``, for the half year and per month;
- the trial balance's opening, debits, credits and closing per account equal ``hledger bal`` (debits and
  credits with the queries ``amt:>0`` and ``amt:<0``).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.core.ns4102 import (
    BalanceSheetGroup,
    IncomeStatementGroup,
    balance_sheet_group,
    income_statement_group,
)
from kontobok.store.organizations import Organization
from tests.factories import Api
from tests.journal import exact_json, ledger_journal, read_all_lines, write_jsonl
from tests.support.postgres import postgres_required
from tests.test_ledger_cli import SEED, VoucherGenerator

pytestmark = pytest.mark.slow

HALF_YEAR = {"dateFrom": "2025-01-01", "dateTo": "2025-06-30"}


def _hledger_command() -> str:
    found = shutil.which("hledger")
    if found is None:
        message = "hledger is not installed (Debian package 'hledger')"
        if postgres_required():
            pytest.fail(message)
        pytest.skip(message)
    return found


def _hledger_type(number: int) -> str | None:
    """The hledger account type of an NS 4102 account, or ``None`` for one outside both statements."""
    balance_group = balance_sheet_group(number)
    if balance_group is not None:
        if balance_group.is_asset:
            return "A"
        return "E" if balance_group is BalanceSheetGroup.EQUITY else "L"
    income_group = income_statement_group(number)
    if income_group is None:
        return None
    return "R" if income_group.is_income else "X"


def _journal(lines: list[dict[str, Any]]) -> str:
    numbers = sorted({line["account"]["number"] for line in lines})
    declarations = [
        f"account A:{number}  ; type: {kind}" for number in numbers if (kind := _hledger_type(number))
    ]
    return "\n".join(declarations) + "\n\n" + ledger_journal(lines)


class Hledger:
    def __init__(self, journal: Path) -> None:
        self.command = _hledger_command()
        self.journal = journal

    def rows(self, *args: str) -> list[list[str]]:
        completed = subprocess.run(
            [self.command, "-f", str(self.journal), *args, "--flat", "-O", "csv"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert completed.returncode == 0, completed.stderr
        return list(csv.reader(io.StringIO(completed.stdout)))

    def balances(self, *args: str) -> dict[int, Decimal]:
        """``bal``: each account's amount; an account it does not print is 0."""
        return {
            int(row[0].removeprefix("A:")): _amount(row[1])
            for row in self.rows("bal", *args)[1:]
            if row[0].startswith("A:")
        }

    def statement(self, *args: str) -> dict[str, list[Decimal]]:
        """``bs`` or ``is``: the total of each section, in order, and ``Net:``; one figure per column."""
        found: dict[str, list[Decimal]] = {}
        section = ""
        for row in self.rows(*args)[2:]:
            if all(cell == "" for cell in row[1:]):
                section = row[0]
            elif row[0] in ("total", "Net:"):
                found[section if row[0] == "total" else "Net"] = [_amount(cell) for cell in row[1:]]
        return found


def _amount(text: str) -> Decimal:
    return Decimal(text.removesuffix(" NOK").strip() or "0")


@pytest.fixture
def hledger(engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path) -> Hledger:
    command = Hledger(tmp_path / "journal.ledger")
    source = write_jsonl(tmp_path / "vouchers.jsonl", VoucherGenerator(SEED).vouchers())
    url = engine.url.render_as_string(hide_password=False)
    imported = CliRunner().invoke(
        app,
        ["import", "transactions", str(source), "--organization", str(organization.organization_id),
         "--database-url", url],
    )  # fmt: skip
    assert imported.exit_code == 0, (imported.output, imported.exception)
    lines = read_all_lines(api, "2023-01-01", "2026-01-01")
    command.journal.write_text(_journal(lines), encoding="utf-8")
    return command


def _report(api: Api, name: str, params: dict[str, str]) -> Any:
    answer = api.get(f"/v1/reports/{name}", params=params)
    assert answer.status_code == 200, answer.text
    return exact_json(answer)


def test_balance_sheet_equals_hledger_bs(api: Api, hledger: Hledger) -> None:
    for day, end in (
        ("2024-12-31", "2025-01-01"),
        ("2025-06-30", "2025-07-01"),
        ("2025-12-31", "2026-01-01"),
    ):
        sheet = _report(api, "balancesheet", {"date": day})
        expected = hledger.statement("bs", "-e", end)
        equity, long_term, current = sheet["equityAndLiabilities"]["groups"]
        assert sheet["assets"]["total"] == expected["Assets"][0], day
        assert long_term["total"] + current["total"] == expected["Liabilities"][0], day
        assert equity["total"] == expected["Net"][0], day
        assert sheet["assets"]["total"] == sheet["equityAndLiabilities"]["total"]


def test_income_statement_equals_hledger_is(api: Api, hledger: Hledger) -> None:
    statement = _report(api, "incomestatement", {**HALF_YEAR, "interval": "month", "compare": "previousYear"})
    expected = hledger.statement("is", "-b", "2025-01-01", "-e", "2025-07-01", "-M", "-T")
    columns = [*statement["periods"], statement]
    monthly_and_total = [(c["operatingIncome"]["total"] + c["financialItems"]["income"]["total"],
                          c["operatingExpenses"]["total"] + c["financialItems"]["expenses"]["total"]
                          + c["tax"]["total"], c["result"]) for c in columns]  # fmt: skip
    # hledger's -M columns, then its total column
    assert [figures[0] for figures in monthly_and_total] == expected["Revenues"]
    assert [figures[1] for figures in monthly_and_total] == expected["Expenses"]
    assert [figures[2] for figures in monthly_and_total] == expected["Net"]
    previous = hledger.statement("is", "-b", "2024-01-01", "-e", "2024-07-01")
    assert statement["previousYear"]["result"] == previous["Net"][0]
    assert statement["result"] != 0


def test_trial_balance_equals_hledger_bal(api: Api, hledger: Hledger) -> None:
    trial = _report(api, "trialbalance", {"dateFrom": "2025-04-01", "dateTo": "2025-06-30"})
    all_time_before = hledger.balances("-e", "2025-04-01")
    year_before = hledger.balances("-b", "2025-01-01", "-e", "2025-04-01")
    all_time_after = hledger.balances("-e", "2025-07-01")
    year_after = hledger.balances("-b", "2025-01-01", "-e", "2025-07-01")
    debits = hledger.balances("-b", "2025-04-01", "-e", "2025-07-01", "amt:>0")
    credits = hledger.balances("-b", "2025-04-01", "-e", "2025-07-01", "amt:<0")
    expected: dict[int, tuple[Decimal, ...]] = {}
    for number in {*all_time_before, *all_time_after, *year_after, *debits, *credits}:
        is_balance_sheet = str(number)[0] in "12"
        opening = (all_time_before if is_balance_sheet else year_before).get(number, Decimal(0))
        closing = (all_time_after if is_balance_sheet else year_after).get(number, Decimal(0))
        figures = (opening, debits.get(number, Decimal(0)), credits.get(number, Decimal(0)), closing)
        if any(figures):
            expected[number] = figures
    got = {
        row["number"]: (row["opening"], row["debit"], row["credit"], row["closing"])
        for row in trial["accounts"]
    }
    assert got == expected
    assert len(got) > 15
    assert trial["totals"]["debit"] == sum(debits.values())
    assert trial["totals"]["credit"] == sum(credits.values())


def test_every_income_statement_group_is_used(hledger: Hledger) -> None:
    """The generated books reach every kind of line the comparison relies on."""
    numbers = {int(line.split()[1].removeprefix("A:")) for line in hledger.journal.read_text().splitlines()
               if line.startswith("account ")}  # fmt: skip
    groups = {income_statement_group(number) for number in numbers}
    assert {IncomeStatementGroup.OPERATING_INCOME, IncomeStatementGroup.GOODS, IncomeStatementGroup.PAYROLL,
            IncomeStatementGroup.OTHER_OPERATING_EXPENSES, IncomeStatementGroup.FINANCIAL_INCOME,
            IncomeStatementGroup.FINANCIAL_EXPENSES} <= groups  # fmt: skip
