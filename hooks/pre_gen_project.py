"""Refuse bad answers before cookiecutter writes a single project file.

The answers arrive through ``| tojson`` and are parsed as JSON data, so no answer,
however it is quoted, can change what this script does. Every rule names the field,
the value and the reason in one line, because that line is all a user sees.

Each answer has one rule, stated as the characters it may hold, chosen so that it
is safe in every file it reaches (Python, TOML, YAML, dotenv, Markdown, Makefile,
Dockerfile); the templates still escape free text for the formats that need it.
"""

import json
import keyword
import re
import sys
import unicodedata
from functools import partial

# JSON cannot contain three quotes in a row, so no answer can end this string.
ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

# Import names the generated project depends on, at run time or in its tests.
DEPENDENCIES = frozenset(
    {
        "blinker",
        "bson",
        "click",
        "dns",
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
# Packaging and development tools a package of that name would shadow.
TOOLING = frozenset(
    {
        "distutils",
        "iniconfig",
        "mypy",
        "packaging",
        "pip",
        "pkg_resources",
        "pluggy",
        "pre_commit",
        "ruff",
        "setuptools",
        "sitecustomize",
        "usercustomize",
        "wheel",
    }
)
# Standard-library modules newer than the Python running this hook may know.
NEWER_STDLIB = frozenset({"annotationlib", "compression"})
PROJECT_FILES = frozenset({"conftest", "tests", "gunicorn", "setup"})

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
# A letter first: no "_private" or "__main__" names.
PACKAGE = re.compile(r"[a-z][a-z0-9_]{0,39}")
EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+"
)
PYTHON = re.compile(r"3\.(1[1-9])")
DATABASE = re.compile(r"[A-Za-z0-9_-]{1,63}")
DATABASE_RESERVED = frozenset({"admin", "config", "local"})
# Unicode categories of free text: letters, marks, numbers, punctuation, symbols.
# Spaces other than U+0020, line and paragraph separators, control and format
# characters (NUL, tab, newline, U+0085, U+2028, bidi overrides...) are not text
# on one line in every file format the answer reaches.
TEXT_CATEGORIES = frozenset("LMNPS")
# Allowed beyond those: the plain space, and the joiner inside emoji like 👩‍💻.
TEXT_EXTRAS = frozenset({" ", "\u200d"})
SHOWN = 100


def check_line(value: str, *, max_length: int) -> str | None:
    if not value.strip():
        return "must not be empty"
    bad = [
        c
        for c in value
        if c not in TEXT_EXTRAS and unicodedata.category(c)[0] not in TEXT_CATEGORIES
    ]
    if bad:
        return (
            f"must be one line of printable text: {bad[0]!a} is not allowed"
            " (letters, digits, punctuation, symbols and plain spaces are)"
        )
    if value != value.strip(" "):
        return "must not start or end with a space"
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
            "must be a lower-case Python identifier (letters, digits, '_'; starting"
            " with a letter), at most 40 characters"
        )
    if keyword.iskeyword(value):
        return "is a Python keyword"
    if value in sys.stdlib_module_names or value in NEWER_STDLIB:
        return "shadows a module of the standard library"
    if value in DEPENDENCIES:
        return "shadows a dependency of the generated project"
    if value in TOOLING:
        return "shadows a packaging or development tool"
    if value in PROJECT_FILES:
        return "clashes with a file or folder of the generated project"
    return None


def check_database(value: str) -> str | None:
    if not DATABASE.fullmatch(value):
        return "must be 1 to 63 ASCII letters, digits, '_' or '-'"
    if value.lower() in DATABASE_RESERVED:
        return "is reserved by MongoDB"
    return None


def check_email(value: str) -> str | None:
    if value and not EMAIL.fullmatch(value):
        return (
            "must look like name@example.com in ASCII letters, digits and . _ % + -"
            " (or be empty)"
        )
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
            return f"error: {field} {shown(value)} {reason}"
    return None


def shown(value: str) -> str:
    """The answer as a one-line literal, cut short if it is long."""
    if len(value) <= SHOWN:
        return repr(value)
    return f"{value[:SHOWN]!r}... ({len(value)} characters)"


def main() -> int:
    error = first_error(ANSWERS)
    if error is None:
        return 0
    print(error, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
