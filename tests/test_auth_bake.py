"""The default bake's own key: made by the hook, printed once, stored as a hash."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from support.baking import TEMPLATE
from support.commands import run
from support.environment import clean_env

# Asks the app the bake's .env configures (development) four questions.
PROBE = """
import json, sys
from inventory_service import create_app
client = create_app().test_client()
key = {"Authorization": "Bearer " + sys.argv[1]}
print(json.dumps([
    client.get("/api/items").status_code,
    client.post("/api/items", json={"name": "Lamp"}).status_code,
    client.post("/api/items", json={"name": "Lamp"}, headers=key).status_code,
    client.get("/api/items", headers=key).status_code,
]))
"""


@pytest.fixture(scope="module")
def baked(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str]:
    """A default bake and everything its hooks printed."""
    output = tmp_path_factory.mktemp("auth-bake")
    capture = output / "printed.txt"
    # The hook is a child process writing to file descriptor 1: capture that.
    saved = os.dup(1)
    with capture.open("wb") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            project = cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output))
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    return Path(project), capture.read_text()


def printed_key(printed: str) -> str:
    match = re.search(r"shown once.*\n\s+(\S+)\n", printed)
    assert match, printed
    return match.group(1)


def test_the_hook_prints_a_key_once_and_env_keeps_only_its_hash(
    baked: tuple[Path, str],
) -> None:
    project, printed = baked
    key = printed_key(printed)
    dotenv = project / ".env"
    text = dotenv.read_text()
    assert key not in text
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert f"\nAPI_KEYS=dev:read+write+admin:{digest}\n" in text
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    assert f"Authorization: Bearer {key}" in printed  # a curl line that works


def test_the_default_bake_refuses_anonymous_calls_and_accepts_the_key(
    baked: tuple[Path, str],
) -> None:
    project, printed = baked
    # As the README runs it: APP_ENV=development, so the hook's .env is read.
    environ = clean_env(APP_ENV="development")
    result = run([sys.executable, "-c", PROBE, printed_key(printed)], project, environ)
    assert result.returncode == 0, result.stderr[-3000:]
    statuses = json.loads(result.stdout.strip().splitlines()[-1])
    assert statuses == [401, 401, 201, 200]


def test_a_second_bake_gets_another_key(
    tmp_path_factory: pytest.TempPathFactory, baked: tuple[Path, str]
) -> None:
    first = (baked[0] / ".env").read_text()
    output = tmp_path_factory.mktemp("auth-bake-2")
    project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output)))
    line = re.compile(r"^API_KEYS=.*$", re.MULTILINE)
    first_line = line.search(first)
    second_line = line.search((project / ".env").read_text())
    assert first_line is not None
    assert second_line is not None
    assert first_line[0] != second_line[0]
