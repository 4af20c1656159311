"""The service keeps the contract it publishes at ``/openapi.json``.

schemathesis reads the document and sends requests made from it: valid ones
must be accepted, invalid ones refused with a 4xx, and every answer must have a
status, headers and a body the document declares. The budget is small and
derandomized (the same cases on every run), so this stays fast and never
flaky; the template's own tests run the full fuzzer against a served bake.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
{%- if cookiecutter.auth != "none" %}
from credentials import bearer
{%- endif %}
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.schemas import OpenApiSchema

from {{ cookiecutter.package_name }}.config import ConfigError

# Per operation and mode: a few cases each keep this file near a second.
EXAMPLES = {GenerationMode.POSITIVE: 3, GenerationMode.NEGATIVE: 2}
BUDGET = settings(
    max_examples=4,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api(limited_app: Flask) -> OpenApiSchema:
    """The document a deploy serves (its 429s too), loaded as a client would."""
    return schemathesis.openapi.from_wsgi("/openapi.json", limited_app)


def test_the_document_is_valid_openapi_3_1(limited_app: Flask) -> None:
    document = limited_app.test_client().get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(document).validate()


# Flask's own static route (this service serves no static files), the Prometheus
# scrape (its own text format, for monitoring) and the /docs page and its assets
# (for people): none of them is part of the API clients program against.
OUTSIDE_THE_CONTRACT = {"static", "metrics.scrape"}
OUTSIDE_THE_CONTRACT_BLUEPRINTS = ("docs.",)


def test_every_route_is_in_the_document(app: Flask, client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    documented = {
        (path, method.upper()) for path, item in paths.items() for method in item
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OUTSIDE_THE_CONTRACT or rule.endpoint.startswith(
            OUTSIDE_THE_CONTRACT_BLUEPRINTS
        ):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)


@pytest.mark.parametrize("off", ["false", "0", "no", False])
def test_the_document_can_be_switched_off(shared_app: Any, off: object) -> None:
    app = shared_app(API_DOCS_ENABLED=off)
    assert app.test_client().get("/openapi.json").status_code == 404


@pytest.mark.parametrize("bad", ["maybe", "", "2", 1])
def test_a_bad_switch_names_the_setting(make_app: Any, bad: object) -> None:
    with pytest.raises(ConfigError, match="API_DOCS_ENABLED"):
        make_app(API_DOCS_ENABLED=bad)


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_every_operation_keeps_the_contract(
    api: OpenApiSchema, mode: GenerationMode
) -> None:
    """Valid requests (positive) and invalid ones (negative) for every operation.

    (schemathesis's ``from_fixture`` cannot be used: it breaks on pytest 9.)
    """
    for found in api.get_all_operations():
        assert isinstance(found, Ok), found  # every operation's schema is valid
        operation = found.ok()
        raw = operation.definition.raw
        takes_input = raw.get("parameters") or "requestBody" in raw
        if mode is GenerationMode.NEGATIVE and not takes_input:
            continue  # nothing to get wrong in GET /healthz

        @settings(BUDGET, max_examples=EXAMPLES[mode])
        @given(case=operation.as_strategy(generation_mode=mode))
        def keeps_the_contract(case: schemathesis.Case[Any]) -> None:
{%- if cookiecutter.auth != "none" %}
            # As a caller with every scope; ignored_auth (on by default) then
            # checks that the same request without or with a bad credential fails.
            case.call_and_validate(headers=bearer("admin"))
{%- else %}
            case.call_and_validate()
{%- endif %}

        keeps_the_contract()


def test_linked_calls_keep_the_contract(api: OpenApiSchema) -> None:
    """Create, then read, change and delete what was made (the document's links)."""
    machine = api.as_state_machine()
{%- if cookiecutter.auth != "none" %}

    class AsAdmin(machine):  # type: ignore[misc,valid-type]
        """Every call carries the credential as the caller sends it, so
        ignored_auth (on by default) knows it was given, not generated."""

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": bearer("admin")}

    machine = AsAdmin
{%- endif %}
    run_state_machine_as_test(
        machine,
        settings=settings(BUDGET, max_examples=1, stateful_step_count=5),
    )
