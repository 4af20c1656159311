"""The production command, started from a fresh bake, refuses unsafe settings.

gunicorn is run exactly as the README and the Dockerfile start it, from the
project directory that holds the hook's ``.env``: with APP_ENV unset it must not
fall back to development (and its in-memory database), and whatever it prints
when it refuses must not show a password.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import pytest

from support.baking import PACKAGE
from support.commands import run
from support.environment import clean_env
from support.network import free_port

PASSWORD = "Zq8-v0Kx3-Wm5"


def production(**env: str) -> dict[str, str]:
    """Valid production settings (the server is never reached), then ``env``."""
    return clean_env(
        **{
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "MONGODB_URI": f"mongodb://127.0.0.1:9/{PACKAGE}",
            **env,
        }
    )


def gunicorn(project: Path, *args: str, environ: dict[str, str]) -> tuple[int, str]:
    """Start gunicorn as the README (--preload) or the image does; wait for its end."""
    environ = {**environ, "HOST": "127.0.0.1", "PORT": str(free_port())}
    environ["WEB_CONCURRENCY"] = "1"
    command = [sys.executable, "-m", "gunicorn", *args, f"{PACKAGE}:create_app()"]
    result = run(command, project, environ, timeout=60)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("args", [("--preload",), ()], ids=["readme", "dockerfile"])
def test_with_app_env_unset_gunicorn_refuses_instead_of_serving_mongomock(
    project: Path, args: tuple[str, ...]
) -> None:
    assert "SECRET_KEY=" in (project / ".env").read_text()  # the hook's .env is there
    code, output = gunicorn(project, *args, environ=clean_env())
    assert code != 0, output
    assert "is required in production" in output
    assert "mongomock" not in output
    assert "nothing is kept" not in output


@pytest.mark.parametrize(
    "uri",
    [
        f"mongodb://app:{PASSWORD}@db.example.net:port/shop",
        f"mongodb://app:{PASSWORD}db.example.net/shop",
        f"mongodb+srv://app:{PASSWORD}@cluster.example.net:27017/shop",
        f"mongodb://app:{PASSWORD}@db.example.net/shop?readPreference={PASSWORD}",
    ],
)
def test_a_refused_uri_leaves_no_password_in_gunicorns_output(
    project: Path, uri: str
) -> None:
    code, output = gunicorn(project, "--preload", environ=production(MONGODB_URI=uri))
    assert code != 0, output
    assert "MONGODB_URI" in output
    assert not [
        PASSWORD[i : i + 4]
        for i in range(len(PASSWORD) - 3)
        if PASSWORD[i : i + 4] in output
    ]


def test_mongomock_in_the_environment_is_refused_in_production(project: Path) -> None:
    uri = f"mongomock://localhost/{PACKAGE}"
    code, output = gunicorn(project, "--preload", environ=production(MONGODB_URI=uri))
    assert code != 0, output
    assert "selects mongomock" in output


def test_the_flask_command_refuses_a_dotenv_from_a_directory_above(
    project: Path, tmp_path: Path
) -> None:
    """Flask's own loader finds the nearest .env upwards; the service refuses it."""
    (tmp_path / ".env").write_text("MONGODB_DB=from_above\n")
    child = tmp_path / "elsewhere"
    child.mkdir()
    environ = clean_env(APP_ENV="development", PYTHONPATH=str(project))
    command = [sys.executable, "-m", "flask", "--app", PACKAGE, "routes"]
    result = run(command, child, environ)
    assert result.returncode != 0
    assert f"the flask command loaded {tmp_path / '.env'}" in result.stderr


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("--debug", "FLASK_DEBUG (or flask --debug) is on"),
        ("--debugger", "flask run starts Werkzeug's development server"),
        ("--reload", "flask run starts Werkzeug's development server"),
    ],
)
def test_flask_run_is_refused_in_production(
    project: Path, flag: str, message: str
) -> None:
    port = str(free_port())
    command = [sys.executable, "-m", "flask", "--app", PACKAGE, "run"]
    result = run([*command, flag, "--port", port], project, production(), timeout=60)
    assert result.returncode != 0
    assert message in result.stderr
