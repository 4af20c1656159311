"""The openapi.json a bake ships is the document it serves, and its own test
guards it: a breaking change fails, an additive one passes with a note."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from support.baking import PACKAGE, Bake
from support.commands import run
from support.shipped_openapi import served_document

STALE = "the template's openapi.json is stale: run `python -m support.shipped_openapi`"


@pytest.mark.parametrize("auth", ["api_key", "jwt", "none"])
@pytest.mark.parametrize("include_files", [True, False])
def test_the_shipped_snapshot_is_what_the_bake_serves(
    bake: Bake, include_files: bool, auth: str
) -> None:
    project = bake(include_files=include_files, auth=auth)
    shipped = (project / "openapi.json").read_text(encoding="utf-8")
    assert shipped == served_document(project, PACKAGE), STALE
    document = json.loads(shipped)
    assert any(path.startswith("/api/files") for path in document["paths"]) == (
        include_files
    )
    schemes = document.get("components", {}).get("securitySchemes", {})
    assert bool(schemes) == (auth != "none")


@pytest.mark.parametrize(
    "name", ["Café & Co's Δ API", "Inventory <Service>", "Ünïcode 名前 Service"]
)
def test_any_project_name_gives_a_snapshot_the_bake_serves(
    bake: Bake, name: str
) -> None:
    """The document's title is the project's slug, derived from its name."""
    project = bake(project_name=name)
    package = project.name.replace("-", "_")
    shipped = json.loads((project / "openapi.json").read_text(encoding="utf-8"))
    assert shipped["info"]["title"] == project.name
    assert shipped == json.loads(served_document(project, package))


def snapshot_test(project: Path) -> tuple[int, str]:
    """Run the bake's own snapshot test; its exit code and output."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    result = run([*command, "tests/test_openapi_snapshot.py"], project)
    return result.returncode, result.stdout + result.stderr


def test_the_bake_refuses_a_breaking_change_and_notes_an_additive_one(
    bake: Bake,
) -> None:
    project = bake()
    snapshot = project / "openapi.json"
    shipped = snapshot.read_text(encoding="utf-8")
    document = json.loads(shipped)

    code, output = snapshot_test(project)
    assert code == 0, output
    assert "behind the API" not in output

    # The snapshot promises an operation the service no longer has: breaking.
    promised = json.loads(shipped)
    promised["paths"]["/api/gone"] = {"get": {"operationId": "gone", "responses": {}}}
    snapshot.write_text(json.dumps(promised))
    code, output = snapshot_test(project)
    assert code == 1, output
    assert "/api/gone: path removed" in output
    assert "openapi write" in output

    # The service has an operation the snapshot does not know yet: additive.
    fewer = dict(document, paths=dict(document["paths"]))
    removed = sorted(fewer["paths"])[0]
    del fewer["paths"][removed]
    snapshot.write_text(json.dumps(fewer))
    code, output = snapshot_test(project)
    assert code == 0, output
    assert f"{removed}: path added" in output
    assert "openapi write" in output
