"""Uploading files on the dashboard's import page: the CLI's import code, its report, and its guards."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from kontobok.api.limits import UI_IMPORT_MAX_BODY, RequestLimitsMiddleware
from kontobok.api.scopes import BANK_TRANSACTION_WRITE, TRANSACTION_READ
from kontobok.api.ui.imports import detect_kind
from kontobok.store.organizations import Organization
from tests.api.ui.dashboard import Dashboard, new_client
from tests.factories import Api, line, voucher
from tests.fixtures import FIXTURES

ASNB = FIXTURES / "mt940-wolph" / "asnb_mt940.txt"
DVBERN = FIXTURES / "camt053-dvbern" / "business_sample_camt.053.001.04.xml"


@pytest.fixture
def dashboard(engine: sa.Engine, organization: Organization) -> Dashboard:
    dashboard = Dashboard(engine)
    assert dashboard.log_in(new_client(engine, organization)).status_code == 303
    return dashboard


def jsonl(*vouchers: dict[str, object]) -> bytes:
    return "".join(json.dumps(body) + "\n" for body in vouchers).encode()


def upload(dashboard: Dashboard, name: str, content: bytes, kind: str = "auto", **headers: str) -> str:
    answer = dashboard.post(
        "/ui/import",
        data={"csrf_token": dashboard.token, "kind": kind},
        files={"file": (name, content)},
        headers={"HX-Request": "true", **headers},
    )
    return f"{answer.status_code} {answer.text}"


def test_vouchers_upload_once_and_show_in_the_books(api: Api, dashboard: Dashboard) -> None:
    content = jsonl(
        voucher("2025-02-01", line(1920, 100), line(3000, -100)),
        voucher("2025-02-02", line(1920, 50), line(3000, -50)),
    )

    first = upload(dashboard, "vouchers.jsonl", content)
    again = upload(dashboard, "vouchers.jsonl", content)

    assert first.startswith("200 "), first
    assert "Imported 2 vouchers, 4 lines." in first
    assert "<html" not in first
    assert again.startswith("200 ")
    assert "nothing was added" in again
    assert api.balances(1920, "2025-02-01", "2025-02-28")[0]["closing"] == 150


def test_a_bad_voucher_file_stores_nothing_and_says_why(api: Api, dashboard: Dashboard) -> None:
    content = jsonl(
        voucher("2025-02-01", line(1920, 100), line(3000, -100)),
        voucher("2025-02-02", line(1920, 50), line(3000, -40)),
    )

    answer = upload(dashboard, "bad.jsonl", content, kind="transactions")

    assert answer.startswith("400 ")
    assert "nothing was stored" in answer
    assert "line 2" in answer
    assert api.balances(1920, "2025-02-01", "2025-02-28")[0]["closing"] == 0


def test_bank_statements_upload_with_their_closing_checks(dashboard: Dashboard) -> None:
    mt940 = upload(dashboard, ASNB.name, ASNB.read_bytes())
    camt = upload(dashboard, DVBERN.name, DVBERN.read_bytes(), kind="camt053")

    assert mt940.startswith("200 "), mt940
    assert "statements" in mt940
    assert "Opening + entries" in mt940
    assert camt.startswith("200 "), camt
    bank = dashboard.get("/ui/bank")
    assert bank.status_code == 200
    assert "No bank accounts yet" not in bank.text


def test_an_unknown_file_is_refused(dashboard: Dashboard) -> None:
    answer = upload(dashboard, "notes.txt", b"just some text")

    assert answer.startswith("400 ")
    assert "not a file kontobok recognizes" in answer


def test_an_upload_without_the_csrf_token_is_refused(api: Api, dashboard: Dashboard) -> None:
    content = jsonl(voucher("2025-02-01", line(1920, 100), line(3000, -100)))

    missing = dashboard.post("/ui/import", data={"kind": "auto"}, files={"file": ("v.jsonl", content)})
    forged = dashboard.post(
        "/ui/import",
        data={"kind": "auto", "csrf_token": dashboard.token},
        files={"file": ("v.jsonl", content)},
        headers={"Origin": "https://evil.example"},
    )

    assert missing.status_code == 403
    assert forged.status_code == 403
    assert api.balances(1920, "2025-02-01", "2025-02-28")[0]["closing"] == 0


def test_importing_needs_the_write_scope(engine: sa.Engine, organization: Organization) -> None:
    reader = Dashboard(engine)
    reader.log_in(new_client(engine, organization, frozenset({TRANSACTION_READ, BANK_TRANSACTION_WRITE})))

    answer = upload(reader, "v.jsonl", jsonl(voucher("2025-02-01", line(1920, 1), line(3000, -1))))

    assert answer.startswith("403 ")
    assert "api.accounting.transaction:write" in answer


def test_an_upload_has_a_size_limit() -> None:
    limits = RequestLimitsMiddleware(app=None)  # type: ignore[arg-type]

    assert limits.body_limit("/ui/import") == UI_IMPORT_MAX_BODY == 64 * 1024 * 1024
    assert limits.body_limit("/ui/login") == 16 * 1024


def test_an_upload_larger_than_the_limit_is_refused_before_it_is_read(dashboard: Dashboard) -> None:
    answer = dashboard.post(
        "/ui/import",
        content=b"x" * 10,
        headers={
            "Content-Length": str(UI_IMPORT_MAX_BODY + 1),
            "Content-Type": "multipart/form-data; boundary=x",
        },
    )

    assert answer.status_code == 413


def test_the_kind_of_a_file_is_told_from_its_first_bytes(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    samples = {
        "a.jsonl": (b'{"date": "2025-01-01"}\n', "transactions"),
        "b.xml": (DVBERN.read_bytes()[:4096], "camt053"),
        "c.sta": (ASNB.read_bytes()[:4096], "mt940"),
        "d.xml": (
            b'<?xml version="1.0"?><AuditFile xmlns="urn:StandardAuditFile-Taxation-Financial:NO">',
            "saft",
        ),
        "e.txt": (b"hello", None),
    }
    for name, (content, kind) in samples.items():
        (folder / name).write_bytes(content)
        assert detect_kind(folder / name) == kind, name
