"""Helpers shared by the tests that read the books back and compare them with another computation.

Amounts are read and written exactly: response bodies are parsed with ``Decimal`` numbers, JSON-lines files
are written with ``simplejson`` from ``Decimal`` values, and the ledger-cli journal is written from the lines
kontobok stored (``baseAmount``), one ledger transaction per voucher and date.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import simplejson

from tests.factories import Api

LINES_PAGE = 1000


def exact_json(answer: httpx.Response) -> Any:
    """The response body with every JSON number that has a fraction as an exact ``Decimal``."""
    return json.loads(answer.text, parse_float=Decimal)


def write_jsonl(path: Path, bodies: Iterable[dict[str, Any]]) -> Path:
    """One ``TransactionInput`` per line, ``Decimal`` amounts written as exact JSON numbers."""
    with path.open("w", encoding="utf-8") as stream:
        for body in bodies:
            stream.write(simplejson.dumps(body, use_decimal=True) + "\n")
    return path


def read_all_lines(api: Api, date_from: str, date_to: str) -> list[dict[str, Any]]:
    """Every transaction line with ``dateFrom <= date < dateTo``, following the pages to the end."""
    lines: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = api.get(
            "/v1/transactionlines",
            params={"dateFrom": date_from, "dateTo": date_to, "limit": LINES_PAGE, "page": page},
        )
        assert answer.status_code == 200, answer.text
        found = exact_json(answer)
        lines.extend(found)
        if 'rel="next"' not in answer.headers.get("link", ""):
            assert len(found) <= LINES_PAGE
            return lines
        assert len(found) == LINES_PAGE
        page += 1


def amount(value: Decimal | int) -> Decimal:
    return Decimal(value)


def ledger_journal(lines: Sequence[dict[str, Any]]) -> str:
    """A ledger-cli journal of stored lines: one transaction per voucher and date, accounts ``A:NNNN``."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        groups[(line["date"], line["transaction"]["id"])].append(line)
    parts: list[str] = []
    for (day, _voucher_id), members in sorted(groups.items()):
        first = members[0]
        header = f"{day} * {first['transactionType']['id']}-{first['transaction']['number']}"
        postings = [
            f"    A:{member['account']['number']:<10d}  {amount(member['baseAmount']):.2f} NOK"
            for member in members
        ]
        parts.append("\n".join([header, *postings]))
    return "\n\n".join(parts) + "\n"


def month_ends(first_year: int, last_year: int) -> list[date]:
    """The last day of every month of the years ``first_year..last_year``."""
    return [
        next_month(date(year, month, 1)) - timedelta(days=1)
        for year in range(first_year, last_year + 1)
        for month in range(1, 13)
    ]


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def is_balance_sheet(number: int) -> bool:
    """NS 4102: classes 1 and 2 are balance-sheet accounts; every other class is profit and loss."""
    return str(number)[0] in "12"
