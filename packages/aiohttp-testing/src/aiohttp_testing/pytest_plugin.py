"""The pytest fixtures: test servers and clients closed at the end of each test.

Registered through the ``pytest11`` entry point of aiohttp-testing, or with
``pytest_plugins = "aiohttp.pytest_plugin"`` in a conftest.  The async
fixtures run on pytest-asyncio's loop of the test.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

import pytest
import pytest_asyncio

from aiohttp_web.app import Application

from . import tracking
from .client import TestClient
from .ports import unused_port
from .servers import BaseTestServer, Handler, RawTestServer, TestServer

__all__ = (
    "aiohttp_client",
    "aiohttp_client_cls",
    "aiohttp_raw_server",
    "aiohttp_server",
    "aiohttp_unused_port",
)


class AiohttpClient(Protocol):
    """The ``aiohttp_client`` factory."""

    def __call__(
        self,
        app_or_server: Application | BaseTestServer,
        *,
        server_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Awaitable[TestClient]: ...


AiohttpServer = Callable[..., Awaitable[TestServer]]
AiohttpRawServer = Callable[..., Awaitable[RawTestServer]]


async def _close_left_open(before: set[int], made: list[Any]) -> None:
    """Close what the test started itself and left open, and say so."""
    ours = {id(obj) for obj in made}
    for obj in tracking.left_open():
        if id(obj) in before or id(obj) in ours:
            continue
        await obj.close()
        warnings.warn(
            f"{obj!r} was left open by the test; it was closed at teardown",
            ResourceWarning,
            stacklevel=1,
        )


@pytest.fixture
def aiohttp_unused_port() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1."""
    return unused_port


@pytest.fixture
def aiohttp_client_cls() -> type[TestClient]:
    """The ``TestClient`` class ``aiohttp_client`` makes; override to customise."""
    return TestClient


@pytest_asyncio.fixture
async def aiohttp_server() -> AsyncIterator[AiohttpServer]:
    """``await aiohttp_server(app, *, port=None, **kwargs)`` -> a started TestServer."""
    before = {id(obj) for obj in tracking.left_open()}
    servers: list[TestServer] = []

    async def start(
        app: Application, *, port: int | None = None, **kwargs: Any
    ) -> TestServer:
        server = TestServer(app, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        await server.close()
    await _close_left_open(before, servers)


@pytest_asyncio.fixture
async def aiohttp_raw_server() -> AsyncIterator[AiohttpRawServer]:
    """``await aiohttp_raw_server(handler, *, port=None, **kwargs)``: a server."""
    servers: list[RawTestServer] = []

    async def start(
        handler: Handler, *, port: int | None = None, **kwargs: Any
    ) -> RawTestServer:
        server = RawTestServer(handler, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        await server.close()


@pytest_asyncio.fixture
async def aiohttp_client(
    aiohttp_client_cls: type[TestClient],
) -> AsyncIterator[AiohttpClient]:
    """``await aiohttp_client(app_or_server, *, server_kwargs=None, **kwargs)``."""
    before = {id(obj) for obj in tracking.left_open()}
    clients: list[TestClient] = []

    async def make(
        app_or_server: Application | BaseTestServer,
        *,
        server_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> TestClient:
        if isinstance(app_or_server, Application):
            server_kwargs = dict(server_kwargs or {})
            port = server_kwargs.pop("port", None)
            server: BaseTestServer = TestServer(
                app_or_server, port=port, **server_kwargs
            )
        elif isinstance(app_or_server, BaseTestServer):
            server = app_or_server
        else:
            raise TypeError(
                "aiohttp_client takes an Application, a TestServer or a "
                f"RawTestServer, got {app_or_server!r}"
            )
        client = aiohttp_client_cls(server, **kwargs)
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        await client.close()
    made: list[Any] = [*clients, *(client.server for client in clients)]
    await _close_left_open(before, made)
