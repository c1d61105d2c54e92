"""Mounting the dashboard on the application: its pages under ``/ui`` and its files under ``/ui/static``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from kontobok.api.ui import bank, imports, login, overview, register, reports
from kontobok.api.ui.sessions import SessionStore
from kontobok.api.ui.web import STATIC_DIRECTORY, LoginRequired, login_redirect, redirect

STATIC_PATH = "/ui/static"


def install_ui(app: FastAPI, *, sessions: SessionStore | None = None) -> None:
    app.state.ui_sessions = sessions or SessionStore()
    pages = APIRouter(prefix="/ui", include_in_schema=False)
    for module in (login, overview, reports, register, bank, imports):
        pages.include_router(module.router)
    app.include_router(pages)

    @app.get("/ui", include_in_schema=False)
    def dashboard_root() -> Response:
        return redirect("/ui/", status_code=308)

    @app.exception_handler(LoginRequired)
    def send_to_login(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        return login_redirect(request, error)

    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIRECTORY), name="ui-static")
