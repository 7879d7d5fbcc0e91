"""Test servers, clients and helpers for aiohttp apps (``aiohttp.test_utils``)."""

from .case import AioHTTPTestCase
from .client import TestClient
from .loops import loop_context, setup_test_loop, teardown_test_loop
from .mocked_request import make_mocked_coro, make_mocked_request
from .ports import get_port_socket, unused_port
from .servers import BaseTestServer, RawTestServer, TestServer

__all__ = (
    "AioHTTPTestCase",
    "BaseTestServer",
    "RawTestServer",
    "TestClient",
    "TestServer",
    "get_port_socket",
    "loop_context",
    "make_mocked_coro",
    "make_mocked_request",
    "setup_test_loop",
    "teardown_test_loop",
    "unused_port",
)
