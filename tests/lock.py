"""Rewrite the generated project's dependency locks: ``python -m tests.lock``.

The locks (``requirements.txt`` and ``requirements-dev.txt`` in the generated
project) are uv's output, never edited by hand. They are written in a fresh bake
by the bake's own ``make lock`` (uv starting from the locks the template ships,
so a version changes only when pyproject.toml asks for it) and copied into the
template byte for byte. Run it after changing a dependency in the template's
pyproject.toml; ``python -m tests.lock --upgrade`` moves every pin to the newest
release the ranges allow. tests/test_lock.py fails while the locks are stale.

No answer changes the dependencies or the locks' text (no line names the project
or its Python), so one pair of locks serves every bake.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from support.baking import TEMPLATE, bake_into
from support.environment import clean_env

PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
LOCKS = ("requirements.txt", "requirements-dev.txt")


def make_lock(project: Path, *, upgrade: bool = False, args: str = "") -> None:
    """Run a bake's ``make lock`` (or ``make upgrade``) with this venv's uv.

    ``args`` go to ``uv pip compile`` (the Makefile's ``LOCK_ARGS``).
    """
    command = ["make", "upgrade" if upgrade else "lock"]
    if args:
        command.append(f"LOCK_ARGS={args}")
    # uv comes from requirements-dev.txt, next to this interpreter (clean_env
    # puts it first on PATH).
    subprocess.run(command, cwd=project, env=clean_env(), check=True, timeout=300)


def read_locks(directory: Path) -> dict[str, str]:
    return {name: (directory / name).read_text(encoding="utf-8") for name in LOCKS}


def pins(lock: Path) -> dict[str, str]:
    """Name and version of every package a lock installs on this machine."""
    pinned: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #":
            continue  # a hash, or a comment
        requirement = Requirement(line.removesuffix("\\").strip())
        if requirement.marker is None or requirement.marker.evaluate():
            [specifier] = requirement.specifier
            assert specifier.operator == "==", line
            pinned[canonicalize_name(requirement.name)] = specifier.version
    return pinned


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.lock", description=__doc__)
    parser.add_argument(
        "--upgrade", action="store_true", help="newest releases within the ranges"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        project = bake_into(Path(directory))
        make_lock(project, upgrade=args.upgrade)
        for name in LOCKS:
            shutil.copyfile(project / name, PROJECT_TEMPLATE / name)
            print(f"wrote {PROJECT_TEMPLATE.name}/{name}")


if __name__ == "__main__":
    main()
