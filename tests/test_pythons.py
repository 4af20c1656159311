"""Every Python the ``python_version`` prompt offers, run for real.

Each offered version gets a fresh virtual environment made by that interpreter, in
which cookiecutter bakes the default project (so the hooks run on it), the bake is
installed from its own metadata and its whole suite runs under
``filterwarnings = error``. The template's hook tests run there too, and every
module of the template's own code must compile on it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from support.baking import PROJECT_SLUG, TEMPLATE, Bake
from support.commands import passed_count, run, run_project_tests

OFFERED: list[str] = json.loads((TEMPLATE / "cookiecutter.json").read_text())[
    "python_version"
]
# Offered, but no registry this template's CI can reach ships an interpreter for it
# (pyenv and uv download CPython from hosts outside them). The baked project's CI
# matrix runs it instead; the README says so.
CI_MATRIX_ONLY = {"3.14"}
VERSION_CHECK = 'import sys; print("%d.%d" % sys.version_info[:2])'
# Compiles each file named on the command line, writing no bytecode anywhere.
COMPILE_EACH = (
    "import sys\n"
    "for name in sys.argv[1:]:\n"
    "    with open(name, encoding='utf-8') as f:\n"
    "        compile(f.read(), name, 'exec')\n"
)


def find_python(version: str) -> str | None:
    """An interpreter for ``version``: on PATH, else pyenv's, else uv's; or None.

    pyenv's shims put ``python3.12`` on PATH even when it only prints "command not
    found", so each candidate must run and report the version asked for.
    """
    candidates = [shutil.which(f"python{version}")]
    if pyenv := shutil.which("pyenv"):
        prefix = run([pyenv, "prefix", version], TEMPLATE).stdout.strip()
        candidates.append(prefix and str(Path(prefix) / "bin" / f"python{version}"))
    if uv := shutil.which("uv"):
        found = run([uv, "python", "find", "--no-python-downloads", version], TEMPLATE)
        candidates.append(found.stdout.strip())
    for candidate in filter(None, candidates):
        try:
            reported = run([candidate, "-c", VERSION_CHECK], TEMPLATE, timeout=30)
        except OSError:
            continue
        if reported.returncode == 0 and reported.stdout.strip() == version:
            return candidate
    return None


def required_here() -> list[str]:
    """Offered versions the tests must run: all but CI-only ones not installed."""
    return [v for v in OFFERED if v not in CI_MATRIX_ONLY or find_python(v)]


def pip_install(python: str, *args: str, cwd: Path) -> None:
    result = run([python, "-m", "pip", "install", "--quiet", *args], cwd, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("version", required_here())
def test_a_default_bake_is_green_on_every_offered_python(
    version: str, tmp_path: Path
) -> None:
    interpreter = find_python(version)
    assert interpreter, (
        f"Python {version} is offered by the python_version prompt but no "
        f"interpreter for it was found: install it (pyenv install {version} or "
        f"uv python install {version}) or stop offering it"
    )
    env_dir = tmp_path / "venv"
    made = run([interpreter, "-m", "venv", str(env_dir)], tmp_path)
    assert made.returncode == 0, made.stderr
    python = str(env_dir / "bin" / "python")
    # pytest-xdist: the template's addopts run its tests with -n auto.
    pip_install(python, "cookiecutter", "pytest", "pytest-xdist", cwd=tmp_path)

    # The hooks run on this interpreter: cookiecutter runs them with sys.executable.
    baked = run(
        [python, "-m", "cookiecutter", "--no-input", "-o", str(tmp_path), TEMPLATE],
        tmp_path,
    )
    assert baked.returncode == 0, baked.stdout + baked.stderr
    project = tmp_path / PROJECT_SLUG
    pip_install(python, "-e", ".[dev]", cwd=project)
    assert passed_count(run_project_tests(project, python=python)) >= 100

    hooks = run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_hooks.py"],
        TEMPLATE,
    )
    assert passed_count(hooks) >= 10

    own_code = [
        str(path)
        for folder in ("hooks", "tests", "support", "bench")
        for path in sorted((TEMPLATE / folder).rglob("*.py"))
    ]
    # -W error: a SyntaxWarning (an invalid escape, say) on a newer Python fails too.
    compiles = run([python, "-W", "error", "-c", COMPILE_EACH, *own_code], tmp_path)
    assert compiles.returncode == 0, compiles.stderr


@pytest.mark.parametrize("version", sorted(CI_MATRIX_ONLY & set(OFFERED)))
def test_a_python_not_installable_here_is_in_the_baked_ci_matrix(
    bake: Bake, version: str
) -> None:
    project = bake(python_version=OFFERED[0])
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    matrices = [
        job.get("strategy", {}).get("matrix", {}).get("python-version", [])
        for job in workflow["jobs"].values()
    ]
    assert any(version in matrix for matrix in matrices), matrices
