"""The Powens 2.0 dialect through real HTTP, on both backends.

Bank data is written through the store (the Office bank endpoints are not what these tests check). The
book every test here starts from is :func:`seed_bank_book`, worked out by hand in its docstring.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import sqlalchemy as sa

from kontobok.store.bank_accounts import (
    BankAccount,
    BankAccountDetails,
    add_reported_balance,
    create_bank_account,
)
from kontobok.store.bank_transactions import BankTransaction, add_bank_transactions
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization

IBAN = "NO9386011117947"
BBAN = "86011117947"

# (reference, booking day, signed amount in minor units, currency)
NOK_TRANSACTIONS = [
    ("REF-NOK-0001", date(2024, 1, 3), 200_000, "NOK"),  # +2,000.00
    ("REF-NOK-0002", date(2024, 1, 8), -350_050, "NOK"),  # -3,500.50
    ("REF-NOK-0003", date(2024, 1, 10), 50_000, "NOK"),  # +500.00 on the snapshot's day: inside it
    ("REF-NOK-0004", date(2024, 1, 20), -120_025, "NOK"),  # -1,200.25
    ("REF-NOK-0005", date(2024, 1, 31), 75_000, "NOK"),  # +750.00
    ("REF-NOK-0006", date(2024, 2, 5), -980_000, "NOK"),  # -9,800.00: overdrawn
    ("REF-NOK-0007", date(2024, 2, 9), 100_000, "NOK"),  # +1,000.00
    ("REF-NOK-0008", date(2024, 3, 4), -100_000, "NOK"),  # -1,000.00: overdrawn again
    ("REF-NOK-0009", date(2024, 3, 12), 30_000, "NOK"),  # +300.00
]
EUR_TRANSACTIONS = [
    ("REF-EUR-0001", date(2024, 2, 10), 10_000, "EUR"),  # +100.00 EUR
    ("REF-EUR-0002", date(2024, 3, 1), -4_010, "EUR"),  # -40.10 EUR
]


def seed_bank_book(engine: sa.Engine, organization: Organization) -> BankAccount:
    """A NOK account registered by IBAN, with the bank's balance at two days-ends and transactions around.

    The bank reported 10,000.00 at the end of 2024-01-10. Before it, the balances are worked backwards:
    the end of 01-09 is 10,000.00 - 500.00 (booked on the 10th) = 9,500.00, the same at the end of 01-08,
    and the end of 01-07 is 9,500.00 + 3,500.50 = 13,000.50, as are 01-03 to 01-06; the end of 01-02 is
    13,000.50 - 2,000.00 = 11,000.50.

    After it: 01-20 ends at 10,000.00 - 1,200.25 = 8,799.75, 01-31 at + 750.00 = 9,549.75, 02-05 at
    - 9,800.00 = -250.25, 02-09 at + 1,000.00 = 749.75. The bank's second balance, at the end of 2024-02-15,
    is 749.75 too: the two agree. Then 03-04 ends at 749.75 - 1,000.00 = -250.25 and 03-12 at + 300.00 =
    49.75, which is also today's balance.

    Two EUR transactions on the same account, with no EUR balance reported, count from 0: 100.00 from
    02-10, 59.90 from 03-01.
    """
    with write_transaction(engine) as connection:
        account = create_bank_account(
            connection,
            organization.organization_id,
            BankAccountDetails(number=IBAN, number_type="iban", name="Driftskonto", currency="NOK"),
        )
        for day, amount in ((date(2024, 1, 10), 1_000_000), (date(2024, 2, 15), 74_975)):
            add_reported_balance(
                connection,
                organization.organization_id,
                account.bank_account_id,
                reported_at=datetime(day.year, day.month, day.day, 22, 0, tzinfo=UTC),
                day=day,
                amount=amount,
                currency="NOK",
                source="api",
            )
        add_bank_transactions(
            connection,
            organization.organization_id,
            [
                BankTransaction(
                    reference=reference,
                    bank_account_id=account.bank_account_id,
                    amount=amount,
                    currency=currency,
                    booking_date=day,
                    payment_reference_value=f"Betaling {reference}",
                    value_date=date(2024, 1, 9) if reference == "REF-NOK-0002" else None,
                )
                for reference, day, amount, currency in NOK_TRANSACTIONS + EUR_TRANSACTIONS
            ],
        )
    return account


def new_bank_account(
    engine: sa.Engine, organization: Organization, number: str = BBAN, currency: str = "NOK"
) -> BankAccount:
    """An account with no transaction and no reported balance."""
    with write_transaction(engine) as connection:
        return create_bank_account(
            connection,
            organization.organization_id,
            BankAccountDetails(number=number, number_type="bban", name="Skattetrekk", currency=currency),
        )


def exact(answer: httpx.Response) -> Any:
    """The JSON body with every fractional number as the ``Decimal`` it was written as."""
    return json.loads(answer.text, parse_float=Decimal)


def assert_powens_error(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """An error in Powens' shape, with ``request_id`` equal to the ``X-Trace-Id`` header."""
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"code", "description", "message", "request_id"}, body
    assert body["request_id"] == answer.headers["X-Trace-Id"]
    assert isinstance(body["message"], str)
    assert body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


def random_id() -> str:
    return str(uuid.uuid4())
