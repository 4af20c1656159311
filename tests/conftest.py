"""Fixtures for baking the template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

from helpers import TEMPLATE, Bake, LiveServer


@pytest.fixture(scope="session", autouse=True)
def hypothesis_cache_outside_bakes(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Baked suites run hypothesis (schemathesis), which caches in ./.hypothesis;
    every process started here caches elsewhere, so a shared bake stays as made."""
    patch = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("hypothesis")
    patch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(cache))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def bake(tmp_path_factory: pytest.TempPathFactory) -> Bake:
    """Bake the template with some answers changed; returns the project directory."""

    def _bake(**answers: Any) -> Path:
        output = tmp_path_factory.mktemp("bake")
        project = cookiecutter(
            str(TEMPLATE), no_input=True, extra_context=answers, output_dir=str(output)
        )
        return Path(project)

    return _bake


@pytest.fixture(scope="session")
def project(bake: Bake) -> Path:
    """The default bake, shared by tests that only read it."""
    return bake()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One nx-27017 server for the whole session (each test uses its own database)."""
    server = LiveServer(tmp_path_factory.mktemp("nx"))
    server.start()
    yield server
    server.stop()
