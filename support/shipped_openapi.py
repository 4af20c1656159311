"""Write the template's openapi.json: the document each bake serves, as Jinja.

A bake commits its API contract from its first commit, so the template ships it.
The post-generation hook cannot produce it (the app's dependencies are not
installed when cookiecutter runs), so this module bakes the template once per
combination of the answers that change the API (include_files and auth), asks
each bake's own ``flask openapi write`` for its document, and writes one Jinja
file that renders to exactly that text for those answers; the project's name is
the only other answer in it. tests/test_shipped_openapi.py fails when the file
is stale. After changing the API, run from the template's root:

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
# The answers that change the API, and the values each can take.
API_ANSWERS = {"include_files": (True, False), "auth": ("api_key", "jwt", "none")}
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


def combinations() -> list[dict[str, object]]:
    answers: list[dict[str, object]] = [{}]
    for name, values in API_ANSWERS.items():
        answers = [{**chosen, name: value} for chosen in answers for value in values]
    return answers


def condition(answers: dict[str, object]) -> str:
    """A Jinja test that holds for exactly these answers."""
    return " and ".join(
        f"cookiecutter.{name} == {json.dumps(value)}"
        if isinstance(value, str)
        else f"{'' if value else 'not '}cookiecutter.{name}"
        for name, value in answers.items()
    )


def template_text(directory: Path) -> str:
    """One branch per distinct document, taken by the answers that serve it."""
    documents: dict[str, list[dict[str, object]]] = {}
    for number, answers in enumerate(combinations()):
        text = baked_document(directory / str(number), **answers)
        documents.setdefault(text, []).append(answers)
    if len(documents) == 1:
        return as_jinja(next(iter(documents)))
    branches = []
    for text, served_for in documents.items():
        test = " or ".join(f"({condition(answers)})" for answers in served_for)
        keyword = "if" if not branches else "elif"
        branches.append(f"{{% {keyword} {test} %}}{as_jinja(text)}")
    return "".join(branches) + "{% endif %}"


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        TARGET.write_text(template_text(Path(directory)), encoding="utf-8")
    print(f"Wrote {TARGET.relative_to(TEMPLATE)}")


if __name__ == "__main__":
    main()
