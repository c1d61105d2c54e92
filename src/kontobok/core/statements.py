"""Bank statements as the bank states them: an account, an opening balance, entries and a closing balance.

A statement is the bank's own account of a period (usually a day or a month). Its closing balance must equal
its opening balance plus its entries; a statement that does not add up is reported with the difference, not
corrected. Statement files (MT940, camt.053) are parsed into these records by :mod:`kontobok.importers`.

Dates: an entry's ``booking_date`` is the day the bank booked it, which is the day kontobok counts it on;
``value_date`` is kept for information. A stated balance is the balance at the end of its ``day``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kontobok.core.errors import Problem
from kontobok.core.money import KNOWN_CURRENCIES

# The longest account number a statement format allows (MT940 ``:25:`` is 35 characters, camt.053's
# ``Max34Text`` and an IBAN 34), and the longest bank transaction code kontobok keeps (``Max35Text``).
MAX_ACCOUNT_NUMBER_LENGTH = 35
MAX_CODE_LENGTH = 35
# control characters: none belongs in a statement's text (line breaks and tabs in a description aside), and
# PostgreSQL cannot store NUL at all
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class StatedBalance:
    """A balance the bank states: ``amount`` in minor units of ``currency`` at the end of ``day``."""

    day: date
    amount: int
    currency: str


@dataclass(frozen=True)
class StatementEntry:
    """One booked movement: ``amount`` in minor units, positive for money in, negative for money out."""

    booking_date: date
    amount: int
    currency: str
    value_date: date | None = None
    bank_reference: str | None = None
    description: str = ""
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    domain_code: str | None = None
    family_code: str | None = None
    subfamily_code: str | None = None


@dataclass(frozen=True)
class Statement:
    """One statement of one account. ``identity`` tells this statement apart from every other (the
    statement id, its sequence and the account), so its entries get stable references across imports."""

    identity: str
    account_number: str
    currency: str
    opening: StatedBalance
    closing: StatedBalance
    entries: tuple[StatementEntry, ...] = ()
    intermediate: tuple[StatedBalance, ...] = field(default=())
    # A page boundary inside a day (MT940 :60M:/:62M:) states a balance in the middle of that day, not at
    # an end of day: it is checked with the statement but describes no day's end.
    opening_is_final: bool = True
    closing_is_final: bool = True
    # the line of the file the statement starts on, for errors that concern the statement as a whole
    source_line: int = 1

    @property
    def computed_closing(self) -> int:
        return self.opening.amount + sum(entry.amount for entry in self.entries)

    @property
    def difference(self) -> int:
        """Stated closing minus opening plus entries: 0 when the statement adds up."""
        return self.closing.amount - self.computed_closing

    def opening_snapshot_day(self) -> date:
        """The day whose end the opening balance describes.

        Banks date an opening balance either with the statement's first day (the balance at its start) or
        with the previous day (the balance at its end). When every entry comes after the stated date, the
        opening is that day's closing; otherwise it is the closing of the day before.
        """
        stated = self.opening.day
        if self.entries and all(entry.booking_date > stated for entry in self.entries):
            return stated
        return date.fromordinal(stated.toordinal() - 1)


def statement_problems(statement: Statement) -> list[Problem]:
    """What makes a statement unfit to store, each named by the line it starts on.

    The currency must be one kontobok knows (as for a bank account made through the API); account numbers
    and codes must fit their formats' lengths; no text may hold control characters.
    """
    where = f"line {statement.source_line}"
    problems: list[Problem] = []
    if statement.currency not in KNOWN_CURRENCIES:
        problems.append(
            Problem(
                where,
                "enum",
                f"the statement's currency {statement.currency[:10]!r} is not one kontobok knows",
            )
        )
    texts: list[tuple[str, str | None, int]] = [
        ("account number", statement.account_number, MAX_ACCOUNT_NUMBER_LENGTH)
    ]
    for entry in statement.entries:
        texts += [
            ("counterparty account", entry.counterparty_account, MAX_ACCOUNT_NUMBER_LENGTH),
            ("bank transaction domain code", entry.domain_code, MAX_CODE_LENGTH),
            ("bank transaction family code", entry.family_code, MAX_CODE_LENGTH),
            ("bank transaction sub-family code", entry.subfamily_code, MAX_CODE_LENGTH),
            ("bank reference", entry.bank_reference, 0),
            ("counterparty name", entry.counterparty_name, 0),
            ("description", entry.description.replace("\n", " ").replace("\t", " "), 0),
        ]
    for what, text, longest in texts:
        if text is None:
            continue
        if _CONTROL.search(text):
            problems.append(Problem(where, "format", f"the statement's {what} holds a control character"))
        elif longest and len(text) > longest:
            problems.append(
                Problem(where, "maxLength", f"the statement's {what} is longer than {longest} characters")
            )
        if len(problems) >= 10:
            break
    return problems
