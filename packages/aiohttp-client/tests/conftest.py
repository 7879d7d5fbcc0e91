"""Servers on 127.0.0.1 for the client's tests.

``serve_app`` runs an ``aiohttp_web`` application; ``raw_server`` runs a
plain asyncio stream handler for servers that must misbehave on purpose;
``tls`` holds a throw-away CA and a certificate for 127.0.0.1/localhost.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import trustme
from yarl import URL

from aiohttp_web.app import Application
from aiohttp_web.runner import AppRunner, TCPSite

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
ServeApp = Callable[..., Awaitable[URL]]
RawServer = Callable[[StreamHandler], Awaitable[URL]]


@dataclass
class TLS:
    """A CA the client trusts and a server context whose certificate it signed."""

    ca: trustme.CA
    client_context: ssl.SSLContext
    server_context: ssl.SSLContext


@pytest.fixture
async def serve_app() -> AsyncIterator[ServeApp]:
    """``await serve_app(app, ssl_context=None, **runner_kwargs)`` -> base URL."""
    runners: list[AppRunner] = []

    async def start(
        app: Application, *, ssl_context: ssl.SSLContext | None = None, **kw: object
    ) -> URL:
        runner = AppRunner(app, **kw)  # type: ignore[arg-type]
        await runner.setup()
        runners.append(runner)
        site = TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        return URL(site.name)

    yield start
    for runner in reversed(runners):
        await runner.cleanup()


@pytest.fixture
async def raw_server() -> AsyncIterator[RawServer]:
    """``await raw_server(handler)`` -> ``http://127.0.0.1:<port>``."""
    servers: list[asyncio.Server] = []
    tasks: set[asyncio.Task[None]] = set()

    async def start(handler: StreamHandler) -> URL:
        async def run(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)  # type: ignore[arg-type]
            try:
                await handler(reader, writer)
            except asyncio.CancelledError:
                pass  # teardown; asyncio 3.11 logs an error for a cancelled handler
            finally:
                writer.close()
                tasks.discard(task)  # type: ignore[arg-type]

        server = await asyncio.start_server(run, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return URL(f"http://127.0.0.1:{port}")

    yield start
    for server in servers:
        server.close()
    for task in list(tasks):
        task.cancel()
    for server in servers:
        await server.wait_closed()


@pytest.fixture(scope="session")
def tls() -> TLS:
    """A trusted test CA and a server certificate for 127.0.0.1 and localhost."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    return TLS(ca, client_context, server_context)
