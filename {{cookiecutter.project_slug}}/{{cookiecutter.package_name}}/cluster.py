"""Production cluster settings: how the client reads, writes and finds its servers.

Each setting is empty by default, and then the URI decides (``?readPreference=``,
``?w=``, ``?replicaSet=``...), and without it pymongo's default. A setting that is
set wins over the URI, so one URI can serve every environment while a deployment
tunes its own. Each value is checked when the app is built, with the setting's
name in the message, because pymongo would otherwise fail later (a missing CA
file on the first request) or silently (an unavailable compressor is dropped with
only a warning).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

from pymongo.compression_support import validate_compressors

READ_PREFERENCES = (
    "primary",
    "primaryPreferred",
    "secondary",
    "secondaryPreferred",
    "nearest",
)
# Setting name -> pymongo's keyword for MongoClient.
CLIENT_KEYWORDS = {
    "MONGODB_READ_PREFERENCE": "readPreference",
    "MONGODB_WRITE_CONCERN": "w",
    "MONGODB_RETRY_WRITES": "retryWrites",
    "MONGODB_TLS_CA_FILE": "tlsCAFile",
    "MONGODB_COMPRESSORS": "compressors",
    "MONGODB_REPLICA_SET": "replicaSet",
}


class ClusterSettingError(ValueError):
    """A cluster setting is invalid; the message names it (config.py re-raises)."""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else value


def read_preference(name: str, value: Any) -> str:
    value = _text(value)
    if value in ("", *READ_PREFERENCES):
        return str(value)
    raise ClusterSettingError(
        f"{name} must be one of {', '.join(READ_PREFERENCES)}, got {value!r}"
    )


def write_concern(name: str, value: Any) -> str | int:
    """``majority``, or how many members acknowledge (0 = none, not recommended)."""
    value = _text(value)
    if value in ("", "majority"):
        return str(value)
    if isinstance(value, int | str) and not isinstance(value, bool):
        text = str(value)
        if text.isascii() and text.isdigit() and int(text) <= 50:
            return int(text)
    raise ClusterSettingError(
        f"{name} must be majority or a number of members (0-50), got {value!r}"
    )


def retry_writes(name: str, value: Any) -> bool | str:
    """Empty (pymongo's default: on), true or false."""
    if isinstance(value, bool):
        return value
    word = _text(value)
    words: dict[str, bool | str] = {"": "", "true": True, "1": True, "yes": True}
    words |= {"false": False, "0": False, "no": False}
    if isinstance(word, str) and word.lower() in words:
        return words[word.lower()]
    raise ClusterSettingError(f"{name} must be true or false, got {value!r}")


def ca_file(name: str, value: Any) -> str:
    """A readable file of PEM certificates: pymongo opens it when the client is made."""
    value = _text(value)
    if not isinstance(value, str):
        raise ClusterSettingError(f"{name} must be a file path, got {value!r}")
    if value and not (os.path.isfile(value) and os.access(value, os.R_OK)):
        raise ClusterSettingError(f"{name} is not a readable file: {value!r}")
    return value


def compressors(name: str, value: Any) -> str:
    """A comma-separated list pymongo can use: zlib; zstd, snappy when installed."""
    value = _text(value)
    if not isinstance(value, str):
        raise ClusterSettingError(f"{name} must be text, got {value!r}")
    wanted = [part.strip() for part in value.split(",") if part.strip()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        usable = validate_compressors(None, wanted)
    if usable != wanted:
        reason = "; ".join(str(warning.message) for warning in caught)
        raise ClusterSettingError(
            f"{name} has a compressor pymongo cannot use: {reason}"
        )
    return ",".join(usable)


def replica_set(name: str, value: Any) -> str:
    value = _text(value)
    if not isinstance(value, str) or any(c.isspace() or c == "/" for c in value):
        raise ClusterSettingError(f"{name} must be a replica set name, got {value!r}")
    return value


PARSERS = {
    "MONGODB_READ_PREFERENCE": read_preference,
    "MONGODB_WRITE_CONCERN": write_concern,
    "MONGODB_RETRY_WRITES": retry_writes,
    "MONGODB_TLS_CA_FILE": ca_file,
    "MONGODB_COMPRESSORS": compressors,
    "MONGODB_REPLICA_SET": replica_set,
}


def client_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The MongoClient keywords for the settings that are set; empty ones add none."""
    return {
        keyword: config[setting]
        for setting, keyword in CLIENT_KEYWORDS.items()
        if config.get(setting, "") != ""
    }
