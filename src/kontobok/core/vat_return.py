"""The Norwegian VAT return (mva-melding): basis and VAT per standard tax code, and what is payable.

The return lists, per tax code, the basis (grunnlag) and the VAT (merverdiavgift):

- output VAT (utgående), codes 3, 31, 32, 33: the basis is the net sales credited, the VAT what was credited
  to the output VAT accounts; sales without VAT (5, 51, 52, 6) give a basis and no VAT;
- deductible input VAT (inngående), codes 1, 11, 12, 13, 14, 15: the basis is the net purchases debited, the
  VAT what was *debited to a VAT account*, that is the deduction as posted: a part that could not be
  deducted (partial deduction) is debited to a cost account and is not reclaimed;
- reverse charge (snudd avregning), codes 81–84, 86–89, 91, 92: the buyer computes the VAT on the net
  purchase and owes it (``reverseChargeOutput``, credited to 2705) and, where the code allows, deducts it at
  once (``reverseChargeInput``, debited to a VAT account); codes 20–22 and 85 give a basis only.

All figures are shown positive for the usual direction (a credit note makes them negative), and
``payable = output VAT − deductible VAT``: negative when the state owes the company.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kontobok.core.accounts import AccountKind, account_kind
from kontobok.core.taxes import REVERSE_CHARGE_OUTPUT_ACCOUNT, TaxCode, VatTreatment

# codes of the return that report sales without VAT, and imports whose basis is reported without VAT
SALES_WITHOUT_VAT = frozenset({5, 51, 52, 6})
IMPORT_BASIS_ONLY = frozenset({20, 21, 22, 85})


class VatEntryKind(enum.Enum):
    OUTPUT = "output"
    INPUT = "input"
    REVERSE_CHARGE_OUTPUT = "reverseChargeOutput"
    REVERSE_CHARGE_INPUT = "reverseChargeInput"

    @property
    def is_output(self) -> bool:
        return self in (VatEntryKind.OUTPUT, VatEntryKind.REVERSE_CHARGE_OUTPUT)


@dataclass(frozen=True)
class VatLineSum:
    """Posted lines of one code summed: VAT part or not, on one account (ledger signs)."""

    tax_number: int
    is_vat: bool
    account_number: int
    amount: int


@dataclass(frozen=True)
class VatEntry:
    code: int
    name: str
    kind: VatEntryKind
    basis: int
    vat: int


@dataclass(frozen=True)
class VatReturn:
    entries: tuple[VatEntry, ...]
    output: int
    deductible: int

    @property
    def payable(self) -> int:
        return self.output - self.deductible


@dataclass
class _CodeSums:
    """``reverse_charge_vat`` is what was posted to 2705, ``account_vat`` what was posted to the other VAT
    (balance-sheet) accounts; VAT debited to a cost account was not deducted and is in neither."""

    basis: int = 0
    reverse_charge_vat: int = 0
    account_vat: int = 0


def compute_vat_return(sums: Iterable[VatLineSum], tax_codes: Mapping[int, TaxCode]) -> VatReturn:
    """The return's entries in code order, from the posted lines' sums; codes without lines are left out."""
    per_code: dict[int, _CodeSums] = defaultdict(_CodeSums)
    for item in sums:
        code = per_code[item.tax_number]
        if not item.is_vat:
            code.basis += item.amount
        elif item.account_number == REVERSE_CHARGE_OUTPUT_ACCOUNT:
            code.reverse_charge_vat += item.amount
        elif account_kind(item.account_number) is AccountKind.BALANCE_SHEET:
            code.account_vat += item.amount
    entries: list[VatEntry] = []
    for number in sorted(per_code):
        tax = tax_codes.get(number)
        if tax is not None:
            entries.extend(_entries(tax, per_code[number]))
    output = sum(entry.vat for entry in entries if entry.kind.is_output)
    deductible = sum(entry.vat for entry in entries if not entry.kind.is_output)
    return VatReturn(tuple(entries), output, deductible)


def _entries(tax: TaxCode, sums: _CodeSums) -> list[VatEntry]:
    treatment = tax.treatment
    if treatment is VatTreatment.OUTPUT:
        vat = -(sums.account_vat + sums.reverse_charge_vat)
        return [VatEntry(tax.number, tax.name, VatEntryKind.OUTPUT, -sums.basis, vat)]
    if treatment is VatTreatment.INPUT:
        return [VatEntry(tax.number, tax.name, VatEntryKind.INPUT, sums.basis, sums.account_vat)]
    if tax.is_reverse_charge:
        owed = -sums.reverse_charge_vat
        found = [VatEntry(tax.number, tax.name, VatEntryKind.REVERSE_CHARGE_OUTPUT, sums.basis, owed)]
        if treatment is VatTreatment.REVERSE_CHARGE_DEDUCTIBLE or sums.account_vat != 0:
            deducted = sums.account_vat
            found.append(
                VatEntry(tax.number, tax.name, VatEntryKind.REVERSE_CHARGE_INPUT, sums.basis, deducted)
            )
        return found
    if tax.number in SALES_WITHOUT_VAT:
        return [VatEntry(tax.number, tax.name, VatEntryKind.OUTPUT, -sums.basis, 0)]
    if tax.number in IMPORT_BASIS_ONLY:
        return [VatEntry(tax.number, tax.name, VatEntryKind.INPUT, sums.basis, 0)]
    return []
