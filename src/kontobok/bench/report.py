"""The benchmark's results as JSON (every figure) and as the Markdown tables of ``docs/benchmarks.md``."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

from kontobok.bench.runner import BenchReport, SizeRun

MIB = 2**20


def as_json(report: BenchReport) -> str:
    def default(value: object) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        raise TypeError(type(value).__name__)

    data = dataclasses.asdict(report)
    for size, run in zip(data["sizes"], report.sizes, strict=True):
        size["agrees_with_ledger"] = run.agrees_with_ledger()
        if size["ledger"] is not None:
            size["ledger"]["monthly_closings"] = len(size["ledger"]["monthly_closings"])
        for backend, measured in zip(size["backends"], run.backends, strict=True):
            backend["monthly_closings"] = len(backend["monthly_closings"])
            backend["imported"]["lines_per_second"] = measured.imported.lines_per_second
            if run.ledger is not None:
                backend["imported"]["multiple_of_ledger_read_rate"] = (
                    measured.imported.lines_per_second / run.ledger.lines_per_second
                )
    return json.dumps(data, indent=2, default=default) + "\n"


def markdown(report: BenchReport) -> str:
    """The import table and the latency table, with the machine and the date."""
    parts = [
        f"Run on {report.machine}; Python {report.python}, SQLite {report.sqlite}.",
        "",
        _import_table(report.sizes),
        "",
        _latency_table(report.sizes),
    ]
    return "\n".join(parts) + "\n"


def _import_table(sizes: list[SizeRun]) -> str:
    rows = [
        "| lines | backend | import s | lines/s | peak RSS | bank entries/s | ledger-cli s "
        "| ledger-cli lines/s | import ÷ ledger-cli | 1920 monthly = ledger-cli |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for size in sizes:
        ledger = size.ledger
        agrees = {True: "yes (60 of 60)", False: "NO", None: "n/a"}[size.agrees_with_ledger()]
        for run in size.backends:
            imported = run.imported
            ledger_cells = (
                f"{ledger.seconds:,.2f} | {ledger.lines_per_second:,.0f} | "
                f"{imported.lines_per_second / ledger.lines_per_second:.2f}×"
                if ledger is not None
                else "n/a | n/a | n/a"
            )
            rows.append(
                f"| {size.lines:,} | {run.backend} | {imported.seconds:,.1f} "
                f"| {imported.lines_per_second:,.0f} "
                f"| {imported.peak_rss_bytes / MIB:,.0f} MiB "
                f"| {imported.bank_entries / imported.bank_seconds:,.0f} | {ledger_cells} | {agrees} |"
            )
    return "\n".join(rows)


def _latency_table(sizes: list[SizeRun]) -> str:
    small, large = sizes[0], sizes[-1]
    header = f"| endpoint | backend | p50 ms at {small.lines:,} | p99 ms at {small.lines:,} "
    separator = "| --- | --- | ---: | ---: "
    if large is not small:
        header += f"| p50 ms at {large.lines:,} | p99 ms at {large.lines:,} | p50 large ÷ small "
        separator += "| ---: | ---: | ---: "
    header += "| req/s, share of /health |"
    separator += "| ---: |"
    rows = [header, separator]
    for index, small_run in enumerate(small.backends):
        large_run = large.backends[index]
        for position, small_figure in enumerate(small_run.latency):
            large_figure = large_run.latency[position]
            name = large_figure.endpoint if large is not small else small_figure.endpoint
            cells = f"| {name} | {small_run.backend} | {small_figure.p50_ms:.2f} | {small_figure.p99_ms:.2f} "
            if large is not small:
                cells += (
                    f"| {large_figure.p50_ms:.2f} | {large_figure.p99_ms:.2f} "
                    f"| {large_figure.p50_ms / small_figure.p50_ms:.2f} "
                )
            cells += f"| {large_figure.requests_per_second:,.0f} ({large_figure.share_of_trivial:.0%}) |"
            rows.append(cells)
    return "\n".join(rows)
