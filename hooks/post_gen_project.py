"""Finish a fresh project: drop the pieces not asked for, write a private ``.env``.

cruft runs this hook again on every template update, so it must be idempotent: a
file already removed stays removed, and an existing ``.env`` holds the user's
settings and secret and is never rewritten. It runs no git or network commands;
what to do with the project is the user's choice.
"""

import json
import os
import re
import secrets
import shutil
from pathlib import Path

# JSON cannot contain three quotes in a row, so no answer can end this string.
ANSWERS = json.loads(r"""{{ cookiecutter | tojson }}""")

SECRET_LINE = re.compile(r"^SECRET_KEY=.*$", re.MULTILINE)
# compose.yaml's database passwords (docker=yes): generated like SECRET_KEY, and
# URL-safe, since they go into mongodb:// URIs.
PASSWORD_LINE = re.compile(
    r"^(MONGO_INITDB_ROOT_PASSWORD|MONGO_APP_PASSWORD|MONGO_DEPLOY_PASSWORD)=$",
    re.MULTILINE,
)

# Files that exist only when an option asks for them; shared files use Jinja
# conditionals instead.
OPTIONAL = {
    "include_files": [
        "{package}/files.py",
        "{package}/files_api.py",
        "{package}/conditional.py",
        "{package}/media_types.py",
        "tests/test_files.py",
        "tests/test_files_api.py",
        "tests/test_conditional.py",
        "tests/test_media_types.py",
    ],
    "docker": [
        "Dockerfile",
        ".dockerignore",
        "compose.yaml",
        "docker-entrypoint.sh",
        "mongo-init",
    ],
    "ci": [".github"],
}


def remove_unwanted(project: Path, answers: dict) -> None:
    """Delete the files of every option that is off; missing files are fine."""
    wanted = {
        "include_files": answers["include_files"] is True,
        "docker": answers["docker"] is True,
        "ci": answers["ci"] != "none",
    }
    for option, paths in OPTIONAL.items():
        if wanted[option]:
            continue
        for name in paths:
            path = project / name.format(package=answers["package_name"])
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)


def write_dotenv(project: Path) -> bool:
    """Copy .env.example to .env with a new random SECRET_KEY; False if .env exists.

    The file is created with mode 0600 in the same call that creates it (O_EXCL:
    never over an existing file), so the secret is never readable by others, not
    even for the moment between writing and a chmod.
    """
    example = (project / ".env.example").read_text(encoding="utf-8")
    secret = f"SECRET_KEY={secrets.token_urlsafe(48)}"
    text = SECRET_LINE.sub(lambda _: secret, example, count=1)
    text = PASSWORD_LINE.sub(lambda m: f"{m[1]}={secrets.token_urlsafe(32)}", text)
    try:
        fd = os.open(project / ".env", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as dotenv:
        dotenv.write(text)
    return True


def main() -> None:
    project = Path.cwd()
    remove_unwanted(project, ANSWERS)
    created = write_dotenv(project)
    package = ANSWERS["package_name"]
    print(f"\nCreated {project}")
    if created:
        print("Wrote .env with a fresh SECRET_KEY (git ignores it).")
    print(
        "\nNext steps:\n"
        f"  cd {ANSWERS['project_slug']}\n"
        "  python -m venv .venv && . .venv/bin/activate\n"
        "  make install                           # the locked dependencies\n"
        f"  APP_ENV=development flask --app {package} run"
        "   # in-memory database, no MongoDB needed\n"
        "  pytest\n"
    )


if __name__ == "__main__":
    main()
