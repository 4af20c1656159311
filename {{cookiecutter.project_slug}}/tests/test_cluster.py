"""Production cluster settings reach the client, from the URI or from settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from support import AppFactory

from {{ cookiecutter.package_name }}.config import ConfigError, load_settings
from {{ cookiecutter.package_name }}.db import deploy_database, get_client

URI = "mongodb://127.0.0.1:9/shop"
# A self-signed certificate made for these tests (openssl req -x509, EC P-256):
# pymongo reads the CA file when the client is made, so it must be a real one.
TEST_CA = """\
-----BEGIN CERTIFICATE-----
MIIBnzCCAUWgAwIBAgIUQMh1pDjzUV0FMrOEroYe9+MZtKQwCgYIKoZIzj0EAwIw
JDEiMCAGA1UEAwwZaW52ZW50b3J5LXNlcnZpY2UgdGVzdCBDQTAgFw0yNjExMjIx
NDAzMzVaGA8yMTI2MTAyOTE0MDMzNVowJDEiMCAGA1UEAwwZaW52ZW50b3J5LXNl
cnZpY2UgdGVzdCBDQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGd/BH0a6l9H
iRKUZVaovni/eLHEs7qCCCFcsAru2f4HyFfQqD/AyZNMYnTgkZcKnXoSwuwBpbYO
/C2EtzCilqOjUzBRMB0GA1UdDgQWBBTTgLO/7f1Bejfz364NG050Cma9jjAfBgNV
HSMEGDAWgBTTgLO/7f1Bejfz364NG050Cma9jjAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0gAMEUCIFMICisej80BIYL/8AhQ6IgPl7uzRinWbTfnKzw+H6g3
AiEAq6P+yJDgXA/fZt1PTXgPvmBhbV7zpbIsDKQMbfx+RNQ=
-----END CERTIFICATE-----
"""


@pytest.fixture
def ca_file(tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    path.write_text(TEST_CA)
    return str(path)


def client_for(shared_app: AppFactory, uri: str = URI, **settings: Any) -> Any:
    app = shared_app(MONGODB_URI=uri, **settings)
    with app.app_context():
        return get_client()


def test_by_default_the_client_keeps_pymongos_cluster_defaults(
    shared_app: AppFactory,
) -> None:
    client = client_for(shared_app)
    assert client.read_preference.mongos_mode == "primary"
    assert client.write_concern.document == {}
    assert client.options.retry_writes is True
    assert client.options.replica_set_name is None
    assert client.options.pool_options._compression_settings.compressors == []
    assert client.options.pool_options._ssl_context is None


def test_the_uri_alone_sets_every_cluster_option(shared_app: AppFactory) -> None:
    uri = (
        URI + "?readPreference=secondaryPreferred&w=majority&retryWrites=false"
        "&compressors=zlib&replicaSet=rs0"
    )
    client = client_for(shared_app, uri)
    assert client.read_preference.mongos_mode == "secondaryPreferred"
    assert client.write_concern.document == {"w": "majority"}
    assert client.options.retry_writes is False
    assert client.options.replica_set_name == "rs0"
    assert client.options.pool_options._compression_settings.compressors == ["zlib"]


@pytest.mark.parametrize(
    ("setting", "value", "probe", "expected"),
    [
        ("MONGODB_READ_PREFERENCE", "nearest", "read_preference", "nearest"),
        ("MONGODB_READ_PREFERENCE", "secondary", "read_preference", "secondary"),
        ("MONGODB_WRITE_CONCERN", "majority", "write_concern", {"w": "majority"}),
        ("MONGODB_WRITE_CONCERN", "2", "write_concern", {"w": 2}),
        ("MONGODB_RETRY_WRITES", "false", "retry_writes", False),
        ("MONGODB_RETRY_WRITES", "true", "retry_writes", True),
        ("MONGODB_COMPRESSORS", "zlib", "compressors", ["zlib"]),
        ("MONGODB_REPLICA_SET", "rs0", "replica_set", "rs0"),
    ],
)
def test_each_setting_reaches_the_client_and_wins_over_the_uri(
    shared_app: AppFactory, setting: str, value: str, probe: str, expected: Any
) -> None:
    # The URI says otherwise for every option: the setting must win.
    uri = URI + "?readPreference=primary&w=1&retryWrites=true&replicaSet=other"
    client = client_for(shared_app, uri, **{setting: value})
    seen = {
        "read_preference": client.read_preference.mongos_mode,
        "write_concern": client.write_concern.document,
        "retry_writes": client.options.retry_writes,
        "compressors": client.options.pool_options._compression_settings.compressors,
        "replica_set": client.options.replica_set_name,
    }
    assert seen[probe] == expected


def test_a_tls_ca_file_turns_tls_on_with_that_ca(
    shared_app: AppFactory, ca_file: str
) -> None:
    client = client_for(shared_app, MONGODB_TLS_CA_FILE=ca_file)
    context = client.options.pool_options._ssl_context
    assert context is not None
    assert [cert["subject"] for cert in context.get_ca_certs()] == [
        ((("commonName", "inventory-service test CA"),),)
    ]


def test_the_deploy_step_keeps_the_cluster_settings_but_reads_the_primary(
    shared_app: AppFactory,
) -> None:
    app = shared_app(
        MONGODB_URI=URI,
        MONGODB_READ_PREFERENCE="secondary",
        MONGODB_WRITE_CONCERN="majority",
        MONGODB_REPLICA_SET="rs0",
    )
    with app.app_context(), deploy_database() as database:
        client: MongoClient[Any] = database.client
        assert client.read_preference.mongos_mode == "primary"
        assert client.write_concern.document == {"w": "majority"}
        assert client.options.replica_set_name == "rs0"


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("MONGODB_READ_PREFERENCE", "secundary", "MONGODB_READ_PREFERENCE must be"),
        ("MONGODB_READ_PREFERENCE", "PRIMARY", "MONGODB_READ_PREFERENCE must be"),
        ("MONGODB_WRITE_CONCERN", "all", "MONGODB_WRITE_CONCERN must be"),
        ("MONGODB_WRITE_CONCERN", "-1", "MONGODB_WRITE_CONCERN must be"),
        ("MONGODB_WRITE_CONCERN", "²", "MONGODB_WRITE_CONCERN must be"),
        ("MONGODB_RETRY_WRITES", "maybe", "MONGODB_RETRY_WRITES must be"),
        ("MONGODB_TLS_CA_FILE", "/nonexistent/ca.pem", "MONGODB_TLS_CA_FILE is not"),
        ("MONGODB_TLS_CA_FILE", "/", "MONGODB_TLS_CA_FILE is not"),
        ("MONGODB_COMPRESSORS", "gzip", "MONGODB_COMPRESSORS has a compressor"),
        ("MONGODB_COMPRESSORS", "zlib,lz4", "MONGODB_COMPRESSORS has a compressor"),
        ("MONGODB_REPLICA_SET", "rs 0", "MONGODB_REPLICA_SET must be"),
    ],
)
def test_a_bad_cluster_setting_stops_the_app_naming_it(
    setting: str, value: str, message: str
) -> None:
    environ = {"APP_ENV": "testing", "MONGODB_URI": URI, setting: value}
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)
