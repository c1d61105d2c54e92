"""The chart of accounts after the Norwegian standard NS 4102.

The first digit of an account number gives its class. Classes 1 (assets) and 2 (equity and liabilities) are
balance-sheet accounts: their balance accumulates over the life of the company. Classes 3 to 8 are
profit-and-loss accounts (sales, cost of goods, salaries, depreciation, other operating costs, financial
items and the year's result): they measure one fiscal year, so each fiscal year starts them at zero.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

MIN_ACCOUNT_NUMBER = 1000
MAX_ACCOUNT_NUMBER = 99999999


class AccountKind(enum.Enum):
    BALANCE_SHEET = "balance_sheet"
    PROFIT_AND_LOSS = "profit_and_loss"


def account_kind(number: int) -> AccountKind:
    """Balance sheet for classes 1 and 2, profit and loss for classes 3 to 8 (and 9, the memo class)."""
    first_digit = int(str(number)[0])
    return AccountKind.BALANCE_SHEET if first_digit in (1, 2) else AccountKind.PROFIT_AND_LOSS


@dataclass(frozen=True)
class StandardAccount:
    number: int
    name: str
    tax_code: int = 0


STANDARD_CHART: tuple[StandardAccount, ...] = (
    StandardAccount(1200, "Maskiner og anlegg"),
    StandardAccount(1250, "Inventar"),
    StandardAccount(1280, "Kontormaskiner"),
    StandardAccount(1400, "Varelager"),
    StandardAccount(1500, "Kundefordringer"),
    StandardAccount(1570, "Andre kortsiktige fordringer"),
    StandardAccount(1700, "Forskuddsbetalte kostnader"),
    StandardAccount(1900, "Kontanter"),
    StandardAccount(1920, "Bankinnskudd"),
    StandardAccount(1921, "Bankinnskudd EUR"),
    StandardAccount(1922, "Bankinnskudd USD"),
    StandardAccount(1950, "Bankinnskudd for skattetrekk"),
    StandardAccount(2000, "Aksjekapital"),
    StandardAccount(2050, "Annen egenkapital"),
    StandardAccount(2080, "Udekket tap"),
    StandardAccount(2400, "Leverandørgjeld"),
    StandardAccount(2500, "Betalbar skatt"),
    StandardAccount(2600, "Forskuddstrekk"),
    StandardAccount(2700, "Utgående merverdiavgift, høy sats"),
    StandardAccount(2701, "Utgående merverdiavgift, middels sats"),
    StandardAccount(2702, "Utgående merverdiavgift, lav sats"),
    StandardAccount(2703, "Utgående merverdiavgift, råfisk"),
    StandardAccount(2705, "Beregnet utgående merverdiavgift, kjøp fra utlandet"),
    StandardAccount(2710, "Inngående merverdiavgift, høy sats"),
    StandardAccount(2711, "Inngående merverdiavgift, middels sats"),
    StandardAccount(2712, "Inngående merverdiavgift, lav sats"),
    StandardAccount(2713, "Inngående merverdiavgift, råfisk"),
    StandardAccount(2714, "Inngående merverdiavgift, innførsel"),
    StandardAccount(2740, "Oppgjørskonto merverdiavgift"),
    StandardAccount(2770, "Skyldig arbeidsgiveravgift"),
    StandardAccount(2780, "Påløpt arbeidsgiveravgift på feriepenger"),
    StandardAccount(2940, "Skyldige feriepenger"),
    StandardAccount(2990, "Annen kortsiktig gjeld"),
    StandardAccount(3000, "Salgsinntekt, avgiftspliktig", 3),
    StandardAccount(3100, "Salgsinntekt, avgiftsfri", 5),
    StandardAccount(3200, "Salgsinntekt, utenfor avgiftsområdet", 6),
    StandardAccount(3900, "Annen driftsrelatert inntekt"),
    StandardAccount(4000, "Innkjøp av varer", 1),
    StandardAccount(4300, "Innkjøp av varer for videresalg", 1),
    StandardAccount(5000, "Lønn til ansatte"),
    StandardAccount(5092, "Feriepenger"),
    StandardAccount(5400, "Arbeidsgiveravgift"),
    StandardAccount(6000, "Avskrivning på varige driftsmidler"),
    StandardAccount(6300, "Leie lokale"),
    StandardAccount(6340, "Lys, varme"),
    StandardAccount(6540, "Inventar"),
    StandardAccount(6800, "Kontorrekvisita", 1),
    StandardAccount(6900, "Telefon", 1),
    StandardAccount(7100, "Bilgodtgjørelse"),
    StandardAccount(7140, "Reisekostnad"),
    StandardAccount(7700, "Styre- og bedriftsforsamlingsmøter"),
    StandardAccount(7770, "Bank- og kortgebyrer"),
    StandardAccount(7790, "Annen kostnad"),
    StandardAccount(8040, "Renteinntekt"),
    StandardAccount(8050, "Annen renteinntekt"),
    StandardAccount(8060, "Valutagevinst (agio)"),
    StandardAccount(8140, "Rentekostnad"),
    StandardAccount(8150, "Annen rentekostnad"),
    StandardAccount(8160, "Valutatap (disagio)"),
    StandardAccount(8300, "Betalbar skatt"),
    StandardAccount(8800, "Årsresultat"),
)
