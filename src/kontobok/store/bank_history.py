"""Reading a bank account's history for balance questions: the snapshots that anchor a range and the
per-day flows around it, never the individual transactions.

As of an instant, the snapshots are those recorded by then, and the per-day flows lose the transactions
recorded after it (read through the index on ``(organization_id, created_at)``: few for a recent instant).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from kontobok.core.bank_balances import (
    Anchors,
    DailyBalance,
    DayFlow,
    Snapshot,
    SnapshotCheck,
    check_snapshots,
    end_of_day_balances,
)
from kontobok.core.periods import ONE_DAY, DateRange
from kontobok.store.bank_transactions import day_flows, flow_before
from kontobok.store.schema import bank_balances, bank_transactions

_balances = bank_balances.c
_transactions = bank_transactions.c


def _snapshots(
    connection: sa.Connection, statement: sa.Select[Any], values: dict[str, Any] | None = None
) -> list[Snapshot]:
    return [
        Snapshot(day, int(position), int(amount))
        for day, position, amount in connection.execute(statement, values)
    ]


def _anchor_statements(*, as_of: bool = False) -> tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]]:
    """The last snapshot before a range, those inside it, the first after it: built once, bound per call."""
    base = sa.select(_balances.day, _balances.position, _balances.amount).where(
        (_balances.organization_id == sa.bindparam("organization"))
        & (_balances.bank_account_id == sa.bindparam("account"))
        & (_balances.currency == sa.bindparam("currency"))
    )
    if as_of:
        base = base.where(_balances.created_at <= sa.bindparam("as_of"))
    before = (
        base.where(_balances.day < sa.bindparam("begin"))
        .order_by(_balances.day.desc(), _balances.position.desc())
        .limit(1)
    )
    inside = base.where(
        (_balances.day >= sa.bindparam("begin")) & (_balances.day < sa.bindparam("end"))
    ).order_by(_balances.day, _balances.position)
    after = (
        base.where(_balances.day >= sa.bindparam("end")).order_by(_balances.day, _balances.position).limit(1)
    )
    return before, inside, after


_BEFORE, _INSIDE, _AFTER = _anchor_statements()
_AS_OF = _anchor_statements(as_of=True)


def balance_anchors(
    connection: sa.Connection,
    organization_id: int,
    bank_account_id: uuid.UUID,
    currency: str,
    span: DateRange,
    as_of: datetime | None = None,
) -> Anchors:
    """The last snapshot before ``span``, those inside it and, when neither exists, the first after it."""
    values: dict[str, Any] = {
        "organization": organization_id,
        "account": bank_account_id,
        "currency": currency,
        "begin": span.begin,
        "end": span.end,
    }
    statements = (_BEFORE, _INSIDE, _AFTER)
    if as_of is not None:
        statements = _AS_OF
        values["as_of"] = as_of
    before = _snapshots(connection, statements[0], values)
    inside = _snapshots(connection, statements[1], values)
    after: list[Snapshot] = []
    if not before and not inside:
        after = _snapshots(connection, statements[2], values)
    return Anchors(before[0] if before else None, inside, after[0] if after else None)


def daily_balances(
    connection: sa.Connection,
    organization_id: int,
    bank_account_id: uuid.UUID,
    currency: str,
    span: DateRange,
    as_of: datetime | None = None,
) -> list[DailyBalance]:
    """End-of-day balances of every day of ``span`` for one account and currency (as of an instant)."""
    anchors = balance_anchors(connection, organization_id, bank_account_id, currency, span, as_of)
    first = anchors.before.day + ONE_DAY if anchors.before else span.begin
    last = anchors.after.day + ONE_DAY if anchors.after else span.end
    flows = day_flows(
        connection, organization_id, bank_account_id, currency, DateRange(first, max(last, span.end))
    )
    later = _flows_recorded_after(connection, organization_id, bank_account_id, currency, as_of)
    for day, flow in later.items():
        if day in flows:
            flows[day] = DayFlow(flows[day].inflow - flow.inflow, flows[day].outflow - flow.outflow)
    carried = 0
    if anchors.before is None and not anchors.inside and anchors.after is None:
        carried = flow_before(connection, organization_id, bank_account_id, currency, span.begin)
        carried -= sum(flow.inflow + flow.outflow for day, flow in later.items() if day < span.begin)
    return end_of_day_balances(span, anchors, flows, carried)


def _flows_recorded_after(
    connection: sa.Connection,
    organization_id: int,
    bank_account_id: uuid.UUID,
    currency: str,
    as_of: datetime | None,
) -> dict[date, DayFlow]:
    """Per booking day, the inflow and outflow of the account's transactions recorded after ``as_of``."""
    if as_of is None:
        return {}
    rows = connection.execute(
        sa.select(_transactions.booking_date, _transactions.amount).where(
            (_transactions.organization_id == organization_id)
            & (_transactions.created_at > as_of)
            & (_transactions.bank_account_id == bank_account_id)
            & (_transactions.currency == currency)
        )
    )
    sums: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, amount in rows:
        sums[day][0 if amount >= 0 else 1] += int(amount)
    return {day: DayFlow(inflow, outflow) for day, (inflow, outflow) in sums.items()}


def snapshot_checks(
    connection: sa.Connection,
    organization_id: int,
    bank_account_id: uuid.UUID,
    currency: str,
    *,
    within: DateRange | None = None,
) -> list[SnapshotCheck]:
    """Every reported balance against the previous one plus the transactions booked in between.

    With ``within``, only the reported balances of those days are checked (against the last one before).
    """
    condition = (
        (_balances.organization_id == organization_id)
        & (_balances.bank_account_id == bank_account_id)
        & (_balances.currency == currency)
    )
    if within is not None:
        previous = connection.execute(
            sa.select(sa.func.max(_balances.day)).where(condition & (_balances.day < within.begin))
        ).scalar_one()
        condition = condition & (_balances.day >= (previous or within.begin)) & (_balances.day < within.end)
    snapshots = _snapshots(
        connection,
        sa.select(_balances.day, _balances.position, _balances.amount)
        .where(condition)
        .order_by(_balances.day, _balances.position),
    )
    if len(snapshots) < 2:
        return []
    flows: dict[date, DayFlow] = day_flows(
        connection,
        organization_id,
        bank_account_id,
        currency,
        DateRange(snapshots[0].day + ONE_DAY, snapshots[-1].day + ONE_DAY),
    )
    checks = check_snapshots(snapshots, flows)
    if within is None:
        return checks
    return [check for check in checks if check.snapshot.day in within]
