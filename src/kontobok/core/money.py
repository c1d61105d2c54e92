"""Exact money: integer minor units per ISO 4217 currency, never binary floating point.

An amount is held as an ``int`` count of the currency's minor unit (øre for NOK, cents for EUR) together with
its currency code. ``Decimal`` appears only at the edges, where text is parsed or written. A foreign-currency
amount is converted to the base currency with a rate (base units per one foreign unit) and rounded half-even
to the base currency's minor unit, the rounding accountants call banker's rounding.
"""

from __future__ import annotations

from decimal import Decimal

from kontobok.core.errors import Problem

# ISO 4217 minor-unit exponents that differ from 2. Every other three-letter code has two decimals.
_EXPONENT_EXCEPTIONS: dict[str, int] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip

_TEN_TO_THE = {places: 10**places for places in range(5)}

# The largest amount one line, entry or balance may state, in units of its currency (the API's cap). It
# keeps every single amount far inside the 64-bit range of minor units.
MAX_AMOUNT = Decimal("999999999999.99")
# The range of a stored total (per account and day or month): a signed 64-bit integer of minor units, the
# column type of both databases. A write that would take a total outside it is refused, never rounded.
MIN_STORED_TOTAL = -(2**63)
MAX_STORED_TOTAL = 2**63 - 1

# Currencies kontobok lists and accepts: the ECB reference currencies plus the Nordic ones.
KNOWN_CURRENCIES: tuple[str, ...] = (
    "AUD", "BGN", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "IDR", "ILS",
    "INR", "ISK", "JPY", "KRW", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SEK", "SGD", "THB",
    "TRY", "USD", "ZAR",
)  # fmt: skip


def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (2 for NOK, 0 for JPY, 3 for KWD)."""
    return _EXPONENT_EXCEPTIONS.get(currency, 2)


def _power_of_ten(places: int) -> int:
    return int(10**places)


def divide_half_even(numerator: int, denominator: int) -> int:
    """Integer division rounded half to even, exact for any size of integers."""
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def to_minor_units(value: Decimal | int, currency: str, *, path: str) -> int | Problem:
    """Convert a parsed amount to minor units, or say why it cannot be (too many decimals, not finite)."""
    if isinstance(value, int):
        return value * _power_of_ten(exponent(currency))
    if not value.is_finite():
        return Problem(path, "type", "must be a finite number")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        return Problem(path, "multipleOf", f"{currency} amounts have at most {exponent(currency)} decimals")
    return int(scaled)


def to_capped_minor_units(value: Decimal, currency: str, *, path: str) -> int | Problem:
    """Like :func:`to_minor_units`, for an amount read from a file: at most ``MAX_AMOUNT`` either way."""
    if value.is_finite() and abs(value) > MAX_AMOUNT:
        return Problem(
            path, "maximum", f"{value} is larger than the largest amount kontobok takes, {MAX_AMOUNT}"
        )
    return to_minor_units(value, currency, path=path)


def fits_stored_total(total: int) -> bool:
    """Whether ``total`` minor units fit a stored total (a signed 64-bit integer)."""
    return MIN_STORED_TOTAL <= total <= MAX_STORED_TOTAL


def to_decimal(minor: int, currency: str) -> Decimal | int:
    """The exact value of ``minor`` units, as ``int`` when whole and as a ``Decimal`` without trailing zeros.

    JSON writers emit the result as a number: 1500, 1500.5, -0.35.
    """
    places = _EXPONENT_EXCEPTIONS.get(currency, 2)
    scale: int = _TEN_TO_THE[places]
    if minor % scale == 0:
        return minor // scale
    # exact: amounts have far fewer digits than the decimal context's 28
    return Decimal(minor).scaleb(-places).normalize()


def convert_to_base(minor: int, currency: str, rate: Decimal, base_currency: str) -> int:
    """Base-currency minor units of ``minor`` units of ``currency`` at ``rate`` base units per unit."""
    if currency == base_currency:
        return minor
    numerator, denominator = _as_fraction(rate)
    shift = exponent(base_currency) - exponent(currency)
    numerator *= minor
    if shift >= 0:
        numerator *= _power_of_ten(shift)
    else:
        denominator *= _power_of_ten(-shift)
    return divide_half_even(numerator, denominator)


def _as_fraction(value: Decimal) -> tuple[int, int]:
    numerator, denominator = value.as_integer_ratio()
    return numerator, denominator
