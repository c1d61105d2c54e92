"""``kontobok bench``: how fast kontobok imports and answers, at ten thousand lines and at millions.

The benchmark generates one deterministic company (:mod:`kontobok.bench.dataset`), imports it through the
same paths users import through, serves it with a real uvicorn server and measures the balance endpoints
from a second process, and has ledger-cli read the same books as a journal. Results go to JSON and to the
table in ``docs/benchmarks.md``.
"""
