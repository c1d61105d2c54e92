"""MT940 files: SWIFT customer statements, read one statement at a time.

An MT940 file is a run of statements. Each one starts at its ``:20:`` tag (the bank's reference for the
message), names its account in ``:25:`` and its number and page in ``:28C:`` (``5/1`` is statement 5,
page 1). A bank may wrap each statement in a SWIFT envelope (``{1:...}{2:...}{4:`` before it, ``-}`` or
``-}{5:}`` after it); the envelope is not part of the statement.

Balances are stated as a mark, a day, a currency and an amount; the mark ``C`` means the account holds money
and ``D`` that it is overdrawn, so a ``D`` balance is negative here:

- ``:60F:`` is the statement's opening balance (the previous statement's closing balance);
- ``:62F:`` is its closing balance, the end of the day it names;
- a statement too long for one message is paged: a page closes with ``:62M:`` and the next page opens with
  ``:60M:`` of the same amount. Each page has its own ``:20:`` and ``:28C:``, adds up on its own, and is
  read here as a statement whose opening is the ``:60M:`` and closing the ``:62M:``. Should a ``:62M:`` be
  followed by a ``:60M:`` inside one statement, it is kept in ``intermediate``;
- ``:64:`` and ``:65:`` (available and forward available balances) are not booked balances and are skipped.

Each ``:61:`` is one entry: its value date (the day interest counts from), usually its entry date (the day
the bank booked it, month and day only), a mark, the amount, a transaction type, the customer reference and
after ``//`` the bank's own reference. ``C`` and ``RD`` (a reversed debit) bring money in, ``D`` and ``RC``
(a reversed credit) take it out. The ``:86:`` that follows carries the text; German banks split it into
``?nn`` sub-fields (``?20``-``?29`` the purpose, ``?31`` the counterparty's account, ``?32``/``?33`` its
name).

Dates: kontobok counts an entry on its booking date, so ``booking_date`` is the ``:61:`` entry date, and the
value date only when the bank leaves the entry date out. The fixtures show why: in
``betterplace_sepa_mt9401.sta`` three credits have value date 2007-09-07 and entry date 2007-09-04, and the
statements that include them close on 2007-09-04; dated by value they would fall after the very closing
balance that counts them.

How a file is read: line by line, cut at each ``:20:``; a statement ends at the next ``:20:``, at a ``-``
line or at an envelope line, and text between statements is ignored, as the ``mt940`` package does. Lines
are UTF-8, or ISO 8859-1 when they are not. Each statement is parsed by the ``mt940`` package, with
processors that record every balance and every ``:61:`` with its ``:86:`` in file order, because the
package's own result keeps only the last balance of each kind and merges a structured ``:86:``'s ``KREF``
into the ``:61:`` customer reference. The package signs ``RC`` positive unless asked
(``Options.reversal_sign``); without that, ``betterplace_sepa_mt9401.sta`` does not add up. ASN Bank puts
the counterparty's IBAN, 18 characters, where SWIFT allows a 16-character customer reference; a statement
with a ``:61:`` that does not match the standard layout is parsed with the package's relaxed
``StatementGLS`` layout instead (a customer reference of any length up to ``//``).

Amounts and days are checked against SWIFT's own layout before the package reads them, because the package
matches them with Python's digit class, which takes the digits of any script: a balance is a mark,
``YYMMDD``, a
currency and an amount of ASCII digits with one decimal comma (``15d``: at most 15 characters, at least one
digit before the comma); a ``:61:`` starts with its ``YYMMDD`` value date, an optional ``MMDD`` entry date,
its mark and such an amount. Every amount is at most 999 999 999 999.99, as the API allows.

Identity: ``:20:/statement number/page/account/opening day``. ASN Bank sends ``:20:0000000000`` for every
statement and numbers them ``n/1`` from 1 each month, so the opening day keeps January's 1/1 apart from
February's. The identity is made of what the statement says, not of where it sits in a file: the same
statement read from another file, or twice from one, has the same identity, and the store adds it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from mt940.models import Amount, Balance, Transactions
from mt940.options import Options
from mt940.tags import TAG_BY_ID, StatementGLS, Tag

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.money import to_capped_minor_units
from kontobok.core.statements import StatedBalance, Statement, StatementEntry

_TagSet = Mapping[int | str, Tag]
_Processor = Callable[..., dict[str, Any]]

_OPTIONS = Options(
    reversal_sign=True,
    case_insensitive_marks=True,
    applicant_iban=True,
    unbounded_details=True,
    gvc_leading_text=True,
)
_STANDARD_TAGS: _TagSet = TAG_BY_ID
_STANDARD_LINE = TAG_BY_ID[61]
_RELAXED_LINE = StatementGLS()
_RELAXED_TAGS: _TagSet = {**TAG_BY_ID, _RELAXED_LINE.id: _RELAXED_LINE}
# What the package raises on text it cannot read: a tag that does not match its layout (RuntimeError), a
# date or number that is not one (ValueError, decimal.InvalidOperation).
_PACKAGE_ERRORS = (RuntimeError, ValueError, ArithmeticError, LookupError, TypeError)

_TAG = re.compile(r":(?P<number>\d{2}|NS)(?P<letter>[A-Z])?:")
_ENVELOPE = re.compile(r"\{\d:")
_CURRENCY = re.compile(r"[A-Z]{3}")
_OPENING_SLUGS = ("opening_balance", "final_opening_balance", "intermediate_opening_balance")
_CLOSING_SLUGS = ("closing_balance", "final_closing_balance", "intermediate_closing_balance")
_OTHER_BALANCE_SLUGS = ("available_balance", "forward_available_balance")
_NO_REFERENCE = "NONREF"
# SWIFT's layouts of a balance (``1!a6!n3!a15d``) and of the start of a ``:61:`` (``6!n[4!n]2a[1!a]15d``),
# in ASCII digits; the ``d`` amount has one decimal comma and at least one digit before it.
_BALANCE_LAYOUT = re.compile(r"[CD][0-9]{6}[A-Z]{3}(?P<amount>[0-9]+,[0-9]*)", re.ASCII | re.IGNORECASE)
_ENTRY_LAYOUT = re.compile(
    r"[0-9]{6}(?:[0-9]{4}|\s{2})?[A-Z]?[DC][A-Z]?[\n ]?(?P<amount>[0-9]+,[0-9]*)", re.ASCII | re.IGNORECASE
)
_MAX_AMOUNT_CHARACTERS = 15
_MAX_ACCOUNT_CHARACTERS = 35


@dataclass(frozen=True)
class _TagText:
    full: str
    number: str
    line: int
    value: str


@dataclass
class _Chunk:
    """The lines of one statement, from its ``:20:`` to its end, and where they are in the file."""

    first_line: int
    lines: list[str]

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1

    def text(self) -> str:
        return "\n".join(self.lines)

    def tags(self) -> list[_TagText]:
        """Each tag with its line and value, recognised the way the package recognises them."""
        found: list[_TagText] = []
        for offset, line in enumerate(self.lines):
            match = _TAG.match(line)
            if match and _tag_id(match["number"]) in TAG_BY_ID:
                full = match["number"] + (match["letter"] or "")
                found.append(_TagText(full, match["number"], self.first_line + offset, line[match.end() :]))
            elif found and line.strip():
                last = found[-1]
                found[-1] = _TagText(last.full, last.number, last.line, f"{last.value}\n{line}")
        return [_TagText(t.full, t.number, t.line, t.value.strip()) for t in found]


@dataclass
class _Line:
    fields: dict[str, Any]
    details: dict[str, Any] | None = None


@dataclass
class _Recorder:
    """Records, in file order, each balance and each ``:61:`` with the ``:86:`` right after it."""

    balances: list[tuple[str, Balance]] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    awaiting_details: bool = False

    def processors(self) -> dict[str, list[_Processor]]:
        defaults = Transactions.DEFAULT_PROCESSORS
        chosen: dict[str, list[_Processor]] = {
            "post_statement": [*defaults["post_statement"], self._line],
            "post_transaction_details": [*defaults["post_transaction_details"], self._details],
        }
        for slugs, kind in ((_OPENING_SLUGS, "opening"), (_CLOSING_SLUGS, "closing")):
            for slug in slugs:
                chosen[f"post_{slug}"] = [self._balance(kind)]
        for slug in _OTHER_BALANCE_SLUGS:
            chosen[f"post_{slug}"] = [self._balance("other")]
        return chosen

    def _balance(self, kind: str) -> _Processor:
        def record(_: Transactions, tag: Tag, __: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
            self.awaiting_details = False
            if kind != "other":
                self.balances.append((kind, result[tag.slug]))
            return result

        return record

    def _line(self, _: Transactions, __: Tag, ___: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        self.lines.append(_Line(dict(result)))
        self.awaiting_details = True
        return result

    def _details(
        self, _: Transactions, __: Tag, ___: dict[str, Any], result: dict[str, Any]
    ) -> dict[str, Any]:
        if self.awaiting_details and self.lines:
            self.lines[-1].details = dict(result)
        self.awaiting_details = False
        return result


def read_mt940(path: Path) -> Iterator[Statement]:
    """Each statement of the file in order; raises ``ValidationFailed`` at the first one that is malformed."""
    with path.open("rb") as stream:
        for chunk in _cut(stream):
            yield _statement(chunk)


def _cut(stream: Iterable[bytes]) -> Iterator[_Chunk]:
    chunk: _Chunk | None = None
    found = False
    for number, raw in enumerate(stream, start=1):
        line = _decode(raw)
        if number == 1:
            line = line.removeprefix("\ufeff")
        stripped = line.strip()
        if line.startswith(":20:"):
            if chunk is not None:
                yield chunk
            found = True
            chunk = _Chunk(number, [line])
        elif stripped == "-" or stripped.startswith("-}") or _ENVELOPE.match(stripped):
            if chunk is not None:
                yield chunk
            chunk = None
        elif chunk is not None:
            chunk.lines.append(line)
        elif (match := _TAG.match(line)) is not None:
            raise _failure(number, f"{match[0]} outside a statement: a statement starts at its :20: tag")
    if chunk is not None:
        yield chunk
    if not found:
        raise _failure(1, "no MT940 statement: no line starts with the :20: tag")


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    return text.rstrip()


def _statement(chunk: _Chunk) -> Statement:
    tags = chunk.tags()
    for tag in tags:
        _check_layout(tag)
    transactions, recorder = _parse(chunk, tags)
    data = transactions.data
    account = str(data.get("account_identification") or "").strip()
    if not account:
        raise _failure(chunk.first_line, "the statement has no account (:25:)")
    balance_lines = _tag_lines(tags, {"60", "62"}, len(recorder.balances), chunk.first_line)
    balances = list(zip(recorder.balances, balance_lines, strict=True))
    balance_tags = [tag.full for tag in tags if tag.number in {"60", "62"}]
    final = [not full.endswith("M") for full in balance_tags]
    if len(final) != len(recorder.balances):
        final = [True] * len(recorder.balances)
    opening_finals = [
        is_final for (kind, _), is_final in zip(recorder.balances, final, strict=True) if kind == "opening"
    ]
    closing_finals = [
        is_final for (kind, _), is_final in zip(recorder.balances, final, strict=True) if kind == "closing"
    ]
    openings = [(balance, line) for (kind, balance), line in balances if kind == "opening"]
    closings = [(balance, line) for (kind, balance), line in balances if kind == "closing"]
    if not openings:
        raise _failure(chunk.first_line, "the statement has no opening balance (:60F: or :60M:)")
    if not closings:
        raise _failure(
            chunk.last_line,
            f"the statement that starts at line {chunk.first_line} has no closing balance (:62F: or :62M:)",
        )
    currency = _currency(*openings[0])
    opening = _stated(*openings[0], currency)
    closing = _stated(*closings[-1], currency)
    line_numbers = _tag_lines(tags, {"61"}, len(recorder.lines), chunk.first_line)
    entries = tuple(
        _entry(line, number, currency) for line, number in zip(recorder.lines, line_numbers, strict=True)
    )
    key = "/".join(
        str(data.get(name) or "").strip()
        for name in ("transaction_reference", "statement_number", "sequence_number")
    )
    return Statement(
        source_line=chunk.first_line,
        identity=f"{key}/{account}/{opening.day.isoformat()}",
        account_number=account,
        currency=currency,
        opening=opening,
        closing=closing,
        entries=entries,
        intermediate=tuple(_stated(balance, line, currency) for balance, line in closings[:-1]),
        opening_is_final=opening_finals[0],
        closing_is_final=closing_finals[-1],
    )


def _check_layout(tag: _TagText) -> None:
    """Refuse a balance or ``:61:`` whose day or amount is not in SWIFT's layout of ASCII digits."""
    if tag.number == "25" and (len(tag.value) > _MAX_ACCOUNT_CHARACTERS or "\n" in tag.value):
        raise _failure(
            tag.line, f":25: holds more than the {_MAX_ACCOUNT_CHARACTERS} characters of an account"
        )
    if tag.number in {"60", "62", "64", "65"}:
        layout, what = _BALANCE_LAYOUT, "a balance (mark, YYMMDD, currency, amount such as 1234,56)"
    elif tag.number == "61":
        layout, what = _ENTRY_LAYOUT, "an entry (YYMMDD, optional MMDD, mark, amount such as 1234,56)"
    else:
        return
    match = layout.match(tag.value)
    after = tag.value[match.end() : match.end() + 1] if match else ""
    if (
        match is None
        or len(match["amount"]) > _MAX_AMOUNT_CHARACTERS
        or after.isdigit()
        or after == ","
        or (tag.number != "61" and tag.value[match.end() :].strip())
    ):
        raise _failure(
            tag.line,
            f":{tag.full}: does not have this tag's layout: {_first(tag.value)[:40]!r} is not {what}",
        )


def _tag_lines(tags: list[_TagText], numbers: set[str], count: int, fallback: int) -> list[int]:
    """The lines of the tags the recorder saw, in its order; the first line should the two not pair up."""
    lines = [tag.line for tag in tags if tag.number in numbers]
    return lines if len(lines) == count else [fallback] * count


def _parse(chunk: _Chunk, tags: list[_TagText]) -> tuple[Transactions, _Recorder]:
    layout = _STANDARD_TAGS
    if any(tag.number == "61" and _STANDARD_LINE.re.match(tag.value) is None for tag in tags):
        layout = _RELAXED_TAGS
    try:
        return _run(chunk.text(), layout)
    except _PACKAGE_ERRORS as error:
        raise _located(tags, layout, error, chunk.first_line) from error


def _run(text: str, tags: _TagSet) -> tuple[Transactions, _Recorder]:
    recorder = _Recorder()
    transactions = Transactions(processors=recorder.processors(), tags=dict(tags), options=_OPTIONS)
    transactions.parse(text)
    return transactions, recorder


def _located(tags: list[_TagText], layout: _TagSet, error: Exception, first_line: int) -> ValidationFailed:
    """The first tag of the statement that the package cannot read on its own, with its line."""
    scratch = Transactions(tags=dict(layout), options=_OPTIONS)
    for item in tags:
        tag = scratch.tags.get(item.full) or scratch.tags[_tag_id(item.number)]
        if tag.re.match(item.value) is None:
            return _failure(
                item.line, f":{item.full}: does not have this tag's layout: {_first(item.value)!r}"
            )
        try:
            data: dict[str, Any] = dict(tag.parse(scratch, item.value))
            for processor in scratch.processors.get(f"pre_{tag.slug}", []):
                data = processor(scratch, tag, data)
            result = tag(scratch, data)
        except _PACKAGE_ERRORS as failure:
            return _failure(item.line, f":{item.full}: {failure or type(failure).__name__}")
        if issubclass(tag.scope, Transactions):
            scratch.data.update(result)
    return _failure(first_line, f"the statement cannot be read: {error}")


def _first(value: str) -> str:
    return value.splitlines()[0] if value else ""


def _currency(balance: Balance, line: int) -> str:
    amount = balance.amount
    currency = (amount.currency or "") if isinstance(amount, Amount) else ""
    if not _CURRENCY.fullmatch(currency):
        raise _failure(line, f"the balance's currency {currency!r} is not a three-letter code")
    return currency


def _stated(balance: Balance, line: int, currency: str) -> StatedBalance:
    if not isinstance(balance.amount, Amount) or balance.date is None:
        raise _failure(line, "the balance has no amount or no day")
    if _currency(balance, line) != currency:
        raise _failure(line, f"the balance is in {balance.amount.currency}, the statement in {currency}")
    return StatedBalance(
        day=_plain(balance.date), amount=_minor(balance.amount.amount, currency, line), currency=currency
    )


def _entry(line: _Line, number: int, currency: str) -> StatementEntry:
    fields, details = line.fields, line.details or {}
    amount = fields.get("amount")
    value_day = fields.get("date")
    if not isinstance(amount, Amount) or not isinstance(value_day, date):
        raise _failure(number, "the entry has no amount or no value date")
    entry_day = fields.get("entry_date")
    return StatementEntry(
        booking_date=_plain(entry_day if isinstance(entry_day, date) else value_day),
        amount=_minor(amount.amount, currency, number),
        currency=currency,
        value_date=_plain(value_day),
        bank_reference=_reference(fields),
        description=_description(fields, details),
        counterparty_name=_text(details.get("applicant_name")) or None,
        counterparty_account=(
            _text(details.get("applicant_iban")) or _text(details.get("gvc_applicant_iban")) or None
        ),
    )


def _reference(fields: dict[str, Any]) -> str | None:
    """The bank's reference, else the customer's, unless it is ``NONREF`` (SWIFT's "no reference")."""
    for name in ("bank_reference", "customer_reference"):
        value = _text(fields.get(name))
        if value and value.upper() != _NO_REFERENCE:
            return value
    return None


def _description(fields: dict[str, Any], details: dict[str, Any]) -> str:
    """The ``:86:`` purpose or text, else its posting text, else the ``:61:`` supplementary details."""
    for value in (
        details.get("purpose"),
        details.get("transaction_details"),
        details.get("posting_text"),
        fields.get("extra_details"),
    ):
        if text := _text(value):
            return text
    return ""


def _text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    return "\n".join(part.strip() for part in value.splitlines() if part.strip())


def _minor(amount: Decimal, currency: str, line: int) -> int:
    minor = to_capped_minor_units(amount, currency, path=f"line {line}")
    if isinstance(minor, Problem):
        raise ValidationFailed([minor])
    return minor


def _plain(day: date) -> date:
    return date(day.year, day.month, day.day)


def _tag_id(number: str) -> int | str:
    return int(number) if number.isdigit() else number


def _failure(line: int, message: str) -> ValidationFailed:
    return ValidationFailed.single(f"line {line}", "format", message)
