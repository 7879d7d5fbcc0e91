"""CONNECT tunnels through HTTP proxies: a tiny proxy of our own and proxy.py."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client.connector import Connection, TCPConnector
from aiohttp_client.exceptions import (
    ClientConnectorCertificateError,
    ClientHttpProxyError,
    ClientProxyConnectionError,
    ServerDisconnectedError,
)
from aiohttp_client.timeouts import ClientTimeout
from aiohttp_core.basic_auth import BasicAuth

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServer = Callable[[Handler], Awaitable[URL]]

TIMEOUT = ClientTimeout(sock_connect=2, sock_read=2)


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            break
        target = head.split(b" ", 2)[1]
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(target), target)
        )
    writer.close()


@pytest.fixture
async def origin(raw_server: RawServer, tls: object) -> AsyncIterator[URL]:
    """An https origin server answering with the request target."""
    context: ssl.SSLContext = tls.server_context  # type: ignore[attr-defined]
    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    yield URL(f"https://127.0.0.1:{port}/path")
    server.close()
    await server.wait_closed()


@pytest.fixture
async def plain_origin(raw_server: RawServer) -> URL:
    return await raw_server(serve)


@dataclass
class Proxy:
    """What our tiny proxy saw."""

    url: URL = field(default_factory=URL)
    heads: list[bytes] = field(default_factory=list)


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


@pytest.fixture
async def make_proxy(
    raw_server: RawServer,
) -> Callable[[bytes | None], Awaitable[Proxy]]:
    async def make(answer: bytes | None = None) -> Proxy:
        proxy = Proxy()

        async def handler(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter
        ) -> None:
            head = await reader.readuntil(b"\r\n\r\n")
            proxy.heads.append(head)
            if answer is not None:
                writer.write(answer)
                await writer.drain()
                return
            method, target, _ = head.split(b" ", 2)
            if method != b"CONNECT":
                # Plain HTTP through the proxy: answer it ourselves.
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                    % (len(target), target)
                )
                await writer.drain()
                await reader.read()
                return
            host, _, port = target.rpartition(b":")
            up_reader, up_writer = await asyncio.open_connection(
                host.decode().strip("[]"), int(port)
            )
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        proxy.url = await raw_server(handler)
        return proxy

    return make


async def get(conn: Connection, target: bytes = b"/path") -> bytes:
    protocol = conn.protocol
    assert protocol is not None
    assert conn.transport is not None
    protocol.set_response_params(read_timeout=2)
    conn.transport.write(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target)
    _, payload = await protocol.read_head()
    return await payload.read()


async def test_connect_tunnel(
    req: Callable[..., Any],
    origin: URL,
    make_proxy: Callable[..., Awaitable[Proxy]],
    tcp: Callable[..., TCPConnector],
    tls: object,
) -> None:
    proxy = await make_proxy()
    connector = tcp(ssl=tls.client_context)  # type: ignore[attr-defined]
    conn = await connector.connect(req(origin, proxy.url), [], TIMEOUT)
    assert conn.transport is not None
    assert conn.transport.get_extra_info("ssl_object") is not None
    assert await get(conn) == b"/path"
    conn.release()
    (head,) = proxy.heads
    authority = f"127.0.0.1:{origin.port}".encode()
    assert head.startswith(b"CONNECT " + authority + b" HTTP/1.1\r\n")
    assert b"\r\nHost: " + authority + b"\r\n" in head
    assert b"Proxy-Authorization" not in head
    # The tunnel is pooled and reused like any connection.
    conn = await connector.connect(req(origin, proxy.url), [], TIMEOUT)
    assert await get(conn) == b"/path"
    conn.release()
    assert len(proxy.heads) == 1


async def test_proxy_auth_and_headers(
    req: Callable[..., Any],
    origin: URL,
    make_proxy: Callable[..., Awaitable[Proxy]],
    tcp: Callable[..., TCPConnector],
    tls: object,
) -> None:
    proxy = await make_proxy()
    connector = tcp(ssl=tls.client_context)  # type: ignore[attr-defined]
    request = req(
        origin,
        proxy.url,
        proxy_auth=BasicAuth("user", "pass"),
        proxy_headers=CIMultiDict({"X-Proxy-Token": "t1"}),
    )
    conn = await connector.connect(request, [], TIMEOUT)
    assert await get(conn) == b"/path"
    conn.close()
    (head,) = proxy.heads
    assert b"\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n" in head
    assert b"\r\nX-Proxy-Token: t1\r\n" in head


async def test_proxy_header_with_newline_is_refused(
    req: Callable[..., Any],
    origin: URL,
    make_proxy: Callable[..., Awaitable[Proxy]],
    tcp: Callable[..., TCPConnector],
) -> None:
    proxy = await make_proxy()
    request = req(origin, proxy.url, proxy_headers=CIMultiDict({"X-A": "a\r\nX-B: b"}))
    with pytest.raises(ValueError, match="invalid character"):
        await tcp().connect(request, [], TIMEOUT)


@pytest.mark.parametrize(
    ("status", "reason"), [(407, "Proxy Authentication Required"), (502, "Bad Gateway")]
)
async def test_proxy_refuses_connect(
    req: Callable[..., Any],
    origin: URL,
    make_proxy: Callable[..., Awaitable[Proxy]],
    tcp: Callable[..., TCPConnector],
    status: int,
    reason: str,
) -> None:
    answer = f"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nX-Why: no\r\n\r\n"
    proxy = await make_proxy(answer.encode())
    connector = tcp()
    with pytest.raises(ClientHttpProxyError) as info:
        await connector.connect(req(origin, proxy.url), [], TIMEOUT)
    assert info.value.status == status
    assert info.value.message == reason
    assert info.value.headers is not None
    assert info.value.headers["X-Why"] == "no"
    assert info.value.request_info.method == "CONNECT"
    assert info.value.request_info.url == proxy.url
    assert connector._in_use == 0


async def test_proxy_hangs_up_instead_of_answering(
    req: Callable[..., Any],
    origin: URL,
    make_proxy: Callable[..., Awaitable[Proxy]],
    tcp: Callable[..., TCPConnector],
) -> None:
    proxy = await make_proxy(b"")
    with pytest.raises(ServerDisconnectedError):
        await tcp().connect(req(origin, proxy.url), [], TIMEOUT)


async def test_certificate_checked_through_the_tunnel(
    req: Callable[..., Any],
    origin: URL,
    make_proxy: Callable[..., Awaitable[Proxy]],
    tcp: Callable[..., TCPConnector],
) -> None:
    proxy = await make_proxy()
    # The default context does not trust the test CA.
    with pytest.raises(ClientConnectorCertificateError):
        await tcp().connect(req(origin, proxy.url), [], TIMEOUT)


async def test_unreachable_proxy(
    req: Callable[..., Any], origin: URL, tcp: Callable[..., TCPConnector]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proxy = URL(f"http://127.0.0.1:{port}")
    with pytest.raises(ClientProxyConnectionError) as info:
        await tcp().connect(req(origin, proxy), [], TIMEOUT)
    assert isinstance(info.value.os_error, ConnectionRefusedError)


async def test_proxy_name_that_does_not_resolve(
    req: Callable[..., Any], origin: URL, tcp: Callable[..., TCPConnector]
) -> None:
    proxy = URL("http://proxy.invalid:3128")
    with pytest.raises(ClientProxyConnectionError):
        await tcp().connect(req(origin, proxy), [], TIMEOUT)


async def test_plain_http_target_goes_to_the_proxy(
    req: Callable[..., Any],
    plain_origin: URL,
    make_proxy: Callable[..., Awaitable[Proxy]],
    tcp: Callable[..., TCPConnector],
) -> None:
    proxy = await make_proxy()
    connector = tcp()
    conn = await connector.connect(req(plain_origin, proxy.url), [], TIMEOUT)
    # No CONNECT: the caller writes the absolute-form target to the proxy.
    target = str(plain_origin.with_path("/x")).encode()
    assert await get(conn, target) == target
    conn.close()
    (head,) = proxy.heads
    assert head.startswith(b"GET " + target)


# -- the real proxy.py ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextlib.contextmanager
def proxy_py(*extra: str) -> Iterator[URL]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "proxy",
            "--hostname",
            "127.0.0.1",
            "--port",
            str(port),
            "--num-acceptors",
            "1",
            "--num-workers",
            "1",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield URL(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def wait_listening(url: URL) -> None:
    assert url.port is not None
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", url.port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError("proxy.py did not start")


async def test_tunnel_through_proxy_py(
    req: Callable[..., Any], origin: URL, tcp: Callable[..., TCPConnector], tls: object
) -> None:
    with proxy_py() as proxy:
        await wait_listening(proxy)
        connector = tcp(ssl=tls.client_context)  # type: ignore[attr-defined]
        conn = await connector.connect(req(origin, proxy), [], TIMEOUT)
        assert await get(conn) == b"/path"
        assert await get(conn, b"/again") == b"/again"
        conn.close()


async def test_proxy_py_basic_auth(
    req: Callable[..., Any], origin: URL, tcp: Callable[..., TCPConnector], tls: object
) -> None:
    with proxy_py("--basic-auth", "user:secret") as proxy:
        await wait_listening(proxy)
        connector = tcp(ssl=tls.client_context)  # type: ignore[attr-defined]
        with pytest.raises(ClientHttpProxyError) as info:
            await connector.connect(req(origin, proxy), [], TIMEOUT)
        assert info.value.status == 407
        wrong = req(origin, proxy, proxy_auth=BasicAuth("user", "wrong"))
        with pytest.raises(ClientHttpProxyError):
            await connector.connect(wrong, [], TIMEOUT)
        right = req(origin, proxy, proxy_auth=BasicAuth("user", "secret"))
        conn = await connector.connect(right, [], TIMEOUT)
        assert await get(conn) == b"/path"
        conn.close()


async def test_https_proxy_tls_in_tls(
    req: Callable[..., Any], origin: URL, tcp: Callable[..., TCPConnector], tls: object
) -> None:
    heads: list[bytes] = []
    tasks: set[asyncio.Task[None]] = set()

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)  # type: ignore[arg-type]
        head = await reader.readuntil(b"\r\n\r\n")
        heads.append(head)
        host, _, port = head.split(b" ", 2)[1].rpartition(b":")
        up_reader, up_writer = await asyncio.open_connection(host.decode(), int(port))
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    context: ssl.SSLContext = tls.server_context  # type: ignore[attr-defined]
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        connector = tcp(ssl=tls.client_context)  # type: ignore[attr-defined]
        proxy = URL(f"https://127.0.0.1:{port}")
        conn = await connector.connect(req(origin, proxy), [], TIMEOUT)
        assert await get(conn) == b"/path"
        conn.close()
        assert heads[0].startswith(b"CONNECT 127.0.0.1:")
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await server.wait_closed()
