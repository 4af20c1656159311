"""Finish a fresh project: drop the pieces not asked for, put the dependency locks
for its answers in place, write a private ``.env``.

cruft runs this hook again on every template update, so it must be idempotent: a
file already removed stays removed, and an existing ``.env`` holds the user's
settings and secret and is never rewritten. It runs no git or network commands;
what to do with the project is the user's choice.
"""

import hashlib
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
    "auth": [
        "{package}/auth.py",
        "tests/test_auth.py",
        "tests/credentials.py",
    ],
    "api_key": ["{package}/api_keys.py", "tests/test_api_keys.py"],
    "jwt": ["{package}/jwt_tokens.py", "tests/test_jwt_tokens.py", "tests/jwks.py"],
    "quota": ["{package}/quota.py", "tests/test_quota.py"],
}
API_KEYS_LINE = re.compile(r"^API_KEYS=.*$", re.MULTILINE)
# One pair of locks per Python floor and dependency set, as uv wrote them
# (tests/lock.py); the pair for this project's answers goes to its root.
LOCKS_DIR = ".locks"
LOCK_FILES = ("requirements.txt", "requirements-dev.txt")


def remove_unwanted(project: Path, answers: dict) -> None:
    """Delete the files of every option that is off; missing files are fine."""
    wanted = {
        "include_files": answers["include_files"] is True,
        "docker": answers["docker"] is True,
        "ci": answers["ci"] != "none",
        "auth": answers["auth"] != "none",
        "api_key": answers["auth"] == "api_key",
        "jwt": answers["auth"] == "jwt",
        "quota": answers["auth"] != "none" and answers["include_files"] is True,
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


def lock_variant(answers: dict) -> str:
    """The locks' directory for these answers: the answers that change what uv
    resolves are the oldest Python and auth=jwt (PyJWT)."""
    jwt = "-jwt" if answers["auth"] == "jwt" else ""
    return f"python{answers['python_version']}{jwt}"


def place_locks(project: Path, answers: dict) -> None:
    """Move this project's pair of locks to its root and drop the others (on a
    re-run the directory is gone and the locks in place are the user's)."""
    locks = project / LOCKS_DIR
    if not locks.is_dir():
        return
    chosen = locks / lock_variant(answers)
    for name in LOCK_FILES:
        shutil.copyfile(chosen / name, project / name)
    shutil.rmtree(locks)


def development_key(package: str) -> tuple[str, str]:
    """A new development API key and its ``API_KEYS`` entry (api_keys.py's format)."""
    key = package.replace("_", "")[:8] + "_" + secrets.token_urlsafe(32)
    digest = hashlib.sha256(key.encode()).hexdigest()
    return key, f"API_KEYS=dev:read+write+admin:{digest}"


def write_dotenv(project: Path, api_keys: str = "") -> bool:
    """Copy .env.example to .env with a new random SECRET_KEY; False if .env exists.

    The file is created with mode 0600 in the same call that creates it (O_EXCL:
    never over an existing file), so the secret is never readable by others, not
    even for the moment between writing and a chmod. ``api_keys`` replaces the
    ``API_KEYS=`` line.
    """
    example = (project / ".env.example").read_text(encoding="utf-8")
    secret = f"SECRET_KEY={secrets.token_urlsafe(48)}"
    text = SECRET_LINE.sub(lambda _: secret, example, count=1)
    text = PASSWORD_LINE.sub(lambda m: f"{m[1]}={secrets.token_urlsafe(32)}", text)
    if api_keys:
        text = API_KEYS_LINE.sub(lambda _: api_keys, text, count=1)
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
    place_locks(project, ANSWERS)
    package = ANSWERS["package_name"]
    key, entry = development_key(package)
    api_key = ANSWERS["auth"] == "api_key"
    created = write_dotenv(project, entry if api_key else "")
    print(f"\nCreated {project}")
    if created:
        print("Wrote .env with a fresh SECRET_KEY (git ignores it).")
    if created and api_key:
        print(
            "Development API key (shown once; .env keeps only its hash):\n"
            f"  {key}\n"
            f'  curl -H "Authorization: Bearer {key}" http://127.0.0.1:5000/api/items'
        )
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
