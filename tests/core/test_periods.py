"""Half-open ranges, monthly and custom cuts, fiscal years."""

from __future__ import annotations

from datetime import date

import pytest

from kontobok.core.periods import (
    DateRange,
    custom_cuts,
    fiscal_year_range,
    fiscal_year_start,
    fiscal_years_meeting,
    inclusive_range,
    monthly_cuts,
)


def test_inclusive_ends_become_half_open() -> None:
    span = inclusive_range(date(2024, 1, 1), date(2024, 12, 31))
    assert span == DateRange(date(2024, 1, 1), date(2025, 1, 1))
    assert date(2024, 12, 31) in span
    assert date(2025, 1, 1) not in span


def test_a_range_cannot_end_before_it_begins() -> None:
    with pytest.raises(ValueError, match="before it begins"):
        DateRange(date(2024, 2, 1), date(2024, 1, 1))


def test_months_are_clipped_to_the_range() -> None:
    cuts = monthly_cuts(inclusive_range(date(2024, 1, 15), date(2024, 3, 10)))
    assert [(cut.begin, cut.last_day) for cut in cuts] == [
        (date(2024, 1, 15), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 10)),
    ]


def test_custom_cuts_close_on_each_day_and_run_to_the_end() -> None:
    span = inclusive_range(date(2024, 1, 1), date(2024, 3, 31))
    cuts = custom_cuts(span, [date(2024, 1, 10), date(2024, 2, 20)])
    assert [(cut.begin, cut.last_day) for cut in cuts] == [
        (date(2024, 1, 1), date(2024, 1, 10)),
        (date(2024, 1, 11), date(2024, 2, 20)),
        (date(2024, 2, 21), date(2024, 3, 31)),
    ]
    assert len(custom_cuts(span, [date(2024, 3, 31)])) == 1


def test_fiscal_years_follow_the_start_month() -> None:
    assert fiscal_year_start(date(2024, 6, 30), 7) == date(2023, 7, 1)
    assert fiscal_year_start(date(2024, 7, 1), 7) == date(2024, 7, 1)
    assert fiscal_year_range(2024, 1) == DateRange(date(2024, 1, 1), date(2025, 1, 1))
    years = fiscal_years_meeting(inclusive_range(date(2023, 6, 1), date(2024, 3, 31)), 1)
    assert [year.begin.year for year in years] == [2023, 2024]
