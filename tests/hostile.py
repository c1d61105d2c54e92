"""Running the ``kontobok`` entry point on a hostile file, and checking that it stored nothing.

The entry point (``kontobok.cli:main``, what the installed ``kontobok`` script calls) runs in this process
with
its own arguments, standard output and standard error, so that a failure shows either the positioned one-line
error it prints or the exception that would have been a traceback. ``in_subprocess=True`` runs it as a
user does, in a process of its own (a few seconds each, so for one case per format).
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from kontobok.cli import main
from kontobok.store.organizations import Organization
from kontobok.store.schema import (
    account_daily_totals,
    bank_accounts,
    bank_balances,
    bank_daily_totals,
    bank_transactions,
    imported_files,
    transaction_lines,
    vouchers,
)

_STORED = (
    vouchers,
    transaction_lines,
    account_daily_totals,
    bank_accounts,
    bank_balances,
    bank_transactions,
    bank_daily_totals,
    imported_files,
)


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def run_kontobok(engine: sa.Engine, *arguments: str, in_subprocess: bool = False) -> Outcome:
    url = engine.url.render_as_string(hide_password=False)
    if not in_subprocess:
        return _run_here([*arguments, "--database-url", url])
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kontobok.cli import main; sys.argv[0] = 'kontobok'; main()",
            *arguments,
            "--database-url",
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return Outcome(completed.returncode, completed.stdout, completed.stderr)


def _run_here(arguments: list[str]) -> Outcome:
    stdout, stderr = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["kontobok", *arguments]
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except Exception:
        stderr.write("Traceback (most recent call last):\n" + traceback.format_exc())
        code = 1
    finally:
        sys.argv = saved
    return Outcome(code, stdout.getvalue(), stderr.getvalue())


def run_import(
    engine: sa.Engine,
    organization: Organization,
    kind: str,
    path: Path,
    *extra: str,
    in_subprocess: bool = False,
) -> Outcome:
    return run_kontobok(
        engine,
        "import",
        kind,
        str(path),
        "--organization",
        str(organization.organization_id),
        *extra,
        in_subprocess=in_subprocess,
    )


def assert_refused(outcome: Outcome, *expected: str) -> None:
    """A non-zero exit with one error line per problem that says each of ``expected``, no traceback."""
    assert outcome.exit_code != 0, (outcome.stdout, outcome.stderr)
    assert "Traceback" not in outcome.stderr, outcome.stderr
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert lines, outcome.stderr
    assert any(all(text in line for text in expected) for line in lines), outcome.stderr


def stored_rows(engine: sa.Engine, organization: Organization) -> dict[str, int]:
    """Rows the organization holds in every table an import writes to (empty when none)."""
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in _STORED:
            count = connection.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.organization_id == organization.organization_id)
            ).scalar_one()
            if count:
                counts[table.name] = int(count)
    return counts
