"""Exact money: minor units, half-even rounding and conversion to the base currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontobok.core.errors import Problem
from kontobok.core.money import convert_to_base, divide_half_even, exponent, to_decimal, to_minor_units


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (5, 2, 2),
        (7, 2, 4),
        (-5, 2, -2),
        (-7, 2, -4),
        (10, 4, 2),
        (11, 4, 3),
        (1, 3, 0),
        (2, 3, 1),
        (3, -2, -2),
    ],
)
def test_division_rounds_half_to_even(numerator: int, denominator: int, expected: int) -> None:
    assert divide_half_even(numerator, denominator) == expected


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**6))
def test_division_is_within_half_a_unit(numerator: int, denominator: int) -> None:
    quotient = divide_half_even(numerator, denominator)
    assert abs(2 * (numerator - quotient * denominator)) <= denominator


def test_exponents_follow_iso_4217() -> None:
    assert (exponent("NOK"), exponent("JPY"), exponent("ISK"), exponent("KWD")) == (2, 0, 0, 3)


def test_amounts_parse_to_minor_units_and_refuse_extra_decimals() -> None:
    assert to_minor_units(Decimal("1500.5"), "NOK", path="/a") == 150050
    assert to_minor_units(1500, "NOK", path="/a") == 150000
    assert to_minor_units(Decimal("-0.35"), "NOK", path="/a") == -35
    assert to_minor_units(Decimal("12"), "JPY", path="/a") == 12
    refused = to_minor_units(Decimal("10.005"), "NOK", path="/a")
    assert isinstance(refused, Problem)
    assert refused.keyword == "multipleOf"
    assert isinstance(to_minor_units(Decimal("0.5"), "JPY", path="/a"), Problem)


def test_amounts_are_written_as_their_exact_value() -> None:
    assert to_decimal(150000, "NOK") == 1500
    assert isinstance(to_decimal(150000, "NOK"), int)
    assert str(to_decimal(150050, "NOK")) == "1500.5"
    assert str(to_decimal(-35, "NOK")) == "-0.35"
    assert str(to_decimal(1, "KWD")) == "0.001"


@given(st.integers(-(10**14), 10**14))
def test_writing_and_reading_back_is_the_identity(minor: int) -> None:
    assert to_minor_units(Decimal(str(to_decimal(minor, "NOK"))), "NOK", path="/") == minor


def test_conversion_to_base_rounds_half_even_once() -> None:
    # 100.01 EUR × 11.4821 = 1148.324821 NOK → 1148.32
    assert convert_to_base(10001, "EUR", Decimal("11.4821"), "NOK") == 114832
    # 0.05 USD × 10.5 = 0.525 NOK → half-even → 0.52
    assert convert_to_base(5, "USD", Decimal("10.5"), "NOK") == 52
    # 0.15 USD × 10.5 = 1.575 NOK → half-even → 1.58
    assert convert_to_base(15, "USD", Decimal("10.5"), "NOK") == 158
    # 1000 JPY × 0.0712 = 71.20 NOK (JPY has no minor unit)
    assert convert_to_base(1000, "JPY", Decimal("0.0712"), "NOK") == 7120
    assert convert_to_base(12345, "NOK", Decimal(1), "NOK") == 12345
