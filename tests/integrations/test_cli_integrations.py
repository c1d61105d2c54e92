"""``kontobok webhook`` and ``kontobok draft`` on a fresh SQLite file: JSON out, clear refusals."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from kontobok.cli import app
from kontobok.core.errors import NotFound, ValidationFailed
from kontobok.services.drafts import create_draft
from kontobok.store.database import open_database


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--database-url", url])


def output(result: Result) -> Any:
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout, parse_float=Decimal)


def test_webhooks_monitors_and_drafts_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    organization = output(
        run(url, "org", "create", "--name", "Testfirma AS", "--organization-number", "923609016",
            "--open-years", "2024")
    )["id"]  # fmt: skip
    org = str(organization)

    added = output(
        run(url, "webhook", "add", "--organization", org, "--url", "http://127.0.0.1:9/hook",
            "--events", "transaction.posted,balance.below")
    )  # fmt: skip
    assert added["id"].startswith("wh_")
    assert added["secret"].startswith("whsec_")
    assert added["events"] == ["balance.below", "transaction.posted"]
    listed = output(run(url, "webhook", "list", "--organization", org))
    assert [item["id"] for item in listed] == [added["id"]]
    assert "secret" not in listed[0]

    refused = run(url, "webhook", "add", "--organization", org, "--url", "http://169.254.169.254/")
    # kontobok.cli:main prints a KontobokError as a message and exits 1
    assert isinstance(refused.exception, ValidationFailed)
    assert "must be https" in refused.exception.message

    monitor = output(
        run(
            url, "webhook", "monitor", "add", "--organization", org, "--account", "1920", "--below", "1000.50"
        )
    )
    assert (monitor["below"], monitor["balance"], monitor["isBelow"]) == (Decimal("1000.5"), 0, True)
    assert [item["id"] for item in output(run(url, "webhook", "monitor", "list", "--organization", org))] == [
        monitor["id"]
    ]
    assert output(run(url, "webhook", "monitor", "remove", "--organization", org, monitor["id"])) == {
        "removed": monitor["id"]
    }

    assert output(run(url, "webhook", "deliver")) == {"delivered": 0, "failed": 0, "dead": 0}
    assert output(run(url, "webhook", "log", "--organization", org, added["id"])) == []
    assert output(run(url, "webhook", "remove", "--organization", org, added["id"])) == {
        "removed": added["id"]
    }
    assert isinstance(run(url, "webhook", "remove", "--organization", org, added["id"]).exception, NotFound)

    engine = open_database(url)
    draft = create_draft(
        engine,
        organization,
        {
            "transactionTypeNumber": 6,
            "date": "2024-05-02",
            "lines": [
                {"accountNumber": 1920, "amount": 250, "tax": {"number": 0}},
                {"accountNumber": 3000, "amount": -250, "tax": {"number": 0}},
            ],
        },
        "Salg kontant",
    )
    engine.dispose()
    assert [item["id"] for item in output(run(url, "draft", "list", "--organization", org))] == [draft["id"]]
    posted = output(run(url, "draft", "confirm", "--organization", org, draft["id"]))
    assert posted["number"] >= 1
    assert output(run(url, "draft", "list", "--organization", org)) == []
    assert isinstance(run(url, "draft", "discard", "--organization", org, draft["id"]).exception, NotFound)
