"""Rewrite the generated project's dependency locks: ``python -m tests.lock``.

The locks (``requirements.txt`` and ``requirements-dev.txt`` in the generated
project) are uv's output, never edited by hand. They are written in a fresh bake
by the bake's own ``make lock`` (uv starting from the locks the template ships,
so a version changes only when pyproject.toml asks for it) and copied into the
template byte for byte. Run it after changing a dependency in the template's
pyproject.toml; ``python -m tests.lock --upgrade`` moves every pin to the newest
release the ranges allow. tests/test_lock.py fails while the locks are stale.

Two answers change what uv resolves: the oldest Python (a dependency may pin
differently below and above a version) and ``auth=jwt`` (PyJWT). So the template
ships one pair per combination under ``.locks/`` (no line names the project), and
the post-generation hook puts the pair for a bake's answers at its root.
"""

from __future__ import annotations

import argparse
import json
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
SHIPPED = PROJECT_TEMPLATE / ".locks"
PYTHONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())["python_version"]
# Every combination of the answers that change the locks, as bake answers.
VARIANTS = [
    {"python_version": python, "auth": auth}
    for python in PYTHONS
    for auth in ("api_key", "jwt")
]


def variant_name(answers: dict[str, str]) -> str:
    """The directory under .locks/ (the post-generation hook's lock_variant)."""
    jwt = "-jwt" if answers.get("auth") == "jwt" else ""
    return f"python{answers.get('python_version', PYTHONS[0])}{jwt}"


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
        for answers in VARIANTS:
            variant = variant_name(answers)
            project = bake_into(Path(directory) / variant, **answers)
            make_lock(project, upgrade=args.upgrade)
            for name in LOCKS:
                shutil.copyfile(project / name, SHIPPED / variant / name)
                print(f"wrote {PROJECT_TEMPLATE.name}/.locks/{variant}/{name}")


if __name__ == "__main__":
    main()
