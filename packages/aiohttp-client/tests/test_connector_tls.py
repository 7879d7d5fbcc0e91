"""TCPConnector over TLS: verification, ssl=False, contexts, fingerprints, errors."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from yarl import URL

from aiohttp_client.connector import Connection, TCPConnector
from aiohttp_client.exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorSSLError,
    ClientSSLError,
    ServerFingerprintMismatch,
)
from aiohttp_client.timeouts import ClientTimeout
from aiohttp_client.tls import (
    Fingerprint,
    default_ssl_context,
    insecure_ssl_context,
    ssl_context_for,
)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServer = Callable[[Handler], Awaitable[URL]]

TIMEOUT = ClientTimeout(sock_connect=2)


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        try:
            await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            break
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")
    writer.close()


@dataclass
class TLSServer:
    url: URL
    der: bytes


@pytest.fixture
async def tls_server(tls: object) -> AsyncIterator[TLSServer]:
    server_context: ssl.SSLContext = tls.server_context  # type: ignore[attr-defined]
    tasks: set[asyncio.Task[None]] = set()

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)  # type: ignore[arg-type]
        try:
            await serve(reader, writer)
        finally:
            tasks.discard(task)  # type: ignore[arg-type]

    server = await asyncio.start_server(
        handler, "127.0.0.1", 0, ssl=server_context, ssl_handshake_timeout=2
    )
    port = server.sockets[0].getsockname()[1]
    # Learn the certificate the way a client sees it: by connecting.
    _, writer = await asyncio.open_connection(
        "127.0.0.1", port, ssl=insecure_ssl_context()
    )
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        await writer.wait_closed()
    yield TLSServer(URL(f"https://127.0.0.1:{port}/"), der)
    server.close()
    for task in list(tasks):
        task.cancel()
    await server.wait_closed()


async def test_verified_with_the_trusting_context(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    tls_server: TLSServer,
    tcp: Callable[..., TCPConnector],
    tls: object,
) -> None:
    client_context = tls.client_context  # type: ignore[attr-defined]
    connector = tcp(ssl=client_context)
    conn = await connector.connect(req(tls_server.url), [], TIMEOUT)
    assert conn.transport is not None
    assert conn.transport.get_extra_info("sslcontext") is client_context
    assert await read_body(conn) == b"secure"
    conn.release()
    # TLS connections are pooled too.
    conn = await connector.connect(req(tls_server.url), [], TIMEOUT)
    assert await read_body(conn) == b"secure"
    conn.release()


async def test_request_context_wins_over_the_connector_setting(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    tls_server: TLSServer,
    tcp: Callable[..., TCPConnector],
    tls: object,
) -> None:
    connector = tcp()  # ssl=True: the system CAs, which do not know our CA
    request = req(tls_server.url, ssl=tls.client_context)  # type: ignore[attr-defined]
    conn = await connector.connect(request, [], TIMEOUT)
    assert await read_body(conn) == b"secure"
    conn.close()


async def test_unknown_ca_is_a_certificate_error(
    req: Callable[..., Any], tls_server: TLSServer, tcp: Callable[..., TCPConnector]
) -> None:
    connector = tcp()
    with pytest.raises(ClientConnectorCertificateError) as info:
        await connector.connect(req(tls_server.url), [], TIMEOUT)
    assert isinstance(info.value.certificate_error, ssl.SSLCertVerificationError)
    assert isinstance(info.value, ClientSSLError)
    assert info.value.host == "127.0.0.1"


async def test_wrong_server_hostname_is_a_certificate_error(
    req: Callable[..., Any],
    tls_server: TLSServer,
    tcp: Callable[..., TCPConnector],
    tls: object,
) -> None:
    connector = tcp(ssl=tls.client_context)  # type: ignore[attr-defined]
    request = req(tls_server.url, server_hostname="example.com")
    with pytest.raises(ClientConnectorCertificateError):
        await connector.connect(request, [], TIMEOUT)


async def test_server_hostname_that_matches(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    tls_server: TLSServer,
    tcp: Callable[..., TCPConnector],
    tls: object,
) -> None:
    connector = tcp(ssl=tls.client_context)  # type: ignore[attr-defined]
    conn = await connector.connect(
        req(tls_server.url, server_hostname="localhost"), [], TIMEOUT
    )
    assert await read_body(conn) == b"secure"
    conn.close()


@pytest.mark.parametrize("where", ["connector", "request"])
async def test_ssl_false_skips_verification(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    tls_server: TLSServer,
    tcp: Callable[..., TCPConnector],
    where: str,
) -> None:
    if where == "connector":
        connector, request = tcp(ssl=False), req(tls_server.url)
    else:
        connector, request = tcp(), req(tls_server.url, ssl=False)
    conn = await connector.connect(request, [], TIMEOUT)
    assert await read_body(conn) == b"secure"
    conn.close()


async def test_fingerprint_that_matches(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    tls_server: TLSServer,
    tcp: Callable[..., TCPConnector],
) -> None:
    fingerprint = Fingerprint(hashlib.sha256(tls_server.der).digest())
    connector = tcp(ssl=fingerprint)
    conn = await connector.connect(req(tls_server.url), [], TIMEOUT)
    assert await read_body(conn) == b"secure"
    conn.close()


async def test_fingerprint_mismatch(
    req: Callable[..., Any], tls_server: TLSServer, tcp: Callable[..., TCPConnector]
) -> None:
    expected = hashlib.sha256(b"another certificate").digest()
    connector = tcp()
    with pytest.raises(ServerFingerprintMismatch) as info:
        await connector.connect(
            req(tls_server.url, ssl=Fingerprint(expected)), [], TIMEOUT
        )
    assert info.value.expected == expected
    assert info.value.got == hashlib.sha256(tls_server.der).digest()
    assert info.value.port == tls_server.url.port
    # The refused connection did not take a slot or enter the pool.
    assert connector._in_use == 0


async def test_tls_to_a_plain_server_is_an_ssl_error(
    req: Callable[..., Any], raw_server: RawServer, tcp: Callable[..., TCPConnector]
) -> None:
    async def plain(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(10)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    url = (await raw_server(plain)).with_scheme("https")
    connector = tcp(ssl=False)
    with pytest.raises(ClientConnectorSSLError) as info:
        await connector.connect(req(url), [], TIMEOUT)
    assert isinstance(info.value, ssl.SSLError)


async def test_enable_cleanup_closed(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    tls_server: TLSServer,
    tcp: Callable[..., TCPConnector],
) -> None:
    connector = tcp(ssl=False, enable_cleanup_closed=True, force_close=True)
    conn = await connector.connect(req(tls_server.url), [], TIMEOUT)
    protocol = conn.protocol
    assert protocol is not None
    assert await read_body(conn) == b"secure"
    conn.release()
    await asyncio.wait_for(protocol.closed, 1)


@pytest.mark.parametrize("shutdown", [0, 0.5])
async def test_close_with_tls_connections(
    read_body: Callable[[Connection], Awaitable[bytes]],
    req: Callable[..., Any],
    tls_server: TLSServer,
    shutdown: float,
) -> None:
    connector = TCPConnector(ssl=False, ssl_shutdown_timeout=shutdown)
    conn = await connector.connect(req(tls_server.url), [], TIMEOUT)
    protocol = conn.protocol
    assert protocol is not None
    assert await read_body(conn) == b"secure"
    conn.release()
    await connector.close()
    assert protocol.closed.done()


def test_contexts() -> None:
    assert default_ssl_context().verify_mode == ssl.CERT_REQUIRED
    assert default_ssl_context().check_hostname
    assert insecure_ssl_context().verify_mode == ssl.CERT_NONE
    assert not insecure_ssl_context().check_hostname
    own = ssl.create_default_context()
    fingerprint = Fingerprint(b"\1" * 32)
    assert ssl_context_for(True, True) is default_ssl_context()
    assert ssl_context_for(True, own) is own
    assert ssl_context_for(own, False) is own
    assert ssl_context_for(False, own) is insecure_ssl_context()
    assert ssl_context_for(True, fingerprint) is insecure_ssl_context()
    assert ssl_context_for(fingerprint, True) is insecure_ssl_context()


async def test_bad_ssl_argument() -> None:
    with pytest.raises(TypeError, match="ssl"):
        TCPConnector(ssl="yes")  # type: ignore[arg-type]
