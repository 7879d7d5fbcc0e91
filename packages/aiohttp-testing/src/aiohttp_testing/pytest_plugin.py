"""The pytest fixtures: test servers and clients closed at the end of each test.

Registered through the ``pytest11`` entry point of aiohttp-testing, or with
``pytest_plugins = "aiohttp.pytest_plugin"`` in a conftest.  The async
fixtures run on pytest-asyncio's loop of the test.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

import pytest
import pytest_asyncio

from aiohttp_web.app import Application

from . import tracking
from .client import TestClient
from .ports import unused_port
from .servers import BaseTestServer, Handler, RawTestServer, TestServer

__all__ = (
    "AiohttpClient",
    "AiohttpRawServer",
    "AiohttpServer",
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


def pytest_configure(config: pytest.Config) -> None:
    """Keep what tests start alive until the end of the test that left it open."""
    tracking.keep_until_closed()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Close the servers and clients the test started and left open; warn.

    Runs before the fixtures are torn down, while the test's loop is alive
    and idle, so the objects can still be closed properly on it.
    """
    for obj, loop in tracking.orphans():
        if not tracking.is_open(obj):
            continue  # closed with an object reported before it
        what = repr(obj)
        if loop is not None and not loop.is_closed() and not loop.is_running():
            loop.run_until_complete(obj.close())
        else:
            tracking.forget(obj)
        warnings.warn(
            f"{what} was left open by the test {item.name}; it was closed at teardown",
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


_ServerT = TypeVar("_ServerT", bound=BaseTestServer)


async def _start_adopted(server: _ServerT, kwargs: dict[str, Any]) -> _ServerT:
    """Start a server that its fixture will close (so it is not reported)."""
    tracking.adopt(server)
    try:
        await server.start_server(**kwargs)
    except BaseException:
        tracking.forget(server)
        raise
    return server


@pytest_asyncio.fixture
async def aiohttp_server() -> AsyncIterator[AiohttpServer]:
    """``await aiohttp_server(app, *, port=None, **kwargs)`` -> a started TestServer."""
    servers: list[TestServer] = []

    async def start(
        app: Application, *, port: int | None = None, **kwargs: Any
    ) -> TestServer:
        servers.append(TestServer(app, port=port))
        return await _start_adopted(servers[-1], kwargs)

    yield start
    for server in reversed(servers):
        await server.close()


@pytest_asyncio.fixture
async def aiohttp_raw_server() -> AsyncIterator[AiohttpRawServer]:
    """``await aiohttp_raw_server(handler, *, port=None, **kwargs)``: a server."""
    servers: list[RawTestServer] = []

    async def start(
        handler: Handler, *, port: int | None = None, **kwargs: Any
    ) -> RawTestServer:
        servers.append(RawTestServer(handler, port=port))
        return await _start_adopted(servers[-1], kwargs)

    yield start
    for server in reversed(servers):
        await server.close()


@pytest_asyncio.fixture
async def aiohttp_client(
    aiohttp_client_cls: type[TestClient],
) -> AsyncIterator[AiohttpClient]:
    """``await aiohttp_client(app_or_server, *, server_kwargs=None, **kwargs)``."""
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
        tracking.adopt(client)
        tracking.adopt(server)
        clients.append(client)
        try:
            await client.start_server()
        except BaseException:
            tracking.forget(client)
            raise
        return client

    yield make
    for client in reversed(clients):
        await client.close()
