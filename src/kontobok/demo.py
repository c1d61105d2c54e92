"""Loading the demo company once and telling a newcomer how to talk to it.

The demo organization is found again by its organization number, so running ``kontobok demo`` twice loads
its books once; each run makes a fresh API client, because secrets are stored hashed and cannot be shown
again. Its books and its bank (:mod:`kontobok.demo_bank`: accounts, transactions and monthly statements
derived from the bank postings) are written in one database transaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from rich.console import Console

from kontobok.api.scopes import ALL_SCOPES
from kontobok.demo_bank import BankMovement, add_demo_bank, tap_bank_movements
from kontobok.demo_data import COMPANY_NAME, DEMO_CUSTOMERS, FIRST_CUSTOMER_ID, generate_demo_vouchers
from kontobok.store.bulk import post_all
from kontobok.store.clients import create_client
from kontobok.store.customers import add_customers
from kontobok.store.database import write_transaction
from kontobok.store.organizations import Organization, create_organization, get_organization
from kontobok.store.schema import organizations

DEMO_NAME = COMPANY_NAME
DEMO_ORGANIZATION_NUMBER = "915000002"
DEMO_YEARS = range(2023, 2026)


def find_demo(connection: sa.Connection) -> Organization | None:
    found = connection.execute(
        sa.select(organizations.c.organization_id)
        .where(organizations.c.organization_number == DEMO_ORGANIZATION_NUMBER)
        .order_by(organizations.c.organization_id)
    ).first()
    return None if found is None else get_organization(connection, found[0])


def load_demo(
    engine: sa.Engine, *, console: Console, host: str, port: int, years: range = DEMO_YEARS
) -> Organization:
    """Load the demo company's books for ``years`` unless they are there, and print a new client."""
    with write_transaction(engine) as connection:
        organization = find_demo(connection)
        if organization is None:
            console.print(f"Loading the demo company {DEMO_NAME} ({years.start}–{years.stop - 1})…")
            organization = create_organization(
                connection,
                name=DEMO_NAME,
                organization_number=DEMO_ORGANIZATION_NUMBER,
                open_years=range(years.start, years.stop + 1),
            )
            add_customers(
                connection,
                organization.organization_id,
                ((FIRST_CUSTOMER_ID + index, name) for index, name in enumerate(DEMO_CUSTOMERS)),
            )
            movements: list[BankMovement] = []
            drafts = tap_bank_movements(generate_demo_vouchers(years), movements)
            with console.status("posting vouchers"):
                result = post_all(
                    connection,
                    organization,
                    ((f"voucher {n}", draft) for n, draft in enumerate(drafts, 1)),
                )
            console.print(f"Posted {result.vouchers} vouchers with {result.lines} lines.")
            with console.status("adding bank statements"):
                counts = add_demo_bank(connection, organization, movements, years)
            accounts = ", ".join(f"{n} on {account}" for account, n in counts.items())
            console.print(f"Added three bank accounts with monthly statements; transactions: {accounts}.")
        credentials = create_client(connection, organization.organization_id, ALL_SCOPES)
    base = f"http://{host}:{port}"
    console.print(
        f"""
[bold]{DEMO_NAME}[/bold] is organization {organization.organization_id}.
  client_id:     {credentials.client_id}
  client_secret: {credentials.client_secret}

Dashboard: {base}/ui/  (log in with the client_id and client_secret above)
API docs:  {base}/docs
Get a token:
  curl -s {base}/oauth/token -d grant_type=client_credentials \\
       -d client_id={credentials.client_id} -d client_secret={credentials.client_secret}
""",
        soft_wrap=True,
    )
    return organization
