"""End-of-day bank balances, anchored on what the bank reported.

A bank account's balance is known at the moments the bank states it (a *snapshot*: a statement's opening or
closing balance, or a balance posted through the API). Between snapshots it moves by the bank transactions.
kontobok counts a transaction on its booking date and treats a snapshot as covering every transaction
booked on or before the snapshot's day, so the end-of-day balance of a day is:

* the latest snapshot on or before that day, plus the transactions booked after the snapshot's day up to
  and including the day;
* before the first snapshot, the first snapshot minus the transactions between the day and it;
* with no snapshot at all, the sum of every transaction up to the day.

When a snapshot disagrees with the previous snapshot plus the transactions between them, the bank and the
transactions kontobok holds tell different stories; :func:`check_snapshots` reports each such difference
rather than hiding it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from kontobok.core.periods import DateRange, monthly_cuts


@dataclass(frozen=True, order=True)
class Snapshot:
    """A balance the bank reported for the end of ``day``; ``position`` orders snapshots of one day."""

    day: date
    position: int
    amount: int


@dataclass(frozen=True)
class DayFlow:
    """The transactions booked on one day: ``inflow`` (≥ 0) and ``outflow`` (≤ 0), in minor units."""

    inflow: int = 0
    outflow: int = 0

    @property
    def net(self) -> int:
        return self.inflow + self.outflow


@dataclass(frozen=True)
class DailyBalance:
    day: date
    balance: int
    incomes: int
    expenses: int

    @property
    def remains(self) -> int:
        return self.incomes + self.expenses


@dataclass(frozen=True)
class BalanceGroup:
    """Figures of one calendar month clipped to the range asked for."""

    span: DateRange
    balance: int
    incomes: int
    expenses: int
    overdraft_days: int
    days: tuple[DailyBalance, ...]

    @property
    def remains(self) -> int:
        return self.incomes + self.expenses


@dataclass(frozen=True)
class SnapshotCheck:
    """A snapshot compared with the previous one plus the transactions between them."""

    snapshot: Snapshot
    previous: Snapshot
    computed: int

    @property
    def difference(self) -> int:
        """Reported minus computed: 0 when the bank and the transactions agree."""
        return self.snapshot.amount - self.computed


@dataclass(frozen=True)
class Anchors:
    """The snapshots that decide the balances of a range: the last one before it, those inside it, and
    the first one after it (needed only when there is none before or inside)."""

    before: Snapshot | None
    inside: Sequence[Snapshot]
    after: Snapshot | None


def _flow_sum(flows: Mapping[date, DayFlow], first: date, last: date) -> int:
    """Net of the flows booked from ``first`` to ``last``, both included."""
    return sum(flow.net for day, flow in flows.items() if first <= day <= last)


def opening_balance(span: DateRange, anchors: Anchors, flows: Mapping[date, DayFlow], carried: int) -> int:
    """The balance at the end of the day before ``span``.

    ``flows`` covers every day between the anchors used and the span; ``carried`` is the sum of every
    transaction before the span, used only when the account has no snapshot at all.
    """
    day_before = date.fromordinal(span.begin.toordinal() - 1)
    if anchors.before is not None:
        return anchors.before.amount + _flow_sum(
            flows, date.fromordinal(anchors.before.day.toordinal() + 1), day_before
        )
    later = anchors.inside[0] if anchors.inside else anchors.after
    if later is not None:
        return later.amount - _flow_sum(flows, span.begin, later.day)
    return carried


def end_of_day_balances(
    span: DateRange, anchors: Anchors, flows: Mapping[date, DayFlow], carried: int = 0
) -> list[DailyBalance]:
    """The end-of-day balance, incomes and expenses of every day in ``span``."""
    balance = opening_balance(span, anchors, flows, carried)
    latest_on: dict[date, Snapshot] = {}
    for snapshot in sorted(anchors.inside):
        latest_on[snapshot.day] = snapshot
    days: list[DailyBalance] = []
    for day in span.days():
        flow = flows.get(day, DayFlow())
        balance = latest_on[day].amount if day in latest_on else balance + flow.net
        days.append(DailyBalance(day, balance, flow.inflow, flow.outflow))
    return days


def monthly_groups(span: DateRange, days: Sequence[DailyBalance]) -> list[BalanceGroup]:
    """Calendar months clipped to ``span``, each closing on its last day's balance (``days`` in order)."""
    groups: list[BalanceGroup] = []
    position = 0
    for month in monthly_cuts(span):
        start = position
        while position < len(days) and days[position].day < month.end:
            position += 1
        inside = tuple(day for day in days[start:position] if day.day >= month.begin)
        groups.append(
            BalanceGroup(
                span=month,
                balance=inside[-1].balance if inside else 0,
                incomes=sum(day.incomes for day in inside),
                expenses=sum(day.expenses for day in inside),
                overdraft_days=sum(1 for day in inside if day.balance < 0),
                days=inside,
            )
        )
    return groups


def check_snapshots(snapshots: Sequence[Snapshot], flows: Mapping[date, DayFlow]) -> list[SnapshotCheck]:
    """Each snapshot after the first, against the previous one plus the transactions booked in between."""
    ordered = sorted(snapshots)
    checks: list[SnapshotCheck] = []
    for previous, snapshot in pairwise(ordered):
        between = _flow_sum(flows, date.fromordinal(previous.day.toordinal() + 1), snapshot.day)
        checks.append(SnapshotCheck(snapshot, previous, previous.amount + between))
    return checks
