"""``kontobok bench --lines 10000`` runs to the end on both backends: a smoke test of the benchmark itself.

It checks that every figure is produced and that kontobok and ledger-cli agree on the books; it never checks
a time (times on a shared CI machine say nothing)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kontobok.bench.latency import PAGE_SIZE
from tests.support.postgres import postgres_required

pytestmark = pytest.mark.xdist_group("bench")

ENDPOINTS = (
    "health (trivial)",
    "one account, 60 months",
    "all accounts, one year",
    "transaction lines, page 1",
    "Powens balances, 365 days",
)


def test_the_benchmark_runs_and_reports_every_figure(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / 'bench.db'}"]
    try:
        urls.append(request.getfixturevalue("postgres_url"))
    except pytest.skip.Exception:
        if postgres_required():
            raise
    command = [sys.executable, "-m", "kontobok", "bench", "--lines", "10000", "--requests", "20"]
    for url in urls:
        command += ["--database-url", url]
    command += ["--json", str(tmp_path / "bench.json"), "--markdown", str(tmp_path / "bench.md")]
    command += ["--workdir", str(tmp_path)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert finished.returncode == 0, finished.stderr[-4000:]

    report = json.loads((tmp_path / "bench.json").read_text())
    (size,) = report["sizes"]
    assert 10_000 <= size["lines"] < 10_100
    assert size["vouchers"] > 3_000
    assert size["bank_entries"] > 1_000
    assert [backend["backend"] for backend in size["backends"]] == [
        url.split(":")[0].split("+")[0] for url in urls
    ]
    for backend in size["backends"]:
        imported = backend["imported"]
        assert imported["lines"] == size["lines"]
        assert imported["lines_per_second"] > 0
        assert imported["peak_rss_bytes"] > 10 * 2**20
        assert imported["bank_entries"] == size["bank_entries"]
        names = [figure["endpoint"] for figure in backend["latency"]]
        deep_page = -(-size["lines"] // PAGE_SIZE)
        since = 2 * max(1, size["lines"] // (5 * 365) // 2)
        as_of = [
            f"one account, 60 months, asOf a day back ({since:,} lines since)",
            f"all accounts, one year, asOf a day back ({since:,} lines since)",
        ]
        assert names == [*ENDPOINTS[:4], f"transaction lines, page {deep_page:,}", ENDPOINTS[4], *as_of]
        for figure in backend["latency"]:
            assert figure["requests"] == 20
            assert 0 < figure["p50_ms"] <= figure["p99_ms"]
            assert figure["body_bytes"] > 0
        assert backend["monthly_closings"] == 60
    if shutil.which("ledger"):
        assert size["ledger"]["monthly_closings"] == 60
        assert size["agrees_with_ledger"] is True
    tables = (tmp_path / "bench.md").read_text()
    assert "| health (trivial) | sqlite |" in tables
    assert "ledger-cli" in tables
