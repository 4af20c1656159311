"""The one place that decides which environment a baked project's processes see.

Settings left in the developer's shell (a ``MONGODB_URI``, ``APP_ENV``, gunicorn's
``WEB_CONCURRENCY``...) would silently change what a test measures, so every
process the tests or the benchmark start gets the environment from ``clean_env``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Console scripts installed with requirements-dev.txt (nx-27017, gunicorn,
# check-jsonschema, cruft, pre-commit) sit next to the interpreter, whether or
# not the venv is activated.
BIN = Path(sys.executable).parent

# What the baked service, its gunicorn.conf.py and its tests read.
SETTING_PREFIXES = (
    "MONGODB_",
    "GUNICORN_",
    "FLASK_",
    "TEST_MONGODB",
    "API_",
    "FILES_",
)
SETTING_NAMES = {
    "APP_ENV",
    "SECRET_KEY",
    "LOG_LEVEL",
    "MAX_CONTENT_LENGTH",
    "RETRY_AFTER_SECONDS",
    "HOST",
    "PORT",
    "WEB_CONCURRENCY",
}


def clean_env(**overrides: str) -> dict[str, str]:
    """This process's environment without the service's settings, BIN first on
    PATH, then ``overrides``."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTING_NAMES and not name.startswith(SETTING_PREFIXES)
    }
    environ["PATH"] = f"{BIN}{os.pathsep}{environ.get('PATH', '')}"
    environ.update(overrides)
    return environ
