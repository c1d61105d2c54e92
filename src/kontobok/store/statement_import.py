"""Storing bank statements: their entries become bank transactions, their balances snapshots.

Each entry gets a reference derived from its statement's identity and its place in it, so importing the same
statement again (from the same file or another) finds the reference taken and adds nothing. A statement's
opening balance becomes a snapshot at the end of the day before its first day, its closing balance one at
the end of its own day (see :meth:`kontobok.core.statements.Statement.opening_snapshot_day`); a snapshot
already recorded from the same statement is not recorded twice. A page boundary inside a day (MT940
``:60M:``/``:62M:``) is the middle of that day and becomes no snapshot.

Without a chosen bank account, a statement is filed under the organization's bank account with the same
number, created when there is none. A bank's own file is the authority on its account numbers: a number
whose check digits fail is accepted, with a warning. A statement in another currency than the bank account
it would be filed under is refused, as are unknown currencies, over-long numbers and control characters
(:func:`kontobok.core.statements.statement_problems`): the whole import then stores nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from kontobok.core.errors import ValidationFailed
from kontobok.core.statements import Statement, StatementEntry, statement_problems
from kontobok.store.bank_accounts import (
    BankAccount,
    BankAccountDetails,
    add_reported_balance,
    create_bank_account,
    find_bank_account_by_number,
    get_bank_account,
)
from kontobok.store.bank_transactions import BankTransaction, add_bank_transactions
from kontobok.store.organizations import Organization
from kontobok.store.schema import bank_balances
from kontobok.wire.bank_identifiers import checked_bban, checked_iban

END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class StatementResult:
    identity: str
    bank_account_id: uuid.UUID
    account_number: str
    currency: str
    opening: int
    closing: int
    computed_closing: int
    entries: int
    entries_added: int

    @property
    def difference(self) -> int:
        """Stated closing minus opening plus entries."""
        return self.closing - self.computed_closing


@dataclass
class StatementImport:
    statements: list[StatementResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    accounts_created: list[str] = field(default_factory=list)

    @property
    def entries_added(self) -> int:
        return sum(result.entries_added for result in self.statements)


def import_statements(
    connection: sa.Connection,
    organization: Organization,
    statements: Iterable[Statement],
    *,
    kind: str,
    bank_account_id: uuid.UUID | None = None,
) -> StatementImport:
    report = StatementImport()
    chosen = (
        get_bank_account(connection, organization.organization_id, bank_account_id)
        if bank_account_id
        else None
    )
    for statement in statements:
        if problems := statement_problems(statement):
            raise ValidationFailed(problems)
        account = chosen or _account_for(connection, organization, statement, report)
        if account.details.currency != statement.currency:
            raise ValidationFailed.single(
                f"line {statement.source_line}",
                "currency",
                f"the statement is in {statement.currency}, bank account {account.details.number} in "
                f"{account.details.currency}: a statement is filed only under an account in its currency",
            )
        added = add_bank_transactions(
            connection,
            organization.organization_id,
            [
                _transaction(kind, statement, index, entry, account)
                for index, entry in enumerate(statement.entries)
            ],
        )
        for day, amount, source, is_final in (
            (
                statement.opening_snapshot_day(),
                statement.opening.amount,
                "statement opening",
                statement.opening_is_final,
            ),
            (
                statement.closing.day,
                statement.closing.amount,
                "statement closing",
                statement.closing_is_final,
            ),
        ):
            if is_final:
                _add_snapshot(connection, organization, account, statement, day, amount, source)
        report.statements.append(
            StatementResult(
                identity=statement.identity,
                bank_account_id=account.bank_account_id,
                account_number=account.details.number,
                currency=statement.currency,
                opening=statement.opening.amount,
                closing=statement.closing.amount,
                computed_closing=statement.computed_closing,
                entries=len(statement.entries),
                entries_added=len(added),
            )
        )
    return report


def _account_for(
    connection: sa.Connection, organization: Organization, statement: Statement, report: StatementImport
) -> BankAccount:
    number, number_type, warning = _normalized_number(statement.account_number)
    found = find_bank_account_by_number(connection, organization.organization_id, number)
    if found is not None:
        return found
    if warning:
        report.warnings.append(warning)
    report.accounts_created.append(number)
    return create_bank_account(
        connection,
        organization.organization_id,
        BankAccountDetails(
            number=number, number_type=number_type, name=f"Konto {number}", currency=statement.currency
        ),
    )


def _normalized_number(raw: str) -> tuple[str, str, str | None]:
    """The account number as stored, its type, and a warning when its check digits fail."""
    compact = "".join(raw.split()).upper()
    if len(compact) > 4 and compact[:2].isalpha() and compact[2:4].isdigit():
        try:
            return checked_iban(compact), "iban", None
        except ValueError as error:
            return compact, "iban", f"account {compact}: {error}; accepted as the bank wrote it"
    digits = compact.replace(".", "")
    if len(digits) == 11 and digits.isdigit():
        try:
            return checked_bban(digits), "bban", None
        except ValueError as error:
            return digits, "bban", f"account {digits}: {error}; accepted as the bank wrote it"
    return compact, "bban", None


def _transaction(
    kind: str, statement: Statement, index: int, entry: StatementEntry, account: BankAccount
) -> BankTransaction:
    fingerprint = f"{statement.identity}|{index}|{entry.booking_date}|{entry.amount}|{entry.bank_reference}"
    own = (account.details.number, account.details.number_type)
    other = (entry.counterparty_account, None)
    inbound = entry.amount >= 0
    return BankTransaction(
        reference=f"{kind}-{hashlib.sha256(fingerprint.encode()).hexdigest()[:40]}",
        bank_account_id=account.bank_account_id,
        amount=entry.amount,
        currency=entry.currency,
        booking_date=entry.booking_date,
        value_date=entry.value_date,
        payment_reference_type="text",
        payment_reference_value=(entry.description or entry.bank_reference or "")[:1000],
        from_number=(other if inbound else own)[0],
        from_type=(other if inbound else own)[1],
        to_number=(own if inbound else other)[0],
        to_type=(own if inbound else other)[1],
        domain_code=entry.domain_code,
        family_code=entry.family_code,
        subfamily_code=entry.subfamily_code,
        statement_identity=statement.identity[:300],
    )


def end_of_day(day: date, organization: Organization) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(organization.time_zone)).astimezone(UTC)


def _add_snapshot(
    connection: sa.Connection,
    organization: Organization,
    account: BankAccount,
    statement: Statement,
    day: date,
    amount: int,
    source: str,
) -> None:
    balances = bank_balances.c
    recorded = connection.execute(
        sa.select(balances.position).where(
            (balances.organization_id == organization.organization_id)
            & (balances.bank_account_id == account.bank_account_id)
            & (balances.statement_identity == statement.identity[:300])
            & (balances.source == source)
        )
    ).first()
    if recorded is not None:
        return
    add_reported_balance(
        connection,
        organization.organization_id,
        account.bank_account_id,
        reported_at=end_of_day(day, organization),
        day=day,
        amount=amount,
        currency=statement.currency,
        source=source,
        statement_identity=statement.identity[:300],
    )
