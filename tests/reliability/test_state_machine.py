"""A Hypothesis state machine over the ledger and the bank side, through the real HTTP API.

Each run creates two or three organizations (fiscal years starting in January or later in the year) on the
backend under test, each with its own token on one shared API client. The machine then takes random steps:

- post a voucher (accounts from the organization's chart, gross amounts with VAT code 0, 1 or 3, now and
  then a line in EUR at a random rate, dates anywhere in 2023–2026 in no order, lines on their own dates,
  incoming-balance vouchers among the transaction types); post a back-dated voucher (before the latest
  line the organization has); post incoming balances on the first day of a fiscal year;
- reverse an earlier voucher of the same organization, on its own dates or a new one (a second reversal of
  the same voucher must be a 409 that changes nothing);
- add an account to the chart (a number the organization has already must be a 409);
- create a bank account (valid Norwegian BBANs; the organization's own number again must be a 409, another
  organization's number is fine);
- post a bank transaction (a new reference, the organization's own reference again, which must be a 409
  that stores nothing, or a reference another organization uses, which is fine);
- post a balance snapshot as the bank reports it (timestamps in several time-zone offsets); post a day of
  a statement (its transactions, then a closing balance that agrees with them or not);
- retry an earlier request under its ``Idempotency-Key`` (the same answer again, nothing stored); POSTs
  carry keys from a small pool shared by every organization, so the same key with another body in the
  same organization must be a 409 while another organization's use of it must not matter;
- probe another organization with one organization's token: its transaction lines, its voucher
  (``POST /transactions/{id}/reverse``), its account ids, its bank accounts (Office and Powens, balances and
  transactions), its bank transaction references, posting to its bank account, its Powens user id. Each
  answer must be a 404 in the dialect's shape that says no more than the 404 of an id nobody has, or, where
  ids are per-organization numbers (accounts) or references a client chooses, the prober's own data.

After every step, for every organization:

- ``verify_books`` is ok, and counts as many vouchers and lines as the model;
- the lines read through ``GET /v1/transactionlines`` (every page, at a random page size, following the
  ``link`` header) are exactly the model's, line by line in base minor units (the model works out the VAT
  split and the currency conversion itself), every voucher balances per date, and voucher numbers are the
  model's gapless series per transaction type;
and for one random organization:
- ``GET /v1/accountbalances/{id}`` of a random account over a random range (both ``keepIncoming``) equals the
  model's monthly sums (balance-sheet accounts over all time, profit and loss since the fiscal year start);
- the Powens balances of a random bank account over a random range (groups and daily balances) equal the
  model's end-of-day rule (latest snapshot on or before the day plus the transactions after its day; before
  the first snapshot, worked back from it; with none, the sum of the transactions), and so do the bank
  balances of ``/v1/bankaccounts/{id}/reconciliation``, beside the linked ledger account's balances from the
  model's lines, with every reported balance that disagrees with the previous one plus the transactions in
  between; ``before=`` on ``/v1/bankaccounts/{id}`` picks the model's snapshot; and the bank account and
  bank transaction lists (Office and Powens) hold exactly the organization's own.

Bounded (``max_examples`` 15, ``stateful_step_count`` 25, about 330 steps a backend) and derandomized: every
pick among objects with random ids goes by insertion order, so a failing run replays. The test prints how
many steps it executed.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import simplejson
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kontobok.api.app import create_app
from kontobok.api.scopes import ALL_SCOPES
from kontobok.store.clients import create_client
from kontobok.store.database import read_transaction, write_transaction
from kontobok.store.organizations import Organization
from kontobok.store.verification import verify_books
from tests.factories import Api, new_organization
from tests.journal import exact_json

pytestmark = pytest.mark.slow

FIRST_DAY, LAST_DAY = date(2023, 1, 1), date(2026, 12, 31)
OSLO = ZoneInfo("Europe/Oslo")
ONE_DAY = timedelta(days=1)
VAT_ACCOUNTS = {1: 2710, 3: 2700}  # input VAT, output VAT (25 %)
TRANSACTION_TYPES = (1, 2, 3, 4, 5, 6, 10)
INCOMING_BALANCE_TYPE = 10
IDEMPOTENCY_KEYS = ("retry-one", "retry-two", "retry-three")
KNOWN_BBANS = ("86011117947", "12345678903", "97100210006")
BBAN_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
BUSY_ACCOUNTS = (1920, 1500, 2400, 3000, 4000, 6300, 8050)
MAX_CUSTOM_ACCOUNTS, MAX_BANK_ACCOUNTS = 1, 2  # per organization, so that most steps post
OFFSETS = (timedelta(0), timedelta(hours=2), timedelta(hours=-5), timedelta(hours=5, minutes=30))
SETTINGS = settings(
    max_examples=15,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

days = st.dates(FIRST_DAY, LAST_DAY)
# bank activity mostly in a few busy weeks, so that transactions and snapshots share days and cross months,
# and on the days Oslo's clocks change
dst_days = st.sampled_from((date(2024, 3, 31), date(2024, 10, 27), date(2025, 3, 30), date(2025, 10, 26)))
bank_days = st.dates(date(2024, 1, 20), date(2024, 3, 10)) | days | dst_days
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(20), places=4)
keys = st.sampled_from((None, None, None, *IDEMPOTENCY_KEYS))


def _bban(first_ten: int) -> str:
    """A Norwegian account number (BBAN): ten digits and the mod-11 check digit. Where the ten digits have
    none (the check would be 10), the next ten digits do."""
    digits = f"{first_ten:010d}"
    remainder = sum(int(digit) * weight for digit, weight in zip(digits, BBAN_WEIGHTS, strict=True)) % 11
    check = (11 - remainder) % 11
    return _bban(first_ten + 1) if check == 10 else f"{digits}{check}"


# bank codes start at 1000, as real ones do (no bank has the code 0000)
new_bbans = st.integers(10**9, 10**10 - 2).map(_bban)


# ---------------------------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Pair:
    """A gross ``minor`` on one account (VAT code ``vat``, in EUR at ``rate`` when given) and its opposite in
    the base currency on ``counter``; both on ``day`` or on the voucher's date."""

    account: int
    counter: int
    minor: int
    vat: int
    day: date | None
    rate: Decimal | None


# an index into Books.picks: half the time one of the few busy accounts, so that accounts gather lines
account_picks = st.integers(0, len(BUSY_ACCOUNTS) - 1) | st.integers(len(BUSY_ACCOUNTS), 10**6)
pairs = st.builds(
    Pair,
    account=account_picks,
    counter=account_picks,
    minor=st.integers(-(10**9), 10**9),
    vat=st.sampled_from((0, 0, 1, 3)),
    day=st.none() | days,
    rate=st.sampled_from((False, False, True)).flatmap(lambda foreign: rates if foreign else st.none()),
)


@dataclass(frozen=True)
class ModelLine:
    account: int  # the account's number
    day: date
    base: int  # base-currency minor units
    incoming: bool  # on an incoming-balance voucher


@dataclass(frozen=True)
class ModelVoucher:
    type_number: int
    number: int
    lines: tuple[ModelLine, ...]


@dataclass(frozen=True)
class Snapshot:
    day: date  # in the organization's time zone
    position: int  # order of arrival
    amount: int
    reported_at: datetime


@dataclass
class BankModel:
    bank_account_id: str
    number: str
    ledger: int | None  # the linked ledger account's number
    transactions: list[tuple[str, date, int]] = field(default_factory=list)  # reference, day, signed
    snapshots: list[Snapshot] = field(default_factory=list)


@dataclass(frozen=True)
class KeyedRequest:
    path: str
    body: str
    status: int
    answer: Any
    voucher: ModelVoucher | None = None  # what a voucher posted under the key holds (its number aside)


@dataclass
class Books:
    """What one organization holds, as the machine posted it."""

    api: Api
    organization_id: int
    start_month: int
    accounts: dict[int, int]  # account id -> number
    vouchers: dict[str, ModelVoucher] = field(default_factory=dict)
    reversed: set[str] = field(default_factory=set)
    numbers: Counter[int] = field(default_factory=Counter)  # last voucher number per transaction type
    banks: dict[str, BankModel] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # bank transaction reference -> bank account
    keys: dict[str, KeyedRequest] = field(default_factory=dict)
    line_ids: list[str] = field(default_factory=list)  # from the last read of the lines
    custom_accounts: int = 0  # accounts the machine added to the chart

    def lines(self) -> Iterator[tuple[str, ModelLine]]:
        for voucher_id, voucher in self.vouchers.items():
            for line in voucher.lines:
                yield voucher_id, line

    @property
    def may_add_account(self) -> bool:
        """Once it has posted, and only a few times: most steps should post."""
        return bool(self.vouchers) and self.custom_accounts < MAX_CUSTOM_ACCOUNTS

    @property
    def picks(self) -> list[int]:
        """Account numbers that ``Pair.account`` indexes: the busy ones, then the whole chart."""
        return [*BUSY_ACCOUNTS, *sorted(self.accounts.values())]

    def next_number(self, type_number: int) -> int:
        self.numbers[type_number] += 1
        return self.numbers[type_number]


def _half_even(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def pair_lines(pair: Pair, account: int, counter: int, day: date, incoming: bool) -> list[ModelLine]:
    """The lines kontobok must store for ``pair``: the VAT split off a gross amount in the line's currency,
    then net and gross converted to the base currency, the VAT line taking the difference."""
    on = pair.day or day

    def base(minor: int) -> int:
        return minor if pair.rate is None else _half_even(Decimal(minor) * pair.rate)

    gross = base(pair.minor)
    lines: list[ModelLine] = []
    if pair.vat in VAT_ACCOUNTS:
        vat = _half_even(Decimal(pair.minor) * 2500 / 12500)
        net = base(pair.minor - vat)
        lines += [
            ModelLine(account, on, net, incoming),
            ModelLine(VAT_ACCOUNTS[pair.vat], on, gross - net, incoming),
        ]
    else:
        lines.append(ModelLine(account, on, gross, incoming))
    lines.append(ModelLine(counter, on, -gross, incoming))
    return lines


def pair_json(pair: Pair, account: int, counter: int) -> list[dict[str, Any]]:
    first: dict[str, Any] = {
        "accountNumber": account,
        "amount": Decimal(pair.minor).scaleb(-2),
        "tax": {"number": pair.vat},
    }
    gross = pair.minor
    if pair.rate is not None:
        first["currency"] = {"code": "EUR", "rate": pair.rate}
        gross = _half_even(Decimal(pair.minor) * pair.rate)
    second: dict[str, Any] = {
        "accountNumber": counter,
        "amount": Decimal(-gross).scaleb(-2),
        "tax": {"number": 0},
    }
    if pair.day is not None:
        first["date"] = second["date"] = pair.day.isoformat()
    return [first, second]


def fiscal_start(day: date, start_month: int) -> date:
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months(first: date, last: date) -> Iterator[tuple[date, date]]:
    """Calendar months meeting ``first..last``, clipped to it."""
    begin = first
    while begin <= last:
        end = min(next_month(begin) - ONE_DAY, last)
        yield begin, end
        begin = end + ONE_DAY


def expected_account_balances(
    books: Books, number: int, first: date, last: date, *, keep_incoming: bool
) -> list[tuple[str, int, int, int]]:
    mine = [line for _, line in books.lines() if line.account == number]
    balance_sheet = str(number)[0] in "12"

    def since(day: date) -> date:
        return date.min if balance_sheet else fiscal_start(day, books.start_month)

    elements = []
    for begin, end in months(first, last):
        opening = sum(line.base for line in mine if since(begin) <= line.day < begin)
        closing = sum(line.base for line in mine if since(end) <= line.day <= end)
        if not keep_incoming:
            opening += sum(line.base for line in mine if line.incoming and begin <= line.day <= end)
        elements.append((begin.isoformat(), opening, closing, closing - opening))
    return elements


def end_of_day(bank: BankModel, day: date) -> int:
    """The bank's balance at the end of ``day`` (see ``kontobok.core.bank_balances``)."""
    flows = bank.transactions
    earlier = [s for s in bank.snapshots if s.day <= day]
    if earlier:
        anchor = max(earlier, key=lambda s: (s.day, s.position))
        return anchor.amount + sum(amount for _, on, amount in flows if anchor.day < on <= day)
    if bank.snapshots:
        anchor = min(bank.snapshots, key=lambda s: (s.day, s.position))
        return anchor.amount - sum(amount for _, on, amount in flows if day < on <= anchor.day)
    return sum(amount for _, on, amount in flows if on <= day)


def expected_powens(bank: BankModel, first: date, last: date) -> list[dict[str, Any]]:
    groups = []
    for begin, end in months(first, last):
        daily = []
        day = begin
        while day <= end:
            incomes = sum(amount for _, on, amount in bank.transactions if on == day and amount > 0)
            expenses = sum(amount for _, on, amount in bank.transactions if on == day and amount < 0)
            daily.append((day.isoformat(), end_of_day(bank, day), incomes, expenses, incomes + expenses))
            day += ONE_DAY
        incomes = sum(item[2] for item in daily)
        expenses = sum(item[3] for item in daily)
        figures = (daily[-1][1], incomes, expenses, incomes + expenses)
        groups.append(
            {
                "span": (begin.isoformat(), end.isoformat()),
                "figures": figures,
                "n_overdraft": sum(1 for item in daily if item[1] < 0),
                "currencies": [("NOK", *figures)],
                "daily": daily,
            }
        )
    return groups


# ------------------------------------------------------------------------------------------------ helpers


def minor(value: Any) -> int:
    """An exact JSON amount as minor units of a two-decimal currency."""
    exact = Decimal(value) * 100
    assert exact == exact.to_integral_value(), value
    return int(exact)


def money(minor_units: int) -> Decimal:
    return Decimal(minor_units).scaleb(-2)


def office_not_found(answer: httpx.Response) -> dict[str, Any]:
    """A 404 in the Office shape, without its tracking id."""
    assert answer.status_code == 404, answer.text
    body = exact_json(answer)
    assert set(body) == {"error", "trackingId"}, body
    assert body["trackingId"] == answer.headers["x-trace-id"]
    assert body["error"]["name"] == "NotFoundError", body
    return dict(body["error"])


def powens_not_found(answer: httpx.Response) -> dict[str, Any]:
    """A 404 in the Powens shape, without its request id."""
    assert answer.status_code == 404, answer.text
    body = exact_json(answer)
    assert set(body) == {"code", "description", "message", "request_id"}, body
    assert body["code"] == "notFound", body
    assert body["request_id"] == answer.headers["x-trace-id"]
    return {key: value for key, value in body.items() if key != "request_id"}


def same_as_unknown(found: dict[str, Any], unknown: dict[str, Any], real: str, invented: str) -> None:
    """Another organization's object must get the very answer an id nobody has gets."""
    assert simplejson.dumps(found).replace(real, "<id>") == simplejson.dumps(unknown).replace(
        invented, "<id>"
    )


def post_json(api: Api, path: str, text: str, key: str | None = None) -> httpx.Response:
    headers = {**api.auth, "content-type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    answer: httpx.Response = api.client.post(path, content=text, headers=headers)
    return answer


def dumps(body: Any) -> str:
    return str(simplejson.dumps(body, use_decimal=True))


def api_for(engine: sa.Engine, client: TestClient, organization: Organization) -> Api:
    """A token with every scope for ``organization``, on the client every organization shares."""
    with write_transaction(engine) as connection:
        credentials = create_client(connection, organization.organization_id, frozenset(ALL_SCOPES))
    answer = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
    )
    assert answer.status_code == 200, answer.text
    return Api(client, organization, answer.json()["access_token"])


# ------------------------------------------------------------------------------------------------ machine


class LedgerAndBankMachine(RuleBasedStateMachine):
    def __init__(self, engine: sa.Engine, client: TestClient, steps: Counter[str]) -> None:
        super().__init__()
        self.engine = engine
        self.client = client
        self.steps = steps
        self.books: list[Books] = []
        self.rng = random.Random(0)
        self.references = 0

    # -- set-up and tear-down

    @initialize(
        start_months=st.lists(st.sampled_from((1, 1, 5, 7)), min_size=2, max_size=3),
        seed=st.integers(0, 2**32 - 1),
    )
    def create_organizations(self, start_months: list[int], seed: int) -> None:
        self.rng = random.Random(seed)
        for start_month in start_months:
            organization = new_organization(
                self.engine, open_years=range(2022, 2027), fiscal_year_start_month=start_month
            )
            api = api_for(self.engine, self.client, organization)
            answer = api.get("/v1/accounts")
            assert answer.status_code == 200, answer.text
            chart = {int(item["id"]): int(item["number"]) for item in answer.json()}
            self.books.append(Books(api, organization.organization_id, start_month, chart))
        self.steps["organizations"] += len(start_months)

    def teardown(self) -> None:
        self.steps["runs"] += 1

    def _step(self, name: str) -> None:
        self.steps["steps"] += 1
        self.steps[name] += 1

    def _send(self, books: Books, path: str, body: Any, key: str | None) -> httpx.Response | None:
        """POST ``body``; when ``key`` was used before in this organization, check the replay or the
        conflict and return ``None`` (nothing new was done)."""
        text = dumps(body)
        answer = post_json(books.api, path, text, key)
        if key is None or key not in books.keys:
            return answer
        known = books.keys[key]
        if (known.path, known.body) == (path, text):
            assert answer.status_code == known.status, answer.text
            assert exact_json(answer) == known.answer
            assert answer.headers.get("idempotent-replayed") == "true"
        else:
            assert answer.status_code == 409, answer.text
        self.steps["idempotency conflicts or replays"] += 1
        return None

    @staticmethod
    def _remember(
        books: Books,
        key: str | None,
        path: str,
        body: Any,
        answer: httpx.Response,
        voucher: ModelVoucher | None = None,
    ) -> None:
        if key is not None:
            text = body if isinstance(body, str) else dumps(body)
            books.keys[key] = KeyedRequest(path, text, answer.status_code, exact_json(answer), voucher)

    def _pick_books(self, data: st.DataObject, which: list[Books] | None = None) -> Books:
        return data.draw(st.sampled_from(which if which is not None else self.books))

    def _new_reference(self) -> str:
        self.references += 1
        return f"KBREF-{self.references:08d}"  # organizations are new in every run

    # -- the ledger (ids are random UUIDs: picks go by insertion order, so that a run can be replayed)

    @rule(
        data=st.data(),
        type_number=st.sampled_from(TRANSACTION_TYPES),
        day=days,
        drawn=st.lists(pairs, min_size=1, max_size=4),
        key=keys,
    )
    def post_voucher(
        self, data: st.DataObject, type_number: int, day: date, drawn: list[Pair], key: str | None
    ) -> None:
        self._step("post voucher")
        self._post_voucher(self._pick_books(data), type_number, day, drawn, key)

    @precondition(lambda self: any(books.vouchers for books in self.books))
    @rule(
        data=st.data(),
        type_number=st.sampled_from(TRANSACTION_TYPES),
        drawn=st.lists(pairs, min_size=1, max_size=4),
        key=keys,
    )
    def post_back_dated_voucher(
        self, data: st.DataObject, type_number: int, drawn: list[Pair], key: str | None
    ) -> None:
        """A voucher dated before the latest line the organization has, so that every per-day total after it
        must move."""
        self._step("post back-dated voucher")
        books = self._pick_books(data, [books for books in self.books if books.vouchers])
        latest = max(line.day for _, line in books.lines())
        day = data.draw(st.dates(FIRST_DAY, latest))
        drawn = [pair if pair.day is None or pair.day <= latest else replace(pair, day=day) for pair in drawn]
        self._post_voucher(books, type_number, day, drawn, key)

    @rule(data=st.data(), year=st.integers(2023, 2026), drawn=st.lists(pairs, min_size=1, max_size=3))
    def post_incoming_balances(self, data: st.DataObject, year: int, drawn: list[Pair]) -> None:
        """Incoming balances ("inngående balanse") on the first day of a fiscal year, balance-sheet accounts
        only: part of ``opening`` unless ``keepIncoming=true``."""
        self._step("post incoming balances")
        books = self._pick_books(data)
        day = max(date(year, books.start_month, 1), FIRST_DAY)
        picks = books.picks
        sheet = [index for index, number in enumerate(picks) if str(number)[0] in "12"]

        def on_sheet(index: int) -> int:
            return sheet[index % len(sheet)]

        drawn = [
            replace(pair, account=on_sheet(pair.account), counter=on_sheet(pair.counter), vat=0, day=None)
            for pair in drawn
        ]
        self._post_voucher(books, INCOMING_BALANCE_TYPE, day, drawn, None)

    def _post_voucher(
        self, books: Books, type_number: int, day: date, drawn: list[Pair], key: str | None
    ) -> None:
        chart = books.picks
        body: dict[str, Any] = {"transactionTypeNumber": type_number, "date": day.isoformat(), "lines": []}
        lines: list[ModelLine] = []
        incoming = type_number == INCOMING_BALANCE_TYPE
        for pair in drawn:
            account, counter = chart[pair.account % len(chart)], chart[pair.counter % len(chart)]
            body["lines"] += pair_json(pair, account, counter)
            lines += pair_lines(pair, account, counter, day, incoming)
        answer = self._send(books, "/v1/transactions", body, key)
        if answer is None:
            return
        assert answer.status_code == 201, answer.text
        created = answer.json()
        assert created["number"] == books.next_number(type_number)
        voucher = ModelVoucher(type_number, created["number"], tuple(lines))
        books.vouchers[created["transactionId"]] = voucher
        self._remember(books, key, "/v1/transactions", body, answer, voucher)

    @precondition(lambda self: any(books.vouchers for books in self.books))
    @rule(data=st.data(), day=st.none() | days, key=keys)
    def reverse_voucher(self, data: st.DataObject, day: date | None, key: str | None) -> None:
        self._step("reverse voucher")
        books = self._pick_books(data, [books for books in self.books if books.vouchers])
        target = data.draw(st.sampled_from(list(books.vouchers)))
        body = {} if day is None else {"date": day.isoformat()}
        path = f"/v1/transactions/{target}/reverse"
        answer = self._send(books, path, body, key)
        if answer is None:
            return
        if target in books.reversed:
            assert answer.status_code == 409, answer.text
            self.steps["second reversals refused"] += 1
            return
        assert answer.status_code == 201, answer.text
        created = answer.json()
        original = books.vouchers[target]
        assert created["reverses"] == target
        assert created["number"] == books.next_number(original.type_number)
        lines = tuple(
            ModelLine(line.account, day or line.day, -line.base, line.incoming) for line in original.lines
        )
        books.vouchers[created["transactionId"]] = ModelVoucher(
            original.type_number, created["number"], lines
        )
        books.reversed.add(target)
        self._remember(books, key, path, body, answer)

    @precondition(lambda self: any(books.may_add_account for books in self.books))
    @rule(data=st.data(), number=st.integers(1000, 8999))
    def create_chart_account(self, data: st.DataObject, number: int) -> None:
        self._step("create chart account")
        books = self._pick_books(data, [books for books in self.books if books.may_add_account])
        answer = books.api.post("/v1/accounts", {"number": number, "name": f"Konto {number}"})
        if number in books.accounts.values():
            assert answer.status_code == 409, answer.text
            self.steps["account numbers refused"] += 1
            return
        assert answer.status_code == 201, answer.text
        created = answer.json()
        assert created["number"] == number
        assert created["id"] not in books.accounts
        books.accounts[int(created["id"])] = number
        books.custom_accounts += 1

    # -- the bank side

    @rule(
        data=st.data(),
        action=st.sampled_from(
            ("account", "transaction", "transaction", "snapshot", "statement", "statement")
        ),
    )
    def bank_activity(self, data: st.DataObject, action: str) -> None:
        """The whole bank side is one rule, so that swarm testing (which switches rules off for a run) never
        leaves bank accounts without transactions: create a bank account (always, in an organization that
        has none), post a bank transaction, a balance snapshot, or a day of a statement."""
        self._step("bank activity")
        books = self._pick_books(data)
        if not books.banks or (action == "account" and len(books.banks) < MAX_BANK_ACCOUNTS):
            self.steps["create bank account"] += 1
            self._create_bank_account(data, books)
            if not books.banks:
                return
            action = data.draw(st.sampled_from(("statement", "transaction", "snapshot")))  # and use it
        bank = books.banks[data.draw(st.sampled_from(list(books.banks)))]
        day = self._maybe_busy_day(data, bank, data.draw(bank_days))
        if action == "snapshot":
            self.steps["post balance snapshot"] += 1
            seconds = data.draw(st.integers(0, 86399))
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)
            amount = data.draw(st.integers(-(10**8), 10**8))
            self._post_snapshot(
                books, bank, moment, data.draw(st.sampled_from(OFFSETS)), amount, data.draw(keys)
            )
        elif action == "statement":
            self.steps["post statement day"] += 1
            self._post_statement_day(data, books, bank, day)
        else:
            self.steps["post bank transaction"] += 1
            source = data.draw(st.sampled_from(("new", "new", "new", "own", "other")))
            others = [ref for other in self.books if other is not books for ref in other.references]
            pool = {"new": [], "own": list(books.references), "other": others}[source]
            reference = data.draw(st.sampled_from(pool)) if pool else self._new_reference()
            amount = data.draw(st.integers(-(10**8), 10**8).filter(bool))
            self._post_bank_transaction(books, bank, reference, day, amount, data.draw(keys))

    def _create_bank_account(self, data: st.DataObject, books: Books) -> None:
        """A valid BBAN: a new one, a well-known one, the organization's own again (409) or another's."""
        source = data.draw(st.sampled_from(("new", "new", "new", "known", "other", "own")))
        own = [bank.number for bank in books.banks.values()]
        others = [bank.number for other in self.books if other is not books for bank in other.banks.values()]
        pool = {"new": [], "known": list(KNOWN_BBANS), "own": own, "other": others}[source]
        number = data.draw(st.sampled_from(sorted(pool)) if pool else new_bbans)
        ledger = data.draw(st.sampled_from((None, 1920, 1920, 1900)))
        body: dict[str, Any] = {
            "type": "bban",
            "number": number,
            "bic": "DNBANOKKXXX",
            "name": f"Konto {number}",
            "currency": "NOK",
            "owner": {
                "name": "Testfirma AS",
                "organizationNumber": "923609016",
                "contact": {"name": "Kari Nordmann", "email": "kari@example.no"},
            },
        }
        if ledger is not None:
            body["ledgerAccount"] = {"number": ledger}
        answer = books.api.post("/v1/bankaccounts", body)
        if number in own:
            assert answer.status_code == 409, answer.text
            self.steps["bank account numbers refused"] += 1
            return
        assert answer.status_code == 201, answer.text
        created = answer.json()
        assert created["number"] == number
        assert "balance" not in created
        books.banks[created["id"]] = BankModel(created["id"], number, ledger)

    def _post_statement_day(self, data: st.DataObject, books: Books, bank: BankModel, day: date) -> None:
        """A day of a bank statement: its transactions, then the closing balance at the end of the day in
        the organization's time zone, either the one the transactions give or one that disagrees."""
        amounts = data.draw(st.lists(st.integers(-(10**7), 10**7).filter(bool), min_size=1, max_size=3))
        for amount in amounts:
            self._post_bank_transaction(books, bank, self._new_reference(), day, amount, None)
        agrees = data.draw(st.booleans())
        closing = end_of_day(bank, day) + (0 if agrees else data.draw(st.integers(-(10**5), 10**5)))
        moment = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=OSLO).astimezone(UTC)
        self._post_snapshot(books, bank, moment, timedelta(hours=1), closing, None)

    def _post_bank_transaction(
        self, books: Books, bank: BankModel, reference: str, day: date, amount: int, key: str | None
    ) -> None:
        body = {
            "bankTransactionReference": reference,
            "type": "inbound" if amount > 0 else "outbound",
            "bankAccount": {"id": bank.bank_account_id},
            "paymentReference": {"type": "text", "value": f"Betaling {reference}"},
            "amount": {"value": money(abs(amount)), "currency": {"code": "NOK"}},
            "date": day.isoformat(),
        }
        answer = self._send(books, "/v1/banktransactions", body, key)
        if answer is None:
            return
        if reference in books.references:
            assert answer.status_code == 409, answer.text
            self.steps["duplicate references refused"] += 1
            return
        assert answer.status_code == 201, answer.text
        created = exact_json(answer)
        assert created["bankTransactionReference"] == reference
        assert created["bankAccount"] == {"id": bank.bank_account_id}
        assert minor(created["amount"]["value"]) == abs(amount)
        bank.transactions.append((reference, day, amount))
        books.references[reference] = bank.bank_account_id
        self._remember(books, key, "/v1/banktransactions", body, answer)

    def _post_snapshot(
        self,
        books: Books,
        bank: BankModel,
        moment: datetime,
        offset: timedelta,
        amount: int,
        key: str | None,
    ) -> None:
        written = moment.astimezone(timezone(offset)).isoformat().replace("+00:00", "Z")
        body = {"amount": money(amount), "timestamp": written, "currency": {"code": "NOK"}}
        path = f"/v1/bankaccounts/{bank.bank_account_id}/balances"
        answer = self._send(books, path, body, key)
        if answer is None:
            return
        assert answer.status_code == 201, answer.text
        created = exact_json(answer)
        assert minor(created["amount"]) == amount
        assert created["timestamp"] == moment.isoformat().replace("+00:00", "Z")
        position = 1 + max((s.position for s in bank.snapshots), default=0)
        bank.snapshots.append(Snapshot(moment.astimezone(OSLO).date(), position, amount, moment))
        self._remember(books, key, path, body, answer)

    @staticmethod
    def _maybe_busy_day(data: st.DataObject, bank: BankModel, day: date) -> date:
        """Now and then a day the account has activity on already."""
        busy = sorted({on for _, on, _ in bank.transactions} | {s.day for s in bank.snapshots})
        use_busy: bool = data.draw(st.booleans()) if busy else False
        return data.draw(st.sampled_from(busy)) if use_busy else day

    @precondition(lambda self: any(books.keys for books in self.books))
    @rule(data=st.data())
    def retry_with_idempotency_key(self, data: st.DataObject) -> None:
        self._step("retry with idempotency key")
        books = self._pick_books(data, [books for books in self.books if books.keys])
        key = data.draw(st.sampled_from(sorted(books.keys)))
        known = books.keys[key]
        answer = post_json(books.api, known.path, known.body, key)
        assert answer.status_code == known.status, answer.text
        assert exact_json(answer) == known.answer
        assert answer.headers.get("idempotent-replayed") == "true"

    # -- another organization's data

    @rule(data=st.data(), day=st.none() | days)
    def probe_another_organization(self, data: st.DataObject, day: date | None) -> None:
        self._step("cross-tenant probe")
        prober, target = data.draw(st.permutations(self.books))[:2]
        api = prober.api
        invented = str(uuid.uuid4())

        # its Powens user, whatever it holds
        user = str(target.organization_id)
        same_as_unknown(
            powens_not_found(api.get(f"/2.0/users/{user}/accounts")),
            powens_not_found(api.get("/2.0/users/2147483647/accounts")),
            user,
            "2147483647",
        )
        self.steps["probes"] += 1

        # account ids are numbers per organization: the prober sees its own account of that id, or a 404
        account_id = data.draw(st.sampled_from(sorted(target.accounts)))
        self._check_account_balances(prober, account_id)
        answer = api.get(f"/v1/accounts/{account_id}")
        if account_id in prober.accounts:
            assert answer.status_code == 200, answer.text
            assert answer.json()["number"] == prober.accounts[account_id]
        else:
            same_as_unknown(
                office_not_found(answer),
                office_not_found(api.get("/v1/accounts/2147483647")),
                str(account_id),
                "2147483647",
            )
        self.steps["probes"] += 2

        if target.line_ids:
            line_id = data.draw(st.sampled_from(target.line_ids))
            assert line_id not in prober.line_ids
            same_as_unknown(
                office_not_found(api.get(f"/v1/transactionlines/{line_id}")),
                office_not_found(api.get(f"/v1/transactionlines/{invented}")),
                line_id,
                invented,
            )
            self.steps["probes"] += 1

        if target.vouchers:
            voucher_id = data.draw(st.sampled_from(list(target.vouchers)))
            body = {} if day is None else {"date": day.isoformat()}
            found = office_not_found(api.post(f"/v1/transactions/{voucher_id}/reverse", body))
            unknown = office_not_found(api.post(f"/v1/transactions/{invented}/reverse", body))
            same_as_unknown(found, unknown, voucher_id, invented)
            self.steps["probes"] += 1  # the invariants then find both organizations' books unchanged

        if target.references:
            reference = data.draw(st.sampled_from(list(target.references)))
            answer = api.get(f"/v1/banktransactions/{reference}")
            if reference in prober.references:
                assert answer.status_code == 200, answer.text
                assert answer.json()["bankAccount"]["id"] == prober.references[reference]
            else:
                unknown_reference = self._new_reference()
                same_as_unknown(
                    office_not_found(answer),
                    office_not_found(api.get(f"/v1/banktransactions/{unknown_reference}")),
                    reference,
                    unknown_reference,
                )
            self.steps["probes"] += 1

        if target.banks:
            bank = target.banks[data.draw(st.sampled_from(list(target.banks)))]
            self._probe_bank_account(prober, target, bank, invented)

        # its Idempotency-Key with its very request: a new voucher of the prober's, never the target's answer
        numbers = set(prober.accounts.values())
        reusable = [
            (key, known)
            for key, known in target.keys.items()
            if known.voucher is not None
            and key not in prober.keys
            and {line.account for line in known.voucher.lines} <= numbers
        ]
        if reusable:
            key, known = data.draw(st.sampled_from(reusable))
            assert known.voucher is not None
            answer = post_json(api, known.path, known.body, key)
            assert answer.status_code == 201, answer.text
            assert "idempotent-replayed" not in answer.headers
            created = answer.json()
            assert created["transactionId"] != known.answer["transactionId"]
            voucher = known.voucher
            assert created["number"] == prober.next_number(voucher.type_number)
            voucher = ModelVoucher(voucher.type_number, created["number"], voucher.lines)
            prober.vouchers[created["transactionId"]] = voucher
            self._remember(prober, key, known.path, known.body, answer, voucher)
            self.steps["probes"] += 1

    def _probe_bank_account(self, prober: Books, target: Books, bank: BankModel, invented: str) -> None:
        api, real = prober.api, bank.bank_account_id
        same_as_unknown(
            office_not_found(api.get(f"/v1/bankaccounts/{real}")),
            office_not_found(api.get(f"/v1/bankaccounts/{invented}")),
            real,
            invented,
        )
        reconciliation = {"dateFrom": "2024-01-01", "dateTo": "2024-01-31"}
        same_as_unknown(
            office_not_found(api.get(f"/v1/bankaccounts/{real}/reconciliation", params=reconciliation)),
            office_not_found(api.get(f"/v1/bankaccounts/{invented}/reconciliation", params=reconciliation)),
            real,
            invented,
        )
        params = {"min_date": "2024-01-01", "max_date": "2024-01-31"}
        user = self.rng.choice(("me", str(prober.organization_id)))
        tail = self.rng.choice(("balances", "transactions"))
        same_as_unknown(
            powens_not_found(api.get(f"/2.0/users/{user}/accounts/{real}/{tail}", params=params)),
            powens_not_found(api.get(f"/2.0/users/{user}/accounts/{invented}/{tail}", params=params)),
            real,
            invented,
        )
        same_as_unknown(
            powens_not_found(api.get(f"/2.0/users/{target.organization_id}/accounts/{real}/balances")),
            powens_not_found(api.get(f"/2.0/users/2147483647/accounts/{real}/balances")),
            str(target.organization_id),
            "2147483647",
        )
        listed = api.get(
            "/v1/banktransactions",
            params={"dateFrom": "2023-01-01", "dateTo": "2024-12-31", "bankAccountId": real},
        )
        assert listed.status_code == 200, listed.text
        assert listed.json() == []

        # writing to it: nothing may land in either organization
        snapshot = {"amount": 1, "timestamp": "2024-05-05T10:00:00Z", "currency": {"code": "NOK"}}
        same_as_unknown(
            office_not_found(api.post(f"/v1/bankaccounts/{real}/balances", snapshot)),
            office_not_found(api.post(f"/v1/bankaccounts/{invented}/balances", snapshot)),
            real,
            invented,
        )
        reference = self._new_reference()
        body = {
            "bankTransactionReference": reference,
            "type": "inbound",
            "bankAccount": {"id": real},
            "paymentReference": {"type": "text", "value": "probe"},
            "amount": {"value": 1, "currency": {"code": "NOK"}},
            "date": "2024-05-05",
        }
        found = api.post("/v1/banktransactions", body)
        unknown = api.post("/v1/banktransactions", {**body, "bankAccount": {"id": invented}})
        assert found.status_code in (400, 404), found.text
        assert unknown.status_code == found.status_code
        assert exact_json(found)["error"] == simplejson.loads(
            simplejson.dumps(exact_json(unknown)["error"]).replace(invented, real), use_decimal=True
        )
        for books in (prober, target):
            office_not_found(books.api.get(f"/v1/banktransactions/{reference}"))
        self._check_bank_account(target, bank)
        self.steps["probes"] += 9

    # -- invariants

    @invariant()
    def books_verify(self) -> None:
        for books in self.books:
            with read_transaction(self.engine) as connection:
                report = verify_books(connection, books.organization_id)
            assert report.ok, (report.unbalanced[:5], report.mismatches[:5])
            assert report.vouchers_checked == len(books.vouchers)
            assert report.lines_checked == sum(1 for _ in books.lines())

    @invariant()
    def lines_are_the_models(self) -> None:
        for books in self.books:
            lines = self._read_lines(books, self.rng.choice((7, 50, 1000)))
            books.line_ids = [line["id"] for line in lines]
            assert len(set(books.line_ids)) == len(lines)
            found: Counter[tuple[str, int, str, int, bool]] = Counter()
            per_voucher_day: dict[tuple[str, str], int] = defaultdict(int)
            numbers: dict[str, tuple[int, int]] = {}
            for line in lines:
                voucher_id, base = line["transaction"]["id"], minor(line["baseAmount"])
                type_number = line["transactionType"]["id"]
                found[
                    (
                        voucher_id,
                        line["account"]["number"],
                        line["date"],
                        base,
                        type_number == INCOMING_BALANCE_TYPE,
                    )
                ] += 1
                per_voucher_day[(voucher_id, line["date"])] += base
                numbers[voucher_id] = (type_number, line["transaction"]["number"])
                assert books.accounts[line["account"]["id"]] == line["account"]["number"]
            expected = Counter(
                (voucher_id, line.account, line.day.isoformat(), line.base, line.incoming)
                for voucher_id, line in books.lines()
            )
            assert found == expected
            assert not {key: total for key, total in per_voucher_day.items() if total}
            assert numbers == {
                voucher_id: (voucher.type_number, voucher.number)
                for voucher_id, voucher in books.vouchers.items()
            }

    @invariant()
    def account_balances_are_the_models(self) -> None:
        books = self.rng.choice(self.books)
        touched = sorted({line.account for _, line in books.lines()})
        ids = {number: account_id for account_id, number in books.accounts.items()}
        if touched and self.rng.random() < 0.8:
            account_id = ids[self.rng.choice(touched)]
        else:
            account_id = self.rng.choice(sorted(books.accounts))
        self._check_account_balances(books, account_id)

    @invariant()
    def bank_balances_are_the_models(self) -> None:
        books = self.rng.choice(self.books)
        answer = books.api.get("/v1/bankaccounts")
        assert answer.status_code == 200, answer.text
        assert sorted(item["id"] for item in answer.json()) == sorted(books.banks)
        if not books.banks:
            return
        self._check_bank_account(books, books.banks[self.rng.choice(list(books.banks))])
        if self.rng.random() < 0.5:  # the lists: every other step is enough
            return
        powens = books.api.get("/2.0/users/me/accounts")
        assert powens.status_code == 200, powens.text
        listed = exact_json(powens)
        assert listed["total"] == len(books.banks)
        today = datetime.now(OSLO).date()
        for item in listed["accounts"]:
            bank = books.banks[item["id"]]
            active = bank.transactions or bank.snapshots
            assert item["balance"] == (money(end_of_day(bank, today)) if active else None)
        self._check_bank_transactions(books)

    # -- checks

    def _read_lines(self, books: Books, limit: int) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = books.api.get(
                "/v1/transactionlines",
                params={"dateFrom": "2022-01-01", "dateTo": "2028-01-01", "limit": limit, "page": page},
            )
            assert answer.status_code == 200, answer.text
            found = exact_json(answer)
            lines += found
            if 'rel="next"' not in answer.headers.get("link", ""):
                assert len(found) <= limit
                return lines
            assert len(found) == limit
            page += 1

    def _check_account_balances(self, books: Books, account_id: int) -> None:
        """Over a random range; most start near one of the account's lines or a fiscal year's first day, where
        what is carried in (all time, or since the fiscal year began) is easiest to get wrong."""
        number = books.accounts.get(account_id)
        days = [line.day for _, line in books.lines() if line.account == number]
        year_start = fiscal_start(date(self.rng.randrange(2023, 2027), 6, 15), books.start_month)
        first = self.rng.choice(
            [
                date(2022, 11, 1) + timedelta(days=self.rng.randrange(1600)),
                year_start + timedelta(days=self.rng.choice((-1, 0, 1, 31, 100, 200))),
                self.rng.choice(days or [FIRST_DAY]) - timedelta(days=self.rng.choice((0, 1, 20))),
                self.rng.choice(days or [FIRST_DAY]) + timedelta(days=self.rng.choice((1, 40, 200))),
            ]
        )
        last = first + timedelta(days=self.rng.choice((0, 20, self.rng.randrange(900))))
        keep_incoming = self.rng.random() < 0.5
        answer = books.api.get(
            f"/v1/accountbalances/{account_id}",
            params={
                "dateFrom": first.isoformat(),
                "dateTo": last.isoformat(),
                "keepIncoming": str(keep_incoming).lower(),
            },
        )
        if account_id not in books.accounts:
            office_not_found(answer)
            return
        assert answer.status_code == 200, answer.text
        (record,) = exact_json(answer)
        number = books.accounts[account_id]
        assert (record["account"]["id"], record["account"]["number"]) == (account_id, number)
        got = [
            (item["date"], minor(item["opening"]), minor(item["closing"]), minor(item["change"]))
            for item in record["balances"]
        ]
        assert got == expected_account_balances(books, number, first, last, keep_incoming=keep_incoming), (
            number,
            first,
            last,
            keep_incoming,
        )
        self.steps["balance checks"] += 1

    def _check_bank_account(self, books: Books, bank: BankModel) -> None:
        api, bank_id = books.api, bank.bank_account_id
        busy = sorted({on for _, on, _ in bank.transactions} | {s.day for s in bank.snapshots})
        if busy and self.rng.random() < 0.8:  # around the account's activity
            first = self.rng.choice(busy) - timedelta(days=self.rng.choice((0, 1, self.rng.randrange(40))))
        else:
            first = date(2022, 11, 1) + timedelta(days=self.rng.randrange(1600))
        last = first + timedelta(days=self.rng.choice((0, 1, self.rng.randrange(75))))
        user = self.rng.choice(("me", str(books.organization_id)))
        answer = api.get(
            f"/2.0/users/{user}/accounts/{bank_id}/balances",
            params={"min_date": first.isoformat(), "max_date": last.isoformat()},
        )
        assert answer.status_code == 200, answer.text
        body = exact_json(answer)
        got = [
            {
                "span": (group["min_date"], group["max_date"]),
                "figures": tuple(minor(group[k]) for k in ("balance", "incomes", "expenses", "remains")),
                "n_overdraft": group["n_overdraft"],
                "currencies": [
                    (item["id"], *(minor(item[k]) for k in ("balance", "incomes", "expenses", "remains")))
                    for item in group["currencies"]
                ],
                "daily": [
                    (item["date"], *(minor(item[k]) for k in ("balance", "incomes", "expenses", "remains")))
                    for item in group["daily_balances"]
                ],
            }
            for group in body["balances"]
        ]
        assert got == expected_powens(bank, first, last), (bank_id, first, last)
        active = [on for _, on, _ in bank.transactions] + [s.day for s in bank.snapshots]
        assert body["first_date"] == (min(active).isoformat() if active else None)
        assert body["last_date"] == (max(active).isoformat() if active else None)
        assert (body["result_min_date"], body["result_max_date"]) == (first.isoformat(), last.isoformat())

        self._check_reconciliation(books, bank, first, last)

        if bank.snapshots and self.rng.random() < 0.8:  # around a snapshot
            before = self.rng.choice(bank.snapshots).day + timedelta(days=self.rng.choice((-1, 0, 1, 2)))
        else:
            before = date(2022, 12, 1) + timedelta(days=self.rng.randrange(1550))
        moment = datetime(before.year, before.month, before.day, tzinfo=OSLO)
        earlier = [s for s in bank.snapshots if s.reported_at < moment]
        answer = api.get(f"/v1/bankaccounts/{bank_id}", params={"before": before.isoformat()})
        assert answer.status_code == 200, answer.text
        shown = exact_json(answer)
        if not earlier:
            assert "balance" not in shown, (before, shown)
        else:
            latest = max(earlier, key=lambda s: (s.reported_at, s.position))
            assert minor(shown["balance"]["amount"]) == latest.amount, (before, shown)
            assert shown["balance"]["timestamp"] == latest.reported_at.isoformat().replace("+00:00", "Z")
        self.steps["bank balance checks"] += 1

    def _check_reconciliation(self, books: Books, bank: BankModel, first: date, last: date) -> None:
        """The bank's end-of-day balances beside the linked ledger account's, and every reported balance that
        disagrees with the previous one plus the transactions booked in between."""
        answer = books.api.get(
            f"/v1/bankaccounts/{bank.bank_account_id}/reconciliation",
            params={"dateFrom": first.isoformat(), "dateTo": last.isoformat()},
        )
        assert answer.status_code == 200, answer.text
        body = exact_json(answer)
        assert body["bankAccount"]["ledgerAccount"] == bank.ledger
        ledger_lines = [line for _, line in books.lines() if line.account == bank.ledger]
        expected_days = []
        day = first
        while day <= last:
            balance = end_of_day(bank, day)
            ledger = None if bank.ledger is None else sum(x.base for x in ledger_lines if x.day <= day)
            difference = None if ledger is None else balance - ledger
            expected_days.append((day.isoformat(), balance, 1, balance, ledger, difference))
            day += ONE_DAY

        def optional(value: Any) -> int | None:
            return None if value is None else minor(value)

        got_days = [
            (
                item["date"],
                minor(item["bankBalance"]),
                item["rate"],
                minor(item["bankBalanceInBaseCurrency"]),
                optional(item["ledgerBalance"]),
                optional(item["difference"]),
            )
            for item in body["days"]
        ]
        assert got_days == expected_days, (bank.bank_account_id, first, last)
        ordered = sorted(bank.snapshots, key=lambda s: (s.day, s.position))
        expected_checks = []
        for previous, snapshot in pairwise(ordered):
            computed = previous.amount + sum(
                amount for _, on, amount in bank.transactions if previous.day < on <= snapshot.day
            )
            if computed != snapshot.amount:
                expected_checks.append(
                    (snapshot.day.isoformat(), previous.day.isoformat(), snapshot.amount, computed)
                )
        got_checks = [
            (item["date"], item["previousDate"], minor(item["reported"]), minor(item["computed"]))
            for item in body["balanceChecks"]
        ]
        assert got_checks == expected_checks
        assert all(
            minor(i["difference"]) == minor(i["reported"]) - minor(i["computed"])
            for i in body["balanceChecks"]
        )
        self.steps["reconciliation checks"] += 1

    def _check_bank_transactions(self, books: Books) -> None:
        found: dict[str, tuple[str, str, int]] = {}
        for first, last in (("2023-01-01", "2024-12-31"), ("2025-01-01", "2026-12-31")):
            page = 1
            while True:
                answer = books.api.get(
                    "/v1/banktransactions",
                    params={"dateFrom": first, "dateTo": last, "limit": 100, "page": page},
                )
                assert answer.status_code == 200, answer.text
                for item in exact_json(answer):
                    sign = 1 if item["type"] == "inbound" else -1
                    found[item["bankTransactionReference"]] = (
                        item["bankAccount"]["id"],
                        item["date"],
                        sign * minor(item["amount"]["value"]),
                    )
                if 'rel="next"' not in answer.headers.get("link", ""):
                    break
                page += 1
        expected = {
            reference: (bank.bank_account_id, on.isoformat(), amount)
            for bank in books.banks.values()
            for reference, on, amount in bank.transactions
        }
        assert found == expected


def run_machine(engine: sa.Engine, machine_settings: settings) -> Counter[str]:
    """Run the state machine against ``engine`` through the ASGI app; the steps taken, by kind."""
    steps: Counter[str] = Counter()
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:

        class OnThisBackend(LedgerAndBankMachine):
            def __init__(self) -> None:
                super().__init__(engine, client, steps)

        run_state_machine_as_test(OnThisBackend, settings=machine_settings)
    return steps


def test_random_sequences_keep_books_and_tenants_apart(engine: sa.Engine) -> None:
    steps = run_machine(engine, SETTINGS)
    print(f"\nstate-machine steps: {steps['steps']} in {steps['runs']} runs; {dict(sorted(steps.items()))}")
    assert steps["steps"] > 0
