"""``kontobok mcp``: the MCP server of one organization; ``kontobok draft``: confirm what it proposed.

``kontobok mcp --organization ID`` speaks MCP on standard input and output (what desktop assistants spawn);
``--http`` serves streamable HTTP at ``/mcp`` instead, for clients holding a bearer token of the
organization. It is read-only unless started with ``--allow-write``, which adds the ``draft_voucher`` tool:
drafts wait for a person to ``kontobok draft confirm`` (posted then with every check of ``POST
/v1/transactions``) or ``discard`` them.
"""

from __future__ import annotations

from typing import Annotated, Any

import simplejson
import typer

from kontobok.core.errors import NotFound
from kontobok.services.drafts import confirm_draft, discard_draft, drafts
from kontobok.store.database import open_books, open_database, read_transaction
from kontobok.store.organizations import get_organization

draft_app = typer.Typer(help="Vouchers an assistant drafted, waiting for a person.", no_args_is_help=True)
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="KONTOBOK_DATABASE_URL", help="Default: sqlite:///kontobok.db"),
]
OrganizationId = Annotated[int, typer.Option("--organization", help="Organization id.")]


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp)
    app.add_typer(draft_app, name="draft")


def _print(body: Any) -> None:
    # amounts as the exact numbers they are, as the API writes them
    typer.echo(simplejson.dumps(body, indent=2, ensure_ascii=False, use_decimal=True))


def mcp(
    organization: OrganizationId,
    allow_write: Annotated[
        bool, typer.Option("--allow-write", help="Offer draft_voucher: drafts a person must confirm.")
    ] = False,
    http: Annotated[
        bool, typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdio.")
    ] = False,
    host: Annotated[str, typer.Option(help="With --http: the address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="With --http: the port.")] = 8001,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the organization's books over the Model Context Protocol (read-only by default)."""
    from kontobok.mcp_server.server import build_server

    engine = open_database(database_url)
    with read_transaction(engine) as connection:
        try:
            get_organization(connection, organization)
        except NotFound:
            raise typer.BadParameter(
                f"organization {organization} does not exist", param_hint="--organization"
            ) from None
    server = build_server(engine, organization, allow_write=allow_write)
    if not http:
        server.run("stdio")
        return
    import uvicorn

    from kontobok.mcp_server.http import BearerTokenGate

    app = BearerTokenGate(server.streamable_http_app(stateless_http=True, host=host), engine, organization)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@draft_app.command("list")
def draft_list(organization: OrganizationId, database_url: DatabaseUrl = None) -> None:
    """The drafts waiting, oldest first."""
    _print(drafts(open_books(database_url, organization), organization))


@draft_app.command("confirm")
def draft_confirm(
    organization: OrganizationId,
    draft_id: Annotated[str, typer.Argument(help="The draft's id (draft_...).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Post the draft with every check of POST /v1/transactions; print the transaction."""
    _print(confirm_draft(open_books(database_url, organization), organization, draft_id))


@draft_app.command("discard")
def draft_discard(
    organization: OrganizationId,
    draft_id: Annotated[str, typer.Argument(help="The draft's id (draft_...).")],
    database_url: DatabaseUrl = None,
) -> None:
    """Throw the draft away."""
    discard_draft(open_books(database_url, organization), organization, draft_id)
    _print({"discarded": draft_id})
