"""JSON lines of the vendor's ``TransactionInput``: one voucher per line.

The file is read line by line, so memory stays flat in its size. Each line is parsed with exact numbers and
checked against the same schema as ``POST /v1/transactions``; a bad line becomes problems labelled with its
line number.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from kontobok.core.errors import Problem
from kontobok.core.text import NUL_MESSAGE, nul_pointer
from kontobok.core.voucher import VoucherDraft
from kontobok.wire.office import TransactionInput, to_voucher_draft

READ_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_transaction_inputs(
    path: Path, *, on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[str, VoucherDraft | list[Problem]]]:
    """Each non-blank line as ``("line N", draft)``, or ``("line N", problems)`` when it is not valid."""
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if on_bytes is not None:
                on_bytes(len(raw))
            if not raw.strip():
                continue
            yield f"line {number}", _parse(raw)


def _parse(raw: bytes) -> VoucherDraft | list[Problem]:
    try:
        data = json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        return [Problem("", "format", f"not valid JSON: {error}")]
    except RecursionError:
        return [Problem("", "format", "not a TransactionInput: its JSON is nested too deeply")]
    pointer = nul_pointer(data)
    if pointer is not None:
        return [Problem(pointer, "format", NUL_MESSAGE)]
    try:
        return to_voucher_draft(TransactionInput.model_validate(data))
    except ValidationError as error:
        return [
            Problem(
                "/" + "/".join(str(part) for part in detail["loc"]),
                detail["type"],
                detail["msg"],
            )
            for detail in error.errors()
        ]
