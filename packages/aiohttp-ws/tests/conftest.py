"""Fixtures shared by the aiohttp-ws tests: the compiled and pure-Python twins."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pytest

from aiohttp_ws.mask import masked_c, masked_py, websocket_mask_c, websocket_mask_py
from aiohttp_ws.reader import WebSocketReaderC, WebSocketReaderPy
from aiohttp_ws.writer import WebSocketWriterC, WebSocketWriterPy

_T = TypeVar("_T")
Payload = bytes | bytearray | memoryview


def _twin(
    request: pytest.FixtureRequest, pure: _T, compiled: _T | None, name: str
) -> _T:
    """The twin the fixture's parameter names; a compiled one that is not
    built is skipped (or fails, when AIOHTTP_REQUIRE_EXTENSIONS is set)."""
    if request.param == "pure":
        return pure
    if compiled is not None:
        return compiled
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        pytest.skip("compiled twins disabled by AIOHTTP_NO_EXTENSIONS")
    reason = f"aiohttp_ws.{name} is not built"
    if os.environ.get("AIOHTTP_REQUIRE_EXTENSIONS"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(params=["pure", "compiled"])
def reader_cls(request: pytest.FixtureRequest) -> type[WebSocketReaderPy]:
    """Each frame reader twin in turn."""
    return _twin(request, WebSocketReaderPy, WebSocketReaderC, "_frame_reader_c")


@pytest.fixture(params=["pure", "compiled"])
def writer_cls(request: pytest.FixtureRequest) -> type[WebSocketWriterPy]:
    """Each frame writer twin in turn."""
    return _twin(request, WebSocketWriterPy, WebSocketWriterC, "_frame_writer_c")


@pytest.fixture(params=["pure", "compiled"])
def mask_func(request: pytest.FixtureRequest) -> Callable[[bytes, bytearray], None]:
    """Each masking twin in turn."""
    return _twin(request, websocket_mask_py, websocket_mask_c, "_mask")


@pytest.fixture(params=["pure", "compiled"])
def masked_func(
    request: pytest.FixtureRequest,
) -> Callable[[bytes, Payload, bytes], bytes]:
    """Each twin of the one-pass masked copy in turn."""
    return _twin(request, masked_py, masked_c, "_mask")
