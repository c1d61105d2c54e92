"""Reports that answer one element per month or per day refuse a range wider than their cap with a 400.

``/v1/accountbalances`` answers at most 1200 monthly elements (100 years); Powens balances and the
reconciliation, in the API and the CLI, at most 3660 days (ten years). Beyond, the answer is a 400 in the
dialect's error shape, given before anything is computed.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.api.test_accountbalances import assert_validation_error
from tests.factories import Api, line, voucher
from tests.test_reconcile import new_bank_account, run_cli

WIDEST = {"dateFrom": "1000-01-01", "dateTo": "9998-12-31"}


@pytest.mark.parametrize("accept", ["application/json", "application/hal"])
def test_account_balances_over_nine_thousand_years_are_a_quick_400(api: Api, accept: str) -> None:
    api.post_voucher(voucher("2024-03-05", line(1920, 100), line(3000, -100)))
    for url in ("/v1/accountbalances", f"/v1/accountbalances/{api.account_id(1920)}"):
        answer = api.get(url, params=WIDEST, headers={"Accept": accept})
        assert_validation_error(answer, "/dateTo", "range")
        assert "1200" in answer.text


def test_a_hundred_years_of_months_is_answered_and_one_more_month_is_not(api: Api) -> None:
    api.post_voucher(voucher("2024-03-05", line(1920, 100), line(3000, -100)))
    url = f"/v1/accountbalances/{api.account_id(1920)}"
    # 1950-01 .. 2049-12 is exactly 1200 months; the account's closing carries 100 from 2024-03 on
    answer = api.get(url, params={"dateFrom": "1950-01-15", "dateTo": "2049-12-01"})
    assert answer.status_code == 200, answer.text
    elements = answer.json()[0]["balances"]
    assert len(elements) == 1200
    assert elements[-1]["closing"] == 100
    # a range inside the cap that starts and ends mid-month still counts every month it meets
    assert_validation_error(
        api.get(url, params={"dateFrom": "1950-01-31", "dateTo": "2050-01-01"}), "/dateTo", "range"
    )


def test_periods_over_a_wide_range_are_answered_by_their_cuts(api: Api) -> None:
    # periods replace the monthly cut, so a wide range with a few cuts is a small answer
    api.post_voucher(voucher("2024-03-05", line(1920, 100), line(3000, -100)))
    answer = api.get(
        f"/v1/accountbalances/{api.account_id(1920)}", params={**WIDEST, "periods": "2023-12-31"}
    )
    assert answer.status_code == 200, answer.text
    assert [element["closing"] for element in answer.json()[0]["balances"]] == [0, 100]


def test_powens_balances_and_the_reconciliation_cap_at_3660_days(api: Api, engine: sa.Engine) -> None:
    account_id = new_bank_account(api)
    powens = f"/2.0/users/me/accounts/{account_id}/balances"
    office = f"/v1/bankaccounts/{account_id}/reconciliation"
    # 2015-01-01 .. 2025-01-08 is 3661 days; one day less is answered
    assert api.get(powens, params={"min_date": "2015-01-01", "max_date": "2025-01-07"}).status_code == 200
    refused = api.get(powens, params={"min_date": "2015-01-01", "max_date": "2025-01-08"})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalidValue"
    assert api.get(office, params={"dateFrom": "2015-01-01", "dateTo": "2025-01-07"}).status_code == 200
    assert_validation_error(
        api.get(office, params={"dateFrom": "2015-01-01", "dateTo": "2025-01-08"}), "/dateTo", "range"
    )
    for first, last in (("2015-01-01", "2025-01-08"), ("0001-01-01", "9999-12-31")):
        result = run_cli(engine, "reconcile", "--bank-account", account_id, "--from", first, "--to", last)
        assert result.exit_code == 2, (result.output, result.exception)
