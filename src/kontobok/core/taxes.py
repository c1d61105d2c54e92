"""Norwegian VAT (merverdiavgift) by the SAF-T standard tax codes.

A line posted with a tax code whose rate is not zero carries a *gross* amount, VAT included. kontobok splits
it: the net amount stays on the line's account and the VAT goes to the code's VAT account as a separate line.
Output VAT (codes 3, 31, 32, 33) is owed to the state; input VAT (1, 11, 12, 13, 14, 15) is reclaimed.

Codes 81 to 92 are reverse charge ("snudd avregning"): on imports and services bought abroad, the buyer
computes the VAT itself. Their line amount is *net*; kontobok adds the computed VAT as owed (credit on 2705)
and, where the code allows deduction, reclaims it at once (debit on the input VAT account). Without deduction
the VAT is a cost and is debited to the line's own account.

Partial deduction ("forholdsmessig fradrag"): a business that uses a purchase partly for VAT-exempt activity
may reclaim only a share of its input VAT. The share is a whole percentage from 0 to 100 (the vendor's
``tax.baseRate``); the deductible VAT is the VAT times that percentage, rounded half-even to the minor unit,
and the rest of the VAT is a cost that stays on the line's own account.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kontobok.core.money import divide_half_even


class VatTreatment(enum.Enum):
    NONE = "none"
    INPUT = "input"
    OUTPUT = "output"
    REVERSE_CHARGE_DEDUCTIBLE = "reverse_charge_deductible"
    REVERSE_CHARGE_NOT_DEDUCTIBLE = "reverse_charge_not_deductible"


REVERSE_CHARGE_OUTPUT_ACCOUNT = 2705


@dataclass(frozen=True)
class TaxCode:
    """A standard tax code. ``rate_basis_points`` is the rate in hundredths of a percent (25% = 2500)."""

    number: int
    name: str
    rate_basis_points: int
    treatment: VatTreatment
    vat_account: int | None = None

    @property
    def splits_gross(self) -> bool:
        return self.rate_basis_points != 0 and self.treatment in (VatTreatment.INPUT, VatTreatment.OUTPUT)

    @property
    def is_deductible(self) -> bool:
        """True when the code's VAT is reclaimed, so that a partial deduction can apply to it."""
        return self.rate_basis_points != 0 and self.treatment in (
            VatTreatment.INPUT,
            VatTreatment.REVERSE_CHARGE_DEDUCTIBLE,
        )

    @property
    def is_reverse_charge(self) -> bool:
        return self.rate_basis_points != 0 and self.treatment in (
            VatTreatment.REVERSE_CHARGE_DEDUCTIBLE,
            VatTreatment.REVERSE_CHARGE_NOT_DEDUCTIBLE,
        )


def vat_of_gross(gross: int, rate_basis_points: int) -> int:
    """The VAT inside a gross amount: gross × rate / (1 + rate), rounded half-even to the minor unit."""
    return divide_half_even(gross * rate_basis_points, 10000 + rate_basis_points)


def vat_of_net(net: int, rate_basis_points: int) -> int:
    """The VAT on a net amount: net × rate, rounded half-even to the minor unit."""
    return divide_half_even(net * rate_basis_points, 10000)


def deductible_share(vat: int, deduction_percent: int | None) -> int:
    """The part of ``vat`` that is reclaimed under a partial deduction of ``deduction_percent`` (0 to 100):
    ``vat × percent / 100`` rounded half-even to the minor unit; all of it without a percentage."""
    if deduction_percent is None:
        return vat
    return divide_half_even(vat * deduction_percent, 100)


_I = VatTreatment.INPUT
_O = VatTreatment.OUTPUT
_N = VatTreatment.NONE
_RD = VatTreatment.REVERSE_CHARGE_DEDUCTIBLE
_RN = VatTreatment.REVERSE_CHARGE_NOT_DEDUCTIBLE

STANDARD_TAX_CODES: tuple[TaxCode, ...] = (
    TaxCode(0, "Ingen mva-behandling", 0, _N),
    TaxCode(1, "Fradrag inngående mva, høy sats", 2500, _I, 2710),
    TaxCode(11, "Fradrag inngående mva, middels sats", 1500, _I, 2711),
    TaxCode(12, "Fradrag inngående mva, råfisk", 1111, _I, 2713),
    TaxCode(13, "Fradrag inngående mva, lav sats", 1200, _I, 2712),
    TaxCode(14, "Fradrag betalt mva ved innførsel, høy sats", 2500, _I, 2714),
    TaxCode(15, "Fradrag betalt mva ved innførsel, middels sats", 1500, _I, 2714),
    TaxCode(3, "Utgående mva, høy sats", 2500, _O, 2700),
    TaxCode(31, "Utgående mva, middels sats", 1500, _O, 2701),
    TaxCode(32, "Utgående mva, råfisk", 1111, _O, 2703),
    TaxCode(33, "Utgående mva, lav sats", 1200, _O, 2702),
    TaxCode(5, "Innenlands omsetning fritatt for mva, nullsats", 0, _N),
    TaxCode(51, "Innenlands omsetning med omvendt avgiftsplikt", 0, _N),
    TaxCode(52, "Utførsel av varer og tjenester, nullsats", 0, _N),
    TaxCode(6, "Omsetning utenfor mva-loven", 0, _N),
    TaxCode(7, "Ingen mva-behandling (inntekter)", 0, _N),
    TaxCode(20, "Grunnlag ved innførsel av varer, høy sats", 0, _N),
    TaxCode(21, "Grunnlag ved innførsel av varer, middels sats", 0, _N),
    TaxCode(22, "Grunnlag ved innførsel av varer, nullsats", 0, _N),
    TaxCode(81, "Innførsel av varer, med fradrag, høy sats", 2500, _RD, 2714),
    TaxCode(82, "Innførsel av varer, uten fradrag, høy sats", 2500, _RN),
    TaxCode(83, "Innførsel av varer, med fradrag, middels sats", 1500, _RD, 2714),
    TaxCode(84, "Innførsel av varer, uten fradrag, middels sats", 1500, _RN),
    TaxCode(85, "Innførsel av varer, nullsats", 0, _N),
    TaxCode(86, "Tjenester kjøpt fra utlandet, med fradrag, høy sats", 2500, _RD, 2710),
    TaxCode(87, "Tjenester kjøpt fra utlandet, uten fradrag, høy sats", 2500, _RN),
    TaxCode(88, "Tjenester kjøpt fra utlandet, med fradrag, lav sats", 1200, _RD, 2712),
    TaxCode(89, "Tjenester kjøpt fra utlandet, uten fradrag, lav sats", 1200, _RN),
    TaxCode(91, "Kjøp av klimakvoter eller gull, med fradrag, høy sats", 2500, _RD, 2710),
    TaxCode(92, "Kjøp av klimakvoter eller gull, uten fradrag, høy sats", 2500, _RN),
)
