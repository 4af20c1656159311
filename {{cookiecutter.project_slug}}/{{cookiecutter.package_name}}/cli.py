"""Commands: ``flask --app <package> db upgrade`` (a deploy step), ``seed`` and
``openapi write``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from pymongo.errors import PyMongoError

from . import db, items, openapi, schema

# An AppGroup, so its commands run inside the app's context like Flask's own.
db_group = AppGroup("db", help="The database's schema.")


@db_group.command("upgrade")
@click.option(
    "--wait",
    default=schema.WAIT_SECONDS,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds to wait for another upgrade to finish before giving up.",
)
@click.option(
    "--lease",
    default=schema.LEASE_SECONDS,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds the lock lasts without renewal; a crashed upgrade frees it then.",
)
def upgrade_command(wait: float, lease: float) -> None:
    """Build every declared index, under a lock; run it on every deploy.

    It uses MONGODB_DEPLOY_URI (else MONGODB_URI), prints each index as present or
    created, and exits 1 with one line when it cannot finish.
    """
    try:
        with db.deploy_database() as database:
            schema.upgrade(
                database, report=click.echo, lease_seconds=lease, wait_seconds=wait
            )
    except schema.UpgradeError as error:
        raise click.ClickException(str(error)) from None
    except PyMongoError as error:
        first_line = str(error).split(", Timeout:")[0].splitlines()[0]
        raise click.ClickException(
            f"the database did not answer: {first_line}"
        ) from None
    click.echo("Schema up to date.")


@click.command("seed")
@click.option("--count", default=10, show_default=True, type=click.IntRange(1, 10_000))
def seed_command(count: int) -> None:
    """Insert sample items that are not there yet."""
    created = items.seed_items(count)
    click.echo(f"Seeded {created} new items ({count - created} already there).")


@click.group("openapi")
def openapi_command() -> None:
    """The API's contract, openapi.json, committed with the code."""


@openapi_command.command("write")
@click.option(
    "--output",
    default="openapi.json",
    show_default=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
)
@with_appcontext
def write_openapi_command(output: Path) -> None:
    """Write the document the service serves, to commit on purpose.

    Tests compare the served document with the committed one and fail on a
    change that breaks clients, so an API change is a visible diff in review.
    Sorted keys and a fixed indent keep that diff small.
    """
    document = openapi.build_document(current_app)
    output.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    click.echo(f"Wrote {output}: commit it with the change that made it.")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(seed_command)
    app.cli.add_command(openapi_command)
