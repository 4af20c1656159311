"""Who may call: credentials, scopes, ownership (auth.py)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from credentials import ANONYMOUS, bearer, token
from flask import Flask
from flask.testing import FlaskClient

from {{ cookiecutter.package_name }}.auth import CHALLENGE

ITEMS = "/api/items"
# Headers that carry no valid credential, each in its own way.
NOT_CREDENTIALS = [
    ANONYMOUS,
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"},
    {"Authorization": "Bearer not-a-key"},
    {"Authorization": "Bearer " + "x" * 5000},
    {"Authorization": "Bearer \u00e9t\u00e9"},
    {"Authorization": "Bearer null"},
]


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    error = response.get_json()["error"]
    assert error["status"] == 401
    assert error["code"] == "unauthorized"


@pytest.mark.parametrize("headers", NOT_CREDENTIALS)
def test_reads_without_a_valid_credential_are_401(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    assert_unauthorized(client.get(ITEMS, headers=headers))


@pytest.mark.parametrize("headers", NOT_CREDENTIALS)
def test_writes_without_a_valid_credential_are_401_and_change_nothing(
    client: FlaskClient, headers: dict[str, str]
) -> None:
    assert_unauthorized(client.post(ITEMS, json={"name": "Lamp"}, headers=headers))
    assert client.get(ITEMS).get_json()["items"] == []


def test_the_scheme_word_is_case_insensitive(client: FlaskClient) -> None:
    headers = {"Authorization": f"bearer {token('reader')}"}
    assert client.get(ITEMS, headers=headers).status_code == 200


def test_probes_are_open(client: FlaskClient) -> None:
    assert client.get("/healthz", headers=ANONYMOUS).status_code == 200
    assert client.get("/readyz", headers=ANONYMOUS).status_code == 200


# The document and everything the docs page loads (a browser sends no key).
DOCS = ["/openapi.json", "/docs", "/docs/init.js", "/docs/assets/swagger-ui.css"]


def status_of(client: FlaskClient, path: str, headers: dict[str, str]) -> int:
    """The status of a GET, its (possibly file-backed) body closed."""
    with client.get(path, headers=headers) as response:
        return response.status_code


@pytest.mark.parametrize("path", DOCS)
def test_the_docs_are_open_by_default_and_closed_by_a_setting(
    shared_app: Any, path: str
) -> None:
    open_app = shared_app().test_client()
    assert status_of(open_app, path, ANONYMOUS) == 200
    closed = shared_app(AUTH_DOCS_PUBLIC="false").test_client()
    assert_unauthorized(closed.get(path, headers=ANONYMOUS))
    assert status_of(closed, path, bearer("reader")) == 200


def test_metrics_answer_to_their_own_token_not_to_a_credential(shared_app: Any) -> None:
    """A scraper holds the metrics token, not an API credential."""
    scraper = shared_app(METRICS_TOKEN="scrape-token-7f3a").test_client()
    scrape_token = {"Authorization": "Bearer scrape-token-7f3a"}
    scraped = scraper.get("/metrics", headers=scrape_token)
    assert scraped.status_code == 200
    assert b"http_requests_total" in scraped.data
    assert scraper.get("/metrics", headers=ANONYMOUS).status_code == 401
    assert scraper.get("/metrics", headers=bearer("admin")).status_code == 401


def test_a_reader_reads_but_cannot_write(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    reader = bearer("reader")
    assert client.get(f"{ITEMS}/{item['id']}", headers=reader).status_code == 200
    for response in (
        client.post(ITEMS, json={"name": "Lamp"}, headers=reader),
        client.patch(f"{ITEMS}/{item['id']}", json={"quantity": 1}, headers=reader),
        client.delete(f"{ITEMS}/{item['id']}", headers=reader),
    ):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"
        assert "write" in response.get_json()["error"]["message"]


def test_a_credential_without_scopes_is_403_not_401(client: FlaskClient) -> None:
    response = client.get(ITEMS, headers=bearer("scopeless"))
{%- if cookiecutter.auth == "api_key" %}
    # A key needs at least one scope in API_KEYS: this one is not even listed.
    assert response.status_code == 401
{%- else %}
    assert response.status_code == 403
{%- endif %}


def test_items_record_who_created_them(client: FlaskClient) -> None:
    created = client.post(ITEMS, json={"name": "Lamp"}).get_json()
    assert created["created_by"] == "writer"
    listed = client.get(ITEMS).get_json()["items"]
    assert [entry["created_by"] for entry in listed] == ["writer"]


@pytest.mark.parametrize("caller", ["other", "reader"])
def test_another_callers_item_cannot_be_changed_or_deleted(
    client: FlaskClient, item: dict[str, Any], caller: str
) -> None:
    path = f"{ITEMS}/{item['id']}"
    headers = bearer(caller)
    assert client.patch(path, json={"quantity": 9}, headers=headers).status_code == 403
    assert client.delete(path, headers=headers).status_code == 403
    assert client.get(path).get_json()["quantity"] == item["quantity"]


@pytest.mark.parametrize("if_match", ['"1"', '"9"', "*"])
def test_another_callers_item_is_403_whatever_if_match_says(
    client: FlaskClient, item: dict[str, Any], if_match: str
) -> None:
    """Ownership is refused first: a stale tag says nothing to someone who may
    not write at all; the owner's own stale tag is the 412."""
    path = f"{ITEMS}/{item['id']}"
    headers = {**bearer("other"), "If-Match": if_match}
    assert client.patch(path, json={"quantity": 9}, headers=headers).status_code == 403
    assert client.delete(path, headers=headers).status_code == 403
    stale = {"If-Match": '"9"'}
    assert client.patch(path, json={"quantity": 9}, headers=stale).status_code == 412


@pytest.mark.parametrize("body", [{"name": "Lamp"}, {"name": "Other lamp"}])
def test_an_idempotency_key_is_each_callers_own(
    client: FlaskClient, body: dict[str, str]
) -> None:
    """Another caller's same key is another request: never their replay, never
    a 422 for a body they did not send."""
    key = {"Idempotency-Key": "order-1"}
    first = client.post(ITEMS, json={"name": "Lamp"}, headers=key)
    assert first.status_code == 201
    theirs = client.post(ITEMS, json=body, headers={**bearer("other"), **key})
    assert "Idempotent-Replayed" not in theirs.headers
    if body["name"] == "Lamp":
        assert theirs.status_code == 409  # the name is taken, as without a key
    else:
        assert theirs.status_code == 201
        assert theirs.get_json()["created_by"] == "other"
    replay = client.post(ITEMS, json={"name": "Lamp"}, headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()


def test_an_admin_may_change_and_delete_anyones_item(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    path = f"{ITEMS}/{item['id']}"
    admin = bearer("admin")
    changed = client.patch(path, json={"quantity": 9}, headers=admin)
    assert changed.status_code == 200
    assert changed.get_json()["created_by"] == "writer"  # still the creator's
    assert client.delete(path, headers=admin).status_code == 204


def test_a_missing_item_is_still_404_for_anyone(client: FlaskClient) -> None:
    path = f"{ITEMS}/{'0' * 24}"
    assert client.patch(path, json={"quantity": 1}).status_code == 404
    assert client.delete(path, headers=bearer("other")).status_code == 404


def test_the_document_declares_the_scheme_and_each_scope(limited_app: Flask) -> None:
    document = limited_app.test_client().get("/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    items = document["paths"]["/api/items"]
    assert items["get"]["security"] == [{"bearerAuth": ["read"]}]
    assert items["post"]["security"] == [{"bearerAuth": ["write"]}]
    assert {"401", "403", "429"} <= set(items["post"]["responses"])
    assert document["paths"]["/healthz"]["get"]["security"] == []


def test_credentials_never_reach_the_log(
    shared_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = shared_app(RATE_LIMITS="2/hour").test_client()
    secrets = [token(name) for name in ("writer", "reader")]
    client.get(ITEMS)
    client.post(ITEMS, json={"name": "Lamp"})
    client.get(ITEMS)  # refused and logged by the rate limiter
    client.get(ITEMS, headers={"Authorization": "Bearer wrong-" + secrets[0]})
    client.get(ITEMS, headers=bearer("reader"))
    client.get("/api/nowhere")
    assert "caller:writer" in caplog.text  # the key's name, never the key
    for secret in secrets:
        assert secret not in caplog.text


def test_a_default_app_refuses_everyone_until_credentials_are_set(
    shared_app: Any,
) -> None:
    app: Flask = shared_app({{ 'API_KEYS=""' if cookiecutter.auth == "api_key" else 'JWT_JWKS_URL=""' }})
    client = app.test_client()
    assert_unauthorized(client.get(ITEMS))
