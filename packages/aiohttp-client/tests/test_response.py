"""ClientResponse: attributes, body reading, decoding and faults of the server."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import zlib
from collections.abc import Awaitable, Callable

import pytest
from multidict import CIMultiDictProxy
from yarl import URL

from aiohttp_client import (
    ClientConnectionError,
    ClientPayloadError,
    ClientResponseError,
    ClientSession,
    ContentTypeError,
    CookieJar,
    ServerDisconnectedError,
    TCPConnector,
)
from aiohttp_core.streams import StreamReader
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response
from aiohttp_web.stream_response import StreamResponse

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_head(reader: asyncio.StreamReader) -> bytes:
    """Read one request head (the tests' requests have no body)."""
    return await reader.readuntil(b"\r\n\r\n")


def answer(raw: bytes, *, close: bool = True) -> Handler:
    """A raw handler that sends ``raw`` to every request, then maybe closes."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                await read_head(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(raw)
            await writer.drain()
            if close:
                return

    return handler


async def app_url(
    serve_app, routes: dict[str, Callable[[Request], Awaitable[StreamResponse]]]
) -> URL:
    app = Application()
    for path, handler in routes.items():
        app.router.add_route("*", path, handler)
    return await serve_app(app)


async def test_attributes(serve_app) -> None:
    async def handler(request: Request) -> Response:
        resp = Response(text="hi", status=201, reason="Made")
        resp.headers["X-Test"] = "1"
        return resp

    url = await app_url(serve_app, {"/": handler})
    async with (
        ClientSession() as session,
        session.get(url.with_fragment("frag")) as resp,
    ):
        assert resp.status == 201
        assert resp.reason == "Made"
        assert resp.ok
        assert resp.method == "GET"
        assert resp.url == url
        assert resp.real_url == url.with_fragment("frag")
        assert resp.version == (1, 1)
        assert isinstance(resp.headers, CIMultiDictProxy)
        assert resp.headers["x-test"] == "1"
        assert (b"X-Test", b"1") in resp.raw_headers
        assert isinstance(resp.content, StreamReader)
        assert resp.history == ()
        assert resp.request_info.url == url
        assert resp.request_info.real_url == url.with_fragment("frag")
        assert resp.request_info.method == "GET"
        assert resp.request_info.headers["Host"] == url.raw_authority
        assert resp.content_type == "text/plain"
        assert resp.charset == "utf-8"
        assert resp.content_disposition is None
        assert await resp.read() == b"hi"
        assert "201" in repr(resp)


async def test_ok_false_from_400(serve_app) -> None:
    async def handler(request: Request) -> Response:
        return Response(status=400)

    async def just_under(request: Request) -> Response:
        return Response(status=399)

    url = await app_url(serve_app, {"/": handler, "/under": just_under})
    async with ClientSession() as session:
        async with session.get(url) as resp:
            assert not resp.ok
        async with session.get(url / "under") as resp:
            assert resp.ok
            resp.raise_for_status()


async def test_raise_for_status_fields(serve_app) -> None:
    async def handler(request: Request) -> Response:
        return Response(status=404, reason="Nope", headers={"X-A": "b"})

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession() as session:
        resp = await session.get(url)
        with pytest.raises(ClientResponseError) as info:
            resp.raise_for_status()
        err = info.value
        assert err.status == 404
        assert err.message == "Nope"
        assert err.headers is not None
        assert err.headers["X-A"] == "b"
        assert err.request_info.url == url
        assert err.history == ()
        assert resp.closed


async def test_text_charset_and_fallback(serve_app) -> None:
    async def latin(request: Request) -> Response:
        return Response(
            body="é".encode("latin-1"),
            headers={"Content-Type": "text/plain; charset=latin-1"},
        )

    async def unknown(request: Request) -> Response:
        return Response(
            body="é".encode("cp1251", "replace") + "ж".encode("cp1251"),
            headers={"Content-Type": "text/plain; charset=no-such-codec"},
        )

    async def none(request: Request) -> Response:
        return Response(
            body="ж".encode("cp1251"), headers={"Content-Type": "text/plain"}
        )

    url = await app_url(
        serve_app, {"/latin": latin, "/unknown": unknown, "/none": none}
    )
    calls: list[tuple[object, bytes]] = []

    def resolver(resp: object, body: bytes) -> str:
        calls.append((resp, body))
        return "cp1251"

    async with ClientSession(fallback_charset_resolver=resolver) as session:
        async with session.get(url / "latin") as resp:
            assert resp.get_encoding() == "latin-1"
            assert await resp.text() == "é"
            assert calls == []
        async with session.get(url / "unknown") as resp:
            assert resp.charset == "no-such-codec"
            assert (await resp.text()).endswith("ж")
            assert calls[-1][0] is resp
        async with session.get(url / "none") as resp:
            assert await resp.text() == "ж"
            assert await resp.text(encoding="latin-1") == "ж".encode("cp1251").decode(
                "latin-1"
            )
    async with ClientSession() as session, session.get(url / "none") as resp:
        with pytest.raises(RuntimeError):
            resp.get_encoding()  # nothing read yet: no body to look at
        with pytest.raises(UnicodeDecodeError):
            await resp.text()  # the default resolver says utf-8
        assert await resp.text(errors="replace") == "\ufffd"


async def test_json(serve_app) -> None:
    async def good(request: Request) -> Response:
        return Response(text=json.dumps({"a": [1, 2]}), content_type="application/json")

    async def suffixed(request: Request) -> Response:
        return Response(text='{"b": 1}', content_type="application/vnd.api+json")

    async def wrong(request: Request) -> Response:
        return Response(text='{"c": 1}', content_type="text/html")

    async def empty(request: Request) -> Response:
        return Response(text="  \n", content_type="application/json")

    url = await app_url(
        serve_app,
        {"/good": good, "/suffixed": suffixed, "/wrong": wrong, "/empty": empty},
    )
    async with ClientSession() as session:
        async with session.get(url / "good") as resp:
            assert await resp.json() == {"a": [1, 2]}
            assert await resp.json(loads=lambda s: ("custom", s)) == (
                "custom",
                '{"a": [1, 2]}',
            )
        async with session.get(url / "suffixed") as resp:
            assert await resp.json() == {"b": 1}
        async with session.get(url / "wrong") as resp:
            with pytest.raises(ContentTypeError) as info:
                await resp.json()
            assert info.value.status == 200
            assert "text/html" in info.value.message
            assert await resp.json(content_type=None) == {"c": 1}
            assert await resp.json(content_type="text/html") == {"c": 1}
        async with session.get(url / "empty") as resp:
            assert await resp.json() is None


async def test_content_type_defaults(raw_server) -> None:
    url_none = await raw_server(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    url_bad = await raw_server(
        answer(b"HTTP/1.1 200 OK\r\nContent-Type: jpg\r\nContent-Length: 0\r\n\r\n")
    )
    async with ClientSession() as session:
        async with session.get(url_none) as resp:
            assert resp.content_type == "application/octet-stream"
            assert resp.charset is None
        async with session.get(url_bad) as resp:
            assert resp.content_type == "text/plain"
            assert resp.headers["Content-Type"] == "jpg"


async def test_links_and_disposition(raw_server) -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\n"
        b'Link: <https://example.com/p2>; rel="next"; title="a, b", '
        b"</last>; rel=last\r\n"
        b"Link: <other>\r\n"
        b'Content-Disposition: attachment; filename="r.txt"\r\n'
        b"Content-Length: 0\r\n\r\n"
    )
    url = await raw_server(answer(raw))
    async with ClientSession() as session, session.get(url / "dir" / "page") as resp:
        links = resp.links
        assert links["next"]["url"] == URL("https://example.com/p2")
        assert links["next"]["title"] == "a, b"
        assert links["last"]["url"] == url / "last"
        assert links["other"]["url"] == url / "dir" / "other"
        disposition = resp.content_disposition
        assert disposition is not None
        assert disposition.type == "attachment"
        assert disposition.filename == "r.txt"


async def test_cookies_attribute(raw_server) -> None:
    raw = (
        b"HTTP/1.1 200 OK\r\n"
        b"Set-Cookie: a=1; Path=/\r\n"
        b"Set-Cookie: a,b=1\r\n"
        b"Set-Cookie: b=2\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    url = await raw_server(answer(raw))
    # An IP host needs an unsafe jar to keep cookies at all.
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(url) as resp:
            assert resp.cookies["a"].value == "1"
            assert resp.cookies["b"].value == "2"
        assert {m.key for m in session.cookie_jar} == {"a", "b"}


async def test_streaming_content(serve_app) -> None:
    async def handler(request: Request) -> StreamResponse:
        resp = StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for i in range(5):
            await resp.write(b"line %d\n" % i)
        await resp.write_eof()
        return resp

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession() as session, session.get(url) as resp:
        assert await resp.content.readline() == b"line 0\n"
        assert await resp.content.read(3) == b"lin"
        rest = b"".join([chunk async for chunk in resp.content.iter_chunked(4)])
        assert rest == b"e 1\nline 2\nline 3\nline 4\n"


async def test_connection_reused_after_full_read(serve_app) -> None:
    peers: list[object] = []

    async def handler(request: Request) -> Response:
        peers.append(request.transport.get_extra_info("peername"))
        return Response(body=b"x" * 100)

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession() as session:
        for _ in range(3):
            async with session.get(url) as resp:
                assert await resp.read() == b"x" * 100
                assert resp.connection is None  # released at EOF
    assert len(set(peers)) == 1


async def test_unread_body_closes_connection(serve_app) -> None:
    peers: list[object] = []

    async def handler(request: Request) -> StreamResponse:
        peers.append(request.transport.get_extra_info("peername"))
        resp = StreamResponse()
        resp.content_length = 1 << 20
        await resp.prepare(request)
        await resp.write(b"x" * 1024)
        with contextlib.suppress(ConnectionError, OSError):
            await resp.write(b"x" * ((1 << 20) - 1024))
        return resp

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession() as session:
        async with session.get(url) as resp:
            assert await resp.content.read(10) == b"x" * 10
        # released before the end: the connection cannot be reused
        assert resp.closed
        with pytest.raises(ClientConnectionError):
            await resp.read()
        async with session.get(url) as resp:
            await resp.content.read(10)
            resp.close()
            assert resp.connection is None
    assert len(set(peers)) == 2


async def test_release_is_awaitable_and_idempotent(serve_app) -> None:
    async def handler(request: Request) -> Response:
        return Response(text="ok")

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession() as session:
        resp = await session.get(url)
        await resp.release()
        resp.release()
        await resp.wait_for_close()
        resp.close()


async def test_read_twice_returns_cached_body(serve_app) -> None:
    async def handler(request: Request) -> Response:
        return Response(body=b"abc")

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession() as session, session.get(url) as resp:
        assert await resp.read() == b"abc"
        assert await resp.read() == b"abc"
        assert await resp.text() == "abc"


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
    ],
)
async def test_auto_decompress(
    raw_server, coding: str, compress: Callable[[bytes], bytes]
) -> None:
    body = compress(b"hello " * 100)
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n"
        % (coding.encode(), len(body))
    ) + body
    url = await raw_server(answer(raw, close=False))
    async with ClientSession() as session:
        async with session.get(url) as resp:
            assert await resp.read() == b"hello " * 100
        async with session.get(url, auto_decompress=False) as resp:
            assert await resp.read() == body
    async with (
        ClientSession(auto_decompress=False) as session,
        session.get(url) as resp,
    ):
        assert await resp.read() == body


async def test_accept_encoding_sent(serve_app) -> None:
    async def handler(request: Request) -> Response:
        return Response(text=request.headers["Accept-Encoding"])

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession() as session, session.get(url) as resp:
        offered = [c.strip() for c in (await resp.text()).split(",")]
    assert offered[:2] == ["gzip", "deflate"]


# -- faults --------------------------------------------------------------------


async def test_malformed_status_line(raw_server) -> None:
    url = await raw_server(answer(b"HTTP/1.1 2x0 OK\r\n\r\n"))
    async with ClientSession() as session:
        with pytest.raises(ClientResponseError) as info:
            await session.get(url)
    assert info.value.status == 400
    assert info.value.request_info.url == url


@pytest.mark.parametrize(("extra", "fails"), [(0, False), (1, True)])
async def test_header_field_limit(raw_server, extra: int, fails: bool) -> None:
    # max_field_size counts the whole field line: "X: " plus the value.
    limit = 100
    value = b"v" * (limit - 3 + extra)
    url = await raw_server(
        answer(b"HTTP/1.1 200 OK\r\nX: " + value + b"\r\nContent-Length: 0\r\n\r\n")
    )
    async with ClientSession(max_field_size=limit) as session:
        if fails:
            with pytest.raises(ClientResponseError) as info:
                await session.get(url)
            assert info.value.status == 400
        else:
            async with session.get(url) as resp:
                assert resp.headers["X"] == value.decode()
    async with ClientSession() as session:  # per request as well
        if fails:
            with pytest.raises(ClientResponseError):
                await session.get(url, max_field_size=limit)


@pytest.mark.parametrize(("extra", "fails"), [(0, False), (1, True)])
async def test_status_line_limit(raw_server, extra: int, fails: bool) -> None:
    line = b"HTTP/1.1 200 " + b"R" * 20
    limit = len(line) - extra
    url = await raw_server(answer(line + b"\r\nContent-Length: 0\r\n\r\n"))
    async with ClientSession(max_line_size=limit) as session:
        if fails:
            with pytest.raises(ClientResponseError):
                await session.get(url)
        else:
            async with session.get(url) as resp:
                assert resp.status == 200


async def test_body_shorter_than_content_length(raw_server) -> None:
    url = await raw_server(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))
    async with ClientSession() as session, session.get(url) as resp:
        with pytest.raises(ClientPayloadError):
            await resp.read()
        assert resp.closed


async def test_invalid_chunking(raw_server) -> None:
    url = await raw_server(
        answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n")
    )
    async with ClientSession() as session:
        # The bad chunk may arrive with the head or after it.
        with pytest.raises(ClientPayloadError):
            async with session.get(url) as resp:
                await resp.read()


async def test_close_mid_chunked_body(raw_server) -> None:
    url = await raw_server(
        answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
    )
    async with ClientSession() as session, session.get(url) as resp:
        with pytest.raises(ClientPayloadError):
            await resp.text()


async def test_nothing_at_all(raw_server) -> None:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_head(reader)

    url = await raw_server(handler)
    async with ClientSession() as session:
        with pytest.raises(ServerDisconnectedError):
            await session.get(url)


async def test_partial_head_then_close(raw_server) -> None:
    url = await raw_server(answer(b"HTTP/1.1 200 OK\r\nContent-Le"))
    async with ClientSession() as session:
        with pytest.raises(ServerDisconnectedError):
            await session.get(url)


async def test_broken_connection_not_pooled(raw_server) -> None:
    connections = 0

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                await read_head(reader)
            except asyncio.IncompleteReadError:
                return
            if connections == 1:
                # a bad chunk: the connection is broken after this
                writer.write(
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
                )
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    url = await raw_server(handler)
    async with ClientSession() as session:
        with pytest.raises(ClientPayloadError):
            async with session.get(url) as resp:
                await resp.read()
        async with session.get(url) as resp:
            assert await resp.read() == b"ok"
    assert connections == 2


async def test_read_until_eof(raw_server) -> None:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.05)  # the body comes after the head
        writer.write(b"until the end")
        await writer.drain()

    url = await raw_server(handler)
    async with ClientSession() as session:
        async with session.get(url) as resp:
            assert await resp.read() == b"until the end"
        async with session.get(url, read_until_eof=False) as resp:
            assert await resp.read() == b""


async def test_informational_heads_are_skipped(raw_server) -> None:
    url = await raw_server(
        answer(
            b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        )
    )
    async with ClientSession() as session, session.get(url) as resp:
        assert resp.status == 200
        assert await resp.read() == b"ok"


async def test_head_response_has_no_body(raw_server) -> None:
    url = await raw_server(
        answer(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", close=False)
    )
    async with ClientSession() as session:
        async with session.head(url) as resp:
            assert resp.headers["Content-Length"] == "1000"
            assert await resp.read() == b""
        async with session.head(url) as resp:  # the same connection again
            assert resp.status == 200


async def test_read_bufsize(serve_app) -> None:
    async def handler(request: Request) -> Response:
        return Response(body=b"z" * 10)

    url = await app_url(serve_app, {"/": handler})
    async with ClientSession(read_bufsize=2) as session:
        async with session.get(url) as resp:
            assert resp.content.get_read_buffer_limits() == (2, 4)
            assert await resp.read() == b"z" * 10
        async with session.get(url, read_bufsize=3) as resp:
            assert resp.content.get_read_buffer_limits() == (3, 6)
            await resp.read()


async def test_response_after_connector_closed(serve_app) -> None:
    async def handler(request: Request) -> Response:
        return Response(body=b"abc")

    url = await app_url(serve_app, {"/": handler})
    connector = TCPConnector()
    session = ClientSession(connector=connector)
    resp = await session.get(url)
    assert await resp.read() == b"abc"
    await session.close()
    assert session.closed
    assert await resp.read() == b"abc"  # already read: still there
