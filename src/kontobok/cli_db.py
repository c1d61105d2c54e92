"""``kontobok db``: the database itself: distributing the books over a Citus cluster."""

from __future__ import annotations

import json
from typing import Annotated

import sqlalchemy as sa
import typer

from kontobok.store.database import create_engine, database_url, migrate
from kontobok.store.distribution import DEFAULT_SHARD_COUNT, NotCitus, citus_version, distribute


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="The database: distribution over a Citus cluster.", no_args_is_help=True)
    db_app.command("distribute")(distribute_command)
    app.add_typer(db_app, name="db")


def distribute_command(
    database_url_option: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="KONTOBOK_DATABASE_URL",
            help="The Citus coordinator, e.g. postgresql+psycopg://user@host:5432/kontobok",
        ),
    ] = None,
    shard_count: Annotated[
        int,
        typer.Option(
            min=1,
            max=4096,
            help="Shards per table, when the tables are distributed the first time (a few per worker core).",
        ),
    ] = DEFAULT_SHARD_COUNT,
) -> None:
    """Migrate, then distribute every table by organization on a Citus coordinator (again: no change)."""
    engine = create_engine(database_url(database_url_option))
    try:
        with engine.connect() as connection:
            if citus_version(connection) is None:
                raise NotCitus(
                    "this database has no Citus extension: run CREATE EXTENSION citus on the coordinator "
                    "and on every worker first (docs/scaling.md)"
                )
        migrate(engine)
        with engine.begin() as connection:
            result = distribute(connection, shard_count)
    except NotCitus as refused:
        typer.echo(refused.message, err=True)
        raise typer.Exit(1) from None
    except sa.exc.DBAPIError as failed:
        typer.echo(f"distributing failed: {_first_line(failed)}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if result.distributed:
        typer.echo(
            f"distributed {len(result.distributed)} tables by organization, {result.shard_count} shards each",
            err=True,
        )
    else:
        typer.echo(
            f"already distributed ({len(result.already)} tables, {result.shard_count} shards each): "
            "no change",
            err=True,
        )
    typer.echo(
        json.dumps(
            {
                "distributed": list(result.distributed),
                "alreadyDistributed": list(result.already),
                "shardCount": result.shard_count,
            }
        )
    )


def _first_line(error: sa.exc.DBAPIError) -> str:
    text = str(error.orig) if error.orig is not None else str(error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
