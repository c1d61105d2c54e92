"""The import page: upload a SAF-T, camt.053, MT940 or JSON-lines file into the books.

The upload is written to a private temporary file and imported by :mod:`kontobok.services.file_imports`,
the same code the ``kontobok import`` commands run, in a worker thread, so the server keeps answering while
a large file is read. The answer is the importer's own report: what was added, and every statement whose
closing balance or SAF-T account whose stated balance does not match. A file imported before adds nothing.

The body may be at most 64 MiB (:data:`kontobok.api.limits.UI_IMPORT_MAX_BODY`); importing needs the
client's write scope for what the file holds (transactions, or bank transactions).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from kontobok.api.auth import engine_of
from kontobok.api.scopes import BANK_TRANSACTION_WRITE, TRANSACTION_WRITE
from kontobok.api.ui.csrf import request_is_genuine
from kontobok.api.ui.web import CurrentViewer, Viewer, render
from kontobok.core.errors import KontobokError, ValidationFailed
from kontobok.services.file_imports import FILE_KINDS, FileImport, FileKind, import_file

router = APIRouter()

KIND_NAMES: dict[str, str] = {
    "auto": "Detect from the file",
    "saft": "SAF-T Financial (XML)",
    "camt053": "Bank statement, ISO 20022 camt.053 (XML)",
    "mt940": "Bank statement, SWIFT MT940",
    "transactions": "Vouchers, JSON lines (one TransactionInput a line)",
}
NEEDED_SCOPE: dict[str, str] = {
    "saft": TRANSACTION_WRITE,
    "transactions": TRANSACTION_WRITE,
    "camt053": BANK_TRANSACTION_WRITE,
    "mt940": BANK_TRANSACTION_WRITE,
}
MAX_PROBLEMS_SHOWN = 50


def detect_kind(path: Path) -> FileKind | None:
    """The kind of a file from its first bytes: SAF-T and camt.053 by their XML, MT940 by its tags."""
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") and not head.startswith(b"{1:"):
        return "transactions"
    if head.startswith(b"<"):
        if b"urn:StandardAuditFile-Taxation-Financial" in head or b"<AuditFile" in head:
            return "saft"
        if b"camt.053" in head or b"BkToCstmrStmt" in head:
            return "camt053"
        return None
    if head.startswith((b"{1:", b":20:")) or b"\n:20:" in head or b":60F:" in head:
        return "mt940"
    return None


@router.get("/import")
def import_page(request: Request, viewer: CurrentViewer) -> Response:
    return render(request, "import.html", viewer, kinds=KIND_NAMES, outcome=None, problems=[], error=None)


def _answer(
    request: Request,
    viewer: Viewer,
    *,
    status_code: int = 200,
    outcome: FileImport | None = None,
    error: str | None = None,
    problems: list[str] | None = None,
    file_name: str = "",
) -> Response:
    template = "import_report.html" if request.headers.get("HX-Request") == "true" else "import.html"
    return render(
        request,
        template,
        viewer,
        status_code=status_code,
        kinds=KIND_NAMES,
        outcome=outcome,
        error=error,
        problems=problems or [],
        file_name=file_name,
    )


@router.post("/import")
def upload_file(
    request: Request,
    viewer: CurrentViewer,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "auto",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not request_is_genuine(request, viewer.session.csrf_token, csrf_token):
        return render(request, "forbidden.html", viewer, status_code=403)
    name = Path(file.filename or "upload").name
    if kind != "auto" and kind not in FILE_KINDS:
        return _answer(request, viewer, status_code=400, error="Choose what kind of file this is.")
    with tempfile.TemporaryDirectory(prefix="kontobok-upload-") as directory:
        path = Path(directory) / "upload"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target, 1024 * 1024)
        chosen = detect_kind(path) if kind == "auto" else next(k for k in FILE_KINDS if k == kind)
        if chosen is None:
            return _answer(
                request,
                viewer,
                status_code=400,
                error=f"{name} is not a file kontobok recognizes; choose its kind.",
                file_name=name,
            )
        if NEEDED_SCOPE[chosen] not in viewer.session.scopes:
            return _answer(
                request,
                viewer,
                status_code=403,
                error=f"This client may not import this kind of file (it lacks {NEEDED_SCOPE[chosen]}).",
                file_name=name,
            )
        try:
            outcome = import_file(engine_of(request), viewer.organization.organization_id, chosen, path)
        except ValidationFailed as failure:
            problems = [f"{problem.path}: {problem.message}" for problem in failure.problems]
            return _answer(
                request,
                viewer,
                status_code=400,
                error=f"{name} was not imported; nothing was stored.",
                problems=problems[:MAX_PROBLEMS_SHOWN],
                file_name=name,
            )
        except KontobokError as error:
            return _answer(
                request,
                viewer,
                status_code=400,
                error=f"{name} was not imported; nothing was stored. {error.message}",
                file_name=name,
            )
    return _answer(request, viewer, outcome=outcome, file_name=name)
