"""Commands: ``flask --app <package> init-db``, ``seed``, ``openapi write``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import db, items, openapi


@click.command("init-db")
def init_db_command() -> None:
    """Create the database's indexes (safe to run any number of times)."""
    names = db.ensure_indexes()
    click.echo(f"Indexes ready: {', '.join(sorted(names))}")


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
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(openapi_command)
