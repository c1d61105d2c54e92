"""Importing a SAF-T Financial file into an organization's books.

The records come from :func:`kontobok.importers.saft.read_saft` in document order. The master files set up
the books: accounts missing from the chart are added (with their grouping codes), customers and suppliers
are registered under their SAF-T ids, and the file's tax codes are mapped to the standard codes. The
accounts' opening balances become one incoming-balance (IB) voucher on the first day of the selection; when
they do not sum to zero, the difference goes to the suspense account 2999 and is reported. Each
transaction then becomes a voucher of type 6, posted exactly as the file states it: its lines already hold
the VAT separately, so nothing is split again.

After the import every account's stated closing balance is compared with its opening plus the file's
lines, and every customer's and supplier's likewise; each difference is reported with its amount, and
nothing is adjusted. The whole file is one database transaction: any problem leaves nothing behind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.money import to_decimal
from kontobok.core.periods import DateRange, fiscal_year_start
from kontobok.core.saft import (
    BalanceDifference,
    SaftAccount,
    SaftHeader,
    SaftItem,
    SaftLine,
    SaftParty,
    SaftTaxCode,
    SaftTransaction,
    closing_differences,
)
from kontobok.core.taxes import STANDARD_TAX_CODES
from kontobok.core.transaction_types import INCOMING_BALANCE_TYPE_NUMBER
from kontobok.core.voucher import PostingLine, PostingVoucher
from kontobok.store.books import account_ids_by_number, create_account, list_fiscal_years
from kontobok.store.database import bulk_writing
from kontobok.store.journal import record_rows
from kontobok.store.organizations import Organization, open_fiscal_year
from kontobok.store.parties import add_party, party_ids_by_external_id
from kontobok.store.posting import post_vouchers
from kontobok.store.schema import accounts

RATE_PLACES = Decimal("0.0000000001")
SUSPENSE_ACCOUNT = 2999
SUSPENSE_NAME = "Interimskonto, differanser ved import"
IMPORTED_TYPE_NUMBER = 6
BATCH_SIZE = 1000
MAX_PROBLEMS = 100
_STANDARD_RATES = {code.number: code.rate_basis_points for code in STANDARD_TAX_CODES}


@dataclass
class SaftImportReport:
    header: SaftHeader | None = None
    vouchers: int = 0
    lines: int = 0
    accounts_created: list[int] = field(default_factory=list)
    customers: int = 0
    suppliers: int = 0
    suspense: int = 0
    differences: list[BalanceDifference] = field(default_factory=list)
    party_differences: list[tuple[str, BalanceDifference]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _State:
    organization: Organization
    report: SaftImportReport
    account_numbers: dict[str, int] = field(default_factory=dict)
    stated: dict[str, tuple[int, int]] = field(default_factory=dict)
    movements: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    parties: dict[str, dict[str, int]] = field(default_factory=dict)
    party_stated: dict[str, dict[str, tuple[int, int]]] = field(default_factory=lambda: defaultdict(dict))
    # (kind, party id, balance account) → stated opening, carried on the incoming-balance voucher
    party_openings: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # balance account → (sum of its parties' stated openings, closings)
    party_sums: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    party_movements: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    tax_codes: dict[str, int] = field(default_factory=dict)
    open_years: list[DateRange] | None = None
    openings_posted: bool = False
    batch: list[PostingVoucher] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_saft(
    connection: sa.Connection,
    organization: Organization,
    items: Iterable[SaftItem],
    *,
    on_transaction: Callable[[], None] | None = None,
) -> SaftImportReport:
    """Import every record, or raise every problem found (up to 100); the caller's transaction then rolls
    back."""
    state = _State(organization, SaftImportReport())
    with bulk_writing(connection):
        for item in items:
            if isinstance(item, SaftHeader):
                _take_header(connection, state, item)
            elif isinstance(item, SaftAccount):
                _take_account(connection, state, item)
            elif isinstance(item, SaftParty):
                _take_party(connection, state, item)
            elif isinstance(item, SaftTaxCode):
                _take_tax_code(state, item)
            elif isinstance(item, SaftTransaction):
                _post_openings(connection, state)
                _take_transaction(connection, state, item)
                if on_transaction is not None:
                    on_transaction()
            if len(state.problems) >= MAX_PROBLEMS:
                break
        _post_openings(connection, state)
        _flush(connection, state)
    if state.problems:
        raise ValidationFailed(state.problems[:MAX_PROBLEMS])
    report = state.report
    report.differences = closing_differences(state.stated, state.movements)
    _warn_about_party_sums(state)
    for kind in ("customer", "supplier"):
        for difference in closing_differences(state.party_stated[kind], state.party_movements[kind]):
            report.party_differences.append((kind, difference))
    return report


def _warn_about_party_sums(state: _State) -> None:
    """Customers' (or suppliers') balances should add up to their balance account's; say where not."""
    base = state.organization.base_currency
    for account, (openings, closings) in sorted(state.party_sums.items()):
        stated = state.stated.get(account)
        if stated is not None and (openings, closings) != stated:
            state.report.warnings.append(
                f"the parties on account {account} open at {to_decimal(openings, base)} and close at "
                f"{to_decimal(closings, base)}; the account opens at {to_decimal(stated[0], base)} and "
                f"closes at {to_decimal(stated[1], base)}"
            )


def _take_header(connection: sa.Connection, state: _State, header: SaftHeader) -> None:
    organization = state.organization
    state.report.header = header
    if header.default_currency != organization.base_currency:
        state.problems.append(
            Problem(
                "Header/DefaultCurrencyCode",
                "const",
                f"the file is in {header.default_currency}, "
                f"the organization's books in {organization.base_currency}",
            )
        )
    if header.organization_number and header.organization_number != organization.organization_number:
        state.report.warnings.append(
            f"the file is for organization number {header.organization_number}, "
            f"the organization has {organization.organization_number}"
        )
    closed = {
        year.year for year in list_fiscal_years(connection, organization.organization_id) if year.is_closed
    }
    start = fiscal_year_start(header.period_start, organization.fiscal_year_start_month)
    while start <= header.period_end:
        if start.year in closed:
            state.problems.append(
                Problem("Header/SelectionCriteria", "openFiscalYear", f"fiscal year {start.year} is closed")
            )
        else:
            open_fiscal_year(connection, organization, start.year)
        start = start.replace(year=start.year + 1)


def _is_small_number(text: str) -> bool:
    """Whether ``text`` is ASCII digits that fit an account or code number (other scripts' digits are not)."""
    return text.isascii() and text.isdigit() and len(text) <= 8


def _number_of(state: _State, account_id: str, where: str) -> int | None:
    text = account_id.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 8) or not 1000 <= int(text) <= 99999999:
        state.problems.append(
            Problem(where, "format", f"AccountID {account_id!r} is not an account number kontobok can hold")
        )
        return None
    return int(text)


def _ensure_account(
    connection: sa.Connection, state: _State, number: int, account: SaftAccount | None, *, name: str = ""
) -> None:
    organization_id = state.organization.organization_id
    if not state.account_numbers:
        state.account_numbers = {str(n): n for n in account_ids_by_number(connection, organization_id)}
    if str(number) not in state.account_numbers:
        name = (account.description if account else name)[:200] or f"Konto {number}"
        create_account(connection, organization_id, number=number, name=name, tax_number=0)
        state.account_numbers[str(number)] = number
        state.report.accounts_created.append(number)
    if account is not None:
        connection.execute(
            accounts.update()
            .where((accounts.c.organization_id == organization_id) & (accounts.c.number == number))
            .values(
                standard_account_id=account.standard_account_id,
                grouping_category=account.grouping_category,
                grouping_code=account.grouping_code,
            )
        )
        record_rows(connection, accounts, organization_id, accounts.c.number == number)


def _take_account(connection: sa.Connection, state: _State, account: SaftAccount) -> None:
    number = _number_of(state, account.account_id, f"line {account.source_line} Account/AccountID")
    if number is None:
        return
    _ensure_account(connection, state, number, account)
    key = str(number)
    opening, closing = state.stated.get(key, (0, 0))
    state.stated[key] = (opening + account.opening, closing + account.closing)


def _take_party(connection: sa.Connection, state: _State, party: SaftParty) -> None:
    organization_id = state.organization.organization_id
    known = state.parties.setdefault(
        party.kind, party_ids_by_external_id(connection, organization_id, party.kind)
    )
    if party.party_id not in known:
        known[party.party_id] = add_party(
            connection,
            organization_id,
            party.kind,
            external_id=party.party_id,
            name=party.name,
            organization_number=party.organization_number,
        )
        if party.kind == "customer":
            state.report.customers += 1
        else:
            state.report.suppliers += 1
    if party.opening is not None and party.closing is not None:
        state.party_stated[party.kind][party.party_id] = (party.opening, party.closing)
        if party.balance_account_id:
            account = party.balance_account_id.strip()
            state.party_sums[account][0] += party.opening
            state.party_sums[account][1] += party.closing
            if party.opening:
                state.party_openings[(party.kind, party.party_id, account)] = party.opening


def _take_tax_code(state: _State, code: SaftTaxCode) -> None:
    """The file's code maps to its ``StandardTaxCode``; to its own number only when it states none."""
    candidate = code.standard_tax_code if code.standard_tax_code is not None else code.tax_code
    if _is_small_number(candidate.strip()) and int(candidate) in _STANDARD_RATES:
        state.tax_codes[code.tax_code] = int(candidate)
        return
    state.tax_codes[code.tax_code] = 0
    state.report.warnings.append(
        f"tax code {code.tax_code} maps to no standard tax code; its lines carry code 0"
    )


def _post_openings(connection: sa.Connection, state: _State) -> None:
    """The accounts' opening balances as one IB voucher on the selection's first day (once).

    A customer's or supplier's stated opening is its own line on its balance account, carrying its id, so
    that its balance travels on; the account's remainder is one line without a party.
    """
    header = state.report.header
    if state.openings_posted or header is None:
        return
    state.openings_posted = True
    base = state.organization.base_currency
    remainder = {int(key): opening for key, (opening, _) in state.stated.items()}
    party_lines: list[tuple[int, int, str, str]] = []
    for (kind, party_id, account_id), opening in sorted(state.party_openings.items()):
        if _is_small_number(account_id) and int(account_id) in remainder:
            party_lines.append((int(account_id), opening, kind, party_id))
            remainder[int(account_id)] -= opening
    lines: list[tuple[int, int, str | None, str | None]] = [
        (number, amount, None, None) for number, amount in remainder.items() if amount != 0
    ]
    lines += [(number, amount, kind, party) for number, amount, kind, party in party_lines]
    imbalance = sum(line[1] for line in lines)
    if imbalance != 0:
        _ensure_account(connection, state, SUSPENSE_ACCOUNT, None, name=SUSPENSE_NAME)
        lines.append((SUSPENSE_ACCOUNT, -imbalance, None, None))
        state.report.suspense = -imbalance
        state.report.warnings.append(
            f"the opening balances sum to {to_decimal(imbalance, base)} {base}, not 0: "
            f"the difference is on {SUSPENSE_ACCOUNT}"
        )
    if not lines:
        return
    posting = [
        PostingLine(
            line_number=index,
            account_number=number,
            day=header.period_start,
            period_date=header.period_start,
            amount=amount,
            currency=base,
            currency_amount=amount,
            rate=Decimal(1),
            tax_number=0,
            tax_rate_basis_points=0,
            comment="Inngående balanse fra SAF-T",
            customer_id=_party_id(connection, state, "customer", party) if kind == "customer" else None,
            supplier_id=_party_id(connection, state, "supplier", party) if kind == "supplier" else None,
        )
        for index, (number, amount, kind, party) in enumerate(lines, start=1)
    ]
    state.batch.append(
        PostingVoucher(
            INCOMING_BALANCE_TYPE_NUMBER,
            header.period_start,
            "Inngående balanse fra SAF-T",
            None,
            tuple(posting),
        )
    )


def _take_transaction(connection: sa.Connection, state: _State, transaction: SaftTransaction) -> None:
    where = f"line {transaction.source_line} Transaction {transaction.transaction_id}"
    lines: list[PostingLine] = []
    for index, line in enumerate(transaction.lines, start=1):
        built = _posting_line(connection, state, transaction, line, index)
        if built is not None:
            lines.append(built)
    total = sum(line.amount for line in transaction.lines)
    if total != 0:
        state.problems.append(Problem(where, "balanced", f"the lines sum to {total} minor units, not 0"))
    if state.open_years is None:
        years = list_fiscal_years(connection, state.organization.organization_id)
        state.open_years = [year.span for year in years if not year.is_closed]
    if not any(transaction.transaction_date in year for year in state.open_years):
        state.problems.append(
            Problem(where, "openFiscalYear", f"{transaction.transaction_date} is not in an open fiscal year")
        )
    if state.problems:
        return
    comment = (transaction.description or transaction.voucher_description or "")[:75] or None
    state.batch.append(
        PostingVoucher(IMPORTED_TYPE_NUMBER, transaction.transaction_date, comment, None, tuple(lines))
    )
    if len(state.batch) >= BATCH_SIZE:
        _flush(connection, state)


def _party_id(connection: sa.Connection, state: _State, kind: str, external_id: str | None) -> int | None:
    if external_id is None:
        return None
    known = state.parties.setdefault(
        kind, party_ids_by_external_id(connection, state.organization.organization_id, kind)
    )
    if external_id not in known:
        _take_party(connection, state, SaftParty(kind, external_id, external_id))
        state.report.warnings.append(f"{kind} {external_id} is used by lines but not in the master files")
    return known[external_id]


def _posting_line(
    connection: sa.Connection, state: _State, transaction: SaftTransaction, line: SaftLine, index: int
) -> PostingLine | None:
    number = _number_of(state, line.account_id, f"line {line.source_line} Line/AccountID")
    if number is None:
        return None
    if str(number) not in state.account_numbers:
        _ensure_account(connection, state, number, None)
        state.report.warnings.append(f"account {number} is used by lines but not in the master files")
    state.movements[str(number)] += line.amount
    for kind, external_id in (("customer", line.customer_id), ("supplier", line.supplier_id)):
        if external_id is not None:
            state.party_movements[kind][external_id] += line.amount
    base = state.organization.base_currency
    currency, currency_amount, rate = base, line.amount, Decimal(1)
    if line.currency and line.currency != base and line.currency_amount:
        # the file's base amount is the authority; the rate is kept for information
        currency, currency_amount = line.currency, line.currency_amount
        rate = line.exchange_rate or abs(Decimal(line.amount) / Decimal(line.currency_amount)).quantize(
            RATE_PLACES
        )
    tax_number = state.tax_codes.get(line.tax_code or "", 0) if line.tax_code else 0
    return PostingLine(
        line_number=index,
        account_number=number,
        day=transaction.transaction_date,
        period_date=transaction.transaction_date,
        amount=line.amount,
        currency=currency,
        currency_amount=currency_amount,
        rate=rate,
        tax_number=tax_number,
        tax_rate_basis_points=_STANDARD_RATES.get(tax_number, 0),
        comment=(line.description or transaction.description)[:75] or None,
        is_vat=False,
        customer_id=_party_id(connection, state, "customer", line.customer_id),
        supplier_id=_party_id(connection, state, "supplier", line.supplier_id),
    )


def _flush(connection: sa.Connection, state: _State) -> None:
    if state.batch and not state.problems:
        post_vouchers(connection, state.organization.organization_id, state.batch)
        state.report.vouchers += len(state.batch)
        state.report.lines += sum(len(voucher.lines) for voucher in state.batch)
    state.batch.clear()
