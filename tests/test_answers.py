"""Hostile text in every answer: refused with one line, or baked into files that
parse with their own parsers and give the answer back unchanged.

Each answer's rule is checked in-process through the rendered pre-generation hook
(fast, every value against every answer); every value a rule accepts is then
really baked, and every file of the bake is read by the parser of its format:
tomllib, markdown-it (CommonMark), python-dotenv, ast, PyYAML, and the
Dockerfile's and Makefile's line structure.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter
from dotenv import dotenv_values
from markdown_it import MarkdownIt

from support.baking import TEMPLATE
from support.commands import run
from support.hooks import render_hook

DEFAULTS = {
    "project_name": "Inventory Service",
    "project_slug": "svc",
    "package_name": "svc",
    "database_name": "svc",
    "description": "A Flask + MongoDB service.",
    "author_name": "Your Name",
    "author_email": "you@example.com",
    "python_version": "3.11",
    "include_files": True,
    "docker": True,
    "ci": "github",
    "auth": "api_key",
}
TEXT_ANSWERS = ("project_name", "description", "author_name")
ANSWERS = (
    *TEXT_ANSWERS,
    "project_slug",
    "package_name",
    "database_name",
    "author_email",
)

# Printable text on one line: every free-text answer must take it.
PRINTABLE = {
    "emoji": "Rocket 🚀 Service 👩‍💻",
    "cjk": "库存服务 在庫管理",
    "quotes": 'O\'Brien "Bob" \'\'\'x\'\'\' """y"""',
    "backslashes": 'back\\slash \\n \\u0041 \\" \\',
    "markdown": "# *b* _i_ <script>x()</script> [l](javascript:x) `c` |t| ~s~ &amp;",
    "list-like": "1. first - second",
    "dash-first": "- a list? --- no",
    "toml-like": 'key = "v" [table] # comment',
    "yaml-like": "a: b - [c] {d} &e *f !g %h @i #k ? |",
    "dotenv-like": "A=B $HOME ${X} # c export Y=1",
    "shell-like": "$(touch pwned) `id` ; && || > /tmp/x",
    "jinja-looking": "{{ x }} {% if %} {# c #}",
    "percent-braces": "100% {curly} <angle>",
}
# Characters that end a line, or are not text, in some format the answers reach.
NOT_ONE_LINE = {
    "newline": "two\nlines",
    "carriage-return": "a\rb",
    "crlf": "a\r\nb",
    "tab": "a\tb",
    "nul": "a\x00b",
    "delete": "a\x7fb",
    "escape": "a\x1b[31mb",
    "next-line": "a\x85b",
    "line-separator": "a\u2028b",
    "paragraph-separator": "a\u2029b",
    "bidi-override": "a\u202eb",
    "zero-width-space": "a\u200bb",
    "byte-order-mark": "\ufeffab",
    "no-break-space": "a\u00a0b",
    "lone-surrogate": "a\ud800b",
    "leading-space": " ab",
    "trailing-space": "ab ",
    "only-spaces": "   ",
    "empty": "",
    "very-long": "x" * 5000,
}
HOSTILE = {**PRINTABLE, **NOT_ONE_LINE}
# Values the restricted answers take; everything else in HOSTILE they refuse.
RESTRICTED_OK = {
    "project_slug": ["a.b-c_d", "x" * 64],
    "package_name": ["orders2", "x" * 40],
    "database_name": ["Orders-prod_2", "d" * 63],
    "author_email": ["first.last+tag%x@sub-domain.example.co", ""],
}


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The pre-generation hook as cookiecutter renders it, imported as a module."""
    rendered = render_hook("pre_gen_project.py", {}, tmp_path_factory.mktemp("hook"))
    spec = importlib.util.spec_from_file_location("rendered_pre_gen", rendered)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def error_for(hook: ModuleType, field: str, value: str) -> str | None:
    error: str | None = hook.first_error({**DEFAULTS, field: value})
    return error


@pytest.mark.parametrize("field", ANSWERS)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_answer_refuses_with_one_line_or_accepts(
    hook: ModuleType, field: str, name: str
) -> None:
    value = HOSTILE[name]
    error = error_for(hook, field, value)
    takes_it = (field in TEXT_ANSWERS and name in PRINTABLE) or (
        field == "author_email" and value == ""
    )
    if takes_it:
        assert error is None, error
    else:
        assert error is not None, f"{field} accepted {value!r}"
    if error is not None:
        assert error.startswith(f"error: {field} ")
        assert len(error.splitlines()) == 1
        assert error.isprintable(), ascii(error)
        assert len(error) < 400


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, value) for field, values in RESTRICTED_OK.items() for value in values],
)
def test_restricted_answers_take_their_whole_alphabet(
    hook: ModuleType, field: str, value: str
) -> None:
    assert error_for(hook, field, value) is None


@pytest.mark.parametrize(
    "name",
    [
        "__main__",
        "_private",
        "pip",
        "setuptools",
        "wheel",
        "pkg_resources",
        "distutils",
        "annotationlib",
        "dns",
        "site",
        "typing",
        "match_",
    ],
)
def test_package_names_that_shadow_python_or_its_tools_are_refused(
    hook: ModuleType, name: str
) -> None:
    error = error_for(hook, "package_name", name)
    if name == "match_":  # a soft keyword with a suffix is an ordinary name
        assert error is None
    else:
        assert error is not None
        assert error.startswith("error: package_name ")


def bake(output: Path, **answers: Any) -> Path:
    return Path(
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context={**DEFAULTS, **answers},
            output_dir=str(output),
        )
    )


@pytest.mark.parametrize("field", ANSWERS)
def test_a_refused_answer_stops_a_real_bake_with_one_error_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], field: str
) -> None:
    with pytest.raises(FailedHookException):
        bake(tmp_path, **{field: "a\u2028b"})
    lines = [
        line
        for line in capfd.readouterr().err.splitlines()
        if line.startswith("error:")
    ]
    assert lines == [f"error: {field} 'a\\u2028b' " + lines[0].split("' ", 1)[1]]
    assert list(tmp_path.iterdir()) == []


# The text answers as cookiecutter receives them: it renders Jinja inside answers
# (a template cannot stop that), so text that must arrive as "{{ x }}" is sent
# wrapped in {% raw %}.
def sent(value: str) -> str:
    return "{% raw %}" + value + "{% endraw %}" if "{" in value else value


def inline_text(tokens: list[Any], index: int) -> str:
    """The plain text of one inline token; any markup in it fails the test."""
    children = tokens[index].children or []
    kinds = {child.type for child in children}
    assert kinds <= {"text"}, (kinds, tokens[index].content)
    return "".join(child.content for child in children)


def check_markdown(project: Path, name: str, description: str) -> None:
    tokens = MarkdownIt().parse((project / "README.md").read_text(encoding="utf-8"))
    assert [t.type for t in tokens[:6]] == [
        "heading_open",
        "inline",
        "heading_close",
        "paragraph_open",
        "inline",
        "paragraph_close",
    ]
    assert inline_text(tokens, 1) == name
    assert inline_text(tokens, 4) == description


def check_toml(project: Path, answers: dict[str, Any]) -> None:
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    project_table = meta["project"]
    assert project_table["name"] == answers["project_slug"]
    assert project_table["description"] == answers["description"]
    author = {"name": answers["author_name"]}
    if answers["author_email"]:
        author["email"] = answers["author_email"]
    assert project_table["authors"] == [author]


def check_dotenv(project: Path, answers: dict[str, Any], keys: set[str]) -> None:
    for name in (".env.example", ".env"):
        values = dotenv_values(project / name, interpolate=False)
        assert set(values) == keys, name
        assert values["MONGODB_DB"] == answers["database_name"]
        assert values["MONGODB_APPNAME"] == answers["project_slug"]


def check_python(project: Path, answers: dict[str, Any]) -> None:
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    config = ast.parse((project / answers["package_name"] / "config.py").read_text())
    constants = {
        node.targets[0].id: node.value.value
        for node in config.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    assert constants["DEFAULT_DATABASE"] == answers["database_name"]


def check_yaml(project: Path, answers: dict[str, Any]) -> None:
    compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    uri = compose["services"]["app"]["environment"]["MONGODB_URI"]
    # The service's own user (from .env, filled in by compose), then where it is.
    assert uri.startswith("mongodb://${MONGO_APP_USERNAME")
    assert uri.rpartition("@")[2] == f"mongo:27017/{answers['database_name']}"
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    assert answers["package_name"] in json.dumps(workflow)
    yaml.safe_load((project / ".pre-commit-config.yaml").read_text())


DOCKER_INSTRUCTIONS = re.compile(
    r"(ARG|FROM|ENV|RUN|WORKDIR|COPY|USER|EXPOSE|HEALTHCHECK|ENTRYPOINT|CMD) "
)


def check_lint(project: Path) -> None:
    """Long names still fit ruff's line length wherever they are rendered."""
    for command in (["check"], ["format", "--check"]):
        result = run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", "."], project
        )
        assert result.returncode == 0, result.stdout + result.stderr


def check_line_formats(project: Path, answers: dict[str, Any]) -> None:
    package = answers["package_name"]
    logical = re.sub(r"\\\n", " ", (project / "Dockerfile").read_text())
    for line in logical.splitlines():
        assert (
            not line.strip() or line.startswith("#") or DOCKER_INSTRUCTIONS.match(line)
        ), line
    assert package in logical
    makefile = (project / "Makefile").read_text().splitlines()
    assert f"PACKAGE := {package}" in makefile


@pytest.fixture(scope="module")
def default_keys(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The settings a default bake's .env.example defines: no answer may add one."""
    project = bake(tmp_path_factory.mktemp("default"))
    return set(dotenv_values(project / ".env.example"))


ACCEPTED_BAKES = [
    *[(dict.fromkeys(TEXT_ANSWERS, value), name) for name, value in PRINTABLE.items()],
    *[
        ({field: value}, f"{field}={value!r}")
        for field, values in RESTRICTED_OK.items()
        for value in values
    ],
]


@pytest.mark.parametrize(
    ("answers", "label"), ACCEPTED_BAKES, ids=[b[1] for b in ACCEPTED_BAKES]
)
def test_accepted_answers_reach_every_file_intact(
    tmp_path: Path, default_keys: set[str], answers: dict[str, str], label: str
) -> None:
    if "project_slug" in answers:
        answers = {**answers, "package_name": "svc"}
    full = {**DEFAULTS, **answers}
    project = bake(tmp_path, **{k: sent(v) for k, v in answers.items()})
    assert project.name == full["project_slug"]
    check_toml(project, full)
    check_markdown(project, full["project_name"], full["description"])
    check_dotenv(project, full, default_keys)
    check_python(project, full)
    check_yaml(project, full)
    check_line_formats(project, full)
    if set(answers) & set(RESTRICTED_OK):
        check_lint(project)
