"""kontobok's monthly closings against an independent engine, ledger-cli, on the same vouchers.

A seeded generator writes a few hundred vouchers (sales and purchases with VAT, reverse charge, salaries,
bank movements in EUR, vouchers whose lines fall on two dates, incoming balances, vouchers from the year
before) as a JSON-lines file, which the real CLI imports. The journal for ledger is written from the lines
kontobok *stored* (``GET /v1/transactionlines``), so the VAT split and the currency conversion are part of
what is compared: ledger checks that every voucher balances on each date, and its balance at the end of
every month of 2024 and 2025 must equal kontobok's closing for every account with lines. Balance-sheet
accounts accumulate over all time; profit-and-loss accounts restart every 1 January (``-b YYYY-01-01``).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from kontobok.cli import app
from kontobok.store.organizations import Organization
from tests.factories import Api
from tests.journal import (
    exact_json,
    is_balance_sheet,
    ledger_journal,
    month_ends,
    next_month,
    read_all_lines,
    write_jsonl,
)
from tests.support.postgres import postgres_required

pytestmark = pytest.mark.slow

SEED = 20240101
# 300 in the suite; KONTOBOK_LEDGER_VOUCHERS=20000 repeats the comparison at the full size
VOUCHERS = int(os.environ.get("KONTOBOK_LEDGER_VOUCHERS", "300"))
INCOMING_BALANCE_TYPE = 10
SALE_VAT_CODES = (3, 31, 33, 5, 6)
PURCHASE_ACCOUNTS = (4000, 4300, 6300, 6340, 6800, 6900, 7140, 7790)
RANGE_FROM, RANGE_TO = "2024-01-01", "2025-12-31"


def _ledger() -> str:
    found = shutil.which("ledger")
    if found is None:
        message = "ledger-cli is not installed (Debian package 'ledger')"
        if postgres_required():
            pytest.fail(message)
        pytest.skip(message)
    return found


def _nok(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


def _line(account: int, value: Decimal, tax: int = 0, **extra: Any) -> dict[str, Any]:
    return {"accountNumber": account, "amount": value, "tax": {"number": tax}, **extra}


class VoucherGenerator:
    """Deterministic, realistic-looking vouchers of a small Norwegian company."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.random.randrange((last - first).days + 1))

    def money(self, low: int, high: int) -> Decimal:
        """An amount in NOK with øre, ``low..high`` kroner."""
        return _nok(self.random.randint(low * 100, high * 100))

    def voucher(self, day: date) -> dict[str, Any]:
        kind = self.random.choice(
            [
                "sale",
                "sale",
                "purchase",
                "purchase",
                "customer_pays",
                "pay_supplier",
                "salary",
                "reverse_charge",
                "euro",
                "accrual",
                "fee",
                "interest",
            ]
        )
        body: dict[str, Any] = getattr(self, f"_{kind}")(day)
        return body

    def _body(self, day: date, type_number: int, *lines: dict[str, Any], comment: str) -> dict[str, Any]:
        return {
            "transactionTypeNumber": type_number,
            "date": day.isoformat(),
            "comment": comment,
            "lines": list(lines),
        }

    def _sale(self, day: date) -> dict[str, Any]:
        gross = self.money(100, 80_000)
        income = self.random.choice((3000, 3100, 3200, 3900))
        return self._body(
            day,
            1,
            _line(1500, gross),
            _line(income, -gross, self.random.choice(SALE_VAT_CODES)),
            comment="Faktura",
        )

    def _purchase(self, day: date) -> dict[str, Any]:
        lines = []
        total = Decimal(0)
        for _ in range(self.random.randint(1, 3)):
            gross = self.money(10, 30_000)
            total += gross
            lines.append(_line(self.random.choice(PURCHASE_ACCOUNTS), gross, self.random.choice((1, 1, 0))))
        return self._body(day, 2, *lines, _line(2400, -total), comment="Leverandørfaktura")

    def _customer_pays(self, day: date) -> dict[str, Any]:
        paid = self.money(100, 60_000)
        return self._body(day, 5, _line(1920, paid), _line(1500, -paid), comment="Innbetaling")

    def _pay_supplier(self, day: date) -> dict[str, Any]:
        paid = self.money(100, 40_000)
        return self._body(day, 5, _line(2400, paid), _line(1920, -paid), comment="Utbetaling")

    def _salary(self, day: date) -> dict[str, Any]:
        gross = self.money(30_000, 70_000)
        withheld = (gross * Decimal("0.32")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        employer_tax = (gross * Decimal("0.141")).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        return self._body(
            day,
            4,
            _line(5000, gross),
            _line(2600, -withheld),
            _line(1920, withheld - gross),
            _line(5400, employer_tax),
            _line(2770, -employer_tax),
            comment="Lønn",
        )

    def _reverse_charge(self, day: date) -> dict[str, Any]:
        net = self.money(50, 20_000)
        return self._body(day, 2, _line(6300, net, 86), _line(2400, -net), comment="Tjeneste fra utlandet")

    def _euro(self, day: date) -> dict[str, Any]:
        euros = Decimal(self.random.randint(100, 2_000_000)).scaleb(-2)
        rate = Decimal(self.random.randint(1_100_000, 1_200_000)).scaleb(-5)
        base = (euros * rate).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
        sign = self.random.choice((1, -1))
        return self._body(
            day,
            5,
            _line(1921, sign * euros, currency={"code": "EUR", "rate": rate}),
            _line(self.random.choice((3100, 8060, 8160, 1920)), -sign * base),
            comment="Valuta",
        )

    def _accrual(self, day: date) -> dict[str, Any]:
        """Prepaid rent: paid on one date, expensed on a later one (maybe the next year)."""
        rent = self.money(5_000, 25_000)
        later = min(day + timedelta(days=self.random.randint(20, 70)), date(2025, 12, 31))
        return self._body(
            day,
            6,
            _line(1700, rent),
            _line(1920, -rent),
            _line(6300, rent, date=later.isoformat()),
            _line(1700, -rent, date=later.isoformat()),
            comment="Periodisering",
        )

    def _fee(self, day: date) -> dict[str, Any]:
        fee = self.money(1, 500)
        return self._body(day, 5, _line(7770, fee), _line(1920, -fee), comment="Gebyr")

    def _interest(self, day: date) -> dict[str, Any]:
        interest = self.money(1, 3_000)
        if self.random.random() < 0.5:
            return self._body(day, 5, _line(1920, interest), _line(8040, -interest), comment="Renter")
        return self._body(day, 5, _line(8150, interest), _line(1920, -interest), comment="Renter")

    def vouchers(self) -> Iterator[dict[str, Any]]:
        # The year before the compared range: balance-sheet accounts carry it in, P&L accounts do not.
        for _ in range(8):
            yield self.voucher(self.day(date(2023, 1, 1), date(2023, 12, 31)))
        capital = self.money(100_000, 500_000)
        yield self._body(
            date(2024, 1, 1),
            INCOMING_BALANCE_TYPE,
            _line(1920, capital),
            _line(2000, -capital),
            comment="Inngående balanse",
        )
        for _ in range(VOUCHERS):
            yield self.voucher(self.day(date(2024, 1, 1), date(2025, 12, 31)))
        result = self.money(1_000, 100_000)
        yield self._body(
            date(2024, 12, 31), 6, _line(8800, result), _line(2050, -result), comment="Årsresultat"
        )


def _ledger_balances(ledger: str, journal: Path, *options: str) -> dict[int, Decimal]:
    """Each account's balance from ledger's ``bal``; an account it does not print is 0."""
    completed = subprocess.run(
        [
            ledger,
            "-f",
            str(journal),
            "--no-color",
            "--flat",
            "--no-total",
            *options,
            "bal",
            "^A:",
            "--format",
            "%(account)\t%(quantity(scrub(display_total)))\n",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert not completed.stderr.strip(), completed.stderr
    balances: dict[int, Decimal] = {}
    for row in completed.stdout.splitlines():
        account, value = row.split("\t")
        assert account.startswith("A:"), row
        balances[int(account.removeprefix("A:"))] = Decimal(value)
    return balances


def test_monthly_closings_equal_ledger_cli(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    compare_monthly_closings_with_ledger_cli(engine, organization, api, tmp_path)


def compare_monthly_closings_with_ledger_cli(
    engine: sa.Engine, organization: Organization, api: Api, tmp_path: Path
) -> None:
    """Import the generated vouchers with the CLI into ``organization`` and compare every monthly closing
    of 2024 and 2025 with ledger-cli's (the Citus tests run it on a cluster too)."""
    ledger = _ledger()
    source = write_jsonl(tmp_path / "vouchers.jsonl", VoucherGenerator(SEED).vouchers())
    url = engine.url.render_as_string(hide_password=False)
    imported = CliRunner().invoke(
        app,
        [
            "import",
            "transactions",
            str(source),
            "--organization",
            str(organization.organization_id),
            "--database-url",
            url,
        ],
    )
    assert imported.exit_code == 0, (imported.output, imported.exception)

    lines = read_all_lines(api, "2023-01-01", "2026-01-01")
    assert len({line["transaction"]["id"] for line in lines}) == VOUCHERS + 10
    assert {line["tax"]["id"] for line in lines} >= {0, 1, 3, 31, 33, 86}
    assert any(line["currency"]["code"] == "EUR" for line in lines)
    journal = tmp_path / "journal.ledger"
    journal.write_text(ledger_journal(lines), encoding="utf-8")

    # ledger's -e is exclusive: -e 2024-02-01 is the balance at the end of 31 January.
    expected: dict[int, dict[date, Decimal]] = defaultdict(dict)
    numbers = sorted({line["account"]["number"] for line in lines})
    for end in month_ends(2024, 2025):
        cumulative = _ledger_balances(ledger, journal, "-e", next_month(end).isoformat())
        this_year = _ledger_balances(
            ledger, journal, "-b", date(end.year, 1, 1).isoformat(), "-e", next_month(end).isoformat()
        )
        for number in numbers:
            chosen = cumulative if is_balance_sheet(number) else this_year
            expected[number][end] = chosen.get(number, Decimal(0))
    before_range = _ledger_balances(ledger, journal, "-e", RANGE_FROM)

    chart = exact_json(api.get("/v1/accounts"))
    account_ids = {account["number"]: account["id"] for account in chart}
    incoming: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for line in lines:
        if line["transactionType"]["id"] == INCOMING_BALANCE_TYPE:
            day = date.fromisoformat(line["date"])
            incoming[(line["account"]["number"], day.replace(day=1))] += Decimal(line["baseAmount"])

    mismatches: list[str] = []
    by_number: dict[int, list[dict[str, Any]]] = {}
    for number in numbers:
        answer = api.get(
            f"/v1/accountbalances/{account_ids[number]}", params={"dateFrom": RANGE_FROM, "dateTo": RANGE_TO}
        )
        assert answer.status_code == 200, answer.text
        [record] = exact_json(answer)
        balances = record["balances"]
        by_number[number] = balances
        assert [element["date"] for element in balances] == [
            end.replace(day=1).isoformat() for end in month_ends(2024, 2025)
        ]
        previous = before_range.get(number, Decimal(0)) if is_balance_sheet(number) else Decimal(0)
        for element, end in zip(balances, month_ends(2024, 2025), strict=True):
            first = end.replace(day=1)
            if first.month == 1 and not is_balance_sheet(number):
                previous = Decimal(0)
            # keepIncoming=false: incoming-balance lines dated in the month belong to its opening.
            opening = previous + incoming[(number, first)]
            closing = expected[number][end]
            got = (Decimal(element["opening"]), Decimal(element["closing"]), Decimal(element["change"]))
            if got != (opening, closing, closing - opening):
                mismatches.append(
                    f"account {number} {first:%Y-%m}: kontobok opening/closing/change {got}, "
                    f"ledger {(opening, closing, closing - opening)}"
                )
            previous = closing
    assert not mismatches, "\n".join(mismatches)

    # The list without {id} has every account with lines in the range and the same balances.
    listed = exact_json(api.get("/v1/accountbalances", params={"dateFrom": RANGE_FROM, "dateTo": RANGE_TO}))
    in_range = {line["account"]["number"] for line in lines if RANGE_FROM <= line["date"] <= RANGE_TO}
    carried_in = {number for number, value in before_range.items() if is_balance_sheet(number) and value}
    assert [record["account"]["number"] for record in listed] == sorted(in_range | carried_in)
    for record in listed:
        assert record["balances"] == by_number[record["account"]["number"]]
