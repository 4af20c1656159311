"""The default bake's /docs page in a real browser, with no internet.

The bake is served by gunicorn as in production (on nx-27017, though the page
never touches the database); headless Chromium (see browser.py) loads /docs once,
and the tests read what it rendered and recorded.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.api_key import KEY
from support.browser import CHROMIUM, Chromium, chromium
from support.live_server import LiveServer
from support.serving import served_by_gunicorn

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Swagger UI renders a few hundred kilobytes of script: generous for a busy machine.
RENDER_SECONDS = 30
# Each rendered operation: its element id (operations-<tag>-<operationId>), method
# and path, as Swagger UI writes them.
RENDERED = """[...document.querySelectorAll('.opblock')].map(block => [
  block.id,
  block.querySelector('.opblock-summary-method').textContent.toLowerCase(),
  block.querySelector('.opblock-summary-path').dataset.path,
])"""


@dataclass(frozen=True)
class Visit:
    """What one load of /docs showed and did."""

    base: str
    document: dict[str, Any]
    rendered: list[list[str]]
    tried: list[str]
    requested: list[str]
    statuses: dict[str, int]
    errors: list[str]
    server_log: str


@pytest.fixture(scope="module")
def visit(
    project: Path, live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Visit]:
    assert Path(CHROMIUM).exists(), (
        "Chromium is needed: apt-get install chromium (.ci/run installs it)"
    )
    uri = f"{live_server.uri}/docs_browser"
    with served_by_gunicorn(project, MONGODB_URI=uri) as served:
        with urllib.request.urlopen(f"{served.url}/openapi.json", timeout=10) as reply:
            document = json.load(reply)
        with chromium(tmp_path_factory.mktemp("chromium")) as browser:
            browser.send("Page.navigate", url=f"{served.url}/docs")
            expected = len(operations(document))
            browser.wait_for(
                f"document.querySelectorAll('.opblock').length >= {expected}",
                RENDER_SECONDS,
            )
            rendered = browser.evaluate(RENDERED)
            authorize(browser, KEY)
            tried = try_it_out(browser, document, "get", "/api/items")
            # One more round trip, so events that raced the last answer are in.
            browser.evaluate("document.readyState")
            yield Visit(
                served.url,
                document,
                rendered,
                tried,
                browser.requested_urls(),
                browser.statuses(),
                browser.errors(),
                served.output(),
            )


def authorize(browser: Chromium, key: str) -> None:
    """Enter the bake's API key in Swagger UI's "Authorize" dialog, as a user does:
    the key is typed into the field, not injected into the page's state."""
    browser.evaluate("document.querySelector('.auth-wrapper .authorize').click()")
    field = "document.querySelector('.modal-ux input')"
    browser.wait_for(f"!!{field}", RENDER_SECONDS)
    browser.evaluate(f"{field}.focus()")
    browser.send("Input.insertText", text=key)
    browser.evaluate(
        "document.querySelector('.modal-ux .auth-btn-wrapper .authorize').click()"
    )
    done = "document.querySelector('.modal-ux .btn-done')"
    browser.wait_for(f"!!{done}", RENDER_SECONDS)
    browser.evaluate(f"{done}.click()")
    browser.wait_for("!document.querySelector('.modal-ux')", RENDER_SECONDS)


def try_it_out(
    browser: Chromium, document: dict[str, Any], method: str, path: str
) -> list[str]:
    """Click through Swagger UI's "Try it out" and "Execute"; the status and body
    it shows for the service's answer."""
    operation = document["paths"][path][method]
    block = f"#operations-{operation['tags'][0]}-{operation['operationId']}"
    steps = (".opblock-summary-control", ".try-out__btn", ".execute")
    for step in steps:
        found = f"document.querySelector('{block} {step}')"
        browser.wait_for(f"!!{found}", RENDER_SECONDS)
        browser.evaluate(f"{found}.click()")
    answer = f"{block} .live-responses-table tbody"
    browser.wait_for(f"!!document.querySelector('{answer} .response-col_status')", 15)
    shown: list[str] = browser.evaluate(
        f"['.response-col_status', '.response-col_description pre'].map("
        f"part => document.querySelector('{answer} ' + part).textContent.trim())"
    )
    return shown


def operations(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(element id, method, path) for every operation, under each of its tags."""
    found = set()
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                for tag in operation.get("tags") or ["default"]:
                    element = f"operations-{tag}-{operation['operationId']}"
                    found.add((element, method, path))
    return found


def test_the_page_lists_every_operation_of_the_document(visit: Visit) -> None:
    expected = operations(visit.document)
    assert len(expected) >= 5, expected
    assert {tuple(block) for block in visit.rendered} == expected
    assert len(visit.rendered) == len(expected)


def test_try_it_out_reaches_the_service_and_shows_its_answer(visit: Visit) -> None:
    status, body = visit.tried
    assert status == "200"
    assert json.loads(body)["items"] == []
    assert any(url.startswith(f"{visit.base}/api/items") for url in visit.requested)


def test_no_request_leaves_for_another_host(visit: Visit) -> None:
    assert f"{visit.base}/openapi.json" in visit.requested
    elsewhere = [
        url
        for url in visit.requested
        if not (url.startswith(f"{visit.base}/") or url.startswith("data:"))
    ]
    assert elsewhere == []


def test_the_console_shows_no_error(visit: Visit) -> None:
    assert visit.errors == []


def test_every_request_of_the_page_succeeded(visit: Visit) -> None:
    served = {url: status for url, status in visit.statuses.items() if "://" in url}
    assert f"{visit.base}/docs" in served
    assert len(served) >= 5, served
    assert all(status == 200 for status in served.values()), served
    assert "Traceback" not in visit.server_log
