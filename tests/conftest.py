"""Fixtures for baking the template and serving what it makes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.baking import Bake, bake_into
from support.live_server import LiveServer
from support.options import option_files as derive_option_files


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs the live server belongs to the full loop, marked or not."""
    for item in items:
        if "live_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


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
        return bake_into(tmp_path_factory.mktemp("bake"), **answers)

    return _bake


@pytest.fixture(scope="session")
def project(bake: Bake) -> Path:
    """The default bake, shared by tests that only read it."""
    return bake()


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache per test process, outside every bake."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="session")
def option_files(bake: Bake) -> dict[str, frozenset[str]]:
    """The files each yes/no option adds, from bakes with it on and off."""
    return derive_option_files(bake)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One nx-27017 server for the whole session (each test uses its own database)."""
    server = LiveServer(tmp_path_factory.mktemp("nx"))
    server.start()
    yield server
    server.stop()
