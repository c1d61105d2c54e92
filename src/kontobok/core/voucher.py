"""Vouchers: the double-entry unit of the ledger.

A voucher (the vendor calls it a *transaction*) is a set of lines whose amounts, converted to the base
currency, sum to zero on every date: what is debited somewhere (positive) is credited elsewhere (negative).
:func:`build_voucher` turns what a client sent into the lines that will be stored, splitting VAT, converting
foreign currency and checking every rule. It collects every problem it finds, so a client sees all of them
in one answer, and it raises before anything is stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from kontobok.core.errors import Problem, ValidationFailed
from kontobok.core.money import (
    KNOWN_CURRENCIES,
    convert_to_base,
    to_decimal,
    to_minor_units,
)
from kontobok.core.periods import DateRange
from kontobok.core.taxes import (
    REVERSE_CHARGE_OUTPUT_ACCOUNT,
    TaxCode,
    VatTreatment,
    deductible_share,
    vat_of_gross,
    vat_of_net,
)

MAX_LINES = 1000
# the largest base amount a line may have: 999 999 999 999.99 in a two-decimal base currency
MAX_BASE_MINOR_UNITS = 99_999_999_999_999


@dataclass(frozen=True)
class InvoiceRef:
    number: str | None = None
    due_date: date | None = None
    remittance_reference: str | None = None
    bank_account: str | None = None


@dataclass(frozen=True)
class LineDraft:
    """One line as a client sent it: the amount is in the line's currency and, with VAT, gross."""

    account_number: int
    amount: Decimal | int
    tax_number: int = 0
    tax_amount: Decimal | int | None = None
    deduction_percent: int | None = None
    day: date | None = None
    period_date: date | None = None
    comment: str | None = None
    currency: str | None = None
    rate: Decimal | None = None
    dimensions: tuple[tuple[int, str], ...] = ()
    invoice: InvoiceRef = field(default_factory=InvoiceRef)
    customer_id: int | None = None


@dataclass(frozen=True)
class VoucherDraft:
    transaction_type_number: int
    day: date
    lines: tuple[LineDraft, ...]
    comment: str | None = None
    document_id: int | None = None


@dataclass(frozen=True)
class LedgerContext:
    """What :func:`build_voucher` needs to know about the organization's books."""

    base_currency: str
    account_numbers: frozenset[int]
    tax_codes: Mapping[int, TaxCode]
    transaction_type_numbers: frozenset[int]
    open_years: Sequence[DateRange]

    def is_open(self, day: date) -> bool:
        return any(day in year for year in self.open_years)


@dataclass(frozen=True)
class PostingLine:
    """A line as it is stored: ``amount`` in base-currency minor units, ``currency_amount`` in the line's."""

    line_number: int
    account_number: int
    day: date
    period_date: date
    amount: int
    currency: str
    currency_amount: int
    rate: Decimal
    tax_number: int
    tax_rate_basis_points: int
    comment: str | None
    is_vat: bool = False
    dimensions: tuple[tuple[int, str], ...] = ()
    invoice: InvoiceRef = field(default_factory=InvoiceRef)
    customer_id: int | None = None
    supplier_id: int | None = None


@dataclass(frozen=True)
class PostingVoucher:
    transaction_type_number: int
    day: date
    comment: str | None
    document_id: int | None
    lines: tuple[PostingLine, ...]


def build_voucher(draft: VoucherDraft, context: LedgerContext) -> PostingVoucher:
    """Check ``draft`` against the books and produce the lines to store, or raise every problem found."""
    problems: list[Problem] = []
    if draft.transaction_type_number not in context.transaction_type_numbers:
        problems.append(
            Problem(
                "/transactionTypeNumber",
                "exists",
                f"transaction type {draft.transaction_type_number} does not exist",
            )
        )
    if not draft.lines:
        problems.append(Problem("/lines", "minItems", "a voucher needs at least one line"))
    if len(draft.lines) > MAX_LINES:
        problems.append(Problem("/lines", "maxItems", f"a voucher has at most {MAX_LINES} lines"))
    lines: list[PostingLine] = []
    for index, line in enumerate(draft.lines):
        built = _build_line(index, line, draft, context)
        if isinstance(built, ValidationFailed):
            problems.extend(built.problems)
        else:
            lines.extend(built)
    if not problems:
        problems.extend(_imbalances(lines, context.base_currency))
    if problems:
        # lines without a date of their own each report the voucher's date: say it once
        raise ValidationFailed(list(dict.fromkeys(problems)))
    numbered = tuple(_numbered(line, n) for n, line in enumerate(lines, start=1))
    return PostingVoucher(
        transaction_type_number=draft.transaction_type_number,
        day=draft.day,
        comment=draft.comment,
        document_id=draft.document_id,
        lines=numbered,
    )


def _build_line(
    index: int, line: LineDraft, draft: VoucherDraft, context: LedgerContext
) -> list[PostingLine] | ValidationFailed:
    path = f"/lines/{index}"
    day = line.day or draft.day
    tax = context.tax_codes.get(line.tax_number)
    currency = line.currency or context.base_currency
    rate = line.rate if line.rate is not None else Decimal(1)
    problems = _reference_problems(path, line, day, context)
    problems.extend(_currency_problems(path, currency, rate, context.base_currency))
    amount = to_minor_units(line.amount, currency, path=f"{path}/amount")
    tax_amount = (
        None
        if line.tax_amount is None
        else to_minor_units(line.tax_amount, currency, path=f"{path}/tax/amount")
    )
    problems.extend(value for value in (amount, tax_amount) if isinstance(value, Problem))
    if problems or tax is None or isinstance(amount, Problem) or isinstance(tax_amount, Problem):
        return ValidationFailed(problems)
    base = PostingLine(
        line_number=0,
        account_number=line.account_number,
        day=day,
        period_date=line.period_date or day,
        amount=convert_to_base(amount, currency, rate, context.base_currency),
        currency=currency,
        currency_amount=amount,
        rate=rate,
        tax_number=tax.number,
        tax_rate_basis_points=tax.rate_basis_points,
        comment=line.comment if line.comment is not None else draft.comment,
        dimensions=line.dimensions,
        invoice=line.invoice,
        customer_id=line.customer_id,
    )
    if tax_amount is not None and not (tax.splits_gross or tax.is_reverse_charge) and tax_amount != 0:
        return ValidationFailed.single(
            f"{path}/tax/amount", "const", f"tax code {tax.number} carries no VAT amount"
        )
    if tax_amount is not None and not _is_part_of(tax_amount, amount):
        return ValidationFailed.single(
            f"{path}/tax/amount",
            "range",
            "the VAT amount must have the line's sign and be no larger than the line's amount",
        )
    if line.deduction_percent is not None and not tax.is_deductible:
        return ValidationFailed.single(
            f"{path}/tax/baseRate",
            "deductible",
            f"tax code {tax.number} has no deductible VAT; baseRate (partial deduction) applies only to"
            " input VAT codes with deduction",
        )
    if line.deduction_percent is not None and not 0 <= line.deduction_percent <= 100:
        return ValidationFailed.single(
            f"{path}/tax/baseRate", "range", "baseRate is a percentage from 0 to 100"
        )
    if tax.splits_gross:
        built = _split_gross(base, tax, tax_amount, line.deduction_percent, context.base_currency)
    elif tax.is_reverse_charge:
        built = _add_reverse_charge(base, tax, tax_amount, line.deduction_percent, context.base_currency)
    else:
        built = [base]
    if any(abs(line.amount) > MAX_BASE_MINOR_UNITS for line in built):
        return ValidationFailed.single(
            f"{path}/amount", "maximum", "the amount is too large once converted to the base currency"
        )
    return built


def _numbered(line: PostingLine, line_number: int) -> PostingLine:
    """``line`` with its place in the voucher (a direct copy: ``dataclasses.replace`` is several times slower,
    and this runs for every line of an import)."""
    return PostingLine(
        line_number,
        line.account_number,
        line.day,
        line.period_date,
        line.amount,
        line.currency,
        line.currency_amount,
        line.rate,
        line.tax_number,
        line.tax_rate_basis_points,
        line.comment,
        line.is_vat,
        line.dimensions,
        line.invoice,
        line.customer_id,
        line.supplier_id,
    )


def _reference_problems(path: str, line: LineDraft, day: date, context: LedgerContext) -> list[Problem]:
    """The line's account and tax code must exist and its date must be in an open fiscal year."""
    problems = []
    if line.account_number not in context.account_numbers:
        problems.append(
            Problem(f"{path}/accountNumber", "exists", f"account {line.account_number} does not exist")
        )
    if line.tax_number not in context.tax_codes:
        problems.append(Problem(f"{path}/tax/number", "exists", f"tax code {line.tax_number} does not exist"))
    if not context.is_open(day):
        problems.append(
            Problem(
                f"{path}/date" if line.day else "/date",
                "openFiscalYear",
                f"{day.isoformat()} is not in an open fiscal year",
            )
        )
    return problems


def _currency_problems(path: str, currency: str, rate: Decimal, base_currency: str) -> list[Problem]:
    problems = []
    if currency not in KNOWN_CURRENCIES and currency != base_currency:
        problems.append(Problem(f"{path}/currency/code", "enum", f"unknown currency {currency}"))
    if rate <= 0:
        problems.append(Problem(f"{path}/currency/rate", "exclusiveMinimum", "rate must be above 0"))
    elif currency == base_currency and rate != 1:
        problems.append(Problem(f"{path}/currency/rate", "const", "the base currency's rate is always 1"))
    return problems


def _is_part_of(vat: int, amount: int) -> bool:
    """True when ``vat`` is zero or has ``amount``'s sign and is no larger."""
    return vat == 0 or (abs(vat) <= abs(amount) and (vat > 0) == (amount > 0))


def _split_gross(
    gross: PostingLine,
    tax: TaxCode,
    tax_amount: int | None,
    deduction_percent: int | None,
    base_currency: str,
) -> list[PostingLine]:
    """The net line and the VAT line of a gross amount. Under a partial deduction only the deductible share
    of the VAT goes to the VAT account; the rest stays with the net amount on the line's account."""
    whole_vat = (
        vat_of_gross(gross.currency_amount, tax.rate_basis_points) if tax_amount is None else tax_amount
    )
    vat = deductible_share(whole_vat, deduction_percent)
    net_amount = gross.currency_amount - vat
    net_base = convert_to_base(net_amount, gross.currency, gross.rate, base_currency)
    net = replace(gross, amount=net_base, currency_amount=net_amount)
    assert tax.vat_account is not None
    vat_line = replace(
        gross,
        account_number=tax.vat_account,
        amount=gross.amount - net_base,
        currency_amount=vat,
        is_vat=True,
    )
    return [net, vat_line]


def _add_reverse_charge(
    net: PostingLine,
    tax: TaxCode,
    tax_amount: int | None,
    deduction_percent: int | None,
    base_currency: str,
) -> list[PostingLine]:
    """The VAT owed on a reverse-charge purchase and what is reclaimed of it. Under a partial deduction the
    deductible share is debited to the VAT account and the rest to the line's own account as a cost."""
    vat = vat_of_net(net.currency_amount, tax.rate_basis_points) if tax_amount is None else tax_amount
    vat_base = convert_to_base(vat, net.currency, net.rate, base_currency)
    deductible = tax.treatment is VatTreatment.REVERSE_CHARGE_DEDUCTIBLE
    debit_account = tax.vat_account if deductible and tax.vat_account else net.account_number
    reclaimed = deductible_share(vat, deduction_percent) if deductible else vat
    reclaimed_base = convert_to_base(reclaimed, net.currency, net.rate, base_currency)
    debit = replace(
        net, account_number=debit_account, amount=reclaimed_base, currency_amount=reclaimed, is_vat=True
    )
    credit = replace(
        net,
        account_number=REVERSE_CHARGE_OUTPUT_ACCOUNT,
        amount=-vat_base,
        currency_amount=-vat,
        is_vat=True,
    )
    if reclaimed == vat:
        return [net, debit, credit]
    cost = replace(
        net,
        amount=vat_base - reclaimed_base,
        currency_amount=vat - reclaimed,
        is_vat=True,
    )
    return [net, debit, cost, credit]


def _imbalances(lines: Sequence[PostingLine], base_currency: str) -> list[Problem]:
    per_day: dict[date, int] = defaultdict(int)
    for line in lines:
        per_day[line.day] += line.amount
    return [
        Problem(
            "/lines",
            "balanced",
            f"lines dated {day.isoformat()} sum to {to_decimal(total, base_currency)} {base_currency}"
            " in the base currency; they must sum to 0",
        )
        for day, total in sorted(per_day.items())
        if total != 0
    ]


def reversal_of(
    original: Sequence[PostingLine], *, day: date | None, comment: str | None
) -> list[PostingLine]:
    """The lines that cancel ``original``: every amount negated, on ``day`` or on the original dates."""
    return [
        replace(
            line,
            day=day or line.day,
            period_date=day or line.period_date,
            amount=-line.amount,
            currency_amount=-line.currency_amount,
            comment=comment if comment is not None else line.comment,
        )
        for line in original
    ]
