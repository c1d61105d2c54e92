"""Logging in and out of the dashboard, its session cookie, and its refusal of forged forms."""

from __future__ import annotations

import sqlalchemy as sa

from kontobok.api.app import create_app
from kontobok.api.throttle import LoginThrottle
from kontobok.api.ui.sessions import ABSOLUTE_SECONDS, IDLE_SECONDS, SessionStore
from kontobok.store.organizations import Organization
from tests.api.ui.dashboard import Dashboard, csrf_token, new_client


def test_a_login_opens_a_secure_http_only_strict_session(
    engine: sa.Engine, organization: Organization
) -> None:
    dashboard = Dashboard(engine)

    answer = dashboard.log_in(new_client(engine, organization))

    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/"
    cookie = next(
        value for key, value in answer.headers.multi_items() if value.startswith("kontobok_session=")
    )
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=strict", "path=/ui"} <= attributes
    overview = dashboard.get("/ui/")
    assert overview.status_code == 200
    assert organization.name in overview.text
    # the cookie names a server-side session and says nothing of the organization
    session_id = cookie.split(";")[0].split("=", 1)[1]
    assert str(organization.organization_id) not in session_id.split("_")
    assert len(session_id) >= 43


def test_a_page_without_a_session_sends_the_browser_to_the_login(engine: sa.Engine) -> None:
    dashboard = Dashboard(engine)

    page = dashboard.get("/ui/accounts?year=2024")
    partial = dashboard.get("/ui/accounts", headers={"HX-Request": "true"})
    forged = Dashboard(engine).get("/ui/", headers={"Cookie": "kontobok_session=made-up"})

    assert page.status_code == 303
    assert page.headers["location"] == "/ui/login?next=/ui/accounts%3Fyear%3D2024"
    assert partial.headers["HX-Redirect"].startswith("/ui/login")
    assert forged.status_code == 303


def test_a_wrong_secret_is_refused_and_throttled(engine: sa.Engine, organization: Organization) -> None:
    dashboard = Dashboard(engine)
    credentials = new_client(engine, organization)
    wrong = type(credentials)(credentials.client_id, "not-the-secret")

    refusals = [dashboard.log_in(wrong).status_code for _ in range(5)]
    after = dashboard.log_in(credentials)

    assert refusals == [401] * 5
    assert after.status_code == 429
    assert "Retry-After" in after.headers
    assert "kontobok_session" not in after.headers.get("set-cookie", "")


def test_the_login_form_needs_its_own_token(engine: sa.Engine, organization: Organization) -> None:
    dashboard = Dashboard(engine)
    credentials = new_client(engine, organization)
    dashboard.get("/ui/login")

    answer = dashboard.post(
        "/ui/login",
        data={
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "csrf_token": "x",
        },
    )

    assert answer.status_code == 403
    assert "kontobok_session" not in answer.headers.get("set-cookie", "")


def test_a_login_form_from_another_origin_is_refused(engine: sa.Engine, organization: Organization) -> None:
    dashboard = Dashboard(engine)

    answer = dashboard.log_in(new_client(engine, organization), next="/ui/bank")
    dashboard2 = Dashboard(engine)
    page = dashboard2.get("/ui/login")
    forged = dashboard2.post(
        "/ui/login",
        data={"client_id": "kb1_x", "client_secret": "y", "csrf_token": csrf_token(page.text)},
        headers={"Origin": "https://evil.example"},
    )

    assert answer.headers["location"] == "/ui/bank"
    assert forged.status_code == 403


def test_after_login_only_a_dashboard_path_is_followed(engine: sa.Engine, organization: Organization) -> None:
    answer = Dashboard(engine).log_in(new_client(engine, organization), next="//evil.example/ui/")

    assert answer.headers["location"] == "/ui/"


def test_logout_needs_the_csrf_token_and_ends_the_session(
    engine: sa.Engine, organization: Organization
) -> None:
    dashboard = Dashboard(engine)
    dashboard.log_in(new_client(engine, organization))

    without_token = dashboard.post("/ui/logout", data={})
    other_origin = dashboard.post(
        "/ui/logout", data={"csrf_token": dashboard.token}, headers={"Origin": "https://evil.example"}
    )
    still_in = dashboard.get("/ui/")
    logged_out = dashboard.post(
        "/ui/logout", data={"csrf_token": dashboard.token}, headers={"Origin": "https://testserver"}
    )
    after = dashboard.get("/ui/")

    assert without_token.status_code == 403
    assert other_origin.status_code == 403
    assert still_in.status_code == 200
    assert logged_out.status_code == 303
    assert after.status_code == 303


def test_a_stolen_cookie_is_useless_after_logout(engine: sa.Engine, organization: Organization) -> None:
    dashboard = Dashboard(engine)
    answer = dashboard.log_in(new_client(engine, organization))
    session_id = answer.cookies["kontobok_session"]
    dashboard.post("/ui/logout", data={"csrf_token": dashboard.token})

    replay = Dashboard(engine, dashboard.client.app).get(
        "/ui/", headers={"Cookie": f"kontobok_session={session_id}"}
    )

    assert replay.status_code == 303


def test_sessions_expire_when_idle_and_after_their_lifetime() -> None:
    now = [0.0]
    store = SessionStore(clock=lambda: now[0])
    idle_id, _ = store.open(1, "kb1_a", frozenset())
    busy_id, _ = store.open(1, "kb1_b", frozenset())

    now[0] = IDLE_SECONDS - 1
    assert store.find(busy_id) is not None
    now[0] = IDLE_SECONDS + 1
    assert store.find(idle_id) is None
    assert store.find(busy_id) is not None
    step = IDLE_SECONDS - 1
    while now[0] + step < ABSOLUTE_SECONDS:
        now[0] += step
        assert store.find(busy_id) is not None
    now[0] = ABSOLUTE_SECONDS + 1
    assert store.find(busy_id) is None


def test_the_session_store_forgets_the_least_recently_used_beyond_its_size() -> None:
    store = SessionStore(max_sessions=2)
    first, _ = store.open(1, "a", frozenset())
    second, _ = store.open(1, "b", frozenset())
    store.find(first)
    store.open(1, "c", frozenset())

    assert store.find(first) is not None
    assert store.find(second) is None


def test_the_dashboard_shares_the_token_endpoints_throttle(
    engine: sa.Engine, organization: Organization
) -> None:
    throttle = LoginThrottle(client_failures=1)
    dashboard = Dashboard(engine, create_app(engine, login_throttle=throttle))
    credentials = new_client(engine, organization)
    dashboard.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": credentials.client_id, "client_secret": "no"},
    )

    assert dashboard.log_in(credentials).status_code == 429
