"""The benchmark's company: five years of books whose size is set by the number of transaction lines.

The same seed and size always give the same vouchers, so two runs (or two machines) measure the same work.
The books are those of a trading company: sales with output VAT, purchases and card expenses with input VAT,
customer and supplier payments through the operating account, receipts and payments in euro, monthly payroll
with tax withholding moved to its own account, and an incoming balance on the first day. Three bank accounts
(1920 NOK, 1921 EUR, 1950 NOK withholding) book every voucher line that touches them, so the bank side and
the ledger agree; each bank account gets one statement per day it moves, as a bank's daily camt.053 would.

The lines are spread evenly over the days: at ten thousand lines a day holds two or three vouchers, at ten
million it holds about two thousand.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from kontobok.core.money import convert_to_base
from kontobok.core.taxes import STANDARD_TAX_CODES, vat_of_gross

FIRST_DAY = date(2021, 1, 1)
LAST_DAY = date(2025, 12, 31)
YEARS = range(FIRST_DAY.year, LAST_DAY.year + 1)
BASE_CURRENCY = "NOK"
SEED = 2021

OPERATING, EURO, WITHHOLDING = 1920, 1921, 1950
BANK_ACCOUNTS: dict[int, tuple[str, str]] = {
    # ledger account: (currency, account number at the bank: a Norwegian BBAN with valid check digit)
    OPERATING: ("NOK", "15030012346"),
    EURO: ("EUR", "15030023456"),
    WITHHOLDING: ("NOK", "15030034567"),
}

SALES_INVOICE, SUPPLIER_INVOICE, CASH, PAYROLL, BANK, OTHER, INCOMING_BALANCE = 1, 2, 3, 4, 5, 6, 10
_VAT_ACCOUNT = {code.number: code.vat_account for code in STANDARD_TAX_CODES}
_VAT_RATE = {code.number: code.rate_basis_points for code in STANDARD_TAX_CODES}
_SPLITS_GROSS = {code.number for code in STANDARD_TAX_CODES if code.splits_gross}


@dataclass(frozen=True, slots=True)
class BenchLine:
    """A line as a client sends it: ``amount`` in minor units of ``currency``, gross when its tax splits."""

    account: int
    amount: int
    tax: int = 0
    currency: str = BASE_CURRENCY
    rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BenchVoucher:
    day: date
    type_number: int
    comment: str
    lines: tuple[BenchLine, ...]


@dataclass(frozen=True, slots=True)
class StoredLine:
    """A line as kontobok stores it: VAT split off, ``base`` in base-currency minor units."""

    account: int
    base: int
    currency: str
    amount: int


def stored_lines(voucher: BenchVoucher) -> Iterator[StoredLine]:
    """The lines kontobok will store for ``voucher``: a gross line with output or input VAT becomes a net
    line and a VAT line, and foreign amounts are converted at the line's rate, as the ledger does."""
    for line in voucher.lines:
        rate = line.rate if line.rate is not None else Decimal(1)
        if line.tax in _SPLITS_GROSS:
            vat = vat_of_gross(line.amount, _VAT_RATE[line.tax])
            net_base = convert_to_base(line.amount - vat, line.currency, rate, BASE_CURRENCY)
            gross_base = convert_to_base(line.amount, line.currency, rate, BASE_CURRENCY)
            yield StoredLine(line.account, net_base, line.currency, line.amount - vat)
            vat_account = _VAT_ACCOUNT[line.tax]
            assert vat_account is not None
            yield StoredLine(vat_account, gross_base - net_base, line.currency, vat)
        else:
            base = convert_to_base(line.amount, line.currency, rate, BASE_CURRENCY)
            yield StoredLine(line.account, base, line.currency, line.amount)


def stored_line_count(voucher: BenchVoucher) -> int:
    return len(voucher.lines) + sum(1 for line in voucher.lines if line.tax in _SPLITS_GROSS)


def euro_rate(day: date) -> Decimal:
    """NOK per EUR for ``day``'s month: a fixed, made-up path between 11.00 and 11.48."""
    step = (day.year * 12 + day.month) % 17
    return Decimal(110000 + step * 300).scaleb(-4)


def days() -> Iterator[date]:
    day = FIRST_DAY
    while day <= LAST_DAY:
        yield day
        day += timedelta(days=1)


def generate_vouchers(lines: int, *, seed: int = SEED) -> Iterator[BenchVoucher]:
    """About ``lines`` stored lines of vouchers, day by day from the incoming balance on ``FIRST_DAY``."""
    rng = random.Random(seed)
    all_days = list(days())
    produced = 0
    for index, day in enumerate(all_days):
        daily: list[BenchVoucher] = []
        if index == 0:
            daily.append(_incoming_balance(day))
        daily.extend(_monthly(day))
        quota = lines * (index + 1) // len(all_days) - produced
        produced_today = sum(stored_line_count(voucher) for voucher in daily)
        while produced_today < quota:
            voucher = _everyday(rng, day)
            daily.append(voucher)
            produced_today += stored_line_count(voucher)
        produced += produced_today
        yield from daily


def _nok(low: int, high: int, rng: random.Random) -> int:
    """A random amount in øre between ``low`` and ``high`` kroner."""
    return rng.randrange(low * 100, high * 100)


def _incoming_balance(day: date) -> BenchVoucher:
    euro = 2_000_000
    euro_base = convert_to_base(euro, "EUR", euro_rate(day), BASE_CURRENCY)
    operating, withholding = 75_000_000, 4_000_000
    return BenchVoucher(
        day,
        INCOMING_BALANCE,
        "Inngående balanse",
        (
            BenchLine(OPERATING, operating),
            BenchLine(EURO, euro, currency="EUR", rate=euro_rate(day)),
            BenchLine(WITHHOLDING, withholding),
            BenchLine(2050, -(operating + euro_base + withholding)),
        ),
    )


PAYROLL_DAY = 25
TAX_PAYMENT_DAY = 15
_MONTHLY_GROSS_PAY = 42_000_000
_MONTHLY_WITHHOLDING = 13_000_000


def _monthly(day: date) -> list[BenchVoucher]:
    if day.day == PAYROLL_DAY:
        gross, withheld = _MONTHLY_GROSS_PAY, _MONTHLY_WITHHOLDING
        return [
            BenchVoucher(
                day,
                PAYROLL,
                f"Lønn {day:%m.%Y}",
                (BenchLine(5000, gross), BenchLine(2600, -withheld), BenchLine(OPERATING, withheld - gross)),
            ),
            BenchVoucher(
                day,
                BANK,
                f"Skattetrekk {day:%m.%Y}",
                (BenchLine(WITHHOLDING, withheld), BenchLine(OPERATING, -withheld)),
            ),
        ]
    if day.day == TAX_PAYMENT_DAY and day > FIRST_DAY + timedelta(days=31):
        return [
            BenchVoucher(
                day,
                BANK,
                f"Betalt skattetrekk {day:%m.%Y}",
                (BenchLine(2600, _MONTHLY_WITHHOLDING), BenchLine(WITHHOLDING, -_MONTHLY_WITHHOLDING)),
            )
        ]
    return []


def _everyday(rng: random.Random, day: date) -> BenchVoucher:
    """One of the vouchers a trading company books every day, in fixed proportions."""
    pick = rng.randrange(100)
    if pick < 33:
        gross = _nok(500, 60_000, rng)
        account = 3000 if pick < 25 else 3100
        return BenchVoucher(
            day,
            SALES_INVOICE,
            "Salg",
            (BenchLine(1500, gross), BenchLine(account, -gross, tax=3)),
        )
    if pick < 53:
        gross = _nok(200, 40_000, rng)
        account = (4300, 6340, 6540, 4000)[pick % 4]
        return BenchVoucher(
            day,
            SUPPLIER_INVOICE,
            "Leverandørfaktura",
            (BenchLine(account, gross, tax=1), BenchLine(2400, -gross)),
        )
    if pick < 68:
        paid = _nok(500, 60_000, rng)
        return BenchVoucher(
            day, BANK, "Innbetaling kunde", (BenchLine(OPERATING, paid), BenchLine(1500, -paid))
        )
    if pick < 78:
        paid = _nok(200, 40_000, rng)
        return BenchVoucher(
            day, BANK, "Betaling leverandør", (BenchLine(2400, paid), BenchLine(OPERATING, -paid))
        )
    if pick < 86:
        gross = _nok(50, 3_000, rng)
        account = (6800, 7140, 7100)[pick % 3]
        return BenchVoucher(
            day, CASH, "Kortkjøp", (BenchLine(account, gross, tax=1), BenchLine(OPERATING, -gross))
        )
    if pick < 93:
        return _euro_voucher(rng, day, incoming=pick < 90)
    amount = _nok(100, 20_000, rng)
    return BenchVoucher(day, OTHER, "Periodisering", (BenchLine(1700, amount), BenchLine(6300, -amount)))


def _euro_voucher(rng: random.Random, day: date, *, incoming: bool) -> BenchVoucher:
    euro = rng.randrange(5_000, 800_000)
    rate = euro_rate(day)
    base = convert_to_base(euro, "EUR", rate, BASE_CURRENCY)
    if incoming:
        lines = (BenchLine(EURO, euro, currency="EUR", rate=rate), BenchLine(1500, -base))
        return BenchVoucher(day, BANK, "Innbetaling EUR", lines)
    lines = (BenchLine(2400, base), BenchLine(EURO, -euro, currency="EUR", rate=rate))
    return BenchVoucher(day, BANK, "Betaling EUR", lines)
