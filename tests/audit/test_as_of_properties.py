"""Reading as of an instant, and the journal, for any sequence of postings and reversals (Hypothesis).

Each example is a fresh organization and a random sequence of operations, each in its own database
transaction: vouchers posted on any day of mid-2023 to mid-2025 in no particular order (so most are
back-dated against the one before), and reversals of earlier vouchers on their own dates or on another
day. After every operation the instant is noted and ``verify`` must hold. At the end, for every noted
instant ``T``, ``GET /v1/accountbalances`` for 2024 with ``asOf=T`` (by date and by period, with and
without ``keepIncoming``) must equal the balances the test computes by replaying the journal's vouchers
up to ``T``.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontobok.core.voucher import LineDraft, VoucherDraft
from kontobok.services.audit import verify_journal
from kontobok.store.clock import as_utc
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.posting import post_drafts
from kontobok.store.reversal import reverse_voucher
from kontobok.store.schema import journal_entries
from tests.factories import Api, new_organization
from tests.journal import exact_json, is_balance_sheet, month_ends

pytestmark = pytest.mark.slow

ACCOUNTS = (1500, 1920, 2400, 3000, 6300)
TYPES = (1, 6, 10)
INCOMING_BALANCE_TYPE = 10
YEAR = 2024


@dataclass(frozen=True)
class Post:
    type_number: int
    day: date
    account: int
    counter: int
    minor: int


@dataclass(frozen=True)
class Reverse:
    pick: int
    day: date | None


days = st.dates(date(2023, 6, 1), date(2025, 6, 30))
operations = st.lists(
    st.one_of(
        st.builds(
            Post,
            st.sampled_from(TYPES),
            days,
            st.sampled_from(ACCOUNTS),
            st.sampled_from(ACCOUNTS),
            st.integers(-(10**9), 10**9),
        ),
        st.builds(Reverse, st.integers(0, 100), st.none() | days),
    ),
    min_size=1,
    max_size=8,
)


def _instant() -> datetime:
    """Now, a moment apart from the writes before and after it."""
    time.sleep(0.001)
    instant = datetime.now(UTC)
    time.sleep(0.001)
    return instant


def _replayed_lines(engine: sa.Engine, organization: Organization, as_of: datetime) -> list[dict[str, Any]]:
    """The lines of every voucher the journal recorded by ``as_of``: (account, date, period, amount, IB)."""
    with read_transaction(engine) as connection:
        entries = connection.execute(
            sa.select(journal_entries.c.entry, journal_entries.c.recorded_at)
            .where(
                (journal_entries.c.organization_id == organization.organization_id)
                & (journal_entries.c.kind == "vouchers")
            )
            .order_by(journal_entries.c.position)
        ).all()
    lines: list[dict[str, Any]] = []
    for text, recorded_at in entries:
        if as_utc(recorded_at) > as_of:
            break
        body = json.loads(text)
        for voucher in body["vouchers"]:
            rows = [dict(zip(body["line_columns"], values, strict=True)) for values in voucher["lines"]]
            lines.extend(
                {
                    "account": line["account_number"],
                    "date": date.fromisoformat(line["line_date"]),
                    "periodDate": date.fromisoformat(line["period_date"]),
                    "amount": Decimal(line["amount"]).scaleb(-2),
                    "incoming": voucher["transaction_type_number"] == INCOMING_BALANCE_TYPE,
                }
                for line in rows
            )
    return lines


def _expected(lines: list[dict[str, Any]], key: str, keep_incoming: bool) -> dict[int, list[tuple[Any, ...]]]:
    """Monthly (date, opening, closing, change) of 2024 per account, as ``/v1/accountbalances`` lists them."""
    by_account: dict[int, list[tuple[date, Decimal, bool]]] = defaultdict(list)
    for line in lines:
        by_account[line["account"]].append((line[key], line["amount"], line["incoming"]))
    first_day, last_day = date(YEAR, 1, 1), date(YEAR, 12, 31)
    answer = {}
    for number, found in sorted(by_account.items()):
        since = date.min if is_balance_sheet(number) else first_day
        carried = sum((value for when, value, _ in found if since <= when < first_day), Decimal(0))
        if not carried and not any(first_day <= when <= last_day for when, _, _ in found):
            continue
        elements = []
        for end in month_ends(YEAR, YEAR):
            begin = end.replace(day=1)
            opening = sum((value for when, value, _ in found if since <= when < begin), Decimal(0))
            closing = sum((value for when, value, _ in found if since <= when <= end), Decimal(0))
            if not keep_incoming:
                opening += sum((v for when, v, ib in found if ib and begin <= when <= end), Decimal(0))
            elements.append((begin.isoformat(), opening, closing, closing - opening))
        answer[number] = elements
    return answer


def _answered(api: Api, as_of: datetime, kind: str, keep_incoming: bool) -> dict[int, list[tuple[Any, ...]]]:
    answer = api.get(
        "/v1/accountbalances",
        params={
            "dateFrom": f"{YEAR}-01-01",
            "dateTo": f"{YEAR}-12-31",
            "type": kind,
            "keepIncoming": str(keep_incoming).lower(),
            "asOf": as_of.isoformat(),
        },
    )
    assert answer.status_code == 200, answer.text
    return {
        record["account"]["number"]: [
            (e["date"], Decimal(e["opening"]), Decimal(e["closing"]), Decimal(e["change"]))
            for e in record["balances"]
        ]
        for record in exact_json(answer)
    }


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=operations)
def test_balances_as_of_any_instant_equal_a_replay_of_the_journal_and_verify_always_holds(
    engine: sa.Engine, operations: list[Post | Reverse]
) -> None:
    organization = new_organization(engine)
    posted: list[Any] = []
    reversed_already: set[Any] = set()
    instants = [_instant()]
    for operation in operations:
        with write_transaction(engine) as connection:
            if isinstance(operation, Post):
                value = Decimal(operation.minor).scaleb(-2)
                draft = VoucherDraft(
                    operation.type_number,
                    operation.day,
                    (LineDraft(operation.account, value), LineDraft(operation.counter, -value)),
                )
                posted.append(post_drafts(connection, organization, [draft])[0].voucher_id)
            elif posted:
                target = posted[operation.pick % len(posted)]
                if target in reversed_already:
                    continue
                reversal = reverse_voucher(connection, organization, target, day=operation.day, comment=None)
                reversed_already.add(target)
                posted.append(reversal.voucher_id)
        instants.append(_instant())
        with read_transaction(engine) as connection:
            report = verify_journal(connection, organization.organization_id)
        assert report.ok, report.problems

    with Api.for_organization(engine, organization) as api:
        for as_of in instants:
            lines = _replayed_lines(engine, organization, as_of)
            for kind, key in (("Date", "date"), ("Period", "periodDate")):
                for keep_incoming in (False, True):
                    assert _answered(api, as_of, kind, keep_incoming) == _expected(
                        lines, key, keep_incoming
                    ), (
                        as_of,
                        kind,
                        keep_incoming,
                    )
