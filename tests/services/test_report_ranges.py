"""The ranges reports accept and the columns an interval cuts them into."""

from __future__ import annotations

from datetime import date

import pytest

from kontobok.core.errors import ValidationFailed
from kontobok.core.periods import DateRange, inclusive_range
from kontobok.services.reports.ranges import (
    Interval,
    checked_total,
    interval_cuts,
    previous_year,
    within_one_calendar_year,
    within_one_fiscal_year,
)


def test_quarters_count_from_the_fiscal_years_start() -> None:
    span = inclusive_range(date(2025, 8, 15), date(2026, 3, 31))
    assert interval_cuts(span, Interval.QUARTER, start_month=7) == [
        DateRange(date(2025, 8, 15), date(2025, 10, 1)),
        DateRange(date(2025, 10, 1), date(2026, 1, 1)),
        DateRange(date(2026, 1, 1), date(2026, 4, 1)),
    ]


def test_months_are_clipped_to_the_range() -> None:
    span = inclusive_range(date(2025, 1, 20), date(2025, 3, 5))
    assert [(cut.begin, cut.last_day) for cut in interval_cuts(span, Interval.MONTH, start_month=1)] == [
        (date(2025, 1, 20), date(2025, 1, 31)),
        (date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 3, 1), date(2025, 3, 5)),
    ]


def test_the_previous_year_of_a_leap_day() -> None:
    earlier = previous_year(inclusive_range(date(2024, 2, 1), date(2024, 2, 29)))
    assert (earlier.begin, earlier.last_day) == (date(2023, 2, 1), date(2023, 2, 28))


def test_a_fiscal_year_from_july() -> None:
    inside = inclusive_range(date(2025, 7, 1), date(2026, 6, 30))
    assert within_one_fiscal_year(inside, start_month=7) == inside
    with pytest.raises(ValidationFailed, match="2026-06-30"):
        within_one_fiscal_year(inclusive_range(date(2025, 7, 1), date(2026, 7, 1)), start_month=7)
    with pytest.raises(ValidationFailed):
        within_one_calendar_year(inside)


def test_totals_beyond_64_bits_are_refused() -> None:
    assert checked_total(2**63 - 1) == 2**63 - 1
    with pytest.raises(ValidationFailed):
        checked_total(-(2**63) - 1)
