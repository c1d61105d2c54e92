"""camt.053 files: ISO 20022 bank-to-customer statements, read one ``Stmt`` at a time.

A camt.053 document (``BkToCstmrStmt``) holds one ``Stmt`` per account and period. A statement names its
account (``Acct/Id/IBAN``, or ``Acct/Id/Othr/Id`` for other numbers), states balances (``Bal``) and lists
entries (``Ntry``). Each balance has a type code, an amount that is never negative, a ``CdtDbtInd``
(``CRDT`` the account holds money, ``DBIT`` it is overdrawn, so negative here) and the day it describes:

- ``OPBD``, the opening booked balance, is the statement's opening; ``PRCD``, the previous statement's
  closing, stands in when a bank sends no ``OPBD``;
- ``CLBD``, the closing booked balance, is its closing;
- ``CLAV``, ``FWAV`` and the like (available balances, forward balances) are not booked and are not read.

An entry is one movement: its ``Amt``, signed by its ``CdtDbtInd``, its booking day ``BookgDt`` (the day
kontobok counts it on), its value day ``ValDt`` (the day interest counts from, kept for information), the
bank's reference and a bank transaction code (domain, family, sub-family). Only booked entries are read:
one whose status is ``PDNG`` (pending), ``INFO`` or ``FUTR`` does not move the booked balance. The
counterparty is the debtor of money that comes in and the creditor of money that goes out (the other way
round for a reversal, ``RvslInd``), named in the transaction details when all of them name the same one.

Banks differ on whether ``CLBD`` follows the booking day or the value day. The Finnish sample counts an
entry booked on 2009-10-29 with value day 2009-10-30 in that day's ``CLBD``; the PostFinance sample leaves
out a credit booked on 2020-11-24 with value day 2020-11-25, so its statement is 1,537.00 short. Such a
statement is returned as the bank states it, with its ``difference``.

The file is read with ``lxml.etree.iterparse``: each ``Ntry`` is turned into a record as soon as it ends and
then dropped, each ``Stmt`` once it ends, with everything before it, so memory holds the entries of one
statement as records. A statement may hold at most ``MAX_ENTRIES_PER_STATEMENT`` entries; one with more is
refused at the entry past the limit, before it is held. Elements are matched by local name, so
camt.053.001.02, .04 and .08 (and the versions between) all read the same way.

Values are read strictly by ISO 20022's own types: an amount is a decimal of ASCII digits with at most five
decimals and 18 digits in all, no sign, exponent or separator (``1E+3``, ``NaN``, ``1_000`` and other
scripts' digits are refused), and at most 999 999 999 999.99 as the API allows; a day (``ISODate``) is
``YYYY-MM-DD`` exactly, a date-time (``ISODateTime``) that day followed by ``T`` and a time. The whole text
of an element counts, comments inside it included (see :mod:`kontobok.importers.xml_text`).

Identity: ``Stmt/Id/ElctrncSeqNb/account``; the bank's statement id is unique for the account.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from lxml import etree

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.money import to_capped_minor_units
from kontobok.core.statements import StatedBalance, Statement, StatementEntry
from kontobok.importers.xml_text import element_text, local_name, source_line

MAX_ENTRIES_PER_STATEMENT = 50_000

_UNBOOKED = frozenset({"PDNG", "INFO", "FUTR"})
_SIGNS = {"CRDT": 1, "DBIT": -1}
# ISO 20022 ``ActiveOrHistoricCurrencyAndAmount``: xs:decimal, at most 18 digits of which 5 fractional,
# never negative; ``ISODate`` and ``ISODateTime``.
_AMOUNT = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,5})?")
_TOTAL_DIGITS = 18
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)


@dataclass
class _Open:
    """The statement being read: the records of its entries so far."""

    element: etree._Element | None = None
    currency: str = ""
    entries: list[StatementEntry] = field(default_factory=list)
    count: int = 0


def read_camt053(path: Path) -> Iterator[Statement]:
    """Each ``Stmt`` of the document in order; raises ``ValidationFailed`` at the first malformed one."""
    count = 0
    current = _Open()
    with path.open("rb") as stream:
        events = etree.iterparse(
            stream, events=("end",), tag=("{*}Stmt", "{*}Ntry"), resolve_entities=False, no_network=True
        )
        try:
            for _, element in events:
                parent = element.getparent()
                if local_name(element) == "Ntry":
                    if local_name(parent) == "Stmt" and parent is not None:
                        _take_entry(current, parent, element)
                    continue
                count += 1
                statement = _statement(element, current if current.element is element else _Open())
                current = _Open()
                _forget(element)
                yield statement
        except etree.XMLSyntaxError as error:
            raise ValidationFailed.single(
                f"line {max(error.lineno or 1, 1)}", "format", f"not well-formed XML: {error.msg}"
            ) from error
        root = events.root
    if count == 0:
        raise _failure(root, "no Stmt element: the document is not a camt.053 statement")


def _take_entry(current: _Open, statement: etree._Element, entry: etree._Element) -> None:
    """Read one ``Ntry`` of ``statement`` into a record and drop the element."""
    if current.element is not statement:
        current.element, current.currency, current.entries, current.count = statement, "", [], 0
    current.count += 1
    if current.count > MAX_ENTRIES_PER_STATEMENT:
        raise _failure(
            entry,
            f"the statement that starts at line {source_line(statement)} has more than "
            f"{MAX_ENTRIES_PER_STATEMENT} entries (Ntry), the most kontobok reads in one statement",
        )
    if not current.currency:
        current.currency = _currency(statement)
    if (_text(entry, "Sts/Cd") or _text(entry, "Sts")) not in _UNBOOKED:
        current.entries.append(_entry(entry, current.currency))
    statement.remove(entry)


def _forget(element: etree._Element) -> None:
    """Drop the statement and everything parsed before it, so memory holds one statement at a time."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _statement(element: etree._Element, read: _Open) -> Statement:
    account = _text(element, "Acct/Id/IBAN") or _text(element, "Acct/Id/Othr/Id")
    if not account:
        raise _failure(element, "Stmt has no account (Acct/Id/IBAN or Acct/Id/Othr/Id)")
    statement_id = _text(element, "Id")
    if not statement_id:
        raise _failure(element, "Stmt has no Id")
    opening, closing = _stated_balances(element)
    currency = read.currency or _currency(element)
    return Statement(
        identity=f"{statement_id}/{_text(element, 'ElctrncSeqNb')}/{account}",
        account_number=account,
        currency=currency,
        opening=_balance(opening, currency),
        closing=_balance(closing, currency),
        entries=tuple(read.entries),
        source_line=source_line(element),
    )


def _stated_balances(element: etree._Element) -> tuple[etree._Element, etree._Element]:
    balances: dict[str, etree._Element] = {}
    for balance in element.iterfind("{*}Bal"):
        code = _text(balance, "Tp/CdOrPrtry/Cd") or _text(balance, "Tp/Cd")
        balances.setdefault(code, balance)
    opening = balances.get("OPBD", balances.get("PRCD"))
    if opening is None:
        raise _failure(element, "Stmt has no opening balance (Bal of type OPBD or PRCD)")
    closing = balances.get("CLBD")
    if closing is None:
        raise _failure(element, "Stmt has no closing balance (Bal of type CLBD)")
    return opening, closing


def _currency(statement: etree._Element) -> str:
    """The statement's currency: ``Acct/Ccy``, else that of its opening balance's amount."""
    if currency := _text(statement, "Acct/Ccy"):
        return currency
    return _currency_of(_stated_balances(statement)[0])


def _balance(element: etree._Element, currency: str) -> StatedBalance:
    day = _day(element, "Dt")
    if day is None:
        raise _failure(element, "Bal has no day (Dt/Dt or Dt/DtTm)")
    return StatedBalance(day=day, amount=_amount(element, currency), currency=currency)


def _entry(element: etree._Element, currency: str) -> StatementEntry:
    booking_day = _day(element, "BookgDt")
    if booking_day is None:
        raise _failure(element, "Ntry has no booking day (BookgDt/Dt or BookgDt/DtTm)")
    amount = _amount(element, currency)
    name, account = _counterparty(element, incoming=(amount >= 0) != (_text(element, "RvslInd") == "true"))
    return StatementEntry(
        booking_date=booking_day,
        amount=amount,
        currency=currency,
        value_date=_day(element, "ValDt"),
        bank_reference=_text(element, "AcctSvcrRef") or _text(element, "NtryRef") or None,
        description=(_text(element, "AddtlNtryInf") or _text(element, "NtryDtls/TxDtls/RmtInf/Ustrd")),
        counterparty_name=name,
        counterparty_account=account,
        domain_code=_text(element, "BkTxCd/Domn/Cd") or None,
        family_code=_text(element, "BkTxCd/Domn/Fmly/Cd") or None,
        subfamily_code=_text(element, "BkTxCd/Domn/Fmly/SubFmlyCd") or None,
    )


def _counterparty(element: etree._Element, *, incoming: bool) -> tuple[str | None, str | None]:
    """The other party's name and account, each when every transaction detail that gives one agrees."""
    party = "Dbtr" if incoming else "Cdtr"
    names: set[str] = set()
    accounts: set[str] = set()
    for parties in element.iterfind("{*}NtryDtls/{*}TxDtls/{*}RltdPties"):
        if name := _text(parties, f"{party}/Nm") or _text(parties, f"{party}/Pty/Nm"):
            names.add(name)
        if account := _text(parties, f"{party}Acct/Id/IBAN") or _text(parties, f"{party}Acct/Id/Othr/Id"):
            accounts.add(account)
    return (
        names.pop() if len(names) == 1 else None,
        accounts.pop() if len(accounts) == 1 else None,
    )


def _amount(element: etree._Element, currency: str) -> int:
    """``Amt`` in minor units, signed by ``CdtDbtInd``."""
    amount = element.find("{*}Amt")
    if amount is None or not (text := element_text(amount, f"{_name(element)}/Amt")):
        raise _failure(element, f"{_name(element)} has no Amt")
    stated = amount.get("Ccy")
    if stated is not None and stated != currency:
        raise _failure(amount, f"Amt is in {stated}, the statement in {currency}")
    if not _AMOUNT.fullmatch(text) or sum(character.isdigit() for character in text) > _TOTAL_DIGITS:
        raise _failure(
            amount,
            f"Amt {text[:40]!r} is not an ISO 20022 amount (digits, a point and at most 5 decimals, no sign)",
        )
    indicator = _text(element, "CdtDbtInd")
    if indicator not in _SIGNS:
        raise _failure(element, f"{_name(element)} has CdtDbtInd {indicator!r}, not CRDT or DBIT")
    minor = to_capped_minor_units(Decimal(text), currency, path=f"line {_line(amount)} Amt")
    if isinstance(minor, Problem):
        raise ValidationFailed([minor])
    return _SIGNS[indicator] * minor


def _currency_of(balance: etree._Element) -> str:
    amount = balance.find("{*}Amt")
    currency = amount.get("Ccy") if amount is not None else None
    if not currency:
        raise _failure(balance, "the statement has no currency (Acct/Ccy or Bal/Amt/@Ccy)")
    return currency


def _day(element: etree._Element, path: str) -> date | None:
    """The day of ``path/Dt`` (``YYYY-MM-DD``) or ``path/DtTm`` (that day, ``T`` and a time): a date-time's
    own calendar day, as the bank wrote it."""
    day = _text(element, f"{path}/Dt")
    moment = "" if day else _text(element, f"{path}/DtTm")
    if not day and not moment:
        return None
    match = _ISO_DATE.fullmatch(day) if day else _ISO_DATE_TIME.fullmatch(moment)
    try:
        if match is None:
            raise ValueError(day or moment)
        return date.fromisoformat(match.group(1) if moment else day)
    except ValueError as error:
        kind = "Dt" if day else "DtTm"
        expected = "YYYY-MM-DD" if day else "YYYY-MM-DDThh:mm:ss"
        raise _failure(
            element, f"{_name(element)}/{path}/{kind} {(day or moment)[:40]!r} is not a date ({expected})"
        ) from error


def _text(element: etree._Element, path: str) -> str:
    """The whole stripped text at ``path`` (local names separated by ``/``), or ``""``."""
    return element_text(element.find("/".join(f"{{*}}{name}" for name in path.split("/"))), path)


def _name(element: etree._Element) -> str:
    return local_name(element)


def _line(element: etree._Element | None) -> int:
    return source_line(element)


def _failure(element: etree._Element | None, message: str) -> ValidationFailed:
    return ValidationFailed.single(f"line {_line(element)}", "format", message)
