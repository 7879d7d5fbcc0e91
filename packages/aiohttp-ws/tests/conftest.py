"""Fixtures shared by the aiohttp-ws tests: the compiled and pure-Python twins."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from aiohttp_ws.mask import masked_c, masked_py, websocket_mask_c, websocket_mask_py
from aiohttp_ws.reader import WebSocketReaderC, WebSocketReaderPy
from aiohttp_ws.writer import WebSocketWriterC, WebSocketWriterPy


def _compiled_or_skip(obj: object, name: str) -> None:
    if obj is not None:
        return
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        pytest.skip("compiled twins disabled by AIOHTTP_NO_EXTENSIONS")
    reason = f"aiohttp_ws.{name} is not built"
    if os.environ.get("AIOHTTP_REQUIRE_EXTENSIONS"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(params=["pure", "compiled"])
def reader_cls(request: pytest.FixtureRequest) -> type[WebSocketReaderPy]:
    """Each frame reader twin in turn."""
    if request.param == "pure":
        return WebSocketReaderPy
    _compiled_or_skip(WebSocketReaderC, "_frame_reader_c")
    assert WebSocketReaderC is not None
    return WebSocketReaderC


@pytest.fixture(params=["pure", "compiled"])
def mask_func(request: pytest.FixtureRequest) -> Callable[[bytes, bytearray], None]:
    """Each masking twin in turn."""
    if request.param == "pure":
        return websocket_mask_py
    _compiled_or_skip(websocket_mask_c, "_mask")
    assert websocket_mask_c is not None
    return websocket_mask_c


@pytest.fixture(params=["pure", "compiled"])
def masked_func(
    request: pytest.FixtureRequest,
) -> Callable[[bytes, bytes | bytearray | memoryview, bytes], bytes]:
    """Each twin of the one-pass masked copy in turn."""
    if request.param == "pure":
        return masked_py
    _compiled_or_skip(masked_c, "_mask")
    assert masked_c is not None
    return masked_c


@pytest.fixture(params=["pure", "compiled"])
def writer_cls(request: pytest.FixtureRequest) -> type[WebSocketWriterPy]:
    """Each frame writer twin in turn."""
    if request.param == "pure":
        return WebSocketWriterPy
    _compiled_or_skip(WebSocketWriterC, "_frame_writer_c")
    assert WebSocketWriterC is not None
    return WebSocketWriterC
