"""Transaction types: the kinds of voucher, each with its own gapless number series.

The incoming-balance type (Norwegian "inngående balanse", IB) carries the balances a company brings into
the books when it starts or moves systems. Balance reports count IB lines as part of the opening balance,
not as movement, unless asked to (``keepIncoming=true``).

The year-end closing type (årsavslutning) carries the voucher that moves a closed fiscal year's result to
equity, in a number series of its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StandardTransactionType:
    number: int
    name: str
    is_incoming_balance: bool = False


INCOMING_BALANCE_TYPE_NUMBER = 10
CLOSING_TYPE_NUMBER = 11
CLOSING_TYPE_NAME = "Årsavslutning"

STANDARD_TRANSACTION_TYPES: tuple[StandardTransactionType, ...] = (
    StandardTransactionType(1, "Utgående faktura"),
    StandardTransactionType(2, "Inngående faktura"),
    StandardTransactionType(3, "Kassebilag"),
    StandardTransactionType(4, "Lønn"),
    StandardTransactionType(5, "Bank"),
    StandardTransactionType(6, "Diverse bilag"),
    StandardTransactionType(INCOMING_BALANCE_TYPE_NUMBER, "Inngående balanse", is_incoming_balance=True),
    StandardTransactionType(CLOSING_TYPE_NUMBER, CLOSING_TYPE_NAME),
)
