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

The file is read with ``lxml.etree.iterparse``: each ``Stmt`` is turned into a record and then cleared,
with everything before it, so memory holds one statement. Elements are matched by local name, so
camt.053.001.02, .04 and .08 (and the versions between) all read the same way.

Identity: ``Stmt/Id/ElctrncSeqNb/account``; the bank's statement id is unique for the account.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.money import to_minor_units
from kontobok.core.statements import StatedBalance, Statement, StatementEntry

_UNBOOKED = frozenset({"PDNG", "INFO", "FUTR"})
_SIGNS = {"CRDT": 1, "DBIT": -1}


def read_camt053(path: Path) -> Iterator[Statement]:
    """Each ``Stmt`` of the document in order; raises ``ValidationFailed`` at the first malformed one."""
    count = 0
    with path.open("rb") as stream:
        events = etree.iterparse(
            stream, events=("end",), tag="{*}Stmt", resolve_entities=False, no_network=True
        )
        try:
            for _, element in events:
                count += 1
                statement = _statement(element)
                _forget(element)
                yield statement
        except etree.XMLSyntaxError as error:
            raise ValidationFailed.single(
                f"line {max(error.lineno or 1, 1)}", "format", f"not well-formed XML: {error.msg}"
            ) from error
        root = events.root
    if count == 0:
        raise _failure(root, "no Stmt element: the document is not a camt.053 statement")


def _forget(element: etree._Element) -> None:
    """Drop the statement and everything parsed before it, so memory holds one statement at a time."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _statement(element: etree._Element) -> Statement:
    account = _text(element, "Acct/Id/IBAN") or _text(element, "Acct/Id/Othr/Id")
    if not account:
        raise _failure(element, "Stmt has no account (Acct/Id/IBAN or Acct/Id/Othr/Id)")
    statement_id = _text(element, "Id")
    if not statement_id:
        raise _failure(element, "Stmt has no Id")
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
    currency = _text(element, "Acct/Ccy") or _currency_of(opening)
    entries = tuple(
        _entry(entry, currency)
        for entry in element.iterfind("{*}Ntry")
        if (_text(entry, "Sts/Cd") or _text(entry, "Sts")) not in _UNBOOKED
    )
    return Statement(
        identity=f"{statement_id}/{_text(element, 'ElctrncSeqNb')}/{account}",
        account_number=account,
        currency=currency,
        opening=_balance(opening, currency),
        closing=_balance(closing, currency),
        entries=entries,
    )


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
    if amount is None or not (text := (amount.text or "").strip()):
        raise _failure(element, f"{_name(element)} has no Amt")
    stated = amount.get("Ccy")
    if stated is not None and stated != currency:
        raise _failure(amount, f"Amt is in {stated}, the statement in {currency}")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise _failure(amount, f"Amt {text!r} is not a number") from error
    if value < 0:
        raise _failure(amount, f"Amt {text} is negative; the sign belongs in CdtDbtInd")
    indicator = _text(element, "CdtDbtInd")
    if indicator not in _SIGNS:
        raise _failure(element, f"{_name(element)} has CdtDbtInd {indicator!r}, not CRDT or DBIT")
    minor = to_minor_units(value, currency, path=f"line {_line(amount)}")
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
    """The day of ``path/Dt`` or ``path/DtTm``: a date-time's own calendar day, as the bank wrote it."""
    text = _text(element, f"{path}/Dt") or _text(element, f"{path}/DtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as error:
        raise _failure(element, f"{_name(element)}/{path} {text!r} is not a date") from error


def _text(element: etree._Element, path: str) -> str:
    """The stripped text at ``path`` (local names separated by ``/``), or ``""``."""
    found = element.find("/".join(f"{{*}}{name}" for name in path.split("/")))
    return (found.text or "").strip() if found is not None else ""


def _name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _line(element: etree._Element | None) -> int:
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else 1


def _failure(element: etree._Element | None, message: str) -> ValidationFailed:
    return ValidationFailed.single(f"line {_line(element)}", "format", message)
