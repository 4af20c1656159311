"""The hooks: bad answers stop the bake cleanly; .env is written once."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from support.baking import PACKAGE, PROJECT_SLUG, TEMPLATE, Bake, bake_into
from support.commands import run
from support.hooks import render_hook

# Each is baked with project_slug "svc" unless it changes the slug itself, so
# the answer under test is the only bad one.
BAD_ANSWERS = [
    ("package_name", "Inventory", "lower-case Python identifier"),
    ("package_name", "2fast", "lower-case Python identifier"),
    ("package_name", "my-app", "lower-case Python identifier"),
    ("package_name", "class", "keyword"),
    ("package_name", "json", "standard library"),
    ("package_name", "email", "standard library"),
    ("package_name", "flask", "dependency"),
    ("package_name", "pymongo", "dependency"),
    ("package_name", "bson", "dependency"),
    ("package_name", "tests", "clashes"),
    ("package_name", "x" * 41, "at most 40"),
    ("package_name", "__main__", "lower-case Python identifier"),
    ("package_name", "pip", "packaging or development tool"),
    ("package_name", "setuptools", "packaging or development tool"),
    ("project_slug", "My Service", "safe directory"),
    ("project_slug", ".hidden", "safe directory"),
    ("project_slug", "trailing-", "safe directory"),
    ("project_slug", "../escape", "safe directory"),
    ("database_name", "my.db", "ASCII letters, digits"),
    ("database_name", "my db", "ASCII letters, digits"),
    ("database_name", "a$b", "ASCII letters, digits"),
    ("database_name", "db\nSECRET_KEY=x", "ASCII letters, digits"),
    ("database_name", "db\tx", "ASCII letters, digits"),
    ("database_name", "admin", "reserved"),
    ("database_name", "d" * 64, "1 to 63"),
    ("project_name", "   ", "must not be empty"),
    ("project_name", "two\nlines", "one line of printable text"),
    ("project_name", "a\u2028b", "one line of printable text"),
    ("description", "a\x85b", "one line of printable text"),
    ("author_name", " Bob", "must not start or end with a space"),
    ("author_email", "not-an-email", "name@example.com"),
]


def bake_failing(tmp_path: Path, **answers: str) -> None:
    with pytest.raises(FailedHookException):
        bake_into(tmp_path, **answers)


@pytest.mark.parametrize(("field", "value", "reason"), BAD_ANSWERS)
def test_a_bad_answer_stops_the_bake_and_leaves_nothing(
    tmp_path: Path, field: str, value: str, reason: str
) -> None:
    output = tmp_path / "out"
    output.mkdir()
    bake_failing(output, **{"project_slug": "svc", field: value})
    assert list(output.iterdir()) == []
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize(("field", "value", "reason"), BAD_ANSWERS)
def test_the_cli_prints_one_line_naming_field_value_and_rule(
    tmp_path: Path, field: str, value: str, reason: str
) -> None:
    result = run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(tmp_path),
            str(TEMPLATE),
            "project_slug=svc",
            f"{field}={value}",
        ],
        tmp_path,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    assert field in lines[0]
    assert repr(value) in lines[0]
    assert reason in lines[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "python_version",
            "2.7",
            "python_version '2.7' must be a Python version from 3.11 on, like 3.12",
        ),
        ("ci", "gitlab", "ci 'gitlab' must be one of github, none"),
        ("auth", "API_KEY", "auth 'API_KEY' must be one of api_key, jwt, none"),
        ("auth", "basic", "auth 'basic' must be one of api_key, jwt, none"),
        ("auth", "", "auth '' must be one of api_key, jwt, none"),
        ("auth", None, "auth must be text, got None"),
        ("docker", "yes", "docker must be yes or no, got 'yes'"),
        ("include_files", 1, "include_files must be yes or no, got 1"),
        ("include_files", None, "include_files must be yes or no, got None"),
    ],
)
def test_an_answer_cookiecutter_cannot_refuse_is_refused_by_the_hook(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    # cookiecutter checks choices and yes/no answers itself, but a replay file or
    # cruft can carry any value: the hook checks every answer regardless.
    answers = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    answers.update(
        project_slug="svc",
        package_name="svc",
        database_name="svc",
        python_version="3.11",
        include_files=True,
        docker=True,
        auth="api_key",
        ci="github",
    )
    answers[field] = value
    rendered = render_hook("pre_gen_project.py", answers, tmp_path)
    result = run([sys.executable, str(rendered)], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {message}"


def test_a_slug_with_a_slash_is_refused_leaving_only_empty_parents(
    tmp_path: Path,
) -> None:
    """cookiecutter makes the parents of the project directory before the hook runs
    and, on failure, removes only the project directory: empty parents remain (the
    template README says so). The hook refuses; it deletes nothing itself."""
    bake_failing(tmp_path, project_slug="nested/deeper/service")
    leftovers = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert leftovers == [Path("nested"), Path("nested/deeper")]


def test_a_slug_with_a_slash_never_removes_existing_files(tmp_path: Path) -> None:
    keep = tmp_path / "nested" / "keep.txt"
    keep.parent.mkdir()
    keep.write_text("mine")
    bake_failing(tmp_path, project_slug="nested/service")
    assert keep.read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "nested").iterdir()) == ["keep.txt"]


def test_answers_are_data_not_code(tmp_path: Path, bake: Bake) -> None:
    marker = tmp_path / "injected"
    payload = f'""" + __import__("pathlib").Path({str(marker)!r}).touch() + """'
    short = '""" + open("pwned", "w") + """'
    project = bake(project_name=f"Safe {short}", description=f"x {payload}")
    assert not marker.exists()
    assert not (project / "pwned").exists()
    assert short in (project / "README.md").read_text()


def test_post_gen_writes_a_private_dotenv_with_a_fresh_secret(bake: Bake) -> None:
    first, second = bake(), bake()
    secrets = []
    for project in (first, second):
        dotenv = project / ".env"
        assert dotenv.stat().st_mode & 0o777 == 0o600
        lines = dotenv.read_text().splitlines()
        [secret] = [line for line in lines if line.startswith("SECRET_KEY=")]
        assert len(secret.removeprefix("SECRET_KEY=")) >= 48
        secrets.append(secret)
    assert secrets[0] != secrets[1]
    example = (first / ".env.example").read_text()
    assert "SECRET_KEY=\n" in example  # the committed file holds no secret


# What the post-generation hook reads of the answers, with every option on.
POST_GEN_ANSWERS = {
    "package_name": PACKAGE,
    "project_slug": "x",
    "include_files": True,
    "docker": True,
    "ci": "github",
    "auth": "api_key",
    "python_version": "3.11",
}


def test_post_gen_is_idempotent(bake: Bake, tmp_path: Path) -> None:
    project = bake()
    before = (project / ".env").read_text()
    rendered = render_hook("post_gen_project.py", POST_GEN_ANSWERS, tmp_path)
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, str(rendered)],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert (project / ".env").read_text() == before
    assert sorted(p.name for p in project.iterdir()) == sorted(
        p.name for p in bake().iterdir()
    )


def test_post_gen_removes_what_options_turn_off_and_can_run_again(
    bake: Bake, tmp_path: Path, option_files: dict[str, frozenset[str]]
) -> None:
    project = bake()
    answers = {
        "package_name": PACKAGE,
        "project_slug": "x",
        "include_files": False,
        "docker": False,
        "ci": "none",
        "auth": "none",
    }
    rendered = render_hook("post_gen_project.py", answers, tmp_path)
    for _ in range(2):
        result = run([sys.executable, str(rendered)], project)
        assert result.returncode == 0, result.stderr
    for name in frozenset().union(*option_files.values()):
        assert not (project / name).exists(), name
    assert not (project / ".github").exists()
    assert (project / "Makefile").exists()


def test_yes_and_no_on_the_command_line_bake(tmp_path: Path) -> None:
    for answer, present in (("no", False), ("yes", True)):
        output = tmp_path / answer
        result = run(
            [
                sys.executable,
                "-m",
                "cookiecutter",
                "--no-input",
                "-o",
                str(output),
                str(TEMPLATE),
                f"include_files={answer}",
            ],
            tmp_path,
        )
        assert result.returncode == 0, result.stderr
        files = output / PROJECT_SLUG / PACKAGE / "files.py"
        assert files.exists() is present


@pytest.mark.parametrize("hook", ["pre_gen_project.py", "post_gen_project.py"])
def test_hooks_are_clean_python_before_and_after_rendering(
    hook: str, tmp_path: Path
) -> None:
    rendered = render_hook(hook, {"a": "b"}, tmp_path)
    for path in (TEMPLATE / "hooks" / hook, rendered):
        result = run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", str(path)], TEMPLATE
        )
        assert result.returncode == 0, result.stdout


SPY = """
import os, runpy, sys
real_open = os.open
created = []

def spy(path, flags, mode=0o777, *args, **kwargs):
    if str(path).endswith(".env") and flags & os.O_CREAT:
        created.append((str(path), flags, mode))
    return real_open(path, flags, mode, *args, **kwargs)

os.open = spy
os.umask(0)  # a careless write-then-chmod would leave the file 0666 for a while
runpy.run_path(sys.argv[1], run_name="__main__")
print(repr(created))
"""


def test_post_gen_creates_dotenv_private_in_the_same_call(
    project: Path, tmp_path: Path
) -> None:
    """Created by os.open with O_EXCL and mode 0600, never widened then narrowed."""
    target = tmp_path / "project"
    target.mkdir()
    (target / ".env.example").write_bytes((project / ".env.example").read_bytes())
    rendered = render_hook("post_gen_project.py", POST_GEN_ANSWERS, tmp_path)
    result = run([sys.executable, "-c", SPY, str(rendered)], target)
    assert result.returncode == 0, result.stderr
    created = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    assert len(created) == 1
    path, flags, mode = created[0]
    assert path.endswith(".env")
    assert flags & os.O_EXCL
    assert mode == 0o600
    assert (target / ".env").stat().st_mode & 0o777 == 0o600
