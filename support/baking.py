"""Baking the template, and the names a default bake gets (defined here once)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config

TEMPLATE = Path(__file__).resolve().parents[1]
# What the tests' ``bake`` fixture is: answers in, a fresh project directory out.
Bake = Callable[..., Path]


def default_answers() -> dict[str, Any]:
    """The answers ``cookiecutter --no-input`` uses, rendered as cookiecutter does."""
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"))
    answers: dict[str, Any] = prompt_for_config(context, no_input=True)
    return answers


DEFAULTS = default_answers()
# The default bake's directory (and distribution) name, and its package.
PROJECT_SLUG: str = DEFAULTS["project_slug"]
PACKAGE: str = DEFAULTS["package_name"]


def bake_into(output: Path, **answers: Any) -> Path:
    """Bake the template into ``output`` with ``answers`` changed; the project path."""
    output.mkdir(parents=True, exist_ok=True)
    project = cookiecutter(
        str(TEMPLATE), no_input=True, extra_context=answers, output_dir=str(output)
    )
    return Path(project)


def package_of(project: Path) -> str:
    """The importable package of a bake, whatever ``package_name`` was answered."""
    (init,) = [p for p in project.glob("*/__init__.py") if p.parent.name != "tests"]
    return init.parent.name


def files_of(project: Path) -> set[str]:
    """Every file of a bake, relative to it (bytecode caches left out)."""
    return {
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
