"""Events: what changed in an organization's books, told to programs that integrate with kontobok.

Every change to the books is an entry of the organization's journal (:mod:`kontobok.store.journal`); an
event is one fact of such an entry, written for a consumer. A journal entry of vouchers gives one
``transaction.posted`` (or ``transaction.reversed``, for a voucher that reverses another) per voucher; an
entry of rows gives one event per row: ``account.created`` or ``account.updated``, ``fiscalyear.opened`` or
``fiscalyear.closed``, ``bankaccount.created``, ``bankbalance.reported``, ``banktransaction.created``,
``statement.imported``, and the like for the other reference tables.

An event's id is ``<journal position>.<index within the entry>``: events are ordered as the journal is,
which is the order the changes were committed in, and an event keeps its id for ever.

``data`` is compact and exact: amounts are exact decimal numbers in the currency's units (written as JSON
numbers, as the rest of the API does), days ``YYYY-MM-DD``, instants UTC. The lines of a transaction carry
what rebuilds every balance: account, day, period day and amount in the base currency.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kontobok.core.money import to_decimal

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "transaction.posted",
        "transaction.reversed",
        "account.created",
        "account.updated",
        "fiscalyear.opened",
        "fiscalyear.closed",
        "bankaccount.created",
        "bankaccount.updated",
        "bankbalance.reported",
        "banktransaction.created",
        "statement.imported",
        "file.imported",
        "customer.created",
        "customer.updated",
        "supplier.created",
        "supplier.updated",
        "taxcode.created",
        "taxcode.updated",
        "transactiontype.created",
        "transactiontype.updated",
        # not from the journal: a balance monitor's crossing (see kontobok.services.monitors)
        "balance.below",
    }
)

# row kinds whose rows may be written again later, with the noun of their events and the column that keys
# a row: the first entry that names a key creates the row, any later one updates it
ROW_NOUNS = {
    "accounts": ("account", "account_id"),
    "bank_accounts": ("bankaccount", "bank_account_id"),
    "customers": ("customer", "customer_id"),
    "suppliers": ("supplier", "supplier_id"),
    "tax_codes": ("taxcode", "number"),
    "transaction_types": ("transactiontype", "number"),
}
# imported file kinds that are bank statements; the others are ledger files (SAF-T, transactions)
STATEMENT_KINDS = frozenset({"camt053", "mt940"})


@dataclass(frozen=True)
class Event:
    position: int
    index: int
    type: str
    occurred_at: str
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.position}.{self.index}"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "occurredAt": self.occurred_at, "data": self.data}


# a row kind, its key column and a row's key value: whether an earlier journal entry wrote that row
SeenBefore = Callable[[str, str, Any], bool]


def events_of(
    position: int, kind: str, text: str, base_currency: str, seen_before: SeenBefore
) -> list[Event]:
    """The events of one journal entry, in the order its rows or vouchers stand in it."""
    entry = json.loads(text)
    occurred_at = entry["recorded_at"]
    facts = list(_facts(kind, entry, base_currency, seen_before))
    return [
        Event(position, index, event_type, occurred_at, data)
        for index, (event_type, data) in enumerate(facts)
    ]


def _facts(
    kind: str, entry: dict[str, Any], base_currency: str, seen_before: SeenBefore
) -> Iterator[tuple[str, dict[str, Any]]]:
    if kind == "vouchers":
        for voucher in entry["vouchers"]:
            reversed_id = voucher.get("reverses_voucher_id")
            kind_name = "transaction.reversed" if reversed_id else "transaction.posted"
            yield kind_name, _voucher_data(voucher, voucher_lines(entry, voucher), base_currency)
        return
    for row in entry.get("rows", []):
        fact = _row_fact(kind, row, seen_before)
        if fact is not None:
            yield fact


def _row_fact(kind: str, row: dict[str, Any], seen_before: SeenBefore) -> tuple[str, dict[str, Any]] | None:
    if kind == "fiscal_years":
        data = {
            "year": row["year"],
            "id": row["fiscal_year_id"],
            "startDate": row["begins_on"],
            "endBefore": row["ends_before"],
        }
        return ("fiscalyear.closed" if row["is_closed"] else "fiscalyear.opened"), data
    if kind == "bank_balances":
        return "bankbalance.reported", {
            "bankAccountId": row["bank_account_id"],
            "position": row["position"],
            "reportedAt": row["reported_at"],
            "date": row["day"],
            "amount": to_decimal(row["amount"], row["currency"]),
            "currency": row["currency"],
            "source": row["source"],
        }
    if kind == "bank_transactions":
        # the stored amount is signed already: money in positive, money out negative
        return "banktransaction.created", {
            "reference": row["reference"],
            "bankAccountId": row["bank_account_id"],
            "type": row["direction"],
            "amount": to_decimal(row["amount"], row["currency"]),
            "currency": row["currency"],
            "bookingDate": row["booking_date"],
            "valueDate": row["value_date"],
            "paymentReference": row["payment_reference_value"],
        }
    if kind == "imported_files":
        if not row["summary"]:
            return None  # the claim of a file being imported; its summary follows in the same transaction
        name = "statement.imported" if row["kind"] in STATEMENT_KINDS else "file.imported"
        return name, {"kind": row["kind"], "sha256": row["sha256"], "summary": _summary(row["summary"])}
    if kind not in ROW_NOUNS:
        return None
    noun, key = ROW_NOUNS[kind]
    verb = "updated" if seen_before(kind, key, row[key]) else "created"
    return f"{noun}.{verb}", _row_data(row)


def _row_data(row: dict[str, Any]) -> dict[str, Any]:
    return {_camel(name): value for name, value in row.items() if value is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _summary(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def voucher_lines(entry: dict[str, Any], voucher: dict[str, Any]) -> list[dict[str, Any]]:
    """A journaled voucher's lines by column name: the entry writes each line as an array of values in the
    order its ``line_columns`` names (entries written before that form hold objects)."""
    names = entry.get("line_columns")
    return [
        line if isinstance(line, dict) else dict(zip(names or (), line, strict=True))
        for line in voucher["lines"]
    ]


def _voucher_data(voucher: dict[str, Any], lines: list[dict[str, Any]], base_currency: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": voucher["voucher_id"],
        "transactionTypeNumber": voucher["transaction_type_number"],
        "number": voucher["voucher_number"],
        "date": voucher["voucher_date"],
    }
    if voucher.get("reverses_voucher_id"):
        data["reversesTransactionId"] = voucher["reverses_voucher_id"]
    if voucher.get("comment") is not None:
        data["comment"] = voucher["comment"]
    data["lines"] = [_line_data(line, base_currency) for line in lines]
    return data


def _line_data(line: dict[str, Any], base_currency: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "lineNumber": line["line_number"],
        "accountNumber": line["account_number"],
        "date": line["line_date"],
        "periodDate": line["period_date"],
        "amount": to_decimal(line["amount"], base_currency),
        "taxNumber": line["tax_number"],
    }
    if line["currency"] != base_currency:
        data["currency"] = line["currency"]
        data["currencyAmount"] = to_decimal(line["currency_amount"], line["currency"])
        data["rate"] = line["rate"]
    if line.get("is_vat"):
        data["isVat"] = True
    for name in ("comment", "invoice_number", "customer_id", "supplier_id"):
        if line.get(name) is not None:
            data[_camel(name)] = line[name]
    return data
