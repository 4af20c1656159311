"""The /docs page: offline, locked down by its CSP, and off with the document."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from support import AppFactory

from {{ cookiecutter.package_name }}.config import ConfigError, load_settings
from {{ cookiecutter.package_name }}.docs import ASSET_TYPES, ASSETS


class PageParts(HTMLParser):
    """Every URL the page refers to, and anything that would need 'unsafe-inline'."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag = tag
        names = dict(attrs)
        self.urls += [
            value
            for name, value in attrs
            if value and name in ("src", "href", "data-openapi-url")
        ]
        if tag == "style" or "style" in names:
            self.inline.append(f"style on <{tag}>")
        self.inline += [f"{name} on <{tag}>" for name in names if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        if self._tag == "script" and data.strip():
            self.inline.append(f"inline script {data.strip()[:40]!r}")

    def handle_endtag(self, tag: str) -> None:
        self._tag = ""


def page_parts(client: FlaskClient, path: str = "/docs") -> PageParts:
    parts = PageParts()
    parts.feed(client.get(path).get_data(as_text=True))
    return parts


def directives(policy: str) -> dict[str, list[str]]:
    pairs = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in pairs}


def test_the_page_is_html_locked_to_this_origin(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    csp = directives(policy)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_the_page_needs_nothing_inline(client: FlaskClient) -> None:
    """With no inline script, style or handler, the CSP needs no 'unsafe-inline'."""
    parts = page_parts(client)
    assert parts.urls, "the page refers to nothing"
    assert parts.inline == []


def test_every_url_the_page_refers_to_is_on_this_service(client: FlaskClient) -> None:
    for url in page_parts(client).urls:
        parts = urlsplit(url)
        assert not parts.scheme, url
        assert not parts.netloc, url
        assert url.startswith("/"), url


def test_every_asset_the_page_loads_is_served_with_its_type(
    client: FlaskClient,
) -> None:
    types = {"css": "text/css", "js": "text/javascript", "png": "image/png"}
    assets = [url for url in page_parts(client).urls if url.startswith("/docs/")]
    assert len(assets) == 4, assets
    for url in assets:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.mimetype == types[url.rpartition(".")[2]], url
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            assert "Content-Security-Policy" in response.headers, url
            assert response.content_length, url


def test_the_document_the_page_shows_is_this_services(client: FlaskClient) -> None:
    urls = page_parts(client).urls
    assert "/openapi.json" in urls
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.1")


def test_the_page_follows_the_script_root(client: FlaskClient) -> None:
    """Mounted under a prefix, the page still loads its own files."""
    parts = PageParts()
    base = "http://localhost/inventory"
    parts.feed(client.get("/docs", base_url=base).get_data(as_text=True))
    assert parts.urls
    assert all(url.startswith("/inventory/") for url in parts.urls), parts.urls


def test_the_start_up_script_turns_the_online_validator_off(
    client: FlaskClient,
) -> None:
    response = client.get("/docs/init.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    script = response.get_data(as_text=True)
    assert "validatorUrl: null" in script
    assert "http" not in script


def text_of(client: FlaskClient, path: str) -> str:
    with client.get(path) as response:
        return response.get_data(as_text=True)


def test_swagger_ui_is_the_installed_one(client: FlaskClient) -> None:
    assert "SwaggerUIBundle" in text_of(client, "/docs/assets/swagger-ui-bundle.js")
    assert ".swagger-ui" in text_of(client, "/docs/assets/swagger-ui.css")


def test_assets_are_cached_and_revalidated(client: FlaskClient) -> None:
    with client.get("/docs/assets/swagger-ui.css") as first:
        assert first.cache_control.max_age
        etag = first.headers["ETag"]
    headers = {"If-None-Match": etag}
    with client.get("/docs/assets/swagger-ui.css", headers=headers) as again:
        assert again.status_code == 304


@pytest.mark.parametrize(
    "name",
    [
        "swagger-ui.js",  # in the package, but not used by the page
        "oauth2-redirect.html",
        "index.css",
        "LICENSE",
        "..%2F__init__.py",
        "..%2F..%2Fflask%2F__init__.py",
        "%2Fetc%2Fpasswd",
        "SWAGGER-UI.CSS",
        "swagger-ui.css%00.png",
        "swagger-ui.css.map",
    ],
)
def test_nothing_else_of_the_package_is_reachable(
    client: FlaskClient, name: str
) -> None:
    response = client.get(f"/docs/assets/{name}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_every_asset_in_the_table_exists_in_the_package() -> None:
    assert all((ASSETS / name).is_file() for name in ASSET_TYPES)


@pytest.mark.parametrize("value", [False, "false", "0", "no", " FALSE ", "No", "off"])
def test_the_page_is_off_with_the_document(shared_app: AppFactory, value: Any) -> None:
    client = shared_app(API_DOCS_ENABLED=value).test_client()
    for path in ("/docs", "/docs/init.js", "/docs/assets/swagger-ui.css"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("value", [True, "true", "1", "yes", "True", " YES ", "on"])
def test_the_page_is_on_by_choice(shared_app: AppFactory, value: Any) -> None:
    client = shared_app(API_DOCS_ENABLED=value).test_client()
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize(
    "value", ["", "maybe", "2", "tru", "enabled", "onn", "of", 1, None, [True]]
)
def test_a_setting_that_is_not_a_yes_or_no_is_refused(value: Any) -> None:
    overrides = {"APP_ENV": "testing", "API_DOCS_ENABLED": value}
    with pytest.raises(ConfigError, match="API_DOCS_ENABLED must be"):
        load_settings(overrides, environ={})
