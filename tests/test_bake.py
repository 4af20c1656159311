"""Baking: the tree, the answers in the files, and lint on every variant."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from support.baking import (
    DEFAULTS,
    PACKAGE,
    PROJECT_SLUG,
    TEMPLATE,
    Bake,
    files_of,
    package_of,
)
from support.commands import passed_count, run, run_project_tests
from support.environment import BIN
from support.options import OFF
from support.typecheck import mypy_strict

# The .env lines each bake fills with a fresh random value: the app secret,
# database passwords and the development API key's hash.
FRESH_SECRET = re.compile(r"(SECRET_KEY|API_KEYS|\w+_PASSWORD)=")
UNRENDERED = re.compile(r"\{\{\s*cookiecutter\.|\{%-?\s|cookiecutter\.[a-z_]+\s*\}\}")

# {package} is the default bake's package.
EXPECTED_FILES = [
    ".dockerignore",
    ".env",
    ".env.example",
    ".github/dependabot.yml",
    ".github/workflows/ci.yml",
    ".github/workflows/newest.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Dockerfile",
    "Makefile",
    "README.md",
    "compose.yaml",
    "docker-entrypoint.sh",
    "gunicorn.conf.py",
    "mongo-init/create-users.js",
    "openapi.json",
    "pyproject.toml",
    "requirements-dev.txt",
    "requirements.txt",
    "schemathesis.toml",
    "{package}/__init__.py",
    "{package}/access_log.py",
    "{package}/api_keys.py",
    "{package}/auth.py",
    "{package}/cli.py",
    "{package}/clients.py",
    "{package}/cluster.py",
    "{package}/conditional.py",
    "{package}/config.py",
    "{package}/converters.py",
    "{package}/db.py",
    "{package}/docs.py",
    "{package}/errors.py",
    "{package}/files.py",
    "{package}/files_api.py",
    "{package}/health.py",
    "{package}/idempotency.py",
    "{package}/indexes.py",
    "{package}/items.py",
    "{package}/json_provider.py",
    "{package}/lease.py",
    "{package}/listing.py",
    "{package}/logs.py",
    "{package}/media_types.py",
    "{package}/metrics.py",
    "{package}/migrations/__init__.py",
    "{package}/migrations/v0001_backfill_name_keys.py",
    "{package}/monitoring.py",
    "{package}/names.py",
    "{package}/openapi.py",
    "{package}/pagination.py",
    "{package}/py.typed",
    "{package}/quota.py",
    "{package}/rate_limits.py",
    "{package}/redaction.py",
    "{package}/request_ids.py",
    "{package}/request_limits.py",
    "{package}/resources.py",
    "{package}/response_headers.py",
    "{package}/schema.py",
    "{package}/sessions.py",
    "{package}/stats.py",
    "{package}/tracing.py",
    "{package}/transactions.py",
    "{package}/transfers.py",
    "{package}/validation.py",
    "{package}/validators.py",
    "{package}/versions.py",
    "tests/conftest.py",
    "tests/credentials.py",
    "tests/openapi_diff.py",
    "tests/outage.py",
    "tests/support.py",
    "tests/test_api_keys.py",
    "tests/test_app.py",
    "tests/test_auth.py",
    "tests/test_cli.py",
    "tests/test_clients.py",
    "tests/test_cluster.py",
    "tests/test_conditional.py",
    "tests/test_config.py",
    "tests/test_connections.py",
    "tests/test_contract.py",
    "tests/test_converters.py",
    "tests/test_db.py",
    "tests/test_db_dns.py",
    "tests/test_db_reuse.py",
    "tests/test_docs.py",
    "tests/test_errors.py",
    "tests/test_files.py",
    "tests/test_files_api.py",
    "tests/test_health.py",
    "tests/test_idempotency.py",
    "tests/test_indexes.py",
    "tests/test_items.py",
    "tests/test_json_provider.py",
    "tests/test_listing.py",
    "tests/test_logs.py",
    "tests/test_media_types.py",
    "tests/test_metrics.py",
    "tests/test_migrations.py",
    "tests/test_names.py",
    "tests/test_openapi_diff.py",
    "tests/test_openapi_snapshot.py",
    "tests/test_pagination.py",
    "tests/test_quota.py",
    "tests/test_rate_limits.py",
    "tests/test_redaction.py",
    "tests/test_request_ids.py",
    "tests/test_request_limits.py",
    "tests/test_response_headers.py",
    "tests/test_schema.py",
    "tests/test_sessions.py",
    "tests/test_stats.py",
    "tests/test_tracing.py",
    "tests/test_transfers.py",
    "tests/test_validation.py",
    "tests/test_validators.py",
    "tests/test_versions.py",
    "tests/untraced.py",
]

# One bake per answer changed from the default, plus every option off at once,
# each checked the same way (not the full product of the answers).
VARIANTS = {
    "all-options-off": OFF,
    "python-3.12": {"python_version": "3.12"},
    "python-3.13": {"python_version": "3.13"},
    "python-3.14": {"python_version": "3.14"},
    "no-email": {"author_email": ""},
    "no-files": {"include_files": False},
    "custom-names": {
        "project_name": "Orders API",
        "package_name": "orders",
        "database_name": "orders-prod",
    },
    "no-ci": {"ci": "none"},
    "no-docker": {"docker": False},
    "auth-jwt": {"auth": "jwt"},
    "auth-none": {"auth": "none"},
    "long-package-name": {"project_name": "Customer Order Reconciliation Tracker"},
    "awkward-text": {
        "project_name": 'Zoë\'s "Quoted" \\ Service',
        "description": 'Tracks "things" \\ with <brackets> & ümlauts """',
        "author_name": 'O\'Brien "Bob" \\',
    },
}


# Words that must appear nowhere in a bake when the option is off.
OPTION_TRACES = {
    "include_files": re.compile(
        r"gridfs|files_api|save_file|send_file|FILES_|/api/files", re.IGNORECASE
    ),
    "ci": re.compile(r"\.github|GitHub Actions|workflow|Continuous integration"),
    # The CI job starts its MongoDB replica set with `docker run`/`docker exec`
    # (a service container cannot take --replSet) whatever the docker answer,
    # which is about the service's own image and compose file.
    "docker": re.compile(r"docker(?! (?:run|exec) )|\bcompose\b", re.IGNORECASE),
    # Not "Bearer" or "WWW-Authenticate" alone: METRICS_TOKEN, in every bake, uses
    # them for /metrics.
    "auth": re.compile(
        r"api_key|API_KEYS|AUTH_|JWT|jwks|bearerAuth|Bearer <(credential|key)>"
        r"|\$KEY\b|\$TOKEN\b|created_by|\bscopes?\b(?!=)|from credentials import",
        re.IGNORECASE,
    ),
}


def suite_inputs(project: Path) -> dict[str, str]:
    """Everything a run of the baked suite reads from its bake.

    The package and the tests, the shipped OpenAPI snapshot, ``.env`` (read in
    development; the secrets each bake makes afresh left out) and pyproject.toml's
    dependencies and pytest settings. Two bakes that agree on these run the same
    suite.
    """
    read = (f"{package_of(project)}/", "tests/", "openapi.json")
    inputs = {
        name: (project / name).read_text(encoding="utf-8")
        for name in sorted(files_of(project))
        if name.startswith(read)
    }
    dotenv = (project / ".env").read_text(encoding="utf-8").splitlines()
    inputs[".env"] = "\n".join(x for x in dotenv if not FRESH_SECRET.match(x))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    inputs["pyproject.toml"] = repr(
        (
            pyproject["project"]["dependencies"],
            pyproject["project"]["optional-dependencies"],
            pyproject["tool"]["pytest"],
        )
    )
    return inputs


def all_files(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*") if p.is_file())


def check_jsonschema(schema: str, *files: Path) -> None:
    """Validate files against a schema vendored by check-jsonschema (offline)."""
    command = [str(BIN / "check-jsonschema"), "--builtin-schema", schema]
    result = run([*command, *map(str, files)], TEMPLATE)
    assert result.returncode == 0, result.stdout + result.stderr


def assert_tool_configs_are_valid(project: Path) -> None:
    """The workflow, compose file and pre-commit config of a bake, where it has them."""
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    if workflows:
        check_jsonschema("vendor.github-workflows", *workflows)
    if (project / ".github" / "dependabot.yml").exists():
        check_jsonschema("vendor.dependabot", project / ".github" / "dependabot.yml")
    if (project / "compose.yaml").exists():
        check_jsonschema("vendor.compose-spec", project / "compose.yaml")
    config = project / ".pre-commit-config.yaml"
    result = run([str(BIN / "pre-commit"), "validate-config", str(config)], project)
    assert result.returncode == 0, result.stdout + result.stderr


def assert_clean_bake(project: Path) -> None:
    """No Jinja left anywhere, and ruff finds nothing to say."""
    for path in all_files(project):
        text = path.read_text(encoding="utf-8")
        assert not UNRENDERED.search(text), f"unrendered Jinja in {path}"
    check = run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], project)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], project
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    assert_tool_configs_are_valid(project)


def test_default_bake_has_the_expected_files(project: Path) -> None:
    assert files_of(project) == {
        name.format(package=PACKAGE) for name in EXPECTED_FILES
    }
    assert project.name == PROJECT_SLUG


def test_default_bake_is_clean(project: Path) -> None:
    assert_clean_bake(project)


def test_the_templates_own_workflow_is_valid() -> None:
    check_jsonschema("vendor.github-workflows", TEMPLATE / ".github/workflows/ci.yml")


def test_default_bake_answers_reach_the_files(project: Path) -> None:
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["name"] == PROJECT_SLUG
    assert meta["requires-python"] == ">=3.11"
    assert meta["authors"] == [{"name": "Your Name", "email": "you@example.com"}]
    dotenv = (project / ".env").read_text()
    assert f"MONGODB_DB={DEFAULTS['database_name']}" in dotenv
    assert "\n# MONGODB_URI=\n" in dotenv  # a fresh bake stays on the in-memory DB


def test_generated_dependencies_use_ranges_not_pins(project: Path) -> None:
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    requirements = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    names = {re.split(r"[<>=!~ \[]", r)[0].lower() for r in requirements}
    assert {"flask", "gunicorn", "pymongo", "python-dotenv"} <= {
        re.split(r"[<>=!~ \[]", r)[0].lower() for r in meta["dependencies"]
    }
    assert {
        "pytest",
        "pytest-flask",
        "mongomock",
        "ruff",
        "mypy",
        "pre-commit",
    } <= names
    assert not [r for r in requirements if "==" in r]


def test_default_bake_is_mypy_strict_clean(project: Path, mypy_cache: Path) -> None:
    """Type hints hold in the package, its tests and gunicorn.conf.py."""
    mypy_strict(project, mypy_cache)


def test_default_bake_tests_pass(project: Path) -> None:
    assert passed_count(run_project_tests(project)) >= 100


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_bakes_cleanly_and_its_tests_pass(
    bake: Bake,
    variant: str,
    option_files: dict[str, frozenset[str]],
    project: Path,
) -> None:
    answers = VARIANTS[variant]
    variant_project = bake(**answers)
    assert_clean_bake(variant_project)
    pyproject = (variant_project / "pyproject.toml").read_text()
    meta = tomllib.loads(pyproject)["project"]
    if "python_version" in answers:
        assert meta["requires-python"] == f">={answers['python_version']}"
    if "description" in answers:
        assert meta["description"] == answers["description"]
    if "author_name" in answers:
        assert meta["authors"][0]["name"] == answers["author_name"]
    if answers.get("author_email") == "":
        assert "email" not in meta["authors"][0]
    off = {option for option, answer in OFF.items() if answers.get(option) == answer}
    for option in off:
        assert not option_files[option] & files_of(variant_project), option
        for path in all_files(variant_project):
            match = OPTION_TRACES[option].search(path.read_text(encoding="utf-8"))
            assert not match, f"{option} is off but {path} says {match[0]!r}"
    if suite_inputs(variant_project) == suite_inputs(project):
        # The default bake's suite, which test_default_bake_tests_pass runs: an
        # answer that changes only metadata, CI or Docker files changes no test.
        return
    assert passed_count(run_project_tests(variant_project)) >= 100


def test_files_are_in_the_default_bake(project: Path) -> None:
    text = "\n".join(p.read_text() for p in all_files(project))
    for trace in ("gridfs", "files_api", "FILES_MAX_SIZE", "/api/files", "save_file"):
        assert trace in text


def test_each_option_owns_its_files_and_they_compose(
    bake: Bake, project: Path, option_files: dict[str, frozenset[str]]
) -> None:
    """The map the other tests use is derived from bakes; here it is held to account:
    every option removes something, only the upload quota (auth and files together)
    belongs to two options, and turning all of them off at once removes exactly
    their union."""
    for option, files in option_files.items():
        assert files, f"{option}=off removes nothing"
    shared = {
        name
        for name in frozenset().union(*option_files.values())
        if sum(name in files for files in option_files.values()) > 1
    }
    assert shared == {f"{PACKAGE}/quota.py", "tests/test_quota.py"}
    assert option_files["auth"] & option_files["include_files"] == shared
    union = frozenset().union(*option_files.values())
    assert files_of(bake(**OFF)) == files_of(project) - union
