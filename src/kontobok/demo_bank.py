"""The demo company's bank: three accounts at DNB, their transactions and monthly statements, all derived
from the ledger's bank postings so that the bank and the books tell the same story.

Every voucher line on a bank's ledger account (1920 NOK, 1921 EUR, 1922 USD) is one bank transaction, booked
on the line's date for the line's amount in the account's currency (the NOK amount on 1920, the line's own
EUR or USD amount on the currency accounts), with the voucher's comment as its payment reference and the
reference ``demo-<ledger account>-<n>``, numbered in posting order. The incoming balance is no transaction:
that money was on the account before the books began, so its bank lines are the opening balance of the first
statement.

The bank sends a statement for every account and calendar month of the demo years. Its opening balance is
recorded as a snapshot at the end of the month's eve and its closing balance at the end of the month's last
day, as a statement import records them (:mod:`kontobok.store.statement_import`). Both are running sums of
the transactions, so every statement adds up, every snapshot agrees with the one before it plus the
transactions between, and the NOK account's end-of-day balance equals the ledger's 1920 on every day. A
currency account's balance equals the sum of its lines' own EUR or USD amounts; what the ledger holds is
their NOK value at the rates they were posted at, which the day's ECB rate does not reproduce.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from kontobok.core.money import convert_to_base, to_minor_units
from kontobok.core.periods import ONE_DAY, DateRange, monthly_cuts
from kontobok.core.transaction_types import INCOMING_BALANCE_TYPE_NUMBER
from kontobok.core.voucher import VoucherDraft
from kontobok.demo_data import CURRENCY_ACCOUNTS
from kontobok.store.bank_accounts import BankAccountDetails, add_reported_balance, create_bank_account
from kontobok.store.bank_transactions import BankTransaction, add_bank_transactions
from kontobok.store.organizations import Organization
from kontobok.store.statement_import import end_of_day

BIC = "DNBANOKKXXX"
CONTACT = ("Anders Berge", "okonomi@fjordtre.no")
# The account's number, its type and its name, per currency; the IBANs' national numbers pass the mod-11
# check, as kontobok.wire.bank_identifiers.checked_iban requires.
ACCOUNT_NUMBERS: Mapping[str, tuple[str, str, str]] = {
    "NOK": ("86011117947", "bban", "Driftskonto"),
    "EUR": ("NO7186011117955", "iban", "Valutakonto EUR"),
    "USD": ("NO4986011117963", "iban", "Valutakonto USD"),
}
BATCH_SIZE = 2000
BASE_CURRENCY = "NOK"
_CURRENCY_OF = {account: currency for currency, account in CURRENCY_ACCOUNTS.items()}


@dataclass(frozen=True)
class BankMovement:
    """Money moved on a bank's ledger account by one voucher line, in minor units of the account's currency.

    ``opening`` marks a line of the incoming balance: money already there when the books began.
    """

    ledger_account: int
    day: date
    amount: int
    text: str
    opening: bool = False


@dataclass(frozen=True)
class MonthlyStatement:
    month: DateRange
    opening: int
    closing: int
    movements: tuple[BankMovement, ...]


def bank_movements(draft: VoucherDraft) -> Iterator[BankMovement]:
    """The lines of ``draft`` on the banks' ledger accounts (:data:`CURRENCY_ACCOUNTS`), one movement each."""
    opening = draft.transaction_type_number == INCOMING_BALANCE_TYPE_NUMBER
    for line in draft.lines:
        held = _CURRENCY_OF.get(line.account_number)
        if held is None:
            continue
        currency = line.currency or BASE_CURRENCY
        amount = to_minor_units(line.amount, currency, path="")
        assert isinstance(amount, int), amount
        if held == BASE_CURRENCY:
            amount = convert_to_base(amount, currency, line.rate or Decimal(1), BASE_CURRENCY)
        elif currency != held:
            raise ValueError(f"a line on {line.account_number} is in {currency}, not {held}")
        yield BankMovement(line.account_number, line.day or draft.day, amount, draft.comment or "", opening)


def tap_bank_movements(drafts: Iterable[VoucherDraft], into: list[BankMovement]) -> Iterator[VoucherDraft]:
    """Pass ``drafts`` on unchanged, adding their bank movements to ``into`` on the way."""
    for draft in drafts:
        into.extend(bank_movements(draft))
        yield draft


def monthly_statements(movements: Sequence[BankMovement], years: range) -> list[MonthlyStatement]:
    """One account's statements for every month of ``years``: balances are running sums of the movements."""
    span = DateRange(date(years.start, 1, 1), date(years.stop, 1, 1))
    by_month: defaultdict[date, list[BankMovement]] = defaultdict(list)
    balance = 0
    for movement in movements:
        if movement.opening or movement.day < span.begin:
            balance += movement.amount
        else:
            by_month[movement.day.replace(day=1)].append(movement)
    statements = []
    for month in monthly_cuts(span):
        inside = tuple(by_month.pop(month.begin, ()))
        closing = balance + sum(movement.amount for movement in inside)
        statements.append(MonthlyStatement(month, balance, closing, inside))
        balance = closing
    if by_month:
        raise ValueError(f"bank movements after the demo years: {sorted(by_month)}")
    return statements


def add_demo_bank(
    connection: sa.Connection, organization: Organization, movements: Sequence[BankMovement], years: range
) -> dict[int, int]:
    """Create the three bank accounts with their transactions and statements; the transactions per ledger
    account."""
    counts = {}
    for currency, ledger_account in CURRENCY_ACCOUNTS.items():
        details = _details(organization, currency, ledger_account)
        account = create_bank_account(connection, organization.organization_id, details)
        own = [movement for movement in movements if movement.ledger_account == ledger_account]
        statements = monthly_statements(own, years)
        transactions = list(_transactions(account.bank_account_id, details, statements))
        for start in range(0, len(transactions), BATCH_SIZE):
            add_bank_transactions(
                connection, organization.organization_id, transactions[start : start + BATCH_SIZE]
            )
        for statement in statements:
            identity = _statement_identity(ledger_account, statement)
            eve = statement.month.begin - ONE_DAY
            for day, amount, source in (
                (eve, statement.opening, "statement opening"),
                (statement.month.last_day, statement.closing, "statement closing"),
            ):
                add_reported_balance(
                    connection,
                    organization.organization_id,
                    account.bank_account_id,
                    reported_at=end_of_day(day, organization),
                    day=day,
                    amount=amount,
                    currency=currency,
                    source=source,
                    statement_identity=identity,
                )
        counts[ledger_account] = len(transactions)
    return counts


def _details(organization: Organization, currency: str, ledger_account: int) -> BankAccountDetails:
    number, number_type, name = ACCOUNT_NUMBERS[currency]
    return BankAccountDetails(
        number=number,
        number_type=number_type,
        name=name,
        currency=currency,
        bic=BIC,
        owner_name=organization.name,
        owner_organization_number=organization.organization_number,
        contact_name=CONTACT[0],
        contact_email=CONTACT[1],
        transaction_type_number=5,
        ledger_account_number=ledger_account,
    )


def _statement_identity(ledger_account: int, statement: MonthlyStatement) -> str:
    return f"demo-{ledger_account}-{statement.month.begin:%Y-%m}"


def _transactions(
    bank_account_id: uuid.UUID, details: BankAccountDetails, statements: Sequence[MonthlyStatement]
) -> Iterator[BankTransaction]:
    own = (details.number, details.number_type)
    n = 0
    for statement in statements:
        for movement in statement.movements:
            n += 1
            inbound = movement.amount >= 0
            yield BankTransaction(
                reference=f"demo-{movement.ledger_account}-{n}",
                bank_account_id=bank_account_id,
                amount=movement.amount,
                currency=details.currency,
                booking_date=movement.day,
                payment_reference_value=movement.text,
                from_number=None if inbound else own[0],
                from_type=None if inbound else own[1],
                to_number=own[0] if inbound else None,
                to_type=own[1] if inbound else None,
                statement_identity=_statement_identity(movement.ledger_account, statement),
            )
