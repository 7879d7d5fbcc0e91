"""TestServer and RawTestServer over real sockets (httpx as the outside client)."""

from __future__ import annotations

import socket

import httpx
import pytest
from yarl import URL

from aiohttp_testing import (
    RawTestServer,
    TestServer,
    get_port_socket,
    unused_port,
)
from aiohttp_web.app import Application
from aiohttp_web.request import BaseRequest, Request
from aiohttp_web.response import Response


async def hello(request: Request) -> Response:
    return Response(text="Hello, world")


def hello_app() -> Application:
    app = Application()
    app.router.add_get("/", hello)
    return app


async def test_test_server_serves_the_app_on_a_free_port() -> None:
    server = TestServer(hello_app())
    assert not server.started
    await server.start_server()
    try:
        assert server.started
        assert server.scheme == "http"
        assert server.host == "127.0.0.1"
        assert isinstance(server.port, int)
        assert server.port > 0
        assert server.make_url("/a?b=1") == URL(f"http://127.0.0.1:{server.port}/a?b=1")
        assert server.server is not None
        assert server.handler.requests_count == 0
        async with httpx.AsyncClient() as client:
            answer = await client.get(str(server.make_url("/")))
        assert answer.text == "Hello, world"
        assert server.handler.requests_count == 1
    finally:
        await server.close()
    assert server.closed
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", server.port)) != 0


async def test_make_url_refuses_absolute_urls_and_needs_a_started_server() -> None:
    server = TestServer(hello_app())
    with pytest.raises(RuntimeError, match="not started"):
        server.make_url("/")
    async with server:
        with pytest.raises(ValueError, match="absolute"):
            server.make_url("http://example.com/")


async def test_port_in_use_gives_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = TestServer(hello_app(), port=port)
        with pytest.raises(OSError, match=f"127.0.0.1:{port}.*already in use"):
            await server.start_server()
        assert not server.started


async def test_a_given_port_is_used() -> None:
    port = unused_port()
    async with TestServer(hello_app(), port=port) as server:
        assert server.port == port


async def test_raw_test_server_serves_a_low_level_handler() -> None:
    async def handler(request: BaseRequest) -> Response:
        return Response(text=f"{request.method} {request.path}")

    async with RawTestServer(handler) as server:
        async with httpx.AsyncClient() as client:
            answer = await client.post(str(server.make_url("/x")))
        assert answer.text == "POST /x"


async def test_socket_factory_is_used() -> None:
    made: list[tuple[str, int]] = []

    def factory(host: str, port: int, family: socket.AddressFamily) -> socket.socket:
        made.append((host, port))
        return get_port_socket(host, port, family)

    async with TestServer(hello_app(), socket_factory=factory) as server:
        assert server.socket_factory is factory
    assert made == [("127.0.0.1", 0)]


async def test_tls_server_reports_https(tmp_path: object) -> None:
    trustme = pytest.importorskip("trustme")
    import ssl

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = TestServer(hello_app())
    await server.start_server(ssl=context)
    try:
        assert server.scheme == "https"
        assert str(server.make_url("/")).startswith("https://127.0.0.1:")
    finally:
        await server.close()


def test_unused_port_is_bindable() -> None:
    port = unused_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
