"""Commands for indexes and sample data: ``flask --app <package> init-db``, ``seed``."""

from __future__ import annotations

import click
from flask import Flask

from . import db, items


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


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
    app.cli.add_command(seed_command)
