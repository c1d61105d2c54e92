"""``kontobok bench``: the benchmark command (see :mod:`kontobok.bench`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command()(bench)


def bench(
    lines: Annotated[int, typer.Option(min=1000, help="Transaction lines of the large size.")] = 10_000,
    database_url: Annotated[
        list[str] | None,
        typer.Option(
            help="A database to measure (repeat); default: a new SQLite file and a throwaway PostgreSQL."
        ),
    ] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write every figure here as JSON.")] = None,
    markdown_file: Annotated[
        Path | None, typer.Option("--markdown", help="Write the tables of docs/benchmarks.md here.")
    ] = None,
    requests: Annotated[int, typer.Option(min=10, help="Measured requests per endpoint.")] = 300,
    workdir: Annotated[
        Path | None, typer.Option(help="Where to write the generated files; default: a temporary directory.")
    ] = None,
) -> None:
    """Generate books of 10,000 lines and of --lines, import, serve and measure them; print the tables."""
    from kontobok.bench.report import as_json, markdown
    from kontobok.bench.runner import run_bench

    report = run_bench(lines, database_url or [], requests=requests, workdir=workdir, say=err.print)
    tables = markdown(report)
    typer.echo(tables)
    if json_file is not None:
        json_file.write_text(as_json(report), encoding="utf-8")
    if markdown_file is not None:
        markdown_file.write_text(tables, encoding="utf-8")
