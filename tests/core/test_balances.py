"""Balance elements from per-day totals: chaining, P&L reset, incoming balances."""

from __future__ import annotations

from datetime import date

from kontobok.core.accounts import AccountKind, account_kind
from kontobok.core.balances import DayTotal, compute_balance_elements
from kontobok.core.periods import inclusive_range, monthly_cuts


def figures(**kwargs: object) -> list[tuple[date, int, int, int]]:
    elements = compute_balance_elements(**kwargs)  # type: ignore[arg-type]
    return [(e.first_day, e.opening, e.closing, e.change) for e in elements]


def test_account_classes_follow_ns_4102() -> None:
    assert account_kind(1920) is AccountKind.BALANCE_SHEET
    assert account_kind(2400) is AccountKind.BALANCE_SHEET
    assert account_kind(3000) is AccountKind.PROFIT_AND_LOSS
    assert account_kind(8800) is AccountKind.PROFIT_AND_LOSS


def test_balance_sheet_accounts_carry_over_and_months_chain() -> None:
    cuts = monthly_cuts(inclusive_range(date(2023, 12, 1), date(2024, 2, 29)))
    totals = [DayTotal(date(2023, 12, 10), 500), DayTotal(date(2024, 2, 3), -200)]
    assert figures(
        cuts=cuts,
        carried_in=1000,
        day_totals=totals,
        kind=AccountKind.BALANCE_SHEET,
        fiscal_start_month=1,
        keep_incoming=False,
    ) == [
        (date(2023, 12, 1), 1000, 1500, 500),
        (date(2024, 1, 1), 1500, 1500, 0),
        (date(2024, 2, 1), 1500, 1300, -200),
    ]


def test_profit_and_loss_accounts_start_each_fiscal_year_at_zero() -> None:
    cuts = monthly_cuts(inclusive_range(date(2024, 6, 1), date(2024, 7, 31)))
    totals = [DayTotal(date(2024, 6, 10), -500), DayTotal(date(2024, 7, 2), -100)]
    assert figures(
        cuts=cuts,
        carried_in=-4000,
        day_totals=totals,
        kind=AccountKind.PROFIT_AND_LOSS,
        fiscal_start_month=7,
        keep_incoming=False,
    ) == [
        (date(2024, 6, 1), -4000, -4500, -500),
        (date(2024, 7, 1), 0, -100, -100),
    ]


def test_incoming_balances_are_opening_unless_kept() -> None:
    cuts = monthly_cuts(inclusive_range(date(2024, 1, 1), date(2024, 1, 31)))
    totals = [DayTotal(date(2024, 1, 1), 10_000 + 300, incoming=10_000)]
    common = {"cuts": cuts, "carried_in": 0, "day_totals": totals, "kind": AccountKind.BALANCE_SHEET}
    assert figures(**common, fiscal_start_month=1, keep_incoming=False) == [
        (date(2024, 1, 1), 10_000, 10_300, 300)
    ]
    assert figures(**common, fiscal_start_month=1, keep_incoming=True) == [
        (date(2024, 1, 1), 0, 10_300, 10_300)
    ]
