"""Posting many vouchers in one database transaction: all of them or none.

Vouchers are checked and written in batches, so memory stays flat however many there are; the per-day totals
of a batch are aggregated in memory and upserted once. When any voucher is bad, nothing is written: every
problem found is reported with the position of the voucher it belongs to, and the transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.voucher import PostingVoucher, VoucherDraft, build_voucher
from kontobok.store.books import load_ledger_context
from kontobok.store.database import bulk_writing
from kontobok.store.organizations import Organization
from kontobok.store.posting import post_vouchers

BATCH_SIZE = 1000
MAX_REPORTED_PROBLEMS = 100


@dataclass(frozen=True)
class BulkResult:
    vouchers: int
    lines: int


def post_all(
    connection: sa.Connection,
    organization: Organization,
    drafts: Iterable[tuple[str, VoucherDraft | list[Problem]]],
    *,
    on_batch: Callable[[int], None] | None = None,
) -> BulkResult:
    """Post every draft, labelled by where it came from (e.g. ``"line 12"``), or raise every problem."""
    context = load_ledger_context(connection, organization)
    problems: list[Problem] = []
    batch: list[PostingVoucher] = []
    vouchers = lines = 0

    def flush() -> None:
        nonlocal vouchers, lines
        if batch and not problems:
            post_vouchers(connection, organization.organization_id, batch)
            vouchers += len(batch)
            lines += sum(len(voucher.lines) for voucher in batch)
            if on_batch is not None:
                on_batch(len(batch))
        batch.clear()

    with bulk_writing(connection):
        for label, draft in drafts:
            try:
                if isinstance(draft, list):
                    raise ValidationFailed(draft)
                batch.append(build_voucher(draft, context))
            except ValidationFailed as failure:
                problems.extend(
                    Problem(" ".join(filter(None, (label, p.path))), p.keyword, p.message)
                    for p in failure.problems
                )
                if len(problems) >= MAX_REPORTED_PROBLEMS:
                    break
            if len(batch) >= BATCH_SIZE:
                flush()
        flush()
    if problems:
        raise ValidationFailed(problems[:MAX_REPORTED_PROBLEMS])
    return BulkResult(vouchers, lines)
