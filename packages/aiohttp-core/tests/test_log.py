"""Tests of the aiohttp loggers."""

from __future__ import annotations

import logging

import pytest

from aiohttp_core import log


@pytest.mark.parametrize(
    ("attr", "name"),
    [
        ("access_logger", "aiohttp.access"),
        ("client_logger", "aiohttp.client"),
        ("internal_logger", "aiohttp.internal"),
        ("server_logger", "aiohttp.server"),
        ("web_logger", "aiohttp.web"),
        ("ws_logger", "aiohttp.websocket"),
    ],
)
def test_logger_names(attr: str, name: str) -> None:
    logger = getattr(log, attr)
    assert isinstance(logger, logging.Logger)
    assert logger.name == name
    assert logger is logging.getLogger(name)
