"""Keeping stored totals inside the signed 64-bit range of their columns.

The per-day and per-month totals (of ledger accounts and of bank accounts) are ``BIGINT`` columns that a
write adds to. Past ``2**63 - 1`` minor units the two databases fail differently, and both badly: PostgreSQL
raises "bigint out of range", and SQLite silently turns the sum into a REAL, a binary floating-point number
that is no longer exact money. kontobok refuses such a write instead, before anything is stored:

- the amounts a batch adds to each total are summed in Python, where integers do not overflow, and each sum
  must fit (:func:`check_deltas_fit`);
- the upsert adds a sum to a stored total only where the result fits (:func:`fits_after_adding`, written so
  that the check itself cannot overflow) and returns the keys it wrote; a key it did not write is a total
  that would have left the range, and the caller raises, so that its transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import sqlalchemy as sa

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.money import MAX_STORED_TOTAL, MIN_STORED_TOTAL, fits_stored_total

_Key = TypeVar("_Key")


def fits_after_adding(current: sa.ColumnElement[int], added: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """SQL: whether ``current + added`` fits a signed 64-bit integer, evaluated without overflowing."""
    highest = sa.literal(MAX_STORED_TOTAL, sa.BigInteger)
    lowest = sa.literal(MIN_STORED_TOTAL, sa.BigInteger)
    return sa.case((added >= 0, current <= highest - added), else_=current >= lowest - added)


def check_deltas_fit(deltas: Mapping[_Key, Iterable[int]], describe: Callable[[_Key], str]) -> None:
    """Raise when any amount a batch adds to one total is itself outside the 64-bit range."""
    for key, amounts in deltas.items():
        if not all(fits_stored_total(amount) for amount in amounts):
            raise overflow(describe(key))


def check_all_written(sent: Iterable[_Key], written: Iterable[_Key], describe: Callable[[_Key], str]) -> None:
    """Raise for the first total (in key order) that the guarded upsert left alone."""
    refused = set(sent) - set(written)
    if refused:
        raise overflow(describe(min(refused)))  # type: ignore[type-var]


def overflow(total: str) -> ValidationFailed:
    return ValidationFailed(
        [
            Problem(
                "/lines",
                "maximum",
                f"{total} would leave the range kontobok stores exactly "
                f"({MIN_STORED_TOTAL} to {MAX_STORED_TOTAL} minor units); nothing was stored",
            )
        ]
    )
