"""Checking the identifiers banks use, with the libraries made for them.

* IBAN (International Bank Account Number): country, two check digits (mod 97) and the national number;
  checked by ``schwifty``, including the national number's own check where the country has one.
* BBAN (Basic Bank Account Number), here the Norwegian account number: exactly eleven digits (four of bank,
  two of account group, five of account, the last a mod-11 check digit), written with or without ``' '``,
  ``'.'`` or ``'-'`` between them. ``python-stdnum`` removes the separators; the length and the check digit
  are checked here, because ``stdnum.no.kontonr`` also takes seven-digit postgiro numbers and drops a
  leading ``0000``, neither of which is a bank account number a payment can be sent to.
* BIC (Business Identifier Code, "SWIFT code"): 8 or 11 characters naming bank, country and branch.
* Norwegian organization numbers: nine digits, the last a mod-11 check digit.

Each check returns the identifier in its compact form, or raises ``ValueError`` with what is wrong.
"""

from __future__ import annotations

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import orgnr
from stdnum.util import clean


def checked_iban(text: str) -> str:
    try:
        return str(IBAN(text, validate_bban=True).compact)
    except SchwiftyException as error:
        raise ValueError(f"not a valid IBAN: {error}") from None


_BBAN_LENGTH = 11
_BBAN_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_BBAN_SEPARATORS = " .-"


def checked_bban(text: str) -> str:
    """A Norwegian account number (exactly 11 digits, mod-11), with spaces, dots and hyphens removed."""
    try:
        number = clean(text, _BBAN_SEPARATORS)
    except StdnumError as error:
        raise ValueError(f"not a valid Norwegian account number: {error}") from None
    # str.isdigit alone would let other scripts' digits through, and stdnum.util.isdigits a trailing newline
    if not (len(number) == _BBAN_LENGTH and number.isascii() and number.isdigit()):
        raise ValueError(
            f"not a valid Norwegian account number: it must be {_BBAN_LENGTH} digits, "
            "optionally separated by spaces, dots or hyphens"
        )
    if compute_bban_check_digit(number[:-1]) != number[-1]:
        raise ValueError("not a valid Norwegian account number: its mod-11 check digit is wrong")
    return number


def compute_bban_check_digit(first_ten: str) -> str | None:
    """The check digit of a Norwegian account number's first ten digits, or None when there is none.

    Mod 11 with weights 5, 4, 3, 2, 7, 6, 5, 4, 3, 2: the check digit is 11 minus the remainder, 0 when the
    remainder is 0; a remainder of 1 would need the check digit 10, so no account number starts that way.
    """
    remainder = sum(weight * int(digit) for weight, digit in zip(_BBAN_WEIGHTS, first_ten, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else str(check)


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
