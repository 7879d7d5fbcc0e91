"""The low-level Server: its API, its shutdown, and real clients talking to it."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from aiohttp_testing.pytest_plugin import AiohttpClient, AiohttpRawServer
from aiohttp_web.exceptions import HTTPNotFound
from aiohttp_web.protocol import RequestHandler
from aiohttp_web.request import BaseRequest
from aiohttp_web.response import Response, StreamResponse
from aiohttp_web.runner import ServerRunner, TCPSite
from aiohttp_web.server import Server


async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text="OK")


@contextlib.asynccontextmanager
async def listening(server: Server) -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    tcp = await loop.create_server(server, "127.0.0.1", 0)
    try:
        yield tcp.sockets[0].getsockname()[1]
    finally:
        tcp.close()
        await server.shutdown(0.5)
        await tcp.wait_closed()


async def test_lowlevel_doc_example_runs() -> None:
    # web_lowlevel.rst, with port 0 and without the 100-hour sleep.
    server = Server(hello)
    runner = ServerRunner(server)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        async with httpx.AsyncClient() as client:
            r = await client.get(f"http://127.0.0.1:{port}/any/path")
        assert (r.status_code, r.text) == (200, "OK")
    finally:
        await runner.cleanup()


async def test_counts_requests_and_connections() -> None:
    server = Server(hello)
    assert server.connections == []
    assert server.requests_count == 0
    async with listening(server) as port, httpx.AsyncClient() as client:
        for _ in range(3):
            await client.get(f"http://127.0.0.1:{port}/")
        assert server.requests_count == 3
        assert len(server.connections) == 1
        assert isinstance(server.connections[0], RequestHandler)
    assert server.connections == []


def test_unknown_settings_are_refused_at_once() -> None:
    with pytest.raises(TypeError):
        Server(hello, no_such_setting=1)
    Server(hello, keepalive_timeout=1, max_line_size=10, access_log=None, debug=True)


def test_calling_the_server_makes_a_protocol() -> None:
    loop = asyncio.new_event_loop()
    try:
        server = Server(hello, loop=loop, keepalive_timeout=3)
        protocol = server()
        assert isinstance(protocol, RequestHandler)
        assert protocol.keepalive_timeout == 3
        assert "idle" in repr(protocol) or "closed" in repr(protocol)
    finally:
        loop.close()


async def test_custom_request_factory(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    class MyRequest(BaseRequest):
        pass

    seen: list[type] = []

    def factory(
        message: Any, payload: Any, protocol: Any, writer: Any, task: Any
    ) -> BaseRequest:
        return MyRequest(
            message, payload, protocol, writer, task, asyncio.get_running_loop()
        )

    async def handler(request: BaseRequest) -> StreamResponse:
        seen.append(type(request))
        return Response()

    client = await aiohttp_client(
        await aiohttp_raw_server(handler, request_factory=factory)
    )
    assert (await client.get("/")).status == 200
    assert seen == [MyRequest]


async def test_pre_shutdown_closes_idle_connections() -> None:
    server = Server(hello)
    async with listening(server) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        await reader.readuntil(b"\r\n\r\nOK")
        await server.pre_shutdown()
        assert await asyncio.wait_for(reader.read(), 2) == b""
        writer.close()


async def test_pre_shutdown_lets_a_running_request_finish_then_closes() -> None:
    started = asyncio.Event()

    async def slow(request: BaseRequest) -> StreamResponse:
        started.set()
        await asyncio.sleep(0.1)
        return Response(text="done")

    server = Server(slow)
    async with listening(server) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        await started.wait()
        await server.pre_shutdown()
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    assert data.endswith(b"done")
    assert b"Connection: close" in data


async def test_shutdown_cancels_handlers_past_the_timeout() -> None:
    started = asyncio.Event()
    outcome: list[str] = []

    async def stuck(request: BaseRequest) -> StreamResponse:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return Response()

    server = Server(stuck)
    loop = asyncio.get_running_loop()
    tcp = await loop.create_server(server, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\n\r\n")
    await started.wait()
    start = loop.time()
    await server.shutdown(0.1)
    assert loop.time() - start < 1
    assert outcome == ["cancelled"]
    assert await asyncio.wait_for(reader.read(), 2) == b""
    assert server.connections == []
    writer.close()
    tcp.close()
    await tcp.wait_closed()


async def test_shutdown_waits_for_a_handler_within_the_timeout() -> None:
    started = asyncio.Event()

    async def quick(request: BaseRequest) -> StreamResponse:
        started.set()
        await asyncio.sleep(0.05)
        return Response(text="finished")

    server = Server(quick)
    async with listening(server) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        await started.wait()
        await server.shutdown(2)
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    assert data.endswith(b"finished")


async def test_http_client_in_a_thread(aiohttp_raw_server: AiohttpRawServer) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        if request.path == "/missing":
            raise HTTPNotFound()
        return Response(text=(await request.text()).upper())

    def blocking(port: int) -> list[tuple[int, bytes]]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
        out = []
        for path, body in (("/", "abc"), ("/missing", None), ("/", "again")):
            conn.request("POST", path, body=body)
            resp = conn.getresponse()
            out.append((resp.status, resp.read()))
        conn.close()
        return out

    server = await aiohttp_raw_server(handler)
    assert server.port is not None
    results = await asyncio.to_thread(blocking, server.port)
    assert results == [(200, b"ABC"), (404, b"404: Not Found"), (200, b"AGAIN")]


async def test_curl_keep_alive_and_chunked_upload(
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        data = await request.read()
        return Response(text=f"{request.method} {len(data)}")

    url = str((await aiohttp_raw_server(handler)).make_url("/"))
    proc = await asyncio.create_subprocess_exec(
        "curl",
        "-sS",
        "-H",
        "Transfer-Encoding: chunked",
        "--data-binary",
        "x" * 5000,
        url,
        "--next",
        url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0, err
    assert out == b"POST 5000GET 0"


async def test_httpx_streams_a_large_upload(
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    received: list[int] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        total = 0
        async for chunk in request.content.iter_any():
            total += len(chunk)
        received.append(total)
        return Response(text=str(total))

    async def body() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"z" * 65536

    server = await aiohttp_raw_server(handler, read_bufsize=4096)
    async with httpx.AsyncClient() as client:
        r = await client.post(str(server.make_url("/")), content=body())
    assert r.text == str(64 * 65536)
    assert received == [64 * 65536]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")
async def test_server_works_with_loop_create_server_directly() -> None:
    loop = asyncio.get_running_loop()
    server = Server(hello, loop=loop)
    async with listening(server) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    assert data.endswith(b"\r\n\r\nOK")
