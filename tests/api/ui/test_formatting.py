"""Amounts as the dashboard writes them: exact, Norwegian for a Norwegian organization."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontobok.api.ui.formatting import ENGLISH, NORWEGIAN, format_minor, number_style_for


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (0, "NOK", "0,00"),
        (5, "NOK", "0,05"),
        (-5, "NOK", "\u22120,05"),
        (100_000, "NOK", "1\u00a0000,00"),
        (123_456_789, "NOK", "1\u00a0234\u00a0567,89"),
        (-123_456_789, "NOK", "\u22121\u00a0234\u00a0567,89"),
        (1_234_567, "JPY", "1\u00a0234\u00a0567"),
        (9_223_372_036_854_775_807, "NOK", "92\u00a0233\u00a0720\u00a0368\u00a0547\u00a0758,07"),
    ],
)
def test_norwegian_amounts(minor: int, currency: str, text: str) -> None:
    assert format_minor(minor, currency, NORWEGIAN) == text


def test_other_organizations_get_the_english_style() -> None:
    assert format_minor(-123_456_789, "NOK", ENGLISH) == "-1,234,567.89"
    assert number_style_for("923609016") is NORWEGIAN
    assert number_style_for(None) is ENGLISH


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_the_digits_are_the_minor_units_exactly(minor: int) -> None:
    text = format_minor(minor, "NOK", NORWEGIAN)
    digits = text.replace("\u00a0", "").replace(",", "").replace("\u2212", "-")
    assert int(digits) == minor
