"""The client against other servers: uvicorn (ASGI), and TLS with trustme."""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from yarl import URL

from aiohttp_client import (
    ClientConnectorCertificateError,
    ClientSession,
    Fingerprint,
    ServerFingerprintMismatch,
    TCPConnector,
)
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response

uvicorn = pytest.importorskip("uvicorn")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Echo the method, path and body; stream /stream in pieces."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for i in range(10):
            await send(
                {"type": "http.response.body", "body": b"%d," % i, "more_body": True}
            )
        await send({"type": "http.response.body", "body": b"end"})
        return
    text = (
        f"{scope['method']} {scope['path']} {scope['query_string'].decode()} ".encode()
    )
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text + body})


@pytest.fixture
async def uvicorn_url() -> AsyncIterator[URL]:
    config = uvicorn.Config(
        asgi_app, host="127.0.0.1", port=0, log_level="error", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield URL(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await task


async def test_uvicorn_requests(uvicorn_url: URL) -> None:
    async with ClientSession() as session:
        async with session.get(uvicorn_url / "a", params={"x": "1"}) as resp:
            assert resp.status == 200
            assert resp.headers["server"] == "uvicorn"
            assert await resp.text() == "GET /a x=1 "
        async with session.post(uvicorn_url / "b", data=b"payload") as resp:
            assert await resp.text() == "POST /b  payload"

        async def gen() -> AsyncIterator[bytes]:
            for part in (b"chunk1", b"chunk2"):
                yield part

        async with session.put(uvicorn_url / "c", data=gen()) as resp:
            assert await resp.text() == "PUT /c  chunk1chunk2"
        async with session.get(uvicorn_url / "stream") as resp:
            assert resp.headers.get("Transfer-Encoding") == "chunked"
            assert await resp.read() == b"0,1,2,3,4,5,6,7,8,9,end"


async def test_uvicorn_keepalive_and_concurrency(uvicorn_url: URL) -> None:
    async with ClientSession(connector=TCPConnector(limit=4)) as session:

        async def one(i: int) -> str:
            async with session.get(uvicorn_url / str(i)) as resp:
                return await resp.text()

        results = await asyncio.gather(*(one(i) for i in range(40)))
    assert results == [f"GET /{i}  " for i in range(40)]


async def tls_app(serve_app, tls) -> URL:
    async def hello(request: Request) -> Response:
        return Response(text=f"secure {request.secure}")

    app = Application()
    app.router.add_get("/", hello)
    return await serve_app(app, ssl_context=tls.server_context)


async def test_tls_with_trusted_context(serve_app, tls) -> None:
    url = await tls_app(serve_app, tls)
    assert url.scheme == "https"
    async with ClientSession() as session:
        async with session.get(url, ssl=tls.client_context) as resp:
            assert await resp.text() == "secure True"
        async with session.get(url, ssl=False) as resp:  # verification off
            assert resp.status == 200
        with pytest.raises(ClientConnectorCertificateError):
            await session.get(url)  # the system CAs do not know the test CA


async def test_tls_server_hostname(serve_app, tls) -> None:
    url = await tls_app(serve_app, tls)
    async with (
        ClientSession() as session,
        session.get(url, ssl=tls.client_context, server_hostname="localhost") as resp,
    ):
        assert resp.status == 200
    # A new session: the pool key does not hold server_hostname, so a pooled
    # connection would be reused whatever name is asked for.
    async with ClientSession() as session:
        with pytest.raises(ClientConnectorCertificateError):
            await session.get(
                url, ssl=tls.client_context, server_hostname="wrong.example"
            )


async def test_tls_fingerprint(serve_app, tls) -> None:
    url = await tls_app(serve_app, tls)
    pem = tls.ca.issue_cert("127.0.0.1")  # a certificate we do not serve
    wrong = Fingerprint(hashlib.sha256(pem.cert_chain_pems[0].bytes()).digest())
    loop = asyncio.get_running_loop()
    # Learn the served certificate's fingerprint from a first connection.
    _, writer = await asyncio.open_connection(
        "127.0.0.1", url.port, ssl=tls.client_context
    )
    der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    writer.close()
    await writer.wait_closed()
    right = Fingerprint(hashlib.sha256(der).digest())
    assert loop is asyncio.get_running_loop()
    async with ClientSession() as session:
        async with session.get(url, ssl=right) as resp:
            assert resp.status == 200
        with pytest.raises(ServerFingerprintMismatch):
            await session.get(url, ssl=wrong)


async def test_tls_connector_default_context(serve_app, tls) -> None:
    url = await tls_app(serve_app, tls)
    async with (
        ClientSession(connector=TCPConnector(ssl=tls.client_context)) as session,
        session.get(url) as resp,
    ):
        assert resp.status == 200
    assert isinstance(tls.client_context, ssl.SSLContext)
