"""The template's hooks rendered as cookiecutter renders them, to run them alone."""

from __future__ import annotations

import json
from pathlib import Path

from support.baking import TEMPLATE


def render_hook(name: str, answers: dict[str, object], directory: Path) -> Path:
    """Render a hook the way cookiecutter does, with ``answers`` as its context."""
    source = (TEMPLATE / "hooks" / name).read_text()
    rendered = directory / name
    rendered.write_text(
        source.replace("{{ cookiecutter | tojson }}", json.dumps(answers))
    )
    return rendered
