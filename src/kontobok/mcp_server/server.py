"""The MCP server of one organization: read-only tools and resources, and drafts only when allowed.

Tools: ``list_accounts``, ``account_balances``, ``trial_balance``, ``search_transaction_lines``,
``bank_balances``, ``reconciliation``; resources ``kontobok://organization`` and
``kontobok://chart-of-accounts``. Every tool reads through :mod:`kontobok.services.ledger_reads`, whose
inputs are bounded as the API's are and whose amounts are exact decimal strings. A bad input is a tool error
that names the problem, never a stack trace.

With ``allow_write`` one more tool, ``draft_voucher``, stores a voucher as a draft that a person confirms
with ``kontobok draft confirm``: an assistant never posts to the books.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import sqlalchemy as sa
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from kontobok import __version__
from kontobok.core.errors import KontobokError, ValidationFailed
from kontobok.services import ledger_reads
from kontobok.services.drafts import create_draft

READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
Day = Annotated[str, Field(min_length=10, max_length=10, description="A day, YYYY-MM-DD.")]
INSTRUCTIONS = """\
The general ledger and bank accounts of one organization, kept by kontobok. Amounts are exact decimal strings
in the currency's units; positive is debit, negative credit. Dates are YYYY-MM-DD, ranges inclusive and at
most ten years; a trial balance covers at most one fiscal year."""


class DraftLine(BaseModel):
    """One line of a proposed voucher."""

    account_number: int = Field(ge=1, le=99999999)
    amount: str = Field(
        min_length=1, max_length=30, description="Exact decimal string; positive debit, negative credit."
    )
    tax_number: int = Field(default=0, ge=0, le=999)
    comment: str | None = Field(default=None, max_length=75)


class ToolFailed(ToolError):
    """A tool's input was refused; the message says why (the SDK returns it as a tool error to the model)."""


def _answer(read: Any) -> Any:
    try:
        return read()
    except ValidationFailed as failure:
        raise ToolFailed("; ".join(f"{p.path}: {p.message}" for p in failure.problems)) from None
    except KontobokError as error:
        raise ToolFailed(error.message) from None


def build_server(engine: sa.Engine, organization_id: int, *, allow_write: bool = False) -> MCPServer:
    """The server for ``organization_id``; the organization must exist."""
    server: MCPServer = MCPServer(name="kontobok", version=__version__, instructions=INSTRUCTIONS)
    organization = ledger_reads.organization_facts(engine, organization_id)

    @server.tool(annotations=READ_ONLY)
    def list_accounts(
        query: Annotated[str | None, Field(max_length=200, description="Part of a name or number.")] = None,
    ) -> dict[str, Any]:
        """The chart of accounts: number, name, default VAT code, kind (balance sheet, profit and loss)."""
        return {"accounts": _answer(lambda: ledger_reads.chart_of_accounts(engine, organization_id, query))}

    @server.tool(annotations=READ_ONLY)
    def account_balances(
        date_from: Day,
        date_to: Day,
        account_numbers: Annotated[list[int] | None, Field(max_length=100)] = None,
    ) -> dict[str, Any]:
        """Opening, change and closing balance of accounts over [date_from, date_to]; profit-and-loss
        accounts start at zero every fiscal year."""
        return dict(
            _answer(
                lambda: ledger_reads.account_balances(
                    engine, organization_id, date_from, date_to, account_numbers
                )
            )
        )

    @server.tool(annotations=READ_ONLY)
    def trial_balance(date_from: Day, date_to: Day) -> dict[str, Any]:
        """The trial balance (saldobalanse) over [date_from, date_to], which lies inside one fiscal year: per
        account with movement or a balance its opening, debits, credits and closing, and the totals."""
        return dict(_answer(lambda: ledger_reads.trial_balance(engine, organization_id, date_from, date_to)))

    @server.tool(annotations=READ_ONLY)
    def search_transaction_lines(
        date_from: Day,
        date_to: Day,
        account_number: Annotated[int | None, Field(ge=1, le=99999999)] = None,
        text: Annotated[str | None, Field(max_length=200, description="Part of the line's comment.")] = None,
        limit: Annotated[int, Field(ge=1, le=200)] = 50,
        offset: Annotated[int, Field(ge=0, le=100000)] = 0,
    ) -> dict[str, Any]:
        """Posted transaction lines by date, voucher and line number."""
        return dict(
            _answer(
                lambda: ledger_reads.search_transaction_lines(
                    engine,
                    organization_id,
                    date_from,
                    date_to,
                    account_number=account_number,
                    text=text,
                    limit=limit,
                    offset=offset,
                )
            )
        )

    @server.tool(annotations=READ_ONLY)
    def bank_balances() -> dict[str, Any]:
        """Each bank account with the last balance its bank reported."""
        return {"bankAccounts": _answer(lambda: ledger_reads.bank_balances(engine, organization_id))}

    @server.tool(annotations=READ_ONLY)
    def reconciliation(
        bank_account_id: Annotated[str, Field(max_length=36)], date_from: Day, date_to: Day
    ) -> dict[str, Any]:
        """The days on which a bank account's balance differs from its ledger account's, and the reported
        balances that disagree with the transactions booked before them."""
        return dict(
            _answer(
                lambda: ledger_reads.reconciliation(
                    engine, organization_id, bank_account_id, date_from, date_to
                )
            )
        )

    @server.resource("kontobok://organization", mime_type="application/json")
    def organization_resource() -> str:
        """The organization: name, number, base currency, time zone, fiscal-year start."""
        return json.dumps(organization)

    @server.resource("kontobok://chart-of-accounts", mime_type="application/json")
    def chart_resource() -> str:
        """The chart of accounts."""
        return json.dumps(ledger_reads.chart_of_accounts(engine, organization_id))

    if allow_write:

        @server.tool(
            annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False)
        )
        def draft_voucher(
            date: Day,
            lines: Annotated[list[DraftLine], Field(min_length=2, max_length=100)],
            comment: Annotated[str | None, Field(max_length=75)] = None,
            transaction_type_number: Annotated[int, Field(ge=1, le=1000000)] = 6,
            note: Annotated[
                str | None, Field(max_length=500, description="Why, for the person confirming.")
            ] = None,
        ) -> dict[str, Any]:
            """Propose a voucher. It is checked as a posting would be, then stored as a draft that a person
            must confirm (kontobok draft confirm); nothing is posted by this tool."""
            body: dict[str, Any] = {
                "transactionTypeNumber": transaction_type_number,
                "date": date,
                "lines": [_line(line, index) for index, line in enumerate(lines)],
            }
            if comment is not None:
                body["comment"] = comment
            return dict(_answer(lambda: create_draft(engine, organization_id, body, note)))

    return server


def _line(line: DraftLine, index: int) -> dict[str, Any]:
    try:
        amount = Decimal(line.amount)
        if not amount.is_finite():
            raise InvalidOperation(line.amount)
    except InvalidOperation:
        raise ToolFailed(f"lines/{index}/amount: not a decimal number") from None
    body: dict[str, Any] = {
        "accountNumber": line.account_number,
        "amount": amount,
        "tax": {"number": line.tax_number},
    }
    if line.comment is not None:
        body["comment"] = line.comment
    return body
