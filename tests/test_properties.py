"""Invariants of the store that hold for any sequence of postings and reversals (Hypothesis).

Each example is a fresh organization (fiscal years starting in January or in another month) and a random
sequence of operations on the store layer, each in its own database transaction: batches of vouchers posted
with ``post_drafts`` (dates anywhere in 2023–2026 and in no particular order, lines on their own dates and
accounting periods, the standard accounts, VAT codes 0, 1, 3, 31, 33 and 86, now and then a foreign
currency at a random rate, incoming-balance vouchers) and reversals of earlier vouchers, on their own
dates or on a new one; reversing a voucher a second time must be refused.

Afterwards:
- ``verify_books`` is ok: every voucher sums to zero per date, and the stored per-day totals equal a full
  recomputation from the lines, on the posting-date and on the period-date basis;
- the lines read back through ``GET /v1/transactionlines`` are as many as the vouchers produce, each voucher
  balances per date, and voucher numbers run 1, 2, 3, … per transaction type;
- every monthly element of ``GET /v1/accountbalances`` over 2023–2026 (by date and by period, with and
  without ``keepIncoming``) equals the sums the test computes from those lines: balance-sheet accounts over
  all time, profit-and-loss accounts since the start of the element's fiscal year.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontobok.core.accounts import STANDARD_CHART
from kontobok.core.errors import Conflict
from kontobok.core.money import exponent
from kontobok.core.voucher import LineDraft, VoucherDraft
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.posting import post_drafts
from kontobok.store.reversal import reverse_voucher
from kontobok.store.verification import verify_books
from tests.factories import Api, new_organization
from tests.journal import exact_json, is_balance_sheet, month_ends, read_all_lines

pytestmark = pytest.mark.slow

FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2026, 12, 31)
ACCOUNTS = tuple(account.number for account in STANDARD_CHART)
VAT_CODES = (0, 1, 3, 31, 33, 86)
STORED_LINES_PER_VAT_CODE = {0: 1, 1: 2, 3: 2, 31: 2, 33: 2, 86: 3}
TRANSACTION_TYPES = (1, 2, 3, 4, 5, 6, 10)
INCOMING_BALANCE_TYPE = 10
FOREIGN_CURRENCIES = ("EUR", "USD", "SEK", "JPY", "ISK")


@dataclass(frozen=True)
class Pair:
    """Two lines that cancel: ``amount`` (with a VAT code) on ``account``, and its opposite on ``counter``.

    In a foreign currency the counter line is either in the same currency at the same rate, or in NOK at the
    converted amount (rounded half-even), which is what kontobok must compute too.
    """

    account: int
    minor: int
    vat_code: int
    counter: int
    day: date | None
    period: date | None
    currency: str | None
    rate: Decimal
    counter_in_nok: bool

    def lines(self) -> list[LineDraft]:
        if self.currency is None:
            value = Decimal(self.minor).scaleb(-2)
            counter = LineDraft(self.counter, -value, day=self.day, period_date=self.period)
            return [
                LineDraft(self.account, value, self.vat_code, day=self.day, period_date=self.period),
                counter,
            ]
        value = Decimal(self.minor).scaleb(-exponent(self.currency))
        line = LineDraft(
            self.account,
            value,
            self.vat_code,
            day=self.day,
            period_date=self.period,
            currency=self.currency,
            rate=self.rate,
        )
        if self.counter_in_nok:
            base = (value * self.rate).quantize(Decimal("0.01"), ROUND_HALF_EVEN)
            counter = LineDraft(self.counter, -base, day=self.day, period_date=self.period)
        else:
            counter = LineDraft(
                self.counter,
                -value,
                day=self.day,
                period_date=self.period,
                currency=self.currency,
                rate=self.rate,
            )
        return [line, counter]

    @property
    def stored_lines(self) -> int:
        return STORED_LINES_PER_VAT_CODE[self.vat_code] + 1


@dataclass(frozen=True)
class Voucher:
    type_number: int
    day: date
    pairs: tuple[Pair, ...]

    def draft(self) -> VoucherDraft:
        return VoucherDraft(
            self.type_number, self.day, tuple(line for pair in self.pairs for line in pair.lines())
        )

    @property
    def stored_lines(self) -> int:
        return sum(pair.stored_lines for pair in self.pairs)


@dataclass(frozen=True)
class Post:
    """Vouchers posted together in one call (one batch, one upsert of the per-day totals)."""

    vouchers: tuple[Voucher, ...]


@dataclass(frozen=True)
class Reverse:
    """Reverse the ``pick``-th voucher posted so far (modulo their number), on ``day`` or its own dates."""

    pick: int
    day: date | None


days = st.dates(FIRST_DAY, LAST_DAY)
# Accounting periods may lie outside the open years: they are not checked against them.
period_days = st.dates(date(2022, 7, 1), date(2027, 6, 30))
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(20), places=4)


@st.composite
def pairs(draw: st.DrawFn) -> Pair:
    foreign = draw(st.sampled_from((False, False, False, True)))  # "occasional" foreign currency
    return Pair(
        account=draw(st.sampled_from(ACCOUNTS)),
        minor=draw(st.integers(-(10**9), 10**9)),
        vat_code=draw(st.sampled_from(VAT_CODES)),
        counter=draw(st.sampled_from(ACCOUNTS)),
        day=draw(st.none() | days),
        period=draw(st.none() | period_days),
        currency=draw(st.sampled_from(FOREIGN_CURRENCIES)) if foreign else None,
        rate=draw(rates),
        counter_in_nok=draw(st.booleans()),
    )


vouchers = st.builds(
    Voucher,
    type_number=st.sampled_from(TRANSACTION_TYPES),
    day=days,
    pairs=st.lists(pairs(), min_size=1, max_size=4).map(tuple),
)
operations = st.lists(
    st.one_of(
        st.builds(Post, st.lists(vouchers, min_size=1, max_size=3).map(tuple)),
        st.builds(Reverse, st.integers(0, 1000), st.none() | days),
    ),
    min_size=1,
    max_size=20,
)


def _fiscal_year_start(day: date, start_month: int) -> date:
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


class Sums:
    """Balances computed by the test from the lines read back, on one basis (``date`` or ``periodDate``)."""

    def __init__(self, lines: Iterable[dict[str, Any]], key: str, start_month: int) -> None:
        self.start_month = start_month
        self.lines: dict[int, list[tuple[date, Decimal, bool]]] = defaultdict(list)
        for line in lines:
            self.lines[line["account"]["number"]].append(
                (
                    date.fromisoformat(line[key]),
                    Decimal(line["baseAmount"]),
                    line["transactionType"]["id"] == INCOMING_BALANCE_TYPE,
                )
            )

    def balance_before(self, number: int, day: date) -> Decimal:
        """The balance at the start of ``day``: P&L accounts only since the start of its fiscal year."""
        since = date.min if is_balance_sheet(number) else _fiscal_year_start(day, self.start_month)
        return sum((value for when, value, _ in self.lines[number] if since <= when < day), Decimal(0))

    def balance_at_end(self, number: int, day: date) -> Decimal:
        """The balance at the end of ``day``: P&L accounts only since the start of its fiscal year."""
        since = date.min if is_balance_sheet(number) else _fiscal_year_start(day, self.start_month)
        return sum((value for when, value, _ in self.lines[number] if since <= when <= day), Decimal(0))

    def incoming(self, number: int, first: date, last: date) -> Decimal:
        return sum(
            (value for when, value, ib in self.lines[number] if ib and first <= when <= last), Decimal(0)
        )

    def listed(self, first: date, last: date) -> list[int]:
        """The accounts the list answer must have: with a line in the range, or carrying a balance into it."""
        return sorted(
            number
            for number, found in self.lines.items()
            if any(first <= when <= last for when, _, _ in found) or self.balance_before(number, first)
        )


def _check_balances(api: Api, lines: list[dict[str, Any]], start_month: int) -> None:
    ends = month_ends(FIRST_DAY.year, LAST_DAY.year)
    for kind, key in (("Date", "date"), ("Period", "periodDate")):
        sums = Sums(lines, key, start_month)
        for keep_incoming in (False, True):
            answer = api.get(
                "/v1/accountbalances",
                params={
                    "dateFrom": FIRST_DAY.isoformat(),
                    "dateTo": LAST_DAY.isoformat(),
                    "type": kind,
                    "keepIncoming": str(keep_incoming).lower(),
                },
            )
            assert answer.status_code == 200, answer.text
            records = exact_json(answer)
            assert [record["account"]["number"] for record in records] == sums.listed(FIRST_DAY, LAST_DAY)
            for record in records:
                number = record["account"]["number"]
                got = [
                    (e["date"], Decimal(e["opening"]), Decimal(e["closing"]), Decimal(e["change"]))
                    for e in record["balances"]
                ]
                expected = []
                for end in ends:
                    first = end.replace(day=1)
                    opening = sums.balance_before(number, first)
                    closing = sums.balance_at_end(number, end)
                    if not keep_incoming:
                        opening += sums.incoming(number, first, end)
                    expected.append((first.isoformat(), opening, closing, closing - opening))
                assert got == expected, f"account {number}, type={kind}, keepIncoming={keep_incoming}"
    one = exact_json(
        api.get("/v1/accountbalances", params={"dateFrom": "2023-01-01", "dateTo": "2026-12-31"})
    )
    if one:
        account = one[0]["account"]
        answer = api.get(
            f"/v1/accountbalances/{account['id']}", params={"dateFrom": "2023-01-01", "dateTo": "2026-12-31"}
        )
        assert exact_json(answer) == one[:1]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=operations, start_month=st.sampled_from((1, 1, 5, 7)))
def test_any_sequence_of_postings_and_reversals_keeps_the_books_consistent(
    engine: sa.Engine, operations: list[Post | Reverse], start_month: int
) -> None:
    # With a fiscal year starting after January, 2022's year reaches into 2023: open it too.
    organization = new_organization(engine, open_years=range(2022, 2027), fiscal_year_start_month=start_month)
    posted: list[uuid.UUID] = []
    stored_lines: dict[uuid.UUID, int] = {}
    reversed_already: set[uuid.UUID] = set()
    for operation in operations:
        with write_transaction(engine) as connection:
            if isinstance(operation, Post):
                done = post_drafts(
                    connection, organization, [voucher.draft() for voucher in operation.vouchers]
                )
                for voucher, result in zip(operation.vouchers, done, strict=True):
                    posted.append(result.voucher_id)
                    stored_lines[result.voucher_id] = voucher.stored_lines
            elif posted:
                target = posted[operation.pick % len(posted)]
                if target in reversed_already:
                    with pytest.raises(Conflict):
                        reverse_voucher(connection, organization, target, day=operation.day, comment=None)
                    continue
                reversal = reverse_voucher(connection, organization, target, day=operation.day, comment=None)
                reversed_already.add(target)
                posted.append(reversal.voucher_id)
                stored_lines[reversal.voucher_id] = stored_lines[target]

    with read_transaction(engine) as connection:
        report = verify_books(connection, organization.organization_id)
    assert report.ok, (report.unbalanced, report.mismatches[:10])
    assert report.vouchers_checked == len(posted)
    assert report.lines_checked == sum(stored_lines.values())

    with Api.for_organization(engine, organization) as api:
        lines = read_all_lines(api, "2023-01-01", "2027-01-01")
        assert len(lines) == sum(stored_lines.values())
        assert {uuid.UUID(line["transaction"]["id"]) for line in lines} == set(posted)

        per_voucher_day: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for line in lines:
            per_voucher_day[(line["transaction"]["id"], line["date"])] += Decimal(line["baseAmount"])
        assert not {key: total for key, total in per_voucher_day.items() if total}

        numbers: dict[int, set[int]] = defaultdict(set)
        for line in lines:
            numbers[line["transactionType"]["id"]].add(line["transaction"]["number"])
        for type_number, found in numbers.items():
            assert found == set(range(1, len(found) + 1)), f"voucher numbers of type {type_number}: {found}"

        _check_balances(api, lines, start_month)
