"""Write the template's openapi.json: the document each bake serves, as Jinja.

A bake commits its API contract from its first commit, so the template ships it.
The post-generation hook cannot produce it (the app's dependencies are not
installed when cookiecutter runs), so this module bakes the template once per
answer that changes the API (include_files), asks each bake's own ``flask
openapi write`` for its document, and writes one Jinja file that renders to
exactly that text for those answers; the project's name is the only answer in
it. tests/test_shipped_openapi.py fails when the file is stale. After changing
the API, run from the template's root:

    python -m support.shipped_openapi
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

from support.baking import TEMPLATE
from support.commands import run

TARGET = TEMPLATE / "{{cookiecutter.project_slug}}" / "openapi.json"
OPTION = "include_files"
# A project name no document would contain by chance; the document's title is its
# slug, which the template renders from the answer.
NAME = "Openapi Snapshot Name"
SLUG = "openapi-snapshot-name"
ANSWER = "{% endraw %}{{ cookiecutter.project_slug | tojson }}{% raw %}"


def served_document(project: Path, package: str) -> str:
    """The text ``flask openapi write`` gives in ``project`` (which it leaves as is)."""
    command = [sys.executable, "-m", "flask", "--app", package, "openapi", "write"]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_")}
    environ["APP_ENV"] = "testing"
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "openapi.json"
        result = run([*command, "--output", str(output)], project, environ)
        assert result.returncode == 0, result.stdout + result.stderr
        return output.read_text(encoding="utf-8")


def baked_document(directory: Path, **answers: object) -> str:
    project = Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context={"project_name": NAME, **answers},
            output_dir=str(directory),
        )
    )
    return served_document(project, project.name.replace("-", "_"))


def as_jinja(text: str) -> str:
    """``text`` verbatim (raw), with the project's slug rendered from the answer."""
    quoted = json.dumps(SLUG)
    assert text.count(quoted) == 1, f"expected the slug once as a JSON string: {text}"
    return "{% raw %}" + text.replace(quoted, ANSWER) + "{% endraw %}"


def template_text(directory: Path) -> str:
    on = baked_document(directory / "on", **{OPTION: True})
    off = baked_document(directory / "off", **{OPTION: False})
    if on == off:
        return as_jinja(on)
    return (
        f"{{% if cookiecutter.{OPTION} %}}{as_jinja(on)}"
        f"{{% else %}}{as_jinja(off)}{{% endif %}}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        TARGET.write_text(template_text(Path(directory)), encoding="utf-8")
    print(f"Wrote {TARGET.relative_to(TEMPLATE)}")


if __name__ == "__main__":
    main()
