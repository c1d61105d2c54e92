"""The demo books: the same every run, large, balanced, inside the standard chart, and postable.

The last tests run every voucher through :func:`build_voucher`, the validation a real posting goes through,
and check the books that come out: VAT accounts emptied at each term's end, the bank's few overdrawn days,
the currency accounts held in their own currencies and never overdrawn.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from kontobok.core.accounts import STANDARD_CHART
from kontobok.core.money import convert_to_base, to_minor_units
from kontobok.core.periods import DateRange
from kontobok.core.taxes import STANDARD_TAX_CODES
from kontobok.core.transaction_types import INCOMING_BALANCE_TYPE_NUMBER, STANDARD_TRANSACTION_TYPES
from kontobok.core.voucher import LedgerContext, LineDraft, PostingVoucher, VoucherDraft, build_voucher
from kontobok.demo_data import CURRENCY_ACCOUNTS, EXPORT_CUSTOMER, generate_demo_vouchers

YEARS = range(2023, 2026)
VAT_ACCOUNTS = frozenset(code.vat_account for code in STANDARD_TAX_CODES if code.vat_account)


@pytest.fixture(scope="module")
def vouchers() -> list[VoucherDraft]:
    return list(generate_demo_vouchers(YEARS))


@pytest.fixture(scope="module")
def postings(vouchers: list[VoucherDraft]) -> list[PostingVoucher]:
    return [build_voucher(voucher, make_context(YEARS)) for voucher in vouchers]


def make_context(years: range) -> LedgerContext:
    return LedgerContext(
        base_currency="NOK",
        account_numbers=frozenset(account.number for account in STANDARD_CHART),
        tax_codes={code.number: code for code in STANDARD_TAX_CODES},
        transaction_type_numbers=frozenset(kind.number for kind in STANDARD_TRANSACTION_TYPES),
        open_years=[DateRange(date(year, 1, 1), date(year + 1, 1, 1)) for year in years],
    )


def nok(line: LineDraft) -> int:
    currency = line.currency or "NOK"
    minor = to_minor_units(line.amount, currency, path="")
    assert isinstance(minor, int)
    return convert_to_base(minor, currency, line.rate or Decimal(1), "NOK")


def test_the_same_seed_gives_the_same_books(vouchers: list[VoucherDraft]) -> None:
    assert list(generate_demo_vouchers(YEARS)) == vouchers


def test_another_seed_gives_other_books(vouchers: list[VoucherDraft]) -> None:
    other = generate_demo_vouchers(YEARS, seed=7)
    assert [next(other) for _ in range(500)] != vouchers[:500]


def test_three_years_hold_over_20000_vouchers_in_every_month(vouchers: list[VoucherDraft]) -> None:
    assert len(vouchers) >= 20_000
    months = {(voucher.day.year, voucher.day.month) for voucher in vouchers}
    assert months == {(year, month) for year in YEARS for month in range(1, 13)}


def test_vouchers_come_in_date_order_inside_the_years(vouchers: list[VoucherDraft]) -> None:
    days = [voucher.day for voucher in vouchers]
    assert days == sorted(days)
    assert days[0] >= date(2023, 1, 1)
    assert days[-1] <= date(2025, 12, 31)
    assert all(line.day is None for voucher in vouchers for line in voucher.lines)


def test_every_voucher_balances_gross_in_nok(vouchers: list[VoucherDraft]) -> None:
    unbalanced = [voucher for voucher in vouchers if sum(nok(line) for line in voucher.lines) != 0]
    assert unbalanced == []


def test_amounts_are_exact_with_at_most_two_decimals(vouchers: list[VoucherDraft]) -> None:
    for line in (line for voucher in vouchers for line in voucher.lines):
        assert type(line.amount) in (Decimal, int), line
        if isinstance(line.amount, Decimal):
            exponent = line.amount.as_tuple().exponent
            assert isinstance(exponent, int)
            assert exponent >= -2, line
        assert line.rate is None or type(line.rate) is Decimal
        assert line.tax_amount is None


def test_accounts_tax_codes_and_types_are_standard(vouchers: list[VoucherDraft]) -> None:
    lines = [line for voucher in vouchers for line in voucher.lines]
    assert {line.account_number for line in lines} <= {account.number for account in STANDARD_CHART}
    assert {line.tax_number for line in lines} <= {code.number for code in STANDARD_TAX_CODES}
    used_types = {voucher.transaction_type_number for voucher in vouchers}
    assert used_types <= {kind.number for kind in STANDARD_TRANSACTION_TYPES}


def test_comments_fit_the_vendors_75_characters(vouchers: list[VoucherDraft]) -> None:
    comments = [voucher.comment for voucher in vouchers]
    comments += [line.comment for voucher in vouchers for line in voucher.lines]
    assert all(comment is None or 0 < len(comment) <= 75 for comment in comments)
    assert all(voucher.comment for voucher in vouchers)


def test_one_incoming_balance_on_the_first_day(vouchers: list[VoucherDraft]) -> None:
    incoming = [v for v in vouchers if v.transaction_type_number == INCOMING_BALANCE_TYPE_NUMBER]
    assert len(incoming) == 1
    assert incoming[0] is vouchers[0]
    assert incoming[0].day == date(2023, 1, 1)
    accounts = {line.account_number for line in incoming[0].lines}
    assert accounts == {1920, 1500, 1250, 2000, 2050, 2400}


def test_a_later_single_year_starts_with_its_own_incoming_balance() -> None:
    vouchers = list(generate_demo_vouchers(range(2024, 2025), seed=1))
    assert vouchers[0].transaction_type_number == INCOMING_BALANCE_TYPE_NUMBER
    assert vouchers[0].day == date(2024, 1, 1)
    assert {voucher.day.year for voucher in vouchers} == {2024}
    for voucher in vouchers:
        build_voucher(voucher, make_context(range(2024, 2025)))


def test_no_years_give_no_vouchers() -> None:
    assert list(generate_demo_vouchers(range(2024, 2024))) == []


def test_every_voucher_builds(postings: list[PostingVoucher]) -> None:
    assert len(postings) >= 20_000
    assert any(line.is_vat for posting in postings for line in posting.lines)
    assert {line.currency for posting in postings for line in posting.lines} == {"NOK", "EUR", "USD"}


def test_vat_accounts_are_empty_after_each_settlement(postings: list[PostingVoucher]) -> None:
    vat: dict[int, int] = defaultdict(int)
    settled = []
    for posting in postings:
        for line in posting.lines:
            if line.account_number in VAT_ACCOUNTS:
                vat[line.account_number] += line.amount
        if posting.comment and posting.comment.startswith("Oppgjør merverdiavgift"):
            settled.append(posting.day)
            assert all(balance == 0 for balance in vat.values()), posting.comment
    assert len(settled) == 6 * len(YEARS)


def test_the_bank_is_overdrawn_on_a_handful_of_days(postings: list[PostingVoucher]) -> None:
    balance, by_day = 0, {}
    for posting in postings:
        balance += sum(line.amount for line in posting.lines if line.account_number == 1920)
        by_day[posting.day] = balance
    overdrawn = [day for day, balance in by_day.items() if balance < 0]
    assert 1 <= len(overdrawn) <= 12
    assert all(by_day[max(day for day in by_day if day.year == year)] > 0 for year in YEARS)


def test_bank_lines_are_plain_money_in_their_accounts_currency(vouchers: list[VoucherDraft]) -> None:
    for currency, account in CURRENCY_ACCOUNTS.items():
        lines = [line for voucher in vouchers for line in voucher.lines if line.account_number == account]
        assert {line.currency or "NOK" for line in lines} == {currency}
        assert {line.tax_number for line in lines} == {0}
        assert len(lines) >= 20


def test_the_eur_account_is_topped_up_from_1920_and_never_overdrawn(vouchers: list[VoucherDraft]) -> None:
    balance, lowest = Decimal(0), Decimal(0)
    purchases = payments = 0
    for voucher in vouchers:
        moved = sum(line.amount for line in voucher.lines if line.account_number == 1921)
        if moved > 0:
            assert {line.account_number for line in voucher.lines} == {1920, 1921}, voucher
            purchases += 1
        elif moved < 0:
            assert voucher.comment is not None
            assert voucher.comment.startswith("Betaling faktura AT-"), voucher
            payments += 1
        balance += moved
        lowest = min(lowest, balance)
    assert lowest == 0
    assert 3 <= purchases < payments


def test_export_sales_are_paid_in_usd_and_sold_for_nok_now_and_then(vouchers: list[VoucherDraft]) -> None:
    sales = [line for voucher in vouchers for line in voucher.lines if line.tax_number == 52]
    assert len(sales) >= 10
    assert {(line.account_number, line.currency) for line in sales} == {(3100, "USD")}
    receipts = [
        v
        for v in vouchers
        if v.comment and v.comment.startswith("Innbetaling") and EXPORT_CUSTOMER in v.comment
    ]
    assert len(receipts) >= 10
    sold = [v for v in vouchers if any(line.account_number == 1922 and line.amount < 0 for line in v.lines)]
    assert 1 <= len(sold) <= len(receipts) // 4
    assert all({line.account_number for line in voucher.lines} == {1920, 1922} for voucher in sold)


def test_rates_stay_realistic_and_settlements_book_agio_or_disagio(
    vouchers: list[VoucherDraft],
) -> None:
    rates: dict[str, set[Decimal]] = defaultdict(set)
    differences = 0
    for voucher in vouchers:
        for line in voucher.lines:
            if line.currency in ("EUR", "USD"):
                assert line.rate is not None
                rates[line.currency].add(line.rate)
        differences += any(line.account_number in (8060, 8160) for line in voucher.lines)
    assert Decimal("10.5") < min(rates["EUR"]) < max(rates["EUR"]) < Decimal("12.5")
    assert Decimal("9.5") < min(rates["USD"]) < max(rates["USD"]) < Decimal("11.5")
    assert differences >= 40


def test_years_must_be_consecutive() -> None:
    with pytest.raises(ValueError, match="consecutive"):
        next(generate_demo_vouchers(range(2023, 2026, 2)))
