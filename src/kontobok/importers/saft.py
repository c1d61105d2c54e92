"""SAF-T Financial files (Norway, schema 1.10 to 1.30), read as a stream of records in document order.

A SAF-T Financial file is one ``AuditFile`` in the namespace ``urn:StandardAuditFile-Taxation-Financial:NO``
(the same in every version) with three parts:

- ``Header``: the file's version, the company (``Company/Name``, ``Company/RegistrationNumber``), the
  ``DefaultCurrencyCode`` every amount is stated in, the producing software and the ``SelectionCriteria``:
  either calendar dates (``SelectionStartDate``, ``SelectionEndDate``) or accounting periods
  (``PeriodStart``/``PeriodStartYear`` to ``PeriodEnd``/``PeriodEndYear``). Periods are read as months,
  1 to 12, so the selection runs from the first day of the first period to the last day of the last one.
- ``MasterFiles``: the chart of accounts (``GeneralLedgerAccounts/Account``, each with its opening and
  closing balance), ``Customers``, ``Suppliers``, the ``TaxTable`` and the ``AnalysisTypeTable``
  (dimensions such as departments and projects).
- ``GeneralLedgerEntries``: ``Journal`` elements holding ``Transaction`` elements (vouchers), each a set of
  ``Line`` elements that post a ``DebitAmount`` or a ``CreditAmount`` to an account.

A balance is written as a debit or a credit element (``OpeningDebitBalance`` or ``OpeningCreditBalance``) and
read as one signed number, debit positive. An amount structure (``DebitAmount``, ``CreditAmount``, the tax
amounts) holds ``Amount`` in the default currency and, for foreign-currency postings, ``CurrencyCode``,
``CurrencyAmount`` and ``ExchangeRate``; the currency amount takes the sign of the side it is on.

The versions differ in a few places, and the reader accepts either form wherever they do, so it needs no
version switch (real files are not reliable about ``AuditFileVersion``: Skatteetaten's own 1.10 example
says ``1.0``):

- 1.10 and 1.20 map an account with ``StandardAccountID`` (a two-character standard account; 1.20 also
  allows ``GroupingCategory``/``GroupingCode``); 1.30 requires ``GroupingCategory``/``GroupingCode`` and
  drops ``StandardAccountID``.
- 1.10 and 1.20 give a customer or supplier one ``AccountID`` and its balances directly; 1.30 moves them
  into ``BalanceAccount`` elements, any number of them. Several are summed, and the party's balance
  account is the first one's ``AccountID``.
- 1.10 and 1.20 state a line's tax as ``TaxInformation/TaxAmount`` without a side; it is signed like the
  line (input VAT on a debit line is a debit). 1.30 writes ``DebitTaxAmount`` or ``CreditTaxAmount``.
- 1.30 adds ``VoucherType`` and ``VoucherDescription`` to a transaction.

Not read: addresses, contacts, bank accounts and party info; taxonomies, products, stock, owners and
assets; the analysis amounts of a line (only which dimension values it carries); a line's tax base,
reference number, due date and quantities; any ``TaxInformation`` after a line's first; the control
totals of ``GeneralLedgerEntries``; and ``SourceDocuments`` (invoices, payments, movements of goods).
None of it changes what the ledger holds.

The file is read with ``lxml.etree.iterparse``, asking only for the end of the elements above. Each one is
turned into a record and then cleared, together with everything parsed before it, so memory holds one
transaction at a time however large the file. A transaction may have at most
``MAX_LINES_PER_TRANSACTION`` lines: the reader counts them as they end and refuses the transaction at the
line past the limit, before it is held. The first malformed element raises ``ValidationFailed`` with the
line it is on and the path of the element at fault, e.g. ``line 57 Line/DebitAmount/Amount``.

Values are read strictly by the schema's types, from the element's whole text (comments inside it
included, see :mod:`kontobok.importers.xml_text`): numbers (``xs:decimal``: an optional sign, ASCII digits
and a point, at most 22 digits; amounts ``SAFmonetaryType``, at most 999 999 999 999.99 either way as the
API allows), whole numbers (``xs:integer``, at most 9 digits), days (``xs:date``, ``YYYY-MM-DD`` with an
optional time zone) and the selection's years (1970 to 2100). ``1E+3``, ``NaN``, ``1_000`` and digits of
other scripts are refused.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from lxml import etree

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.money import to_capped_minor_units
from kontobok.core.saft import (
    SaftAccount,
    SaftAnalysisType,
    SaftHeader,
    SaftItem,
    SaftLine,
    SaftParty,
    SaftTaxCode,
    SaftTransaction,
)
from kontobok.importers.xml_text import element_text, local_name, source_line

MAX_LINES_PER_TRANSACTION = 20_000

_Element = etree._Element

# The elements read, by the container they must sit in (a Supplier also appears inside an Asset).
_READ = {
    "Header": "AuditFile",
    "Account": "GeneralLedgerAccounts",
    "Customer": "Customers",
    "Supplier": "Suppliers",
    "TaxTableEntry": "TaxTable",
    "AnalysisTypeTableEntry": "AnalysisTypeTable",
    "Transaction": "Journal",
}
# Repeated elements that are not read but still have to be dropped as they pass, to keep memory flat.
_DROPPED = (
    "Taxonomy", "UOMTableEntry", "MovementTypeTableEntry", "Product", "PhysicalStockEntry", "Owner",
    "Asset", "Invoice", "Payment", "StockMovement", "AssetTransaction",
)  # fmt: skip
# ``Line`` is asked for only to count a transaction's lines while it is being read.
_TAGS = tuple(f"{{*}}{name}" for name in (*_READ, *_DROPPED, "Line"))

# xs:decimal, xs:integer and xs:date, in ASCII digits only
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_MAX_DIGITS = 22
_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_CURRENCY = re.compile(r"[A-Z]{3}")
# PeriodStartYear and PeriodEndYear in the schema
_FIRST_YEAR, _LAST_YEAR = 1970, 2100


_Fields = dict[str, _Element]
_T = TypeVar("_T")


def read_saft(path: Path) -> Iterator[SaftItem]:
    """The header, master-file records and transactions of the file, in document order.

    Raises ``ValidationFailed`` at the first malformed element; the records before it have been yielded.
    """
    context = _Context()
    with path.open("rb") as stream:
        events = etree.iterparse(stream, events=("end",), tag=_TAGS, resolve_entities=False, no_network=True)
        try:
            for _, element in events:
                if _counted_line(element, context):
                    continue
                yield from _records(element, context)
                _forget(element)
        except etree.XMLSyntaxError as error:
            raise ValidationFailed.single(
                f"line {max(error.lineno or 1, 1)}", "format", f"not well-formed XML: {error.msg}"
            ) from error
        root = events.root
    if context.currency is None:
        raise _missing(
            root, "AuditFile/Header", "no Header element: the document is not a SAF-T Financial file"
        )


@dataclass
class _Context:
    """What later elements need from earlier ones: the default currency and the enclosing journal."""

    currency: str | None = None
    journal: _Element | None = None  # held, so that lxml hands back this very proxy for the same journal
    journal_id: str = ""
    journal_type: str | None = None
    lines_read: int = 0  # lines of the transaction being read


def _counted_line(element: _Element, context: _Context) -> bool:
    """Whether ``element`` is a ``Line``: counted when it belongs to a transaction, and left in place."""
    if _name(element) != "Line":
        return False
    transaction = element.getparent()
    if _name(transaction) == "Transaction":
        context.lines_read += 1
        if context.lines_read > MAX_LINES_PER_TRANSACTION:
            raise _invalid(
                element,
                "Transaction/Line",
                f"the transaction that starts at line {_line(transaction)} has more than "
                f"{MAX_LINES_PER_TRANSACTION} lines, the most kontobok reads in one transaction",
            )
    return True


def _records(element: _Element, context: _Context) -> Iterator[SaftItem]:
    name = _name(element)
    container = _READ.get(name)
    if container is None or _name(element.getparent()) != container:
        return  # dropped, like the Supplier of an Asset
    if name == "Header":
        header = _header(element)
        context.currency = header.default_currency
        yield header
        return
    currency = context.currency
    if currency is None:
        raise _missing(
            element, "AuditFile/Header", f"{name} comes before any Header: not a SAF-T Financial file"
        )
    if name == "Account":
        yield _account(element, currency)
    elif name in {"Customer", "Supplier"}:
        yield _party(element, name, currency)
    elif name == "TaxTableEntry":
        yield from (_tax_code(details) for details in element.iterfind("{*}TaxCodeDetails"))
    elif name == "AnalysisTypeTableEntry":
        yield _analysis_type(element)
    else:
        context.lines_read = 0
        yield _transaction(element, currency, context)


def _forget(element: _Element) -> None:
    """Drop the element and everything parsed before it, so memory holds one record at a time."""
    element.clear()
    node, parent = element, element.getparent()
    while parent is not None:
        while node.getprevious() is not None:
            del parent[0]
        node, parent = parent, parent.getparent()


def _header(element: _Element) -> SaftHeader:
    fields = _children(element)
    company = _require(element, fields, "Header", "Company")
    company_fields = _children(company)
    currency = _required(element, fields, "Header", "DefaultCurrencyCode")
    if not _CURRENCY.fullmatch(currency):
        raise _invalid(
            fields["DefaultCurrencyCode"], "Header/DefaultCurrencyCode", f"{currency!r} is not a currency"
        )
    start, end = _selection(element, fields)
    software = [_text(fields.get(name)) for name in ("SoftwareCompanyName", "SoftwareID")]
    return SaftHeader(
        audit_file_version=_required(element, fields, "Header", "AuditFileVersion"),
        company_name=_required(company, company_fields, "Header/Company", "Name"),
        organization_number=_optional(company_fields, "RegistrationNumber"),
        default_currency=currency,
        period_start=start,
        period_end=end,
        software=" ".join(part for part in software if part) or None,
    )


def _selection(header: _Element, fields: _Fields) -> tuple[date, date]:
    """The first and last day the file covers, from calendar dates or from months of the year."""
    path = "Header/SelectionCriteria"
    criteria = fields.get("SelectionCriteria")
    if criteria is None:
        raise _missing(header, path, "Header has no SelectionCriteria: the period the file covers is unknown")
    given = _children(criteria)
    if "SelectionStartDate" in given or "SelectionEndDate" in given:
        start = _date(_require(criteria, given, path, "SelectionStartDate"), f"{path}/SelectionStartDate")
        end = _date(_require(criteria, given, path, "SelectionEndDate"), f"{path}/SelectionEndDate")
    else:
        start = _month(criteria, given, path, "PeriodStart")
        end = _month(criteria, given, path, "PeriodEnd")
        end = end.replace(day=calendar.monthrange(end.year, end.month)[1])
    if end < start:
        raise _invalid(criteria, path, f"the selection ends on {end}, before it starts on {start}")
    return start, end


def _month(criteria: _Element, given: _Fields, path: str, name: str) -> date:
    """The first day of period ``name`` of year ``name`` + ``Year``; a period is a month, 1 to 12."""
    period = _require(criteria, given, path, name)
    month = _integer(period, f"{path}/{name}")
    if not 1 <= month <= 12:
        raise _invalid(period, f"{path}/{name}", f"period {month} is not a month of the year (1 to 12)")
    year_element = _require(criteria, given, path, f"{name}Year")
    year = _integer(year_element, f"{path}/{name}Year")
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise _invalid(
            year_element, f"{path}/{name}Year", f"{year} is not a year from {_FIRST_YEAR} to {_LAST_YEAR}"
        )
    return date(year, month, 1)


def _account(element: _Element, currency: str) -> SaftAccount:
    fields = _children(element)
    opening, closing = (_stated(element, fields, moment, currency) for moment in ("Opening", "Closing"))
    return SaftAccount(
        account_id=_required(element, fields, "Account", "AccountID"),
        description=_text(fields.get("AccountDescription")),
        opening=opening,
        closing=closing,
        standard_account_id=_optional(fields, "StandardAccountID"),
        grouping_category=_optional(fields, "GroupingCategory"),
        grouping_code=_optional(fields, "GroupingCode"),
        source_line=_line(element),
    )


def _party(element: _Element, name: str, currency: str) -> SaftParty:
    """A customer or supplier; 1.30 states balances in ``BalanceAccount`` elements, 1.10/1.20 directly."""
    fields = _children(element)
    holders = [(_children(balance), "BalanceAccount") for balance in element.iterfind("{*}BalanceAccount")]
    holders = holders or [(fields, name)]
    openings = [_balance(given, path, "Opening", currency) for given, path in holders]
    closings = [_balance(given, path, "Closing", currency) for given, path in holders]
    return SaftParty(
        kind=name.lower(),
        party_id=_required(element, fields, name, f"{name}ID"),
        name=_text(fields.get("Name")),
        organization_number=_optional(fields, "RegistrationNumber"),
        balance_account_id=_optional(holders[0][0], "AccountID"),
        opening=_sum(openings),
        closing=_sum(closings),
        source_line=_line(element),
    )


def _stated(element: _Element, fields: _Fields, moment: str, currency: str) -> int:
    """An account's opening or closing balance, which the file must give."""
    balance = _balance(fields, "Account", moment, currency)
    if balance is None:
        message = f"Account has neither {moment}DebitBalance nor {moment}CreditBalance"
        raise _missing(element, f"Account/{moment}DebitBalance", message)
    return balance


def _balance(fields: _Fields, path: str, moment: str, currency: str) -> int | None:
    """``<moment>DebitBalance`` minus ``<moment>CreditBalance``, or None when neither is given."""
    debit = _parsed(fields, path, f"{moment}DebitBalance", lambda found, at: _minor(found, at, currency))
    credit = _parsed(fields, path, f"{moment}CreditBalance", lambda found, at: _minor(found, at, currency))
    return _sum([debit, None if credit is None else -credit])


def _sum(amounts: list[int | None]) -> int | None:
    given = [amount for amount in amounts if amount is not None]
    return sum(given) if given else None


def _tax_code(element: _Element) -> SaftTaxCode:
    fields = _children(element)
    return SaftTaxCode(
        tax_code=_required(element, fields, "TaxCodeDetails", "TaxCode"),
        standard_tax_code=_optional(fields, "StandardTaxCode"),
        percentage=_parsed(fields, "TaxCodeDetails", "TaxPercentage", _decimal),
        description=_text(fields.get("Description")),
    )


def _analysis_type(element: _Element) -> SaftAnalysisType:
    fields = _children(element)
    return SaftAnalysisType(
        analysis_type=_required(element, fields, "AnalysisTypeTableEntry", "AnalysisType"),
        analysis_id=_required(element, fields, "AnalysisTypeTableEntry", "AnalysisID"),
        description=_text(fields.get("AnalysisIDDescription")),
    )


def _transaction(element: _Element, currency: str, context: _Context) -> SaftTransaction:
    journal = element.getparent()
    if journal is not context.journal and journal is not None:
        # A journal's own fields precede its first transaction and are dropped once that has been read.
        journal_fields = _children(journal)
        context.journal = journal
        context.journal_id = _required(journal, journal_fields, "Journal", "JournalID")
        context.journal_type = _optional(journal_fields, "Type")
    fields = _children(element)
    return SaftTransaction(
        journal_id=context.journal_id,
        transaction_id=_required(element, fields, "Transaction", "TransactionID"),
        transaction_date=_date(
            _require(element, fields, "Transaction", "TransactionDate"), "Transaction/TransactionDate"
        ),
        description=_text(fields.get("Description")),
        lines=tuple(_line_of(line, currency) for line in element.iterfind("{*}Line")),
        journal_type=context.journal_type,
        voucher_type=_optional(fields, "VoucherType"),
        voucher_description=_optional(fields, "VoucherDescription"),
        period=_parsed(fields, "Transaction", "Period", _integer),
        period_year=_parsed(fields, "Transaction", "PeriodYear", _integer),
        source_line=_line(element),
    )


def _line_of(element: _Element, currency: str) -> SaftLine:
    fields = _children(element)
    account_id = _required(element, fields, "Line", "AccountID")
    sides = [(side, sign) for side, sign in (("DebitAmount", 1), ("CreditAmount", -1)) if side in fields]
    if not sides:
        raise _missing(element, "Line/DebitAmount", "Line has neither DebitAmount nor CreditAmount")
    amount = _amounts(fields, sides, "Line", currency)
    tax = element.find("{*}TaxInformation")
    tax_code, tax_percentage, tax_amount = (
        _tax(tax, amount.amount, currency) if tax is not None else (None,) * 3
    )
    return SaftLine(
        record_id=_text(fields.get("RecordID")),
        account_id=account_id,
        amount=amount.amount,
        description=_text(fields.get("Description")),
        value_date=_parsed(fields, "Line", "ValueDate", _date),
        source_document_id=_optional(fields, "SourceDocumentID"),
        customer_id=_optional(fields, "CustomerID"),
        supplier_id=_optional(fields, "SupplierID"),
        currency=amount.currency,
        currency_amount=amount.currency_amount,
        exchange_rate=amount.exchange_rate,
        tax_code=tax_code,
        tax_percentage=tax_percentage,
        tax_amount=tax_amount,
        analysis=tuple(_dimension(analysis) for analysis in element.iterfind("{*}Analysis")),
        source_line=_line(element),
    )


def _dimension(element: _Element) -> tuple[str, str]:
    fields = _children(element)
    return _required(element, fields, "Line/Analysis", "AnalysisType"), _required(
        element, fields, "Line/Analysis", "AnalysisID"
    )


def _tax(element: _Element, line_amount: int, currency: str) -> tuple[str | None, Decimal | None, int | None]:
    """Code, percentage and signed amount of a line's ``TaxInformation``.

    1.30 gives the side (``DebitTaxAmount``/``CreditTaxAmount``); 1.10 and 1.20 give ``TaxAmount`` alone,
    which takes the side of its line.
    """
    fields = _children(element)
    signs = {"DebitTaxAmount": 1, "CreditTaxAmount": -1, "TaxAmount": -1 if line_amount < 0 else 1}
    sides = [(side, sign) for side, sign in signs.items() if side in fields]
    return (
        _optional(fields, "TaxCode"),
        _parsed(fields, "TaxInformation", "TaxPercentage", _decimal),
        _amounts(fields, sides, "TaxInformation", currency).amount if sides else None,
    )


@dataclass(frozen=True)
class _Amount:
    amount: int
    currency: str | None = None
    currency_amount: int | None = None
    exchange_rate: Decimal | None = None


def _amounts(fields: _Fields, sides: list[tuple[str, int]], path: str, currency: str) -> _Amount:
    """The signed sum of the amount structures ``sides`` (normally one), with their foreign currency."""
    total = 0
    foreign: _Amount | None = None
    for side, sign in sides:
        structure, here = fields[side], f"{path}/{side}"
        given = _children(structure)
        total += sign * _minor(_require(structure, given, here, "Amount"), f"{here}/Amount", currency)
        if (code_element := given.get("CurrencyCode")) is None:
            continue
        code = _text(code_element)
        if not _CURRENCY.fullmatch(code) or (foreign is not None and code != foreign.currency):
            raise _invalid(code_element, f"{here}/CurrencyCode", f"{code!r} is not the currency of the line")
        amount = sign * _minor(
            _require(structure, given, here, "CurrencyAmount"), f"{here}/CurrencyAmount", code
        )
        rate = _parsed(given, here, "ExchangeRate", _decimal)
        if foreign is not None:
            amount, rate = amount + (foreign.currency_amount or 0), rate or foreign.exchange_rate
        foreign = _Amount(0, code, amount, rate)
    if foreign is None:
        return _Amount(total)
    return _Amount(total, foreign.currency, foreign.currency_amount, foreign.exchange_rate)


def _children(element: _Element) -> _Fields:
    """The first child of each local name."""
    found: _Fields = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):
            found.setdefault(tag[tag.rfind("}") + 1 :], child)
    return found


def _require(element: _Element, fields: _Fields, path: str, name: str) -> _Element:
    found = fields.get(name)
    if found is None:
        raise _missing(element, f"{path}/{name}", f"{path.rsplit('/', 1)[-1]} has no {name}")
    return found


def _required(element: _Element, fields: _Fields, path: str, name: str) -> str:
    """The text of child ``name``, which must be there and not be empty."""
    text = _text(_require(element, fields, path, name), f"{path}/{name}")
    if not text:
        raise _missing(fields[name], f"{path}/{name}", f"{name} is empty")
    return text


def _optional(fields: _Fields, name: str) -> str | None:
    return _text(fields.get(name)) or None


def _parsed(fields: _Fields, path: str, name: str, parse: Callable[[_Element, str], _T]) -> _T | None:
    """Child ``name`` parsed, or None when there is none."""
    found = fields.get(name)
    return parse(found, f"{path}/{name}") if found is not None else None


def _text(element: _Element | None, path: str = "") -> str:
    return element_text(element, path)


def _minor(element: _Element, path: str, currency: str) -> int:
    minor = to_capped_minor_units(_decimal(element, path), currency, path=f"line {_line(element)} {path}")
    if isinstance(minor, Problem):
        raise ValidationFailed([minor])
    return minor


def _decimal(element: _Element, path: str) -> Decimal:
    text = _text(element, path)
    if not _NUMBER.fullmatch(text) or sum(character.isdigit() for character in text) > _MAX_DIGITS:
        raise _invalid(element, path, f"{text[:40]!r} is not a number")
    return Decimal(text)


def _integer(element: _Element, path: str) -> int:
    text = _text(element, path)
    if not _INTEGER.fullmatch(text):
        raise _invalid(element, path, f"{text[:40]!r} is not a whole number of at most 9 digits")
    return int(text)


def _date(element: _Element, path: str) -> date:
    text = _text(element, path)
    match = _DATE.fullmatch(text)
    try:
        return date.fromisoformat(match.group(1) if match else "not a date")
    except ValueError as error:
        raise _invalid(element, path, f"{text[:40]!r} is not a date (YYYY-MM-DD)") from error


def _name(element: _Element | None) -> str:
    return local_name(element)


def _line(element: _Element | None) -> int:
    return source_line(element)


def _missing(element: _Element | None, path: str, message: str) -> ValidationFailed:
    return ValidationFailed.single(f"line {_line(element)} {path}", "required", message)


def _invalid(element: _Element, path: str, message: str) -> ValidationFailed:
    return ValidationFailed.single(f"line {_line(element)} {path}", "format", message)
