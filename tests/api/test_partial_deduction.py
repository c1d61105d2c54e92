"""Partial VAT deduction ("forholdsmessig fradrag") through ``tax.baseRate`` on ``POST /v1/transactions``.

Each expected figure is worked out by hand in a comment: the deductible VAT is the whole VAT times
``baseRate`` / 100, rounded half-even to the minor unit; the rest of the VAT stays on the line's account.
"""

from __future__ import annotations

from typing import Any

from tests.api.test_transactions import all_lines, posted, validation_problems
from tests.factories import Api, line, voucher


def partial(account: int, amount: Any, code: int, base_rate: Any, tax_amount: Any = None) -> dict[str, Any]:
    tax = {"number": code, "baseRate": base_rate}
    if tax_amount is not None:
        tax["amount"] = tax_amount
    return {**line(account, amount), "tax": tax}


def purchase(first: dict[str, Any], total: Any) -> dict[str, Any]:
    return voucher("2024-03-05", first, line(2400, -total), type_number=2)


def test_half_of_the_input_vat_is_deducted_and_the_rest_stays_on_the_cost_account(api: Api) -> None:
    # gross 1250 at 25 %: VAT 250; deductible 250 × 50 % = 125 on 2710; 6300 keeps 1250 − 125 = 1125
    assert posted(api, purchase(partial(6300, 1250, 1, 50), 1250)) == [
        (6300, 1125),
        (2710, 125),
        (2400, -1250),
    ]


def test_the_deductible_share_rounds_half_even_to_the_ore(api: Api) -> None:
    # gross 1.25 at 25 %: VAT 0.25; 0.25 × 50 % = 0.125 → half-even 0.12 (half-up would be 0.13); 6300 1.13
    assert posted(api, purchase(partial(6300, 1.25, 1, 50), 1.25)) == [
        (6300, 1.13),
        (2710, 0.12),
        (2400, -1.25),
    ]
    # gross 1.75: VAT 0.35; 0.35 × 50 % = 0.175 → half-even 0.18; 6300 1.75 − 0.18 = 1.57
    assert posted(api, purchase(partial(6300, 1.75, 1, 50), 1.75))[:2] == [(6300, 1.57), (2710, 0.18)]


def test_a_given_tax_amount_is_the_whole_vat_of_which_the_share_is_deducted(api: Api) -> None:
    # tax.amount 240 is the whole VAT; 240 × 25 % = 60 deductible; 6300 keeps 1250 − 60 = 1190
    assert posted(api, purchase(partial(6300, 1250, 1, 25, tax_amount=240), 1250)) == [
        (6300, 1190),
        (2710, 60),
        (2400, -1250),
    ]


def test_base_rates_100_and_0_deduct_everything_and_nothing(api: Api) -> None:
    assert posted(api, purchase(partial(6300, 1250, 1, 100), 1250))[:2] == [(6300, 1000), (2710, 250)]
    assert posted(api, purchase(partial(6300, 1250, 1, 0), 1250))[:2] == [(6300, 1250), (2710, 0)]


def test_a_reverse_charge_purchase_reclaims_the_share_and_costs_the_rest(api: Api) -> None:
    # code 86, net 1000 at 25 %: VAT 250 owed on 2705; 250 × 40 % = 100 reclaimed on 2710, 150 a cost on 6300
    assert posted(api, purchase(partial(6300, 1000, 86, 40), 1000)) == [
        (6300, 1000),
        (2710, 100),
        (6300, 150),
        (2705, -250),
        (2400, -1000),
    ]


def test_a_base_rate_outside_0_to_100_or_not_whole_is_refused(api: Api) -> None:
    for bad in (101, -1, 50.5, "50"):
        problems = validation_problems(
            api.post("/v1/transactions", purchase(partial(6300, 1250, 1, bad), 1250))
        )
        assert any(p["path"].startswith("/lines/0/tax/baseRate") for p in problems), (bad, problems)
    assert all_lines(api) == []


def test_a_base_rate_on_a_code_without_deductible_vat_is_refused(api: Api) -> None:
    for code in (3, 0, 87):
        body = voucher("2024-03-05", line(1500, 1250), partial(3000, -1250, code, 50), type_number=1)
        problems = validation_problems(api.post("/v1/transactions", body))
        assert [p["path"] for p in problems] == ["/lines/1/tax/baseRate"], (code, problems)
    assert all_lines(api) == []
