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
from kontobok.store.schema import bank_balances, bank_daily_totals, bank_transactions

_balances = bank_balances.c
_transactions = bank_transactions.c


def _snapshots(
    connection: sa.Connection, statement: sa.Select[Any], values: dict[str, Any] | None = None
) -> list[Snapshot]:
    return [
        Snapshot(day, int(position), int(amount))
        for day, position, amount in connection.execute(statement, values)
    ]


# the part of the anchors' statement a snapshot comes from
_BEFORE, _INSIDE, _AFTER = 0, 1, 2


def _anchor_statement(*, as_of: bool = False) -> sa.Select[Any]:
    """The last snapshot before a range, those inside it and the first after it, in one statement (one round
    trip; every part names the organization, so Citus routes it to one shard). Built once, bound per call.

    The first snapshot after the range is needed only when there is none before or inside; reading it
    anyway costs one step of an index, less than a second statement would.
    """
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
        .subquery()
    )
    inside = base.where(
        (_balances.day >= sa.bindparam("begin")) & (_balances.day < sa.bindparam("end"))
    ).subquery()
    after = (
        base.where(_balances.day >= sa.bindparam("end"))
        .order_by(_balances.day, _balances.position)
        .limit(1)
        .subquery()
    )
    parts = sa.union_all(
        *(
            sa.select(
                sa.literal(part, sa.Integer).label("part"), found.c.day, found.c.position, found.c.amount
            )
            for part, found in ((_BEFORE, before), (_INSIDE, inside), (_AFTER, after))
        )
    ).subquery()
    return sa.select(parts.c.part, parts.c.day, parts.c.position, parts.c.amount).order_by(
        parts.c.part, parts.c.day, parts.c.position
    )


_ANCHORS = _anchor_statement()
_ANCHORS_AS_OF = _anchor_statement(as_of=True)


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
    statement = _ANCHORS
    if as_of is not None:
        statement = _ANCHORS_AS_OF
        values["as_of"] = as_of
    found: dict[int, list[Snapshot]] = {_BEFORE: [], _INSIDE: [], _AFTER: []}
    for part, day, position, amount in connection.execute(statement, values):
        found[part].append(Snapshot(day, int(position), int(amount)))
    before, inside, after = found[_BEFORE], found[_INSIDE], found[_AFTER]
    if before or inside:
        after = []
    return Anchors(before[0] if before else None, inside, after[0] if after else None)


Span = tuple[date | None, date | None, set[str]]


def _spans_statement() -> sa.Select[Any]:
    """Per currency, the first and last day with a transaction (part 0) and with a reported balance
    (part 1), in one statement."""
    booked = bank_daily_totals.c
    parts = sa.union_all(
        *(
            sa.select(
                sa.literal(part, sa.Integer).label("part"),
                table.currency,
                sa.func.min(table.day),
                sa.func.max(table.day),
            )
            .where(
                (table.organization_id == sa.bindparam("organization"))
                & (table.bank_account_id == sa.bindparam("account"))
            )
            .group_by(table.currency)
            for part, table in ((0, booked), (1, _balances))
        )
    ).subquery()
    return sa.select(*parts.c)


_SPANS = _spans_statement()


def activity_and_reported_spans(
    connection: sa.Connection, organization_id: int, bank_account_id: uuid.UUID
) -> tuple[Span, Span]:
    """What :func:`kontobok.store.bank_transactions.activity_span` and
    :func:`kontobok.store.bank_accounts.reported_span` answer, in one round trip."""
    found: tuple[list[tuple[str, date, date]], list[tuple[str, date, date]]] = ([], [])
    for part, currency, first, last in connection.execute(
        _SPANS, {"organization": organization_id, "account": bank_account_id}
    ):
        found[part].append((currency, first, last))

    def span(rows: list[tuple[str, date, date]]) -> Span:
        if not rows:
            return None, None, set()
        return min(row[1] for row in rows), max(row[2] for row in rows), {row[0] for row in rows}

    return span(found[0]), span(found[1])


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
