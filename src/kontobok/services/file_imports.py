"""Importing a file into an organization's books: the one code path of the CLI and the dashboard.

Four kinds of file are read: JSON lines of the vendor's ``TransactionInput`` (``transactions``), bank
statements as ISO 20022 camt.053 or SWIFT MT940, and SAF-T Financial. Each import is one database
transaction: it claims the file by its SHA-256 first, so a file imported before adds nothing, and a failure
anywhere leaves nothing half-imported. The outcome carries the importer's own report (statement closing
checks, SAF-T balance differences) for the caller to show.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import sqlalchemy as sa

from kontobok.core.statements import Statement
from kontobok.importers.camt053 import read_camt053
from kontobok.importers.jsonl import file_sha256, read_transaction_inputs
from kontobok.importers.mt940 import read_mt940
from kontobok.importers.saft import read_saft
from kontobok.store.bulk import BulkResult, post_all
from kontobok.store.database import write_transaction
from kontobok.store.imports import claim_import, record_import_summary
from kontobok.store.organizations import get_organization
from kontobok.store.saft_import import SaftImportReport, import_saft
from kontobok.store.statement_import import StatementImport, import_statements

FileKind = Literal["transactions", "camt053", "mt940", "saft"]
FILE_KINDS: tuple[FileKind, ...] = get_args(FileKind)

_STATEMENT_READERS: dict[str, Callable[[Path], Iterator[Statement]]] = {
    "camt053": read_camt053,
    "mt940": read_mt940,
}


@dataclass(frozen=True)
class FileImport:
    """What an import did: nothing when the file was imported before, else a summary and its report."""

    kind: FileKind
    already_imported: bool
    summary: str = ""
    posted: BulkResult | None = None
    statements: StatementImport | None = None
    saft: SaftImportReport | None = None


def import_transactions_file(
    engine: sa.Engine,
    organization_id: int,
    path: Path,
    *,
    on_bytes: Callable[[int], None] | None = None,
) -> FileImport:
    """Post every ``TransactionInput`` of a JSON-lines file, all or nothing."""
    digest = file_sha256(path)
    with write_transaction(engine) as connection:
        books = get_organization(connection, organization_id)
        if not claim_import(connection, organization_id, "transactions", digest):
            return FileImport("transactions", already_imported=True)
        result = post_all(connection, books, read_transaction_inputs(path, on_bytes=on_bytes))
        summary = f"{result.vouchers} vouchers, {result.lines} lines"
        record_import_summary(connection, organization_id, "transactions", digest, summary)
    return FileImport("transactions", already_imported=False, summary=summary, posted=result)


def import_statement_file(
    engine: sa.Engine,
    organization_id: int,
    kind: Literal["camt053", "mt940"],
    path: Path,
    *,
    bank_account_id: uuid.UUID | None = None,
) -> FileImport:
    """Import every statement of a camt.053 or MT940 file as bank transactions and balance snapshots."""
    digest = file_sha256(path)
    with write_transaction(engine) as connection:
        books = get_organization(connection, organization_id)
        if not claim_import(connection, organization_id, kind, digest):
            return FileImport(kind, already_imported=True, statements=StatementImport())
        report = import_statements(
            connection, books, _STATEMENT_READERS[kind](path), kind=kind, bank_account_id=bank_account_id
        )
        summary = f"{len(report.statements)} statements, {report.entries_added} entries"
        record_import_summary(connection, organization_id, kind, digest, summary)
    return FileImport(kind, already_imported=False, summary=summary, statements=report)


def import_saft_file(
    engine: sa.Engine,
    organization_id: int,
    path: Path,
    *,
    on_transaction: Callable[[], None] | None = None,
) -> FileImport:
    """Import a SAF-T Financial file and check every closing balance it states."""
    digest = file_sha256(path)
    with write_transaction(engine) as connection:
        books = get_organization(connection, organization_id)
        if not claim_import(connection, organization_id, "saft", digest):
            return FileImport("saft", already_imported=True, saft=SaftImportReport())
        report = import_saft(connection, books, read_saft(path), on_transaction=on_transaction)
        summary = f"{report.vouchers} vouchers, {report.lines} lines"
        record_import_summary(connection, organization_id, "saft", digest, summary)
    return FileImport("saft", already_imported=False, summary=summary, saft=report)


def import_file(engine: sa.Engine, organization_id: int, kind: FileKind, path: Path) -> FileImport:
    """Import ``path`` as a file of ``kind``."""
    if kind == "transactions":
        return import_transactions_file(engine, organization_id, path)
    if kind == "saft":
        return import_saft_file(engine, organization_id, path)
    return import_statement_file(engine, organization_id, kind, path)
