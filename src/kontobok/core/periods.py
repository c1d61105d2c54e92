"""Dates, half-open ranges and the periods that balances are cut into.

Inside kontobok every range is half-open, ``[begin, end)``. The vendor's API speaks of inclusive ends
(``/accountbalances``) and exclusive ends (``/transactionlines``); :func:`inclusive_range` and
:func:`exclusive_range` convert those once, at the edge.

A fiscal year starts on the first day of the organization's fiscal-year start month. It is named by the
calendar year it starts in. Profit-and-loss accounts start every fiscal year at zero, so the start of the
fiscal year that holds a date is the anchor of that date's running balance.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)

# Reports that answer one element per day or per month are refused beyond these spans, so that a wide range
# is a quick 400 instead of minutes of work and gigabytes of memory. Clients of the vendor's API ask for a
# year, a few years, or a full history of one company: ten years of days and a hundred years of months are
# far beyond any of them.
MAX_DAYS_PER_REPORT = 3660
MAX_MONTHS_PER_REPORT = 1200


@dataclass(frozen=True, order=True)
class DateRange:
    """The days ``begin`` up to, but not including, ``end``."""

    begin: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.begin:
            raise ValueError(f"range ends ({self.end}) before it begins ({self.begin})")

    @property
    def last_day(self) -> date:
        return self.end - ONE_DAY

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.begin <= day < self.end

    def is_empty(self) -> bool:
        return self.begin == self.end

    def overlaps(self, other: DateRange) -> bool:
        return self.begin < other.end and other.begin < self.end

    def days(self) -> Iterator[date]:
        day = self.begin
        while day < self.end:
            yield day
            day += ONE_DAY


def local_day(value: date | datetime, time_zone: str) -> date:
    """The day ``value`` falls on in ``time_zone``: a day is itself, an instant with an offset is converted to
    the zone, and a date and time without one is already the zone's local time.

    Raises ``ValueError`` for an instant whose day in the zone is not a representable date."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.date()
    try:
        return value.astimezone(ZoneInfo(time_zone)).date()
    except OverflowError:
        raise ValueError(f"{value.isoformat()} has no day in {time_zone}") from None


def inclusive_range(first_day: date, last_day: date) -> DateRange:
    """The range of an API's ``dateFrom``/``dateTo`` pair when both ends are inclusive."""
    return DateRange(first_day, last_day + ONE_DAY)


def exclusive_range(first_day: date, end: date) -> DateRange:
    """The range of an API's ``dateFrom``/``dateTo`` pair when ``dateTo`` is exclusive."""
    return DateRange(first_day, end)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after the month of ``day``."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def monthly_cuts(span: DateRange) -> list[DateRange]:
    """One range per calendar month that meets ``span``, clipped to it."""
    cuts: list[DateRange] = []
    begin = span.begin
    while begin < span.end:
        cuts.append(DateRange(begin, min(add_months(begin, 1), span.end)))
        begin = cuts[-1].end
    return cuts


def months_meeting(span: DateRange) -> int:
    """How many calendar months share at least one day with ``span``, computed without listing them."""
    if span.is_empty():
        return 0
    last = span.last_day
    return (last.year - span.begin.year) * 12 + last.month - span.begin.month + 1


def custom_cuts(span: DateRange, cut_days: list[date]) -> list[DateRange]:
    """Ranges ``[begin, d1]``, ``(d1, d2]``, …, ``(dn, last day]`` for increasing days inside ``span``.

    A last cut on the span's last day adds no empty range after it.
    """
    cuts: list[DateRange] = []
    begin = span.begin
    for day in cut_days:
        cuts.append(DateRange(begin, day + ONE_DAY))
        begin = day + ONE_DAY
    if begin < span.end:
        cuts.append(DateRange(begin, span.end))
    return cuts


def fiscal_year_start(day: date, start_month: int) -> date:
    """First day of the fiscal year that holds ``day``."""
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


def fiscal_year_range(year: int, start_month: int) -> DateRange:
    """The fiscal year that starts in calendar year ``year``."""
    begin = date(year, start_month, 1)
    return DateRange(begin, add_months(begin, 12))


def fiscal_years_meeting(span: DateRange, start_month: int) -> list[DateRange]:
    """Every fiscal year that shares at least one day with ``span``."""
    years: list[DateRange] = []
    begin = fiscal_year_start(span.begin, start_month)
    while begin < span.end or not years:
        years.append(DateRange(begin, add_months(begin, 12)))
        begin = years[-1].end
    return years
