"""The benchmark's books written as files: JSON lines for ``kontobok import transactions``, a ledger-cli
journal with the same lines, and the bank's daily statements.

Amounts are written from integer minor units as exact decimal text, never through ``float``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from kontobok.bench.dataset import (
    BANK_ACCOUNTS,
    FIRST_DAY,
    INCOMING_BALANCE,
    BenchLine,
    BenchVoucher,
    stored_lines,
)
from kontobok.core.statements import StatedBalance, Statement, StatementEntry

WRITE_BUFFER = 1 << 20


def decimal_text(minor: int) -> str:
    """``-123456`` → ``"-1234.56"``: two-decimal minor units as exact text."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def _line_json(line: BenchLine) -> str:
    currency = "" if line.rate is None else f',"currency":{{"code":"{line.currency}","rate":{line.rate}}}'
    return (
        f'{{"accountNumber":{line.account},"amount":{decimal_text(line.amount)},'
        f'"tax":{{"number":{line.tax}}}{currency}}}'
    )


def transaction_input_json(voucher: BenchVoucher) -> str:
    """The vendor's ``TransactionInput`` for ``voucher`` on one line of JSON."""
    lines = ",".join(_line_json(line) for line in voucher.lines)
    return (
        f'{{"transactionTypeNumber":{voucher.type_number},"date":"{voucher.day.isoformat()}",'
        f'"comment":"{voucher.comment}","lines":[{lines}]}}'
    )


@dataclass
class WrittenBooks:
    """What was written: counts, and the bank's movements per account and day for its statements."""

    vouchers: int = 0
    lines: int = 0
    bank_openings: dict[int, int] = field(default_factory=dict)
    bank_movements: dict[int, dict[date, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    @property
    def bank_entries(self) -> int:
        return sum(len(moves) for by_day in self.bank_movements.values() for moves in by_day.values())


def write_books(vouchers: Iterable[BenchVoucher], jsonl: Path, journal: Path) -> WrittenBooks:
    """Write every voucher to ``jsonl`` (as clients send it) and ``journal`` (as stored, for ledger-cli)."""
    written = WrittenBooks()
    with (
        jsonl.open("w", encoding="utf-8", buffering=WRITE_BUFFER) as inputs,
        journal.open("w", encoding="utf-8", buffering=WRITE_BUFFER) as ledger,
    ):
        for voucher in vouchers:
            written.vouchers += 1
            inputs.write(transaction_input_json(voucher) + "\n")
            postings = [
                f"    A:{line.account}  {decimal_text(line.base)} NOK" for line in stored_lines(voucher)
            ]
            written.lines += len(postings)
            ledger.write(
                f"{voucher.day.isoformat()} * {voucher.type_number}-{written.vouchers} {voucher.comment}\n"
                + "\n".join(postings)
                + "\n\n"
            )
            for line in voucher.lines:
                if line.account in BANK_ACCOUNTS and voucher.type_number == INCOMING_BALANCE:
                    written.bank_openings[line.account] = line.amount
                elif line.account in BANK_ACCOUNTS:
                    written.bank_movements[line.account][voucher.day].append(line.amount)
    return written


def daily_statements(written: WrittenBooks) -> Iterator[Statement]:
    """One statement per bank account and day it moved, opening where the previous one closed; the first
    opens with the incoming balance at the end of the day before the books begin."""
    for account, by_day in sorted(written.bank_movements.items()):
        currency, number = BANK_ACCOUNTS[account]
        balance = written.bank_openings.get(account, 0)
        previous_day = FIRST_DAY - timedelta(days=1)
        for day, moves in sorted(by_day.items()):
            opening = StatedBalance(previous_day, balance, currency)
            balance += sum(moves)
            yield Statement(
                identity=f"BENCH-{number}-{day.isoformat()}",
                account_number=number,
                currency=currency,
                opening=opening,
                closing=StatedBalance(day, balance, currency),
                entries=tuple(
                    StatementEntry(
                        booking_date=day,
                        amount=amount,
                        currency=currency,
                        bank_reference=f"{day:%Y%m%d}{index:06d}",
                        description="Innbetaling" if amount > 0 else "Betaling",
                    )
                    for index, amount in enumerate(moves)
                ),
            )
            previous_day = day
