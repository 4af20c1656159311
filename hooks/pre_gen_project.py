"""Refuse bad answers before cookiecutter writes a single project file.

The answers arrive through ``| tojson`` and are parsed as JSON data, so no answer,
however it is quoted, can change what this script does. Every rule names the field,
the value and the reason in one line, because that line is all a user sees.
"""

import json
import keyword
import re
import subprocess
import sys
from functools import partial
from pathlib import Path

# JSON cannot contain three quotes in a row, so no answer can end this string.
ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

# Import names the generated project depends on, at run time or in its tests.
DEPENDENCIES = frozenset(
    {
        "blinker",
        "bson",
        "click",
        "dotenv",
        "flask",
        "gridfs",
        "gunicorn",
        "itsdangerous",
        "jinja2",
        "markupsafe",
        "mongomock",
        "pymongo",
        "pytest",
        "pytest_flask",
        "werkzeug",
    }
)
PROJECT_FILES = frozenset({"conftest", "tests", "gunicorn", "setup"})

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
PACKAGE = re.compile(r"[a-z_][a-z0-9_]{0,39}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PYTHON = re.compile(r"3\.(1[1-9])")
DATABASE_FORBIDDEN = set('/\\. "$*<>:|?\0')
DATABASE_RESERVED = frozenset({"admin", "config", "local"})


def check_line(value: str, *, max_length: int) -> str | None:
    if not value.strip():
        return "must not be empty"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "must be a single line without control characters"
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    return None


def check_slug(value: str) -> str | None:
    if not SLUG.fullmatch(value):
        return (
            "must be a safe directory and distribution name: lower-case letters,"
            " digits, '.', '_' and '-', starting and ending with a letter or digit,"
            " at most 64 characters"
        )
    return None


def check_package(value: str) -> str | None:
    if not PACKAGE.fullmatch(value):
        return (
            "must be a lower-case Python identifier (letters, digits, '_'; not"
            " starting with a digit), at most 40 characters"
        )
    if keyword.iskeyword(value):
        return "is a Python keyword"
    if value in sys.stdlib_module_names:
        return "shadows a module of the standard library"
    if value in DEPENDENCIES:
        return "shadows a dependency of the generated project"
    if value in PROJECT_FILES:
        return "clashes with a file or folder of the generated project"
    return None


def check_database(value: str) -> str | None:
    if not value:
        return "must not be empty"
    bad = sorted(DATABASE_FORBIDDEN & set(value))
    if bad:
        return "must not contain any of " + " ".join(repr(c) for c in bad)
    if len(value.encode()) >= 64:
        return "must be shorter than 64 bytes"
    if value.lower() in DATABASE_RESERVED:
        return "is reserved by MongoDB"
    return None


def check_email(value: str) -> str | None:
    if value and not EMAIL.fullmatch(value):
        return "must look like name@example.com (or be empty)"
    return None


def check_python(value: str) -> str | None:
    if not PYTHON.fullmatch(value):
        return "must be a Python version from 3.11 on, like 3.12"
    return None


def check_choice(value: str, *, choices: tuple[str, ...]) -> str | None:
    if value not in choices:
        return "must be one of " + ", ".join(choices)
    return None


# Each answer's type, then its rule (None: the type is the whole rule). A yes/no
# prompt reaches the hook as a JSON boolean; every other answer as text.
RULES = {
    "project_name": (str, partial(check_line, max_length=80)),
    "project_slug": (str, check_slug),
    "package_name": (str, check_package),
    "database_name": (str, check_database),
    "description": (str, partial(check_line, max_length=200)),
    "author_name": (str, partial(check_line, max_length=80)),
    "author_email": (str, check_email),
    "python_version": (str, check_python),
    "ci": (str, partial(check_choice, choices=("github", "none"))),
    "auth": (str, partial(check_choice, choices=("api_key", "jwt", "none"))),
    "include_files": (bool, None),
    "docker": (bool, None),
}
KINDS = {str: "text", bool: "yes or no"}


def first_error(answers: dict) -> str | None:
    for field, (kind, rule) in RULES.items():
        value = answers.get(field)
        if not isinstance(value, kind):
            return f"error: {field} must be {KINDS[kind]}, got {value!r}"
        reason = rule(value) if rule else None
        if reason:
            return f"error: {field} {value!r} {reason}"
    return None


def remove_created_parents(project_dir: Path, output_dir: Path) -> None:
    """Tidy up after a slug with path separators in it.

    cookiecutter creates every missing parent of the project directory before this
    hook runs and, on failure, deletes only the last one. A detached process waits
    for that deletion and then removes the parents that are left empty; it never
    touches a directory that holds anything, nor the output directory itself.
    """
    parents = []
    for parent in project_dir.parents:
        if parent == output_dir or output_dir not in parent.parents:
            break
        parents.append(str(parent))
    if not parents:
        return
    script = (
        "import os, sys, time\n"
        "leaf, parents = sys.argv[1], sys.argv[2:]\n"
        "for _ in range(200):\n"
        "    if not os.path.exists(leaf):\n"
        "        break\n"
        "    time.sleep(0.05)\n"
        "for path in parents:\n"
        "    try:\n"
        "        os.rmdir(path)\n"
        "    except OSError:\n"
        "        break\n"
    )
    subprocess.Popen(
        [sys.executable, "-c", script, str(project_dir), *parents],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> int:
    error = first_error(ANSWERS)
    if error is None:
        return 0
    print(error, file=sys.stderr)
    output_dir = Path(ANSWERS.get("_output_dir") or ".").resolve()
    remove_created_parents(Path.cwd().resolve(), output_dir)
    return 1


if __name__ == "__main__":
    sys.exit(main())
