"""The VAT report of a term: :mod:`kontobok.core.vat_return` over the lines posted in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from kontobok.core.vat_return import VatEntry, VatLineSum, compute_vat_return
from kontobok.services.reports.ranges import checked_total, report_range, within_one_calendar_year
from kontobok.store.books import list_tax_codes_by_number
from kontobok.store.organizations import Organization
from kontobok.store.vat_sums import read_vat_sums


@dataclass(frozen=True)
class VatReport:
    """The return's entries in code order; ``payable = output − deductible`` (negative: to be refunded)."""

    date_from: date
    date_to: date
    currency: str
    codes: tuple[VatEntry, ...]
    output: int
    deductible: int
    payable: int


def vat_report(
    connection: sa.Connection,
    organization: Organization,
    date_from: date,
    date_to: date,
    *,
    as_of: datetime | None = None,
) -> VatReport:
    """The VAT return for the lines dated ``date_from`` to ``date_to`` (inclusive, one calendar year);
    with ``as_of``, of the lines recorded at or before that instant only."""
    span = within_one_calendar_year(report_range(date_from, date_to))
    organization_id = organization.organization_id
    sums = [
        VatLineSum(item.tax_number, item.is_vat, item.account_number, item.amount)
        for item in read_vat_sums(connection, organization_id, span=span, as_of=as_of)
    ]
    found = compute_vat_return(sums, list_tax_codes_by_number(connection, organization_id))
    return VatReport(
        date_from=date_from,
        date_to=date_to,
        currency=organization.base_currency,
        codes=found.entries,
        output=checked_total(found.output),
        deductible=checked_total(found.deductible),
        payable=checked_total(found.payable),
    )
