from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask, has_app_context, has_request_context

from {{ cookiecutter.package_name }}.config import ConfigError
from {{ cookiecutter.package_name }}.logs import HANDLER_NAME


def test_create_app_applies_overrides(make_app: Callable[..., Flask]) -> None:
    app = make_app(MAX_CONTENT_LENGTH=123)
    assert app.config["MAX_CONTENT_LENGTH"] == 123
    assert app.testing


def test_a_test_gets_no_context_it_did_not_ask_for(app: Flask) -> None:
    """pytest-flask would push a request context here; conftest.py turns it off."""
    assert not has_request_context()
    assert not has_app_context()


def test_create_app_refuses_bad_settings(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ConfigError, match="APP_ENV"):
        make_app(APP_ENV="staging")


def test_logging_is_configured_once(make_app: Callable[..., Flask]) -> None:
    make_app()
    make_app()
    handlers = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    assert len(handlers) == 1


def test_the_in_memory_database_warns_that_nothing_is_kept(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    make_app(APP_ENV="development", MONGODB_URI="mongomock://localhost/dev")
    assert "nothing is kept" in caplog.text
