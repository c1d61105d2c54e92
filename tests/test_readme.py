"""The README's shell blocks, run as a newcomer would run them.

"Running it for real" runs verbatim in an empty directory, with the virtualenv activated by its own first
line and nothing else on ``PATH``, against the default SQLite file there. The files it names are made from the
README's own example line (``vouchers.jsonl``), a real MT940 statement from the shared fixtures
(``statements.sta``) and a SAF-T file exported by ``kontobok`` from other books (``books-2024.xml``). Only
``BANK_ACCOUNT_ID`` is put in, found the way the README says (``GET /v1/bankaccounts``), and ``serve`` gets a
free port.

The curl walk-through runs verbatim against a real ``kontobok demo`` on a free port, with only the client id
and secret the demo printed, its base URL and ``BANK_ACCOUNT_ID`` (from the Powens accounts list, as the
README says) put in. Every ``curl`` fails the block on an HTTP error. The demo is started as the README
starts it, in a directory of its own with ``.venv`` there, so its database is ``kontobok.db`` there.

"Audit and the books as they stood" runs verbatim against the same demo (loading it is the slow part): its
curl block with only the client id, secret and base URL put in, then its ``verify`` blocks, which read and
tamper with that ``kontobok.db`` as the README says.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from kontobok.api.app import create_app
from kontobok.store.database import create_engine
from tests.fixtures import FIXTURES
from tests.reliability._harness import free_port

README = Path(__file__).resolve().parents[1] / "README.md"
VENV = Path(sys.prefix)
KONTOBOK = VENV / "bin" / "kontobok"
# every curl answers or fails the block; a newline after each answer keeps them apart
STRICT_CURL = 'set -eo pipefail\ncurl() { command curl --fail-with-body "$@"; echo; }\n'


def fenced_blocks(section: str, language: str) -> list[str]:
    """The ``language`` code blocks under the README heading ``## section``, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {section}\n")
    following = text.find("\n## ", start + 1)
    body = text[start : following if following != -1 else len(text)]
    return re.findall(rf"```{language}\n(.*?)```", body, flags=re.DOTALL)


def bare_environment(**extra: str) -> dict[str, str]:
    """No kontobok on ``PATH`` and no database URL: what a fresh shell has."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "KONTOBOK_DATABASE_URL", "PYTHONPATH")
    }
    environment["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    environment.update(extra)
    return environment


def run_shell(script: str, cwd: Path, environment: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{script}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def json_objects(output: str) -> list[Any]:
    """Every line of ``output`` that is a JSON object, parsed."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def written_example_files(directory: Path) -> None:
    """``vouchers.jsonl`` from the README's line, a real MT940 statement, and a SAF-T export of 2024."""
    [example] = fenced_blocks("Running it for real", "json")
    (directory / "vouchers.jsonl").write_text(example, encoding="utf-8")
    (directory / "statements.sta").write_bytes((FIXTURES / "mt940-wolph" / "asnb_mt940.txt").read_bytes())
    source = directory / "source"
    source.mkdir()
    (source / "2024.jsonl").write_text(example.replace("2025-01-15", "2024-01-15"), encoding="utf-8")
    environment = bare_environment(KONTOBOK_DATABASE_URL=f"sqlite:///{source / 'books.db'}")
    run_shell(
        f"{KONTOBOK} org create --name 'Kilde AS' --organization-number 923609016 --open-years 2024\n"
        f"{KONTOBOK} import transactions 2024.jsonl --organization 1\n"
        f"{KONTOBOK} export saft --organization 1 --year 2024 --output ../books-2024.xml\n",
        source,
        environment,
    )


def bank_account_id(database: Path, credentials: dict[str, str]) -> str:
    """The id of the one bank account, through ``GET /v1/bankaccounts`` with the client the block made."""
    engine = create_engine(f"sqlite:///{database}")
    try:
        with TestClient(create_app(engine)) as client:
            token = client.post(
                "/oauth/token", data={"grant_type": "client_credentials", **credentials}
            ).json()["access_token"]
            [account] = client.get("/v1/bankaccounts", headers={"Authorization": f"Bearer {token}"}).json()
    finally:
        engine.dispose()
    found: str = account["id"]
    return found


def test_running_it_for_real_runs_as_written(tmp_path: Path) -> None:
    [block] = fenced_blocks("Running it for real", "sh")
    head, reconcile_and_serve = block.split("kontobok reconcile", 1)
    reconcile, serve = ("kontobok reconcile" + reconcile_and_serve).rstrip("\n").split("\n")
    assert serve.startswith("kontobok serve --host 0.0.0.0 --port 8000")
    (tmp_path / ".venv").symlink_to(VENV)
    written_example_files(tmp_path)
    environment = bare_environment()

    output = run_shell("set -eo pipefail\n" + head, tmp_path, environment)

    organization, credentials = json_objects(output)[:2]
    assert organization["id"] == 1
    report = next(item for item in json_objects(output) if "unbalancedVouchers" in item)
    assert report["ok"] is True
    assert (tmp_path / "books-2025.xml").stat().st_size > 0
    account_id = bank_account_id(tmp_path / "kontobok.db", credentials)
    activate = ". .venv/bin/activate\n"
    reconciled = run_shell(activate + reconcile.replace("BANK_ACCOUNT_ID", account_id), tmp_path, environment)
    assert "2025-01-31" in reconciled
    port = free_port()
    with started(activate + "exec " + serve.replace("--port 8000", f"--port {port}"), tmp_path, environment):
        base = f"http://127.0.0.1:{port}"
        wait_for(base)
        token = httpx.post(
            f"{base}/oauth/token", data={"grant_type": "client_credentials", **credentials}, timeout=30
        ).json()["access_token"]
        lines = httpx.get(
            f"{base}/v1/transactionlines",
            params={"dateFrom": "2025-01-01", "dateTo": "2025-02-01"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
    # the README's purchase: 10,000.00 on 6300, 2,500.00 input VAT on 2710, -12,500.00 on 2400
    assert [(line["account"]["number"], line["amount"]) for line in lines] == [
        (6300, 10000),
        (2710, 2500),
        (2400, -12500),
    ]


@dataclass(frozen=True)
class Demo:
    """A real ``kontobok demo`` started as the README says, in ``directory`` (its ``kontobok.db`` there)."""

    directory: Path
    base: str
    client_id: str
    client_secret: str

    def script(self, block: str) -> str:
        """``block`` with only the printed client id and secret and the demo's base URL put in."""
        return (
            block.replace("CLIENT_SECRET", self.client_secret)
            .replace("CLIENT_ID", self.client_id)
            .replace("http://127.0.0.1:8000", self.base)
        )

    def token(self) -> str:
        credentials = {"client_id": self.client_id, "client_secret": self.client_secret}
        answer = httpx.post(
            f"{self.base}/oauth/token", data={"grant_type": "client_credentials", **credentials}, timeout=30
        )
        found: str = answer.json()["access_token"]
        return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One demo for the module (loading it takes the most time): the default database in its directory,
    ``.venv`` there being this virtualenv, so the README's ``.venv/bin/kontobok`` and ``kontobok.db`` hold."""
    [demo_command] = [item for item in fenced_blocks("Two commands", "sh") if "kontobok demo" in item]
    assert demo_command.rstrip().endswith(".venv/bin/kontobok demo")
    directory = tmp_path_factory.mktemp("demo")
    (directory / ".venv").symlink_to(VENV)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = f"exec .venv/bin/kontobok demo --port {port}"
    with started(command, directory, bare_environment(PYTHONUNBUFFERED="1")) as process:
        printed = read_until(process, "client_secret:")
        client_id = re.search(r"client_id:\s+(\S+)", printed)
        client_secret = re.search(r"client_secret:\s+(\S+)", printed)
        assert client_id, printed
        assert client_secret, printed
        assert re.search(r"is organization 1\b", printed), printed
        wait_for(base)
        yield Demo(directory, base, client_id[1], client_secret[1])


def test_the_curl_walk_through_runs_against_the_demo(demo: Demo) -> None:
    [block] = fenced_blocks("A walk through with curl", "sh")
    accounts = httpx.get(
        f"{demo.base}/2.0/users/me/accounts", headers={"Authorization": f"Bearer {demo.token()}"}, timeout=30
    ).json()["accounts"]
    script = demo.script(block).replace("BANK_ACCOUNT_ID", str(accounts[0]["id"]))

    answers = json_or_lists(run_shell(STRICT_CURL + script, demo.directory, bare_environment()))

    posted, lines, balances, found, one_account, bank_accounts, powens_accounts, powens_balances = answers
    assert set(posted) == {"transactionId", "number"}
    mine = [line for line in lines if line["transaction"]["id"] == posted["transactionId"]]
    assert [(line["account"]["number"], line["amount"]) for line in mine] == [
        (1500, 12500),
        (3000, -10000),
        (2700, -2500),
    ]
    assert all(len(record["balances"]) == 12 for record in balances)
    assert [account["number"] for account in found] == [1920]
    assert len(one_account["_embedded"]["records"][0]["balances"]) == 12
    assert len(bank_accounts) == 3
    assert len(powens_accounts["accounts"]) == 3
    assert len(powens_balances["balances"][0]["daily_balances"]) == 30


def test_the_audit_section_runs_against_the_demo(demo: Demo) -> None:
    """Post, back-date, reverse, read January as it stood; ``verify`` 0 on the books, 1 once tampered."""
    posting, untouched, tampered = fenced_blocks("Audit and the books as they stood", "sh")

    answers = json_or_lists(run_shell(STRICT_CURL + demo.script(posting), demo.directory, bare_environment()))

    rent, reversal, then, now = answers
    assert set(rent) == {"transactionId", "number"}
    assert {"transactionId", "reverses"} <= set(reversal)
    assert reversal["reverses"] != rent["transactionId"]
    january_then = {record["account"]["number"]: record["balances"][0] for record in then}
    january_now = {record["account"]["number"]: record["balances"][0] for record in now}
    # as it stood: no rent; now the back-dated rent is in January, paid from the bank
    assert january_then.get(6300, {"change": 0})["change"] == 0
    assert january_now[6300]["change"] == 8000
    assert january_now[1920]["closing"] == january_then[1920]["closing"] - 8000

    checked = run_shell(untouched + tampered, demo.directory, bare_environment())

    first, head, second = _documents(checked)
    assert first["ok"] is True
    assert first["problems"] == []
    assert re.fullmatch(r"[0-9a-f]{64}", head)
    assert second["ok"] is False
    [problem] = second["problems"]
    assert (problem["table"], problem["key"], problem["problem"]) == (
        "vouchers",
        {"voucher_id": rent["transactionId"]},
        "changed",
    )
    assert problem["columns"] == {
        "comment": {"journal": "Husleie januar", "stored": "Husleie januar og februar"}
    }
    assert re.findall(r"^exit (\d+)$", checked, flags=re.MULTILINE) == ["0", "1"]


def _documents(output: str) -> list[Any]:
    """The JSON objects ``output`` holds (each may span lines), and the other lines that are not ``exit``."""
    found: list[Any] = []
    decoder = json.JSONDecoder()
    position = 0
    while position < len(output):
        if output[position] == "{":
            value, position = decoder.raw_decode(output, position)
            found.append(value)
            continue
        end = output.find("\n", position)
        end = len(output) if end == -1 else end
        text = output[position:end].strip()
        if text and not text.startswith("exit "):
            found.append(text)
        position = end + 1
    return found


def json_or_lists(output: str) -> list[Any]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _curl_is_there() -> None:
    assert subprocess.run(["curl", "--version"], capture_output=True, check=False).returncode == 0


class started:  # noqa: N801 (a context manager read as a verb phrase)
    """A shell command as a background process, ended when the block leaves."""

    def __init__(self, script: str, cwd: Path, environment: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def __enter__(self) -> subprocess.Popen[str]:
        return self.process

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 120) -> str:
    """What ``process`` printed up to and including the line with ``marker``."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    printed = ""
    while marker not in printed:
        assert time.monotonic() < deadline, printed
        line = process.stdout.readline()
        assert line or process.poll() is None, printed
        printed += line
    return printed


def wait_for(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{base} did not answer"
        time.sleep(0.1)
