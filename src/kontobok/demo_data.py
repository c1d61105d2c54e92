"""Demo books: a fictitious Norwegian joinery's vouchers, generated the same way on every run.

Fjordtre Interiør AS makes kitchens, tables, chairs and shelving in oak, birch and pine in a workshop in
Norheimsund, sells them to cafés, hotels, shops and private homes, and mounts them on site. Thirteen
people work there. Its books hold the vouchers a small Norwegian company posts:

* an incoming balance (IB, type 10) on the first day: the assets, debts and equity brought over from the
  old system, with the open customer and supplier invoices line by line;
* sales invoices (type 1): receivables 1500 debited with the gross total, sales credited gross with output
  VAT (3000, code 3, 25 %; rarely 3100 code 5 or 3200 code 6); the customer pays later (type 5);
* supplier invoices (type 2): a cost account debited gross with input VAT (code 1, or 11 for food), supplier
  debt 2400 credited, paid from the bank on the due date (type 5);
* oak from Austria, invoiced in EUR and paid in EUR from the EUR account 1921, which the company tops up from
  1920 (a currency purchase at the bank's selling rate) when the payments of the coming week would overdraw
  it; now and then a shipment of furniture to a customer in the USA, invoiced in USD without VAT (code 52,
  export), paid into the USD account 1922 and sold for NOK when it has piled up. A foreign invoice is
  settled at the day's rate, and the difference from the rate it was booked at goes to 8060 agio or 8160
  disagio. The rates follow a seeded random walk around realistic levels, one step per business day;
* payroll on the 20th (type 4): gross salary 5000 against withheld tax 2600 and net pay from the bank,
  employer's contribution 14.1 % (5400/2770) and holiday pay 12 % (5092/2940); withheld tax and
  contribution are paid every second month, the holiday pay earned in a year is paid the next June;
* rent (type 6), bank fees and quarterly interest (type 5), straight through the bank;
* the VAT return every two months (type 6): the VAT accounts are emptied into 2740 and its balance is paid
  (or refunded) on the statutory due date; at the end of each year 20 % of the fixed assets is depreciated;
* once a year, after the September payroll, the cash built up buys a new machine, paid at delivery; that
  takes the bank account just below zero for a day or two, inside the bank's overdraft.

kontobok splits VAT itself, so the generator posts gross amounts. It keeps a shadow ledger (:class:`_Books`)
of the amounts after the split, rounded as kontobok rounds them, so that the VAT settlement, the tax payments
and the machine purchase use exact balances, and the currency accounts' balances in their own currencies.
Lines on the bank accounts (:data:`CURRENCY_ACCOUNTS`) never carry a VAT code, so each is one movement of
money, which :mod:`kontobok.demo_bank` turns into a bank transaction. Simplifications: only fixed public
holidays (no Easter), no employer's contribution on holiday pay, no tax withheld from it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from kontobok.core.money import convert_to_base
from kontobok.core.taxes import REVERSE_CHARGE_OUTPUT_ACCOUNT, STANDARD_TAX_CODES, vat_of_gross
from kontobok.core.voucher import InvoiceRef, LineDraft, VoucherDraft

COMPANY_NAME = "Fjordtre Interiør AS"
FIRST_CUSTOMER_ID = 10001
EXPORT_CUSTOMER = "Nordic Living Seattle LLC"
CURRENCY_ACCOUNTS = {"NOK": 1920, "EUR": 1921, "USD": 1922}
"""The bank's ledger account for each currency the company holds money in."""

DEMO_CUSTOMERS: tuple[str, ...] = (
    "Nordlys Kafé AS", "Hotell Ulvik Fjord AS", "Bergen Kjøkkensenter AS", "Voss Interiør AS",
    "Kafé Brygga Øystese AS", "Hardanger Hytteutleie AS", "Eide Bygg og Snekker AS", "Odda Møbel AS",
    "Sandviken Bryggeri AS", "Fjellstova Restaurant AS", "Kvam herad", "Norheimsund Tannlegesenter AS",
    "Lofthus Gjestgiveri AS", "Sjøbua Sjømat AS", "Bolig og Hjem Bergen AS", "Granvin Hotell AS",
    "Tysnes Feriesenter AS", "Helle Arkitekter AS", "Stord Kontorsenter AS", "Rosendal Turisthotell AS",
    "Hjemmekjær Interiør AS", "Kari og Ola Fjeldstad", "Ingrid Sæbø", "Familien Hovland", "Trond Aksnes",
    "Liv Mæland", "Jostein Rykkje", "Bjørg Tveito", EXPORT_CUSTOMER,
)  # fmt: skip
"""The customers, the export customer last; a customer's id is :data:`FIRST_CUSTOMER_ID` plus its index."""
_DOMESTIC_CUSTOMERS = len(DEMO_CUSTOMERS) - 1
_EXPORT_CUSTOMER_ID = FIRST_CUSTOMER_ID + _DOMESTIC_CUSTOMERS

# Description, gross unit price in kroner, most units on one invoice line.
_PRODUCTS: tuple[tuple[str, int, int], ...] = (
    ("Spisebord eik", 14_900, 1), ("Spisestol bjørk", 1_950, 4), ("Bokhylle furu", 2_790, 2),
    ("Kjøkkenfront eik", 850, 8), ("Benkeplate heltre", 4_900, 1), ("Garderobeskap", 9_800, 1),
    ("Montering, time", 850, 4), ("Salongbord ask", 5_900, 1), ("Barkrakk eik", 2_450, 2),
    ("Skjærefjøl eik", 390, 6), ("Reparasjon, time", 780, 3),
)  # fmt: skip
# Supplier, cost account, tax code, smallest and largest gross invoice in kroner.
_SUPPLIERS: tuple[tuple[str, int, int, int, int], ...] = (
    ("Hardanger Trelast AS", 4000, 1, 6_000, 50_000), ("Vestlandske Beslag AS", 4000, 1, 1_500, 15_000),
    ("Møbelgrossisten Norge AS", 4300, 1, 3_000, 30_000), ("Kontorkompaniet AS", 6800, 1, 300, 4_500),
    ("Fjordkantina AS", 7790, 11, 800, 6_000),
)  # fmt: skip
_MONTHLY_BILLS: tuple[tuple[str, int, int, int, int], ...] = (
    ("Hardanger Energi AS", 6340, 1, 6_000, 22_000), ("Telenor Norge AS", 6900, 1, 2_400, 3_600),
)  # fmt: skip
_EXPORT_PRODUCTS = tuple(product for product in _PRODUCTS if not product[0].endswith(", time"))
_MACHINE_SUPPLIER = ("Verktøymaskiner Vest AS", 1200, 1)
_EUR_SUPPLIER = "Holzwerk Tirol GmbH"
# The mid-market rate in NOK per unit, in ten-thousandths, that each rate's walk starts from and returns to.
_MID_RATES = {"EUR": 11_4500, "USD": 10_5500}
_BANK_SPREAD = 400  # the bank sells currency 0.04 NOK per unit above the mid rate and buys it as far below
# Employee, monthly gross salary in kroner in the first year, tax withheld in percent.
_EMPLOYEES: tuple[tuple[str, int, int], ...] = (
    ("Kari Nordheim", 62_000, 34), ("Ola Haugland", 54_500, 32), ("Ingrid Vik", 51_000, 31),
    ("Lars Brekke", 49_500, 31), ("Silje Aasen", 47_000, 30), ("Erik Tveit", 58_000, 33),
    ("Marte Lie", 45_500, 30), ("Jonas Steine", 52_000, 32), ("Hanne Kvam", 48_000, 31),
    ("Per Øvrebø", 56_000, 33), ("Tone Hjelle", 44_000, 29), ("Anders Berge", 68_000, 35),
    ("Mona Rød", 50_000, 31),
)  # fmt: skip
_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")  # fmt: skip
_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 17), (12, 24), (12, 25), (12, 26), (12, 31)})
_TAX_CODES = {code.number: code for code in STANDARD_TAX_CODES}
_VAT_ACCOUNTS = tuple(
    sorted({c.vat_account for c in STANDARD_TAX_CODES if c.vat_account} | {REVERSE_CHARGE_OUTPUT_ACCOUNT})
)
_NO_INVOICE = InvoiceRef()
_KRONE = 100  # øre


@dataclass
class _Books:
    """The generator's state: its random source, a shadow ledger in øre after VAT split, the foreign-currency
    balances in their own currencies (``held``), payments to come, and today's mid rates."""

    rng: random.Random
    first_year: int
    balances: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    held: defaultdict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    due: defaultdict[date, list[VoucherDraft]] = field(default_factory=lambda: defaultdict(list))
    settlements: defaultdict[date, list[tuple[LineDraft, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    rates: dict[str, int] = field(default_factory=lambda: dict(_MID_RATES))
    holiday_pay: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    invoice_number: int = 10000

    def record(self, draft: VoucherDraft) -> VoucherDraft:
        """Post ``draft`` to the shadow ledger, splitting VAT as :func:`build_voucher` does.

        Reverse-charge codes are not mirrored; the generator does not use them.
        """
        for line in draft.lines:
            currency, rate = line.currency or "NOK", line.rate or Decimal(1)
            gross = _minor(line.amount)
            tax = _TAX_CODES[line.tax_number]
            vat = vat_of_gross(gross, tax.rate_basis_points) if tax.splits_gross else 0
            net_nok = convert_to_base(gross - vat, currency, rate, "NOK")
            self.balances[line.account_number] += net_nok
            if currency != "NOK":
                self.held[(line.account_number, currency)] += gross
            if tax.vat_account is not None:
                self.balances[tax.vat_account] += convert_to_base(gross, currency, rate, "NOK") - net_nok
        return draft

    def years_in(self, day: date) -> int:
        return day.year - self.first_year

    def rate(self, currency: str, *, spread: int = 0) -> Decimal:
        """Today's mid rate of ``currency`` in NOK per unit, moved by ``spread`` ten-thousandths."""
        return Decimal(self.rates[currency] + spread).scaleb(-4)


def generate_demo_vouchers(years: range, *, seed: int = 2024) -> Iterator[VoucherDraft]:
    """Fjordtre Interiør AS's vouchers for the consecutive calendar ``years``, in date order.

    Payments that would fall after the last year are left out, so invoices stay open at the end.
    """
    if years.step != 1:
        raise ValueError("the demo books cover consecutive years")
    if not years:
        return
    books = _Books(random.Random(seed), years[0])  # noqa: S311 - demo data, not cryptography
    first, end = date(years[0], 1, 1), date(years[-1] + 1, 1, 1)
    yield books.record(_incoming_balance(books, first))
    day = first
    while day < end:
        for kind in _DAILY_KINDS:
            for draft in kind(books, day):
                yield books.record(draft)
        day += timedelta(days=1)


def _minor(amount: Decimal | int) -> int:
    return amount * _KRONE if isinstance(amount, int) else int(amount.scaleb(2))


def _kr(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


def _line(
    account: int,
    minor: int,
    comment: str | None = None,
    *,
    tax: int = 0,
    invoice: InvoiceRef = _NO_INVOICE,
    customer_id: int | None = None,
) -> LineDraft:
    return LineDraft(account, _kr(minor), tax, comment=comment, invoice=invoice, customer_id=customer_id)


def _voucher(type_number: int, day: date, comment: str, *lines: LineDraft) -> VoucherDraft:
    return VoucherDraft(type_number, day, tuple(lines), comment=comment[:75])


def _is_business_day(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _HOLIDAYS


def _next_business_day(day: date) -> date:
    while not _is_business_day(day):
        day += timedelta(days=1)
    return day


def _is_due_on(day: date, day_of_month: int) -> bool:
    """Whether ``day`` is the first business day on or after ``day_of_month`` in its month."""
    return day == _next_business_day(day.replace(day=day_of_month))


def _incoming_balance(books: _Books, day: date) -> VoucherDraft:
    """The IB: bank, equipment, open receivables and supplier debt, against share capital and equity.

    The open invoices are listed one per line and are paid in January like any other invoice.
    """
    rng = books.rng
    lines = [_line(1920, 800_000_00, "Bankinnskudd"), _line(1250, 350_000_00, "Inventar og verktøy")]
    for n in range(8):
        gross, index = rng.randint(20_000, 80_000) * _KRONE, rng.randrange(_DOMESTIC_CUSTOMERS)
        ref = InvoiceRef(number=str(9901 + n), due_date=day + timedelta(days=rng.randint(3, 28)))
        lines.append(_line(1500, gross, invoice=ref, customer_id=FIRST_CUSTOMER_ID + index))
        _plan_customer_payment(books, lines[-1], DEMO_CUSTOMERS[index], after=day)
    for name, _, _, low, high in _SUPPLIERS[:3]:
        gross = rng.randint(low, high) * _KRONE
        ref = InvoiceRef(str(rng.randint(100_000, 999_999)), day + timedelta(days=rng.randint(3, 28)))
        lines.append(_line(2400, -gross, invoice=ref))
        payment = _supplier_payment(name, ref, gross)
        books.due[payment.day].append(payment)
    lines.append(_line(2000, -100_000_00, "Aksjekapital"))
    lines.append(_line(2050, -sum(_minor(line.amount) for line in lines), "Annen egenkapital"))
    return _voucher(10, day, f"Inngående balanse {day.year}", *lines)


def _due_payments(books: _Books, day: date) -> list[VoucherDraft]:
    return books.due.pop(day, [])


def _plan_customer_payment(books: _Books, receivable: LineDraft, customer: str, *, after: date) -> None:
    """Most customers pay around the due date; one invoice in seventy is never paid."""
    rng, ref, total = books.rng, receivable.invoice, _minor(receivable.amount)
    if ref.due_date is None or rng.randrange(70) == 0:
        return
    paid = _next_business_day(max(after + timedelta(days=1), ref.due_date + timedelta(rng.randint(-10, 21))))
    lines = (_line(1920, total), _line(1500, -total, invoice=ref, customer_id=receivable.customer_id))
    books.due[paid].append(_voucher(5, paid, f"Innbetaling faktura {ref.number} {customer}", *lines))


def _sales_invoices(books: _Books, day: date) -> list[VoucherDraft]:
    if not _is_business_day(day):
        return []
    count = books.rng.randint(9, 17) // (2 if day.month == 7 else 1)  # July is the common holiday
    return [_sales_invoice(books, day) for _ in range(count)]


def _sales_invoice(books: _Books, day: date) -> VoucherDraft:
    """Receivables debited with the gross total; each product line credited gross to its sales account."""
    rng = books.rng
    books.invoice_number += 1
    index = rng.randrange(_DOMESTIC_CUSTOMERS)
    ref = InvoiceRef(str(books.invoice_number), day + timedelta(days=rng.choice((14, 14, 30))))
    sales = []
    for _ in range(rng.choice((1, 1, 1, 2, 2))):
        name, price, most = rng.choice(_PRODUCTS)
        units, pick = rng.randint(1, most), rng.randrange(100)
        account, tax = (3000, 3) if pick < 94 else (3100, 5) if pick < 97 else (3200, 6)
        gross = units * price * _KRONE * (100 + 4 * books.years_in(day)) // 100
        sales.append(_line(account, -gross, f"{units} stk {name}", tax=tax))
    total = -sum(_minor(line.amount) for line in sales)
    receivable = _line(1500, total, invoice=ref, customer_id=FIRST_CUSTOMER_ID + index)
    _plan_customer_payment(books, receivable, DEMO_CUSTOMERS[index], after=day)
    return _voucher(1, day, f"Faktura {ref.number} {DEMO_CUSTOMERS[index]}", receivable, *sales)


def _supplier_invoice(
    books: _Books, day: date, supplier: tuple[str, int, int], gross: int, *, due_days: int = 30
) -> tuple[VoucherDraft, VoucherDraft]:
    """The supplier's invoice (cost debited gross, debt 2400 credited) and its payment on the due date."""
    name, account, tax = supplier
    ref = InvoiceRef(str(books.rng.randint(100_000, 999_999)), day + timedelta(days=due_days))
    lines = (_line(account, gross, tax=tax), _line(2400, -gross, invoice=ref))
    return _voucher(2, day, f"Faktura {ref.number} {name}", *lines), _supplier_payment(name, ref, gross)


def _supplier_payment(name: str, ref: InvoiceRef, gross: int) -> VoucherDraft:
    """Supplier debt 2400 debited and the bank credited on the first business day from the due date."""
    assert ref.due_date is not None
    paid = _next_business_day(ref.due_date)
    text = f"Betaling faktura {ref.number} {name}"
    return _voucher(5, paid, text, _line(2400, gross, invoice=ref), _line(1920, -gross))


def _book_purchase(books: _Books, day: date, supplier: tuple[str, int, int, int, int]) -> VoucherDraft:
    name, account, tax, low, high = supplier
    gross = books.rng.randint(low * _KRONE, high * _KRONE)
    invoice, payment = _supplier_invoice(books, day, (name, account, tax), gross)
    books.due[payment.day].append(payment)
    return invoice


def _purchases(books: _Books, day: date) -> list[VoucherDraft]:
    if not _is_business_day(day):
        return []
    bills = [_book_purchase(books, day, bill) for bill in _MONTHLY_BILLS if _is_due_on(day, 3)]
    count = books.rng.randint(1, 3)
    return bills + [_book_purchase(books, day, books.rng.choice(_SUPPLIERS)) for _ in range(count)]


def _exchange_rates(books: _Books, day: date) -> list[VoucherDraft]:
    """The market moves on business days: a random step, pulled back a fiftieth towards the mid rate."""
    if _is_business_day(day):
        for currency, mid in _MID_RATES.items():
            rate = books.rates[currency]
            books.rates[currency] = rate + (mid - rate) // 50 + books.rng.randint(-500, 500)
    return []


def _eur_purchase(books: _Books, day: date) -> list[VoucherDraft]:
    """Oak bought in EUR, both invoice lines at the day's rate; paid from the EUR account on the due date."""
    rng = books.rng
    if not _is_business_day(day) or rng.randrange(25) != 0:
        return []
    rate, cents = books.rate("EUR"), rng.randint(2_000_00, 18_000_00)
    ref = InvoiceRef(f"AT-{rng.randint(10_000, 99_999)}", day + timedelta(days=30))
    debt = LineDraft(2400, _kr(-cents), currency="EUR", rate=rate, invoice=ref)
    text = f"Betaling faktura {ref.number} {_EUR_SUPPLIER}"
    books.settlements[_next_business_day(day + timedelta(days=30))].append((debt, text))
    lines = (LineDraft(4300, _kr(cents), currency="EUR", rate=rate), debt)
    return [_voucher(2, day, f"Faktura {ref.number} {_EUR_SUPPLIER}, eiketre", *lines)]


def _export_sale(books: _Books, day: date) -> list[VoucherDraft]:
    """A shipment to the US customer: one line in USD without VAT (code 52, export), paid into 1922.

    One sales line only: each line's NOK amount is rounded on its own, and a single line keeps the invoice
    balanced in NOK to the øre.
    """
    rng = books.rng
    if not _is_business_day(day) or rng.randrange(25) != 0:
        return []
    books.invoice_number += 1
    due = day + timedelta(days=30)
    ref = InvoiceRef(str(books.invoice_number), due)
    name, price, most = rng.choice(_EXPORT_PRODUCTS)
    units = rng.randint(2, 4 * most)
    cents = units * price * 10 * (100 + 4 * books.years_in(day)) // 100  # a tenth of the krone price in USD
    rate = books.rate("USD")
    receivable = LineDraft(
        1500, _kr(cents), currency="USD", rate=rate, invoice=ref, customer_id=_EXPORT_CUSTOMER_ID
    )
    sale = LineDraft(3100, _kr(-cents), 52, comment=f"{units} stk {name}", currency="USD", rate=rate)
    paid = _next_business_day(max(day + timedelta(days=1), due + timedelta(rng.randint(-5, 10))))
    books.settlements[paid].append((receivable, f"Innbetaling faktura {ref.number} {EXPORT_CUSTOMER}"))
    return [_voucher(1, day, f"Faktura {ref.number} {EXPORT_CUSTOMER}", receivable, sale)]


def _currency_exchange(books: _Books, day: date) -> list[VoucherDraft]:
    """EUR bought from 1920 when the EUR account would not cover the coming week's payments (with a buffer
    of EUR 20,000, in round tens of thousands); USD sold for NOK once more than USD 25,000 has piled up."""
    if not _is_business_day(day):
        return []
    drafts: list[VoucherDraft] = []
    coming = sum(
        -_minor(item.amount)
        for offset in range(8)
        for item, _ in books.settlements.get(day + timedelta(days=offset), [])
        if item.currency == "EUR"
    )
    shortfall = coming - books.held[(1921, "EUR")]
    if shortfall > 0:
        rate = books.rate("EUR", spread=_BANK_SPREAD)
        cents = -(-(shortfall + 20_000_00) // 10_000_00) * 10_000_00
        nok = convert_to_base(cents, "EUR", rate, "NOK")
        if books.balances[1920] - nok < 300_000_00:  # cash is short: only what the week's payments need
            cents = -(-shortfall // 1_000_00) * 1_000_00
            nok = convert_to_base(cents, "EUR", rate, "NOK")
        lines = (LineDraft(1921, _kr(cents), currency="EUR", rate=rate), _line(1920, -nok))
        drafts.append(_voucher(5, day, f"Kjøp av EUR {_kr(cents)} til valutakonto, kurs {rate}", *lines))
    held = books.held[(1922, "USD")]
    if held > 25_000_00:
        cents = (held - 5_000_00) // 10_000_00 * 10_000_00
        rate = books.rate("USD", spread=-_BANK_SPREAD)
        nok = convert_to_base(cents, "USD", rate, "NOK")
        lines = (_line(1920, nok), LineDraft(1922, _kr(-cents), currency="USD", rate=rate))
        drafts.append(_voucher(5, day, f"Salg av USD {_kr(cents)} fra valutakonto, kurs {rate}", *lines))
    return drafts


def _currency_settlements(books: _Books, day: date) -> list[VoucherDraft]:
    """Foreign invoices due today, settled through their currency's account at today's rate."""
    return [_settlement(books, day, item, text) for item, text in books.settlements.pop(day, [])]


def _settlement(books: _Books, day: date, item: LineDraft, text: str) -> VoucherDraft:
    """The open item cleared at the rate it was booked at, the bank at today's; the difference in NOK is
    agio (8060) or disagio (8160)."""
    assert item.currency is not None
    assert item.rate is not None
    currency, cents = item.currency, _minor(item.amount)
    rate = books.rate(currency)
    bank = LineDraft(
        CURRENCY_ACCOUNTS[currency],
        item.amount,
        comment=f"{currency} {_kr(abs(cents))} til kurs {rate}",
        currency=currency,
        rate=rate,
    )
    lines = [replace(item, amount=_kr(-cents)), bank]
    booked, paid = (convert_to_base(cents, currency, r, "NOK") for r in (item.rate, rate))
    if booked != paid:
        lines.append(_line(8160 if booked > paid else 8060, booked - paid, "Valutadifferanse"))
    return _voucher(5, day, text, *lines)


def _payroll(books: _Books, day: date) -> list[VoucherDraft]:
    """Salaries after the yearly raise of 4 %, employer's contribution, holiday pay accrued (paid in June)."""
    if not _is_due_on(day, 20):
        return []
    lines, total = [], 0
    for name, monthly, percent in _EMPLOYEES:
        gross = monthly * _KRONE * (100 + 4 * books.years_in(day)) // 100
        withheld = gross * percent // 100 // _KRONE * _KRONE
        text = f"Lønn {name}"
        lines += [_line(5000, gross, text), _line(2600, -withheld, text), _line(1920, withheld - gross, text)]
        total += gross
    contribution, holiday = total * 141 // 1000, total * 12 // 100
    books.holiday_pay[day.year] += holiday
    lines += [_line(5400, contribution, "Arbeidsgiveravgift 14,1 %"), _line(2770, -contribution)]
    lines += [_line(5092, holiday, "Feriepenger 12 %"), _line(2940, -holiday)]
    drafts = [_voucher(4, day, f"Lønn {_MONTHS[day.month - 1]} {day.year}", *lines)]
    owed = books.holiday_pay[day.year - 1] if day.month == 6 else 0
    if owed:
        text = f"Utbetaling feriepenger opptjent {day.year - 1}"
        drafts.append(_voucher(4, day, text, _line(2940, owed), _line(1920, -owed)))
    return drafts


def _tax_payment(books: _Books, day: date) -> list[VoucherDraft]:
    """Withheld tax and employer's contribution of the two months before, due the 15th of odd months."""
    withheld, contribution = books.balances[2600], books.balances[2770]
    if day.month % 2 == 0 or not _is_due_on(day, 15) or not withheld + contribution:
        return []
    lines = (_line(2600, -withheld), _line(2770, -contribution), _line(1920, withheld + contribution))
    return [_voucher(5, day, f"Forskuddstrekk og arbeidsgiveravgift {_period(day)}", *lines)]


def _period(day: date) -> str:
    """The two months before ``day``, as a VAT or payroll term is named: "november-desember 2024"."""
    last = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
    first = last - timedelta(days=1)
    return f"{_MONTHS[first.month - 1]}-{_MONTHS[last.month - 1]} {last.year}"


def _rent(books: _Books, day: date) -> list[VoucherDraft]:
    if not _is_due_on(day, 1):
        return []
    rent = 62_500 * _KRONE * (100 + 5 * books.years_in(day)) // 100
    text = f"Husleie {_MONTHS[day.month - 1]} {day.year} Vikøy Næringsbygg AS"
    return [_voucher(6, day, text, _line(6300, rent), _line(1920, -rent))]


def _machine(books: _Books, day: date) -> list[VoucherDraft]:
    """The yearly machine, sized so that paying it at delivery takes the bank a little below zero."""
    if day.month != 9 or not _is_due_on(day, 21):
        return []
    wanted = books.balances[1920] + books.rng.randint(20_000, 60_000) * _KRONE
    gross = max(-(-wanted // 10_000_00) * 10_000_00, 150_000_00)
    invoice, payment = _supplier_invoice(books, day, _MACHINE_SUPPLIER, gross, due_days=0)
    return [invoice, payment]


def _bank_costs(books: _Books, day: date) -> list[VoucherDraft]:
    """Account fees and transaction fees each month; interest earned at each quarter's end."""
    if not _is_business_day(day) or _next_business_day(day + timedelta(days=1)).month == day.month:
        return []
    month = f"{_MONTHS[day.month - 1]} {day.year}"
    fee = books.rng.randint(600_00, 1400_00)
    drafts = [
        _voucher(5, day, f"Kontohold og nettbank {month}", _line(7770, 250_00), _line(1920, -250_00)),
        _voucher(5, day, f"Transaksjonsgebyrer {month}", _line(7770, fee), _line(1920, -fee)),
    ]
    interest = max(books.balances[1920], 0) // 400
    if day.month % 3 == 0 and interest:
        text = f"Renter {day.month // 3}. kvartal {day.year}"
        drafts.append(_voucher(5, day, text, _line(1920, interest), _line(8040, -interest)))
    return drafts


def _depreciation(books: _Books, day: date) -> list[VoucherDraft]:
    if (day.month, day.day) != (12, 31):
        return []
    parts = [(account, books.balances[account] // 5 // _KRONE * _KRONE) for account in (1200, 1250)]
    lines = [_line(account, -amount) for account, amount in parts if amount]
    total = sum(amount for _, amount in parts)
    return [_voucher(6, day, f"Avskrivning driftsmidler {day.year}", _line(6000, total), *lines)]


def _vat_settlement(books: _Books, day: date) -> list[VoucherDraft]:
    """At the end of each two-month term, VAT accounts to 2740; the balance is paid on the due date."""
    if day.month % 2 or (day + timedelta(days=1)).day != 1:
        return []
    moved = [(account, books.balances[account]) for account in _VAT_ACCOUNTS if books.balances[account]]
    total = sum(balance for _, balance in moved)
    term = _period(day + timedelta(days=1))
    lines = [_line(account, -balance) for account, balance in moved]
    due = date(day.year + day.month // 12, (day.month + 1) % 12 + 1, 10)
    due = _next_business_day(date(day.year, 8, 31) if day.month == 6 else due)
    books.due[due].append(
        _voucher(6, due, f"Betaling merverdiavgift {term}", _line(2740, -total), _line(1920, total))
    )
    return [_voucher(6, day, f"Oppgjør merverdiavgift {term}", *lines, _line(2740, total))]


_DAILY_KINDS: tuple[Callable[[_Books, date], list[VoucherDraft]], ...] = (
    _exchange_rates, _due_payments, _currency_exchange, _currency_settlements, _rent, _purchases,
    _eur_purchase, _export_sale, _sales_invoices, _payroll, _tax_payment, _machine, _bank_costs,
    _depreciation, _vat_settlement,
)  # fmt: skip
