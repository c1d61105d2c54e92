"""A first end-to-end pass: post a voucher with VAT and read it back through lines and balances."""

from __future__ import annotations

from tests.factories import Api, line, voucher


def test_a_sale_with_vat_reads_back_split_into_net_and_vat(api: Api) -> None:
    api.post_voucher(voucher("2024-03-05", line(1500, 1250.10), line(3000, -1250.10, tax=3), type_number=1))

    lines = api.get("/v1/transactionlines", params={"dateFrom": "2024-03-01", "dateTo": "2024-04-01"}).json()

    assert [(item["account"]["number"], item["amount"]) for item in lines] == [
        (1500, 1250.1),
        (3000, -1000.08),
        (2700, -250.02),
    ]
    assert api.balances(2700, "2024-03-01", "2024-04-30") == [
        {"date": "2024-03-01", "opening": 0, "closing": -250.02, "change": -250.02},
        {"date": "2024-04-01", "opening": -250.02, "closing": -250.02, "change": 0},
    ]
