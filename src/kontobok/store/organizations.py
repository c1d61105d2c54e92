"""Organizations, the tenants of kontobok, and the books a new one starts with.

A new organization gets the standard chart of accounts, the standard VAT codes, the standard transaction
types and the fiscal years it asks to have open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kontobok.core.accounts import STANDARD_CHART
from kontobok.core.errors import NotFound
from kontobok.core.periods import fiscal_year_range
from kontobok.core.taxes import STANDARD_TAX_CODES
from kontobok.core.transaction_types import STANDARD_TRANSACTION_TYPES
from kontobok.store.clock import as_utc, utc_now
from kontobok.store.database import serialize_on
from kontobok.store.journal import record_rows
from kontobok.store.schema import (
    accounts,
    fiscal_years,
    organizations,
    tax_codes,
    transaction_types,
)

FIRST_ACCOUNT_ID = 1000001


@dataclass(frozen=True)
class Organization:
    organization_id: int
    name: str
    organization_number: str
    base_currency: str
    time_zone: str
    fiscal_year_start_month: int
    # which generation of the organization's token key signs its tokens (see kontobok.api.tokens)
    key_generation: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.organization_id,
            "name": self.name,
            "organizationNumber": self.organization_number,
            "currency": self.base_currency,
            "timeZone": self.time_zone,
            "fiscalYearStartMonth": self.fiscal_year_start_month,
        }


def create_organization(
    connection: sa.Connection,
    *,
    name: str,
    organization_number: str,
    base_currency: str = "NOK",
    time_zone: str = "Europe/Oslo",
    fiscal_year_start_month: int = 1,
    open_years: range = range(0),
) -> Organization:
    """Create an organization with the standard chart, tax codes, transaction types and open years."""
    now = utc_now()
    organization_id = connection.execute(
        organizations.insert()
        .values(
            name=name,
            organization_number=organization_number,
            base_currency=base_currency,
            time_zone=time_zone,
            fiscal_year_start_month=fiscal_year_start_month,
            created_at=now,
        )
        .returning(organizations.c.organization_id)
    ).scalar_one()
    connection.execute(
        accounts.insert(),
        [
            {
                "organization_id": organization_id,
                "account_id": FIRST_ACCOUNT_ID + index,
                "number": account.number,
                "name": account.name,
                "tax_number": account.tax_code,
                "created_at": now,
            }
            for index, account in enumerate(STANDARD_CHART)
        ],
    )
    connection.execute(
        tax_codes.insert(),
        [
            {
                "organization_id": organization_id,
                "number": code.number,
                "name": code.name,
                "rate_basis_points": code.rate_basis_points,
                "treatment": code.treatment.value,
                "vat_account": code.vat_account,
            }
            for code in STANDARD_TAX_CODES
        ],
    )
    connection.execute(
        transaction_types.insert(),
        [
            {
                "organization_id": organization_id,
                "number": kind.number,
                "name": kind.name,
                "is_incoming_balance": kind.is_incoming_balance,
                "next_voucher_number": 1,
            }
            for kind in STANDARD_TRANSACTION_TYPES
        ],
    )
    for table in (accounts, tax_codes, transaction_types):
        record_rows(connection, table, organization_id, sa.true())
    organization = get_organization(connection, organization_id)
    for year in open_years:
        open_fiscal_year(connection, organization, year)
    return organization


def get_organization(connection: sa.Connection, organization_id: int) -> Organization:
    row = (
        connection.execute(sa.select(organizations).where(organizations.c.organization_id == organization_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"organization {organization_id} does not exist")
    return organization_from_row(row)


def organization_from_row(row: sa.RowMapping) -> Organization:
    """An :class:`Organization` from a row holding every column of ``organizations``."""
    return Organization(
        organization_id=row["organization_id"],
        name=row["name"],
        organization_number=row["organization_number"],
        base_currency=row["base_currency"],
        time_zone=row["time_zone"],
        fiscal_year_start_month=row["fiscal_year_start_month"],
        key_generation=row["key_generation"],
    )


def rotate_key(connection: sa.Connection, organization_id: int) -> int:
    """Move the organization to the next key generation, which invalidates every token it has; the new one.

    Only the generation number is stored: the key is derived from the server secret and this number, so
    the database never holds anything that signs a token.
    """
    generation = connection.execute(
        organizations.update()
        .where(organizations.c.organization_id == organization_id)
        .values(key_generation=organizations.c.key_generation + 1)
        .returning(organizations.c.key_generation)
    ).scalar_one_or_none()
    if generation is None:
        raise NotFound(f"organization {organization_id} does not exist")
    return int(generation)


def open_fiscal_year(connection: sa.Connection, organization: Organization, year: int) -> bool:
    """Open the fiscal year that starts in ``year``, creating it if needed; False if it was open already."""
    serialize_on(connection, organization.organization_id, "fiscal years")
    key = (fiscal_years.c.organization_id == organization.organization_id) & (fiscal_years.c.year == year)
    existing = connection.execute(sa.select(fiscal_years.c.is_closed).where(key)).scalar_one_or_none()
    if existing is None:
        span = fiscal_year_range(year, organization.fiscal_year_start_month)
        connection.execute(
            fiscal_years.insert().values(
                organization_id=organization.organization_id,
                year=year,
                fiscal_year_id=uuid.uuid4(),
                begins_on=span.begin,
                ends_before=span.end,
                is_closed=False,
            )
        )
    elif existing:
        connection.execute(fiscal_years.update().where(key).values(is_closed=False))
    else:
        return False
    record_rows(connection, fiscal_years, organization.organization_id, fiscal_years.c.year == year)
    return True


def close_fiscal_year(connection: sa.Connection, organization: Organization, year: int) -> None:
    """Close the fiscal year that starts in ``year``: no line may be posted into it any more."""
    key = (fiscal_years.c.organization_id == organization.organization_id) & (fiscal_years.c.year == year)
    if connection.execute(fiscal_years.update().where(key).values(is_closed=True)).rowcount == 0:
        raise NotFound(f"fiscal year {year} does not exist")
    record_rows(connection, fiscal_years, organization.organization_id, fiscal_years.c.year == year)


def organization_created_at(connection: sa.Connection, organization_id: int) -> datetime:
    """When the organization was created (UTC)."""
    created: datetime = connection.execute(
        sa.select(organizations.c.created_at).where(organizations.c.organization_id == organization_id)
    ).scalar_one()
    return as_utc(created)
