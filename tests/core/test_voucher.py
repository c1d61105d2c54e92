"""Building vouchers: balance per date, VAT split, reverse charge, currency, and every problem at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kontobok.core.accounts import STANDARD_CHART
from kontobok.core.errors import ValidationFailed
from kontobok.core.periods import fiscal_year_range
from kontobok.core.taxes import STANDARD_TAX_CODES, vat_of_gross, vat_of_net
from kontobok.core.transaction_types import STANDARD_TRANSACTION_TYPES
from kontobok.core.voucher import LedgerContext, LineDraft, VoucherDraft, build_voucher, reversal_of

CONTEXT = LedgerContext(
    base_currency="NOK",
    account_numbers=frozenset(account.number for account in STANDARD_CHART),
    tax_codes={code.number: code for code in STANDARD_TAX_CODES},
    transaction_type_numbers=frozenset(kind.number for kind in STANDARD_TRANSACTION_TYPES),
    open_years=(fiscal_year_range(2024, 1),),
)
DAY = date(2024, 3, 5)


def build(*lines: LineDraft, day: date = DAY) -> list[tuple[int, int]]:
    voucher = build_voucher(VoucherDraft(1, day, tuple(lines)), CONTEXT)
    return [(line.account_number, line.amount) for line in voucher.lines]


def test_vat_inside_a_gross_amount_rounds_half_even() -> None:
    assert vat_of_gross(125000, 2500) == 25000  # 1250.00 gross at 25 % holds 250.00
    assert vat_of_gross(125010, 2500) == 25002  # 1250.10 × 0.25 / 1.25 = 250.02
    assert vat_of_gross(11500, 1500) == 1500  # 115.00 at 15 % holds 15.00
    assert vat_of_net(10000, 1200) == 1200


def test_output_vat_is_split_from_the_gross_line() -> None:
    assert build(LineDraft(1500, Decimal("1250.10")), LineDraft(3000, Decimal("-1250.10"), tax_number=3)) == [
        (1500, 125010),
        (3000, -100008),
        (2700, -25002),
    ]


def test_a_given_tax_amount_replaces_the_computed_one() -> None:
    lines = build(LineDraft(4000, 1000, tax_number=1, tax_amount=Decimal("199.99")), LineDraft(2400, -1000))
    assert lines == [(4000, 80001), (2710, 19999), (2400, -100000)]


def test_reverse_charge_adds_vat_owed_and_reclaimed() -> None:
    # services from abroad, 1000.00 net at 25 %: owed 250.00 (2705), reclaimed at once (2710)
    assert build(LineDraft(6800, 1000, tax_number=86), LineDraft(2400, -1000)) == [
        (6800, 100000),
        (2710, 25000),
        (2705, -25000),
        (2400, -100000),
    ]
    # without deduction the VAT is a cost on the line's own account
    assert build(LineDraft(6800, 1000, tax_number=87), LineDraft(2400, -1000))[1] == (6800, 25000)


def test_a_foreign_gross_line_still_balances_in_the_base_currency() -> None:
    rate = Decimal("11.4821")
    lines = build(
        LineDraft(1500, Decimal("100.01"), currency="EUR", rate=rate),
        LineDraft(3000, Decimal("-100.01"), tax_number=3, currency="EUR", rate=rate),
    )
    # gross 100.01 EUR × 11.4821 = 1148.324821 → 1148.32 NOK; VAT 100.01 × 0.25 / 1.25 = 20.002 → 20.00 EUR;
    # net 80.01 EUR × 11.4821 = 918.682821 → 918.68 NOK; VAT in NOK = 1148.32 - 918.68 = 229.64
    assert lines == [(1500, 114832), (3000, -91868), (2700, -22964)]
    assert sum(amount for _, amount in lines) == 0


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationFailed) as raised:
        build_voucher(
            VoucherDraft(
                99,
                date(2020, 1, 1),
                (LineDraft(1111, 10, tax_number=77), LineDraft(1920, Decimal("-0.001"), currency="XXX")),
            ),
            CONTEXT,
        )
    keywords = {(problem.path, problem.keyword) for problem in raised.value.problems}
    assert keywords >= {
        ("/transactionTypeNumber", "exists"),
        ("/lines/0/accountNumber", "exists"),
        ("/lines/0/tax/number", "exists"),
        ("/date", "openFiscalYear"),
        ("/lines/1/currency/code", "enum"),
        ("/lines/1/amount", "multipleOf"),
    }


def test_lines_must_balance_on_each_date() -> None:
    with pytest.raises(ValidationFailed) as raised:
        build(
            LineDraft(1920, 100, day=date(2024, 1, 1)),
            LineDraft(3000, -100, day=date(2024, 1, 2)),
        )
    messages = [problem.message for problem in raised.value.problems]
    assert messages == [
        "lines dated 2024-01-01 sum to 100 NOK in the base currency; they must sum to 0",
        "lines dated 2024-01-02 sum to -100 NOK in the base currency; they must sum to 0",
    ]


def test_a_reversal_negates_every_amount() -> None:
    voucher = build_voucher(
        VoucherDraft(1, DAY, (LineDraft(1500, 125), LineDraft(3000, -125, tax_number=3))), CONTEXT
    )
    reversed_lines = reversal_of(voucher.lines, day=date(2024, 4, 1), comment="Kreditnota")
    assert [(line.account_number, line.amount) for line in reversed_lines] == [
        (1500, -12500),
        (3000, 10000),
        (2700, 2500),
    ]
    assert {line.day for line in reversed_lines} == {date(2024, 4, 1)}
