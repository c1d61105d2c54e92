"""How the dashboard writes amounts and dates.

For a Norwegian organization (one with a Norwegian organization number, which every organization has today)
amounts are written as Norwegians read them: ``1 234 567,89``, a no-break space (U+00A0) between groups of
three digits, a decimal comma, and the minus sign U+2212, as the Unicode CLDR gives them for Norwegian
Bokmål. Otherwise ``1,234,567.89``. Amounts are exact: the digits come from the integer minor units, never
from a float. Dates are ISO 8601 (``2025-03-31``) everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from kontobok.core.money import exponent

NO_BREAK_SPACE = "\u00a0"
MINUS_SIGN = "\u2212"


@dataclass(frozen=True)
class NumberStyle:
    group_separator: str
    decimal_separator: str
    minus: str


NORWEGIAN = NumberStyle(NO_BREAK_SPACE, ",", MINUS_SIGN)
ENGLISH = NumberStyle(",", ".", "-")


def number_style_for(organization_number: str | None) -> NumberStyle:
    """Norwegian for an organization with a Norwegian organization number (nine digits)."""
    if organization_number and len(organization_number) == 9 and organization_number.isdigit():
        return NORWEGIAN
    return ENGLISH


def group_digits(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head], *(digits[index : index + 3] for index in range(head, len(digits), 3))]
    return separator.join(groups)


def format_minor(minor: int, currency: str, style: NumberStyle = NORWEGIAN) -> str:
    """``minor`` units of ``currency`` with all its decimals: ``-123456789`` NOK → ``−1 234 567,89``."""
    places = exponent(currency)
    digits = str(abs(minor)).rjust(places + 1, "0")
    whole, fraction = (digits[:-places], digits[-places:]) if places else (digits, "")
    text = group_digits(whole, style.group_separator)
    if fraction:
        text += style.decimal_separator + fraction
    return style.minus + text if minor < 0 else text
