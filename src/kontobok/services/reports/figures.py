"""Records shared by the reports: an account's amount and a titled section of accounts.

Every amount is an integer count of the organization's currency's minor unit (øre for NOK); the API writes
them as exact JSON numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountAmount:
    """One account's figure in a statement, with the sign the statement shows it with."""

    account_id: int
    number: int
    name: str
    amount: int


@dataclass(frozen=True)
class Section:
    """A titled group of accounts and their total; ``key`` is its JSON name, ``name`` the Norwegian one."""

    key: str
    name: str
    total: int
    accounts: tuple[AccountAmount, ...]
