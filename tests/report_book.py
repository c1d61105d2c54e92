"""A small company's first quarter of 2025, written out so that every report figure can be worked by hand.

In NOK (the tests compare minor units, ×100):

- 1 January, incoming balance: bank 1920 100 000 and machines 1200 10 000 against share capital 2000 40 000
  and other equity 2050 70 000;
- 15 January, a sale of 12 500 with 25 % VAT (code 3): 1500 12 500, 3000 −10 000, 2700 −2 500;
- 20 January, a sale without VAT (code 5): 1500 2 000, 3100 −2 000;
- 10 February, goods bought for 8 000 with 25 % VAT (code 1): 4000 6 400, 2710 1 600, 2400 −8 000;
- 28 February, salaries: 5000 20 000, 1920 −20 000;
- 5 March, rent: 6300 5 000, 1920 −5 000;
- 10 March, a service bought abroad for 1 000, reverse charge with deduction (code 86): 6300 1 000,
  2400 −1 000, and the computed VAT 2710 250, 2705 −250;
- 31 March, interest earned: 1920 300, 8050 −300; depreciation: 6000 1 000, 1200 −1 000.

The quarter's result: income 12 000, expenses 6 400 + 20 000 + 1 000 + 6 000 = 33 400, operating result
−21 400, financial items +300, result −21 100 (a loss).
"""

from __future__ import annotations

from tests.factories import Api, line, voucher

INCOMING_BALANCE = 10


def post_first_quarter(api: Api) -> None:
    vouchers = [
        voucher(
            "2025-01-01",
            line(1920, 100000),
            line(1200, 10000),
            line(2000, -40000),
            line(2050, -70000),
            type_number=INCOMING_BALANCE,
        ),
        voucher("2025-01-15", line(1500, 12500), line(3000, -12500, tax=3), type_number=1),
        voucher("2025-01-20", line(1500, 2000), line(3100, -2000, tax=5), type_number=1),
        voucher("2025-02-10", line(4000, 8000, tax=1), line(2400, -8000), type_number=2),
        voucher("2025-02-28", line(5000, 20000), line(1920, -20000), type_number=4),
        voucher("2025-03-05", line(6300, 5000), line(1920, -5000), type_number=5),
        voucher("2025-03-10", line(6300, 1000, tax=86), line(2400, -1000), type_number=2),
        voucher("2025-03-31", line(1920, 300), line(8050, -300), type_number=5),
        voucher("2025-03-31", line(6000, 1000), line(1200, -1000)),
    ]
    for body in vouchers:
        api.post_voucher(body)
