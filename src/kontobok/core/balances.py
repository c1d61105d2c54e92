"""Account balances over periods, as pure functions of per-day totals.

The balance of an account at the end of a day is the sum of its lines up to that day. Balance-sheet accounts
sum from the beginning of time; profit-and-loss accounts sum from the start of the fiscal year that holds
the day, so they stand at zero on the first day of every fiscal year.

A report cuts a range into elements (calendar months, accounting periods or cuts the client chose). For each
element, ``opening`` is the balance at the start of its first day, ``closing`` the balance at the end of its
last day and ``change = closing - opening``. Lines of the incoming-balance (IB) transaction type state where
the books begin rather than what happened, so by default they count towards ``opening``, not ``change``;
``keep_incoming`` counts them as movement instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kontobok.core.accounts import AccountKind
from kontobok.core.periods import DateRange, fiscal_year_start


@dataclass(frozen=True)
class DayTotal:
    """The sum of one account's lines on one day; ``incoming`` is the part from IB lines, ``debit`` the sum of
    the positive amounts among the other lines."""

    day: date
    movement: int
    incoming: int = 0
    debit: int = 0


@dataclass(frozen=True)
class BalanceElement:
    first_day: date
    opening: int
    closing: int

    @property
    def change(self) -> int:
        return self.closing - self.opening


def carried_in_balance(kind: AccountKind, *, before_all_time: int, before_since_fiscal_start: int) -> int:
    """What an account carries into a day: a balance-sheet account its whole history, a profit-and-loss
    account what it gathered since the start of that day's fiscal year."""
    return before_all_time if kind is AccountKind.BALANCE_SHEET else before_since_fiscal_start


def compute_balance_elements(
    cuts: Sequence[DateRange],
    *,
    carried_in: int,
    day_totals: Sequence[DayTotal],
    kind: AccountKind,
    fiscal_start_month: int,
    keep_incoming: bool,
) -> list[BalanceElement]:
    """Opening, closing and change for each of the contiguous ``cuts``.

    ``carried_in`` is the balance at the start of the first cut (for a profit-and-loss account: the sum since
    the start of that day's fiscal year). ``day_totals`` are sorted and fall inside the cuts.
    """
    resets = kind is AccountKind.PROFIT_AND_LOSS
    running = carried_in
    anchor = fiscal_year_start(cuts[0].begin, fiscal_start_month) if cuts else None
    elements: list[BalanceElement] = []
    position = 0

    def reset_if_new_year(day: date) -> None:
        nonlocal running, anchor
        if resets and fiscal_year_start(day, fiscal_start_month) != anchor:
            running = 0
            anchor = fiscal_year_start(day, fiscal_start_month)

    for cut in cuts:
        reset_if_new_year(cut.begin)
        opening = running
        while position < len(day_totals) and day_totals[position].day < cut.end:
            total = day_totals[position]
            reset_if_new_year(total.day)
            running += total.movement
            if not keep_incoming:
                opening += total.incoming
            position += 1
        reset_if_new_year(cut.last_day)
        elements.append(BalanceElement(cut.begin, opening, running))
    return elements
