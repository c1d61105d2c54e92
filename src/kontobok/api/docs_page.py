"""The interactive API documentation at ``/docs``, served from the Swagger UI files kontobok ships.

FastAPI's default page loads Swagger UI from a CDN, which leaves it blank on a machine without internet
access; this one loads the same files from ``/ui/static/vendor``. ReDoc (``/redoc``) is not offered: it
would be a second megabyte of JavaScript for the same document, and its default page loads web fonts from
Google.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

SWAGGER_UI_VERSION = "5.35.0"
VENDOR = "/ui/static/vendor"


def install_docs(app: FastAPI) -> None:
    oauth2_redirect_url = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API documentation",
            oauth2_redirect_url=oauth2_redirect_url,
            swagger_js_url=f"{VENDOR}/swagger-ui-bundle-{SWAGGER_UI_VERSION}.js",
            swagger_css_url=f"{VENDOR}/swagger-ui-{SWAGGER_UI_VERSION}.css",
            swagger_favicon_url=f"{VENDOR}/swagger-ui-favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
