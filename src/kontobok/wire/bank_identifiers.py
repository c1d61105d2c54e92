"""Checking the identifiers banks use, with the libraries made for them.

* IBAN (International Bank Account Number): country, two check digits (mod 97) and the national number;
  checked by ``schwifty``, including the national number's own check where the country has one.
* BBAN (Basic Bank Account Number), here the Norwegian eleven-digit account number whose last digit is a
  mod-11 check digit; checked by ``python-stdnum``.
* BIC (Business Identifier Code, "SWIFT code"): 8 or 11 characters naming bank, country and branch.
* Norwegian organization numbers: nine digits, the last a mod-11 check digit.

Each check returns the identifier in its compact form, or raises ``ValueError`` with what is wrong.
"""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import kontonr, orgnr


def checked_iban(text: str) -> str:
    try:
        return str(IBAN(text, validate_bban=True).compact)
    except SchwiftyException as error:
        raise ValueError(f"not a valid IBAN: {error}") from None


def checked_bban(text: str) -> str:
    """A Norwegian account number (11 digits, mod-11), with dots and spaces removed."""
    try:
        return str(kontonr.validate(text))
    except StdnumError as error:
        raise ValueError(f"not a valid Norwegian account number: {error}") from None


def checked_bic(text: str) -> str:
    try:
        return str(BIC(text).compact)
    except SchwiftyException as error:
        raise ValueError(f"not a valid BIC: {error}") from None


def checked_organization_number(text: str) -> str:
    try:
        return str(orgnr.validate(text))
    except StdnumError as error:
        raise ValueError(f"not a valid Norwegian organization number: {error}") from None


def checked_account_number(text: str, number_type: str) -> str:
    return checked_iban(text) if number_type == "iban" else checked_bban(text)
