"""Servers on 127.0.0.1 and shared pieces for the client's tests.

``serve_app`` runs an ``aiohttp_web`` application; ``raw_server`` runs a
plain asyncio stream handler for servers that must misbehave on purpose;
``tls`` holds a throw-away CA and a certificate for 127.0.0.1/localhost.
``req`` builds the part of a request a connector reads, ``trace`` records
trace signals, ``tcp`` makes connectors closed at teardown, ``read_body``
sends a GET on a connection and ``connect`` opens a bare ``ResponseHandler``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import trustme
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client.client_proto import ResponseHandler
from aiohttp_client.connection_key import ConnectionKey
from aiohttp_client.connector import Connection, TCPConnector
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_web.app import Application
from aiohttp_web.runner import AppRunner, TCPSite

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
ServeApp = Callable[..., Awaitable[URL]]
RawServer = Callable[[StreamHandler], Awaitable[URL]]
Connect = Callable[[URL], Awaitable[ResponseHandler]]


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


@dataclass
class Req:
    """The part of a request a connector reads."""

    url: URL
    proxy: URL | None = None
    ssl: object = True
    server_hostname: str | None = None
    proxy_auth: BasicAuth | None = None
    proxy_headers: CIMultiDict[str] | None = None

    @property
    def host(self) -> str:
        assert self.url.raw_host is not None
        return self.url.raw_host

    @property
    def port(self) -> int | None:
        return self.url.port

    def is_ssl(self) -> bool:
        return self.url.scheme == "https"

    @property
    def connection_key(self) -> ConnectionKey:
        headers = self.proxy_headers
        return ConnectionKey(
            self.host,
            self.port,
            self.is_ssl(),
            self.ssl,  # type: ignore[arg-type]
            self.proxy,
            self.proxy_auth,
            hash(tuple(headers.items())) if headers else None,
        )


@pytest.fixture
def req() -> type[Req]:
    """``req(url, proxy=None, ssl=True, ...)`` -> a request a connector accepts."""
    return Req


class Trace:
    """Records the connector's trace signals in order."""

    def __init__(self) -> None:
        self.events: list[str] = []

    async def send_connection_queued_start(self) -> None:
        self.events.append("queued_start")

    async def send_connection_queued_end(self) -> None:
        self.events.append("queued_end")

    async def send_connection_create_start(self) -> None:
        self.events.append("create_start")

    async def send_connection_create_end(self) -> None:
        self.events.append("create_end")

    async def send_connection_reuseconn(self) -> None:
        self.events.append("reuseconn")

    async def send_dns_resolvehost_start(self, host: str) -> None:
        self.events.append(f"resolve_start {host}")

    async def send_dns_resolvehost_end(self, host: str) -> None:
        self.events.append(f"resolve_end {host}")

    async def send_dns_cache_hit(self, host: str) -> None:
        self.events.append(f"cache_hit {host}")

    async def send_dns_cache_miss(self, host: str) -> None:
        self.events.append(f"cache_miss {host}")


@pytest.fixture
def trace() -> Trace:
    """A fresh trace recorder; its ``events`` list the signals received."""
    return Trace()


@pytest.fixture
async def tcp() -> AsyncIterator[Callable[..., TCPConnector]]:
    """``tcp(**kwargs)`` -> a ``TCPConnector`` closed at teardown."""
    made: list[TCPConnector] = []

    def make(**kwargs: object) -> TCPConnector:
        connector = TCPConnector(**kwargs)  # type: ignore[arg-type]
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.close()


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """``await connect(url)`` -> a ``ResponseHandler`` connected to its port."""
    protocols: list[ResponseHandler] = []

    async def open_connection(url: URL) -> ResponseHandler:
        loop = asyncio.get_running_loop()
        assert url.port is not None
        _, protocol = await loop.create_connection(
            lambda: ResponseHandler(loop), "127.0.0.1", url.port
        )
        protocols.append(protocol)
        return protocol

    yield open_connection
    for protocol in protocols:
        protocol.close()
    for protocol in protocols:
        await protocol.closed


async def _read_body(conn: Connection) -> bytes:
    protocol = conn.protocol
    assert protocol is not None
    assert conn.transport is not None
    protocol.set_response_params(read_timeout=1)
    conn.transport.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    _, payload = await protocol.read_head()
    return await payload.read()


@pytest.fixture
def read_body() -> Callable[[Connection], Awaitable[bytes]]:
    """``await read_body(conn)`` -> the body of a ``GET /`` sent on ``conn``."""
    return _read_body
