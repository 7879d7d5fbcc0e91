"""Routing over real sockets: 404/405, Expect: 100-continue, views, sub-apps."""

from __future__ import annotations

import asyncio
import shutil
from typing import cast

import pytest
from yarl import URL

from aiohttp_testing.pytest_plugin import AiohttpClient, AiohttpServer
from aiohttp_web.app import Application
from aiohttp_web.exceptions import HTTPExpectationFailed, HTTPForbidden, HTTPFound
from aiohttp_web.request import Request
from aiohttp_web.response import Response
from aiohttp_web.route_def import RouteTableDef
from aiohttp_web.routes import UrlMappingMatchInfo
from aiohttp_web.views import View


async def read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """Read one response with a Content-Length body: (head, body)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await asyncio.wait_for(reader.readexactly(length), 5)
    return head, body


async def exchange(port: int, data: bytes) -> tuple[bytes, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        return await read_response(reader)
    finally:
        writer.close()
        await writer.wait_closed()


async def echo(request: Request) -> Response:
    return Response(body=await request.read())


async def hello(request: Request) -> Response:
    match_info = cast(UrlMappingMatchInfo, request.match_info)
    name = match_info.get("name", "Anonymous")
    return Response(text=f"Hello, {name}")


def make_app() -> Application:
    routes = RouteTableDef()

    @routes.get("/greet/{name}")
    async def greet(request: Request) -> Response:
        return await hello(request)

    @routes.view("/view")
    class MyView(View):
        async def get(self) -> Response:
            return Response(text="view get")

        async def post(self) -> Response:
            return Response(text="view post")

    @routes.get("/redirect")
    async def redirect(request: Request) -> Response:
        location = request.app.router["target"].url_for(name="x y")
        raise HTTPFound(location=location)

    app = Application()
    app.add_routes(routes)
    app.router.add_get("/", hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/target/{name}", hello, name="target")
    app.router.add_get("/café", hello)
    return app


@pytest.fixture
async def port(aiohttp_server: AiohttpServer) -> int:
    """The port of a server running ``make_app()``."""
    server = await aiohttp_server(make_app())
    assert server.port is not None
    return server.port


async def test_not_found_over_socket(port: int) -> None:
    head, body = await exchange(
        port, b"GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    assert head.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert body == b"404: Not Found"


async def test_method_not_allowed_over_socket(port: int) -> None:
    head, body = await exchange(
        port, b"PUT / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"
    )
    assert head.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n")
    assert b"\r\nAllow: GET,HEAD\r\n" in head
    assert body == b"405: Method Not Allowed"


async def test_lowercase_method_is_not_get(port: int) -> None:
    head, _ = await exchange(port, b"get / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405 ")


async def test_absolute_form_target(port: int) -> None:
    head, body = await exchange(
        port,
        b"GET http://elsewhere.example/greet/abs HTTP/1.1\r\nHost: localhost\r\n\r\n",
    )
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert body == b"Hello, abs"


async def test_percent_encoded_targets(port: int) -> None:
    _, body = await exchange(
        port, b"GET /greet/a%2Fb HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    assert body == b"Hello, a/b"
    head, _ = await exchange(
        port, b"GET /caf%C3%A9 HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    assert head.startswith(b"HTTP/1.1 200 ")
    head, _ = await exchange(
        port, b"GET /greet/a/b HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    assert head.startswith(b"HTTP/1.1 404 ")


async def test_expect_100_continue(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /echo HTTP/1.1\r\nHost: localhost\r\n"
        b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    )
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"hello")
    head, body = await read_response(reader)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert body == b"hello"
    # The connection is still usable: the 100 did not break keep-alive.
    writer.write(b"GET /greet/again HTTP/1.1\r\nHost: localhost\r\n\r\n")
    _, body = await read_response(reader)
    assert body == b"Hello, again"
    writer.close()
    await writer.wait_closed()


async def test_expect_unknown_is_417(port: int) -> None:
    head, body = await exchange(
        port,
        b"POST /echo HTTP/1.1\r\nHost: localhost\r\n"
        b"Expect: something\r\nContent-Length: 0\r\n\r\n",
    )
    assert head.startswith(b"HTTP/1.1 417 Expectation Failed\r\n")
    assert body == b"Unknown Expect: something"


async def test_expect_on_missing_route_gets_no_100(port: int) -> None:
    head, _ = await exchange(
        port,
        b"POST /nowhere HTTP/1.1\r\nHost: localhost\r\n"
        b"Expect: 100-continue\r\nContent-Length: 0\r\n\r\n",
    )
    assert head.startswith(b"HTTP/1.1 404 ")


async def test_custom_expect_handler(aiohttp_server: AiohttpServer) -> None:
    # web_advanced.rst, "Expect Header".
    async def check_auth(request: Request) -> None:
        if request.version < (1, 1):
            return
        expect = request.headers.get("EXPECT")
        if expect != "100-continue":
            raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
        if request.headers.get("AUTHORIZATION") is None:
            raise HTTPForbidden()
        assert request.transport is not None
        request.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    app = Application()
    app.router.add_post("/", echo, expect_handler=check_auth)
    server = await aiohttp_server(app)
    assert server.port is not None
    port = server.port
    head, _ = await exchange(
        port,
        b"POST / HTTP/1.1\r\nHost: localhost\r\n"
        b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n",
    )
    assert head.startswith(b"HTTP/1.1 403 Forbidden\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: x\r\n"
        b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n"
    )
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"ok")
    _, body = await read_response(reader)
    assert body == b"ok"
    writer.close()
    await writer.wait_closed()


async def test_views_and_redirects_with_a_client(
    aiohttp_client: AiohttpClient,
) -> None:
    client = await aiohttp_client(make_app())
    response = await client.get("/view")
    assert await response.text() == "view get"
    response = await client.post("/view")
    assert await response.text() == "view post"
    response = await client.delete("/view")
    assert response.status == 405
    assert response.headers["Allow"] == "GET,POST"
    response = await client.get("/redirect", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/target/x%20y"
    response = await client.get("/redirect")
    assert response.url.path == "/target/x y"
    assert await response.text() == "Hello, x y"
    response = await client.head("/greet/x")
    assert response.status == 200
    assert await response.read() == b""


async def tenant_page(request: Request) -> Response:
    return Response(text="Hello, tenant")


async def test_sub_app_and_domain_with_a_client(
    aiohttp_client: AiohttpClient,
) -> None:
    admin = Application()
    admin.router.add_get("/resource", hello, name="name")
    tenant = Application()
    tenant.router.add_get("/", hello)
    tenant.router.add_get("/page", tenant_page)
    app = make_app()
    app.add_subapp("/admin/", admin)
    app.add_domain("*.tenant.example", tenant)
    assert admin.router["name"].url_for() == URL("/admin/resource")
    client = await aiohttp_client(app)
    response = await client.get("/admin/resource")
    assert await response.text() == "Hello, Anonymous"
    assert (await client.get("/admin/other")).status == 404
    response = await client.post("/admin/resource")
    assert response.status == 405
    assert response.headers["Allow"] == "GET,HEAD"
    response = await client.get("/", headers={"Host": "a.tenant.example"})
    assert await response.text() == "Hello, Anonymous"  # the parent's "/" wins
    response = await client.get("/page", headers={"Host": "b.a.tenant.example"})
    assert await response.text() == "Hello, tenant"
    response = await client.get("/page", headers={"Host": "tenant.example"})
    assert response.status == 404
    response = await client.get("/nothing", headers={"Host": "a.tenant.example"})
    assert response.status == 404


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_curl_percent_encoded_path(port: int) -> None:
    process = await asyncio.create_subprocess_exec(
        "curl",
        "-s",
        "-i",
        "--path-as-is",
        f"http://127.0.0.1:{port}/greet/caf%C3%A9",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 10)
    assert out.startswith(b"HTTP/1.1 200 OK\r\n")
    assert out.endswith("Hello, café".encode())
