"""The deploy step of a bake, run as a deployment runs it: ``flask db upgrade``.

A served bake answers /readyz 503 and enforces no unique name until its indexes
are built, exactly as in production, so tests that serve a bake on a fresh
database run this first.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from support.baking import PACKAGE
from support.commands import run
from support.environment import clean_env


def production_env(**env: str) -> dict[str, str]:
    """The environment of a production process (no .env is read in production)."""
    return clean_env(APP_ENV="production", SECRET_KEY=secrets.token_urlsafe(48), **env)


def flask_db_upgrade(project: Path, uri: str) -> subprocess.CompletedProcess[str]:
    """``flask db upgrade`` as the container's entrypoint runs it: the flask
    command reads a .env file unless told not to, and production takes its
    settings from the environment only."""
    command = [sys.executable, "-m", "flask", "--app", PACKAGE, "db", "upgrade"]
    env = production_env(MONGODB_URI=uri, FLASK_SKIP_DOTENV="1")
    return run(command, project, env, timeout=120)
