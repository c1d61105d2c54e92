"""The ranges a report may cover, checked once for every report, and the columns an interval cuts them into.

Reports take the inclusive ``dateFrom``/``dateTo`` of the API and work on half-open ranges inside. A trial
balance and an income statement cover at most one fiscal year, because profit-and-loss accounts start every
fiscal year at zero: a range across the turn of a year would add two years' openings. A VAT return covers
terms of one calendar year.
"""

from __future__ import annotations

import enum
from datetime import date

from kontobok.core.errors import ValidationFailed
from kontobok.core.periods import DateRange, add_months, fiscal_year_start, inclusive_range

# the fiscal years around a range must be representable dates
FIRST_SUPPORTED_DAY = date(1000, 1, 1)
LAST_SUPPORTED_DAY = date(9998, 12, 31)
# figures beyond a signed 64-bit integer are refused, never rounded
MAX_TOTAL = 2**63 - 1


class Interval(enum.Enum):
    """The columns of a multi-period income statement."""

    MONTH = "month"
    QUARTER = "quarter"

    @property
    def months(self) -> int:
        return 1 if self is Interval.MONTH else 3


def _check_day(day: date, path: str) -> None:
    if not FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY:
        raise ValidationFailed.single(
            path, "range", f"dates must lie between {FIRST_SUPPORTED_DAY} and {LAST_SUPPORTED_DAY}"
        )


def report_day(day: date, path: str = "/date") -> DateRange:
    """The one day a balance sheet is drawn up at, as a range."""
    _check_day(day, path)
    return inclusive_range(day, day)


def report_range(date_from: date, date_to: date) -> DateRange:
    """``[dateFrom, dateTo]`` as a half-open range; a 400 when it is reversed or outside supported dates."""
    _check_day(date_from, "/dateFrom")
    _check_day(date_to, "/dateTo")
    if date_from > date_to:
        raise ValidationFailed.single("/dateFrom", "range", "dateFrom must not be after dateTo")
    return inclusive_range(date_from, date_to)


def within_one_fiscal_year(span: DateRange, start_month: int) -> DateRange:
    """``span`` when it lies inside one fiscal year, else a 400 that names the year's last day."""
    year_start = fiscal_year_start(span.begin, start_month)
    year_end = add_months(year_start, 12)
    if span.end > year_end:
        raise ValidationFailed.single(
            "/dateTo",
            "range",
            "the report covers at most one fiscal year: dateTo must be on or before "
            f"{DateRange(year_start, year_end).last_day.isoformat()}",
        )
    return span


def within_one_calendar_year(span: DateRange) -> DateRange:
    """``span`` when its first and last day are in the same calendar year, else a 400."""
    if span.begin.year != span.last_day.year:
        raise ValidationFailed.single(
            "/dateTo",
            "range",
            "a VAT report covers terms of one calendar year: dateTo must be in dateFrom's year",
        )
    return span


def interval_cuts(span: DateRange, interval: Interval, start_month: int) -> list[DateRange]:
    """The months or quarters of the fiscal year that meet ``span``, clipped to it (quarters count from the
    fiscal year's start)."""
    begin = fiscal_year_start(span.begin, start_month)
    cuts: list[DateRange] = []
    while begin < span.end:
        end = add_months(begin, interval.months)
        if end > span.begin:
            cuts.append(DateRange(max(begin, span.begin), min(end, span.end)))
        begin = end
    return cuts


def checked_total(value: int, path: str = "/") -> int:
    """``value`` when a signed 64-bit integer holds it; a total beyond that is refused, never rounded."""
    if abs(value) > MAX_TOTAL:
        raise ValidationFailed.single(path, "maximum", "a total of this report is too large to be exact")
    return value


def previous_year(span: DateRange) -> DateRange:
    """The same days one year earlier (29 February becomes 28 February)."""
    return inclusive_range(_year_before(span.begin), _year_before(span.last_day))


def _year_before(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)
