"""End-of-day bank balances from snapshots and flows, worked out by hand."""

from __future__ import annotations

from datetime import date

from kontobok.core.bank_balances import (
    Anchors,
    DayFlow,
    Snapshot,
    check_snapshots,
    end_of_day_balances,
    monthly_groups,
)
from kontobok.core.periods import inclusive_range

JUNE = inclusive_range(date(2024, 6, 1), date(2024, 6, 10))
FLOWS = {
    date(2024, 6, 2): DayFlow(inflow=500, outflow=0),
    date(2024, 6, 5): DayFlow(inflow=0, outflow=-2000),
    date(2024, 6, 8): DayFlow(inflow=300, outflow=-100),
}


def balances(anchors: Anchors, carried: int = 0) -> list[int]:
    return [day.balance for day in end_of_day_balances(JUNE, anchors, FLOWS, carried)]


def test_a_snapshot_before_the_range_carries_forward() -> None:
    # 1000 at the end of 31 May; +500 on the 2nd, -2000 on the 5th, +200 net on the 8th
    anchors = Anchors(before=Snapshot(date(2024, 5, 31), 1, 1000), inside=(), after=None)
    assert balances(anchors) == [1000, 1500, 1500, 1500, -500, -500, -500, -300, -300, -300]


def test_a_snapshot_inside_the_range_resets_the_balance_that_day() -> None:
    anchors = Anchors(
        before=Snapshot(date(2024, 5, 31), 1, 1000), inside=(Snapshot(date(2024, 6, 5), 2, 0),), after=None
    )
    assert balances(anchors)[3:6] == [1500, 0, 0]


def test_days_before_the_first_snapshot_work_backwards_from_it() -> None:
    # 700 at the end of the 8th: the 7th ended at 700 - 200 = 500, the 4th at 500 + 2000 = 2500
    anchors = Anchors(before=None, inside=(Snapshot(date(2024, 6, 8), 1, 700),), after=None)
    assert balances(anchors) == [2000, 2500, 2500, 2500, 500, 500, 500, 700, 700, 700]
    after_only = Anchors(before=None, inside=(), after=Snapshot(date(2024, 6, 20), 1, 700))
    assert balances(after_only)[-1] == 700


def test_without_any_snapshot_the_transactions_alone_count() -> None:
    assert balances(Anchors(before=None, inside=(), after=None), carried=250)[0] == 250
    assert balances(Anchors(before=None, inside=(), after=None), carried=250)[-1] == -1050  # 250+500-2000+200


def test_months_count_overdraft_days_and_sum_flows() -> None:
    span = inclusive_range(date(2024, 5, 30), date(2024, 6, 10))
    anchors = Anchors(before=Snapshot(date(2024, 5, 1), 1, 1000), inside=(), after=None)
    days = end_of_day_balances(span, anchors, FLOWS)
    may, june = monthly_groups(span, days)
    assert (may.balance, may.incomes, may.expenses, may.overdraft_days, len(may.days)) == (1000, 0, 0, 0, 2)
    assert (june.balance, june.incomes, june.expenses, june.remains) == (-300, 800, -2100, -1300)
    assert june.overdraft_days == 6  # the 5th to the 10th end below zero


def test_a_snapshot_that_disagrees_with_the_transactions_is_reported() -> None:
    snapshots = [Snapshot(date(2024, 5, 31), 1, 1000), Snapshot(date(2024, 6, 5), 2, -537)]
    [check] = check_snapshots(snapshots, FLOWS)
    assert check.computed == -500  # 1000 + 500 - 2000
    assert check.difference == -37
