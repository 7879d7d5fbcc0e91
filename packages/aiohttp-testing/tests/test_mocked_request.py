"""make_mocked_request and make_mocked_coro."""

from __future__ import annotations

import asyncio
import ssl

import pytest
from multidict import CIMultiDict

from aiohttp_core.http_messages import HttpVersion10
from aiohttp_testing import make_mocked_coro, make_mocked_request
from aiohttp_testing.mocked_request import MockedTransport
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response


def handler(request: Request) -> Response:
    assert request.headers.get("token") == "x"
    return Response(body=b"data")


def test_the_documented_example_runs_without_a_loop() -> None:
    req = make_mocked_request("GET", "/", headers={"token": "x"})
    resp = handler(req)
    assert resp.body == b"data"


def test_request_attributes() -> None:
    app = Application()
    req = make_mocked_request(
        "post",
        "/path?a=1&a=2",
        headers=CIMultiDict({"Host": "example.com", "Cookie": "k=v"}),
        app=app,
        match_info={"name": "value"},
    )
    assert req.method == "POST"
    assert req.path == "/path"
    assert req.query.getall("a") == ["1", "2"]
    assert req.host == "example.com"
    assert req.cookies == {"k": "v"}
    assert req.app is app
    assert req.match_info["name"] == "value"
    assert req.scheme == "http"
    assert req.keep_alive
    assert req.raw_headers == ((b"Host", b"example.com"), (b"Cookie", b"k=v"))


def test_version_closing_and_tls() -> None:
    assert not make_mocked_request("GET", "/", version=HttpVersion10).keep_alive
    assert not make_mocked_request("GET", "/", closing=True).keep_alive
    context = ssl.create_default_context()
    req = make_mocked_request("GET", "/", sslcontext=context)
    assert req.secure
    assert req.get_extra_info("sslcontext") is context


async def test_a_prepared_response_is_written_to_the_transport() -> None:
    req = make_mocked_request("GET", "/")
    resp = Response(text="hi")
    await resp.prepare(req)
    await resp.write_eof()
    transport = req.transport
    assert isinstance(transport, MockedTransport)
    head, _, body = bytes(transport.data).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 2" in head
    assert body == b"hi"


async def test_on_response_prepare_of_the_app_runs() -> None:
    app = Application()
    seen: list[str] = []

    async def on_prepare(request: Request, response: object) -> None:
        seen.append(request.path)

    app.on_response_prepare.append(on_prepare)
    req = make_mocked_request("GET", "/p", app=app)
    await Response().prepare(req)
    assert seen == ["/p"]


async def test_make_mocked_coro_returns_and_records_calls() -> None:
    coro = make_mocked_coro(42)
    assert await coro(1, key=2) == 42
    coro.assert_called_once_with(1, key=2)
    assert await make_mocked_coro()() is None


async def test_make_mocked_coro_raises() -> None:
    coro = make_mocked_coro(raise_exception=ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await coro()


async def test_the_body_stream_is_read_by_the_request() -> None:
    from aiohttp_core.streams import StreamReader
    from aiohttp_testing.mocked_request import _MockedProtocol

    loop = asyncio.get_running_loop()
    stream = StreamReader(_MockedProtocol(loop), 2**16, loop=loop)
    stream.feed_data(b"k=v")
    stream.feed_eof()
    req = make_mocked_request(
        "POST",
        "/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        reader=stream,
    )
    assert dict(await req.post()) == {"k": "v"}
    with pytest.raises(TypeError, match="payload or reader"):
        make_mocked_request("GET", "/", reader=stream, payload=stream)
