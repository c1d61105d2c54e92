"""The sums a VAT return is made of, read from the posted lines.

A posted line keeps its tax code and whether it is the VAT part of a split (``is_vat``), so the basis of a
code is the sum of its lines that are not VAT and its VAT the sum of those that are, per account: the
account tells output VAT (27xx credited), deductible input VAT (a VAT account debited) and VAT that could not
be deducted (debited to a cost account) apart. The lines are read by their posting date through the
organization's date index, so the cost is the lines of the term, not of the books. As of an instant, the
lines recorded after it (``created_at``, the posting instant of their voucher) are left out: a back-dated
voucher or a reversal posted later is not in the return as it stood.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from kontobok.core.periods import DateRange
from kontobok.store.schema import transaction_lines

_lines = transaction_lines.c


@dataclass(frozen=True)
class VatSum:
    """The sum of the lines of one tax code, VAT part or not, on one account, in base-currency minor units."""

    tax_number: int
    is_vat: bool
    account_number: int
    amount: int


_SUMS = (
    sa.select(_lines.tax_number, _lines.is_vat, _lines.account_number, sa.func.sum(_lines.amount))
    .where(
        (_lines.organization_id == sa.bindparam("organization"))
        & (_lines.line_date >= sa.bindparam("begin"))
        & (_lines.line_date < sa.bindparam("end"))
        & (_lines.tax_number != 0)
    )
    .group_by(_lines.tax_number, _lines.is_vat, _lines.account_number)
    .order_by(_lines.tax_number, _lines.is_vat, _lines.account_number)
)


def read_vat_sums(
    connection: sa.Connection, organization_id: int, *, span: DateRange, as_of: datetime | None = None
) -> list[VatSum]:
    """Per tax code other than 0, VAT part or not, and account: the sum of the lines dated in ``span``
    (recorded at or before ``as_of`` when given)."""
    values = {"organization": organization_id, "begin": span.begin, "end": span.end}
    if as_of is None:
        rows = connection.execute(_SUMS, values)
    else:
        rows = connection.execute(_SUMS.where(_lines.created_at <= as_of), values)
    return [VatSum(tax, bool(is_vat), account, int(total)) for tax, is_vat, account, total in rows]
