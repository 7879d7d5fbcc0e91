"""StreamResponse, Response and json_response: properties, then over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import gzip
import io
import json
import zlib
from typing import Any

import brotli
import pytest
from multidict import CIMultiDict

from aiohttp_core.etag import ETag
from aiohttp_core.payload import BytesIOPayload
from aiohttp_testing.pytest_plugin import AiohttpClient, AiohttpRawServer
from aiohttp_testing.servers import RawTestServer
from aiohttp_web.request import BaseRequest
from aiohttp_web.response import (
    ContentCoding,
    Response,
    StreamResponse,
    json_response,
)


async def raw_exchange(server: RawTestServer, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(data)
        return await asyncio.wait_for(reader.read(), 3)
    finally:
        writer.close()


# -- properties (no request needed) -----------------------------------------------


def test_status_and_reason() -> None:
    resp = StreamResponse()
    assert (resp.status, resp.reason) == (200, "OK")
    resp.set_status(404)
    assert resp.reason == "Not Found"
    resp.set_status(599, "Custom")
    assert (resp.status, resp.reason) == (599, "Custom")
    assert StreamResponse(status=299).reason == ""
    with pytest.raises(ValueError, match="CR, LF"):
        resp.set_status(200, "OK\r\nX-Injected: 1")
    with pytest.raises(ValueError, match=r"100\.\.999"):
        StreamResponse(status=42)


def test_headers_given_are_copied() -> None:
    given = {"X-A": "1"}
    resp = StreamResponse(headers=given)
    resp.headers["X-B"] = "2"
    assert given == {"X-A": "1"}
    assert isinstance(resp.headers, CIMultiDict)


def test_content_type_and_charset() -> None:
    resp = StreamResponse()
    assert resp.content_type == "application/octet-stream"
    with pytest.raises(RuntimeError, match="octet-stream"):
        resp.charset = "utf-8"
    resp.content_type = "text/html"
    resp.charset = "UTF-8"
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.charset == "utf-8"
    resp.content_type = "text/plain"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    resp.charset = None
    assert resp.headers["Content-Type"] == "text/plain"
    with pytest.raises(ValueError, match="CR, LF"):
        resp.content_type = "text/plain\r\nX: y"


def test_content_length_and_chunked_exclude_each_other() -> None:
    resp = StreamResponse()
    assert resp.content_length is None
    resp.content_length = 5
    assert resp.headers["Content-Length"] == "5"
    with pytest.raises(RuntimeError, match="content length"):
        resp.enable_chunked_encoding()
    resp.content_length = None
    resp.enable_chunked_encoding()
    assert resp.chunked
    with pytest.raises(RuntimeError, match="chunked"):
        resp.content_length = 1
    with pytest.raises(ValueError, match="negative"):
        StreamResponse().content_length = -1


def test_last_modified() -> None:
    resp = StreamResponse()
    assert resp.last_modified is None
    resp.last_modified = 0
    assert resp.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    resp.last_modified = 0.5  # rounded up
    assert resp.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:01 GMT"
    when = datetime.datetime(2020, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)
    resp.last_modified = when
    assert resp.last_modified == when
    resp.last_modified = "Mon, 03 Feb 2020 04:05:06 GMT"
    assert resp.last_modified == when
    resp.last_modified = None
    assert "Last-Modified" not in resp.headers
    with pytest.raises(TypeError):
        resp.last_modified = object()  # type: ignore[assignment]


def test_etag() -> None:
    resp = StreamResponse()
    assert resp.etag is None
    resp.etag = "abc"
    assert resp.headers["ETag"] == '"abc"'
    assert resp.etag == ETag("abc")
    resp.etag = ETag("w", is_weak=True)
    assert resp.headers["ETag"] == 'W/"w"'
    assert resp.etag == ETag("w", is_weak=True)
    resp.etag = "*"
    assert resp.etag == ETag("*")
    resp.etag = None
    assert "ETag" not in resp.headers
    with pytest.raises(ValueError, match="etag"):
        resp.etag = 'bad"quote'
    with pytest.raises(ValueError, match="Unsupported"):
        resp.etag = 1  # type: ignore[assignment]


def test_cookies() -> None:
    resp = StreamResponse()
    resp.set_cookie(
        "name",
        "value",
        path="/p",
        domain="example.com",
        max_age=10,
        secure=True,
        httponly=True,
        samesite="Lax",
        expires="Thu, 01 Jan 2099 00:00:00 GMT",
    )
    morsel = resp.cookies["name"]
    assert morsel.value == "value"
    assert morsel["path"] == "/p"
    assert morsel["max-age"] == 10
    assert morsel["samesite"] == "Lax"
    resp.del_cookie("name", path="/p")
    morsel = resp.cookies["name"]
    assert morsel.value == ""
    assert morsel["max-age"] == 0
    assert morsel["samesite"] == ""  # nothing survives from the earlier call
    with pytest.raises(ValueError, match="CR, LF"):
        resp.set_cookie("x", "y", path="/\r\nX: 1")


def test_compression_flags() -> None:
    resp = StreamResponse()
    assert not resp.compression
    resp.enable_compression()
    assert resp.compression
    resp.enable_compression(ContentCoding.gzip, strategy=zlib.Z_FILTERED)
    resp.enable_compression("br")
    with pytest.raises(ValueError, match="nope"):
        resp.enable_compression("nope")


def test_response_is_a_mapping_that_is_always_true() -> None:
    resp = StreamResponse()
    assert bool(resp)
    resp["k"] = 1
    assert dict(resp) == {"k": 1}
    assert len(resp) == 1
    del resp["k"]
    assert resp == resp
    assert resp != StreamResponse()
    assert repr(resp) == "<StreamResponse OK not prepared>"
    assert not resp.prepared
    assert resp.task is None
    assert resp.keep_alive is None
    resp.force_close()
    assert resp.keep_alive is False


def test_response_body_and_text() -> None:
    resp = Response(body=b"bytes")
    assert resp.body == b"bytes"
    assert resp.content_type == "application/octet-stream"
    assert resp.content_length == 5
    text = Response(text="héllo")
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.body == "héllo".encode()
    assert text.text == "héllo"
    latin = Response(text="é", content_type="text/html", charset="latin-1")
    assert latin.body == b"\xe9"
    assert latin.headers["Content-Type"] == "text/html; charset=latin-1"
    latin.text = "ü"
    assert latin.body == b"\xfc"
    resp.text = "now text"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    with pytest.raises(RuntimeError, match="automatically"):
        resp.content_length = 3
    assert Response().body is None
    assert Response().text is None
    assert Response(body=bytearray(b"ab")).body == b"ab"


def test_response_str_body_is_a_string_payload() -> None:
    resp = Response()
    resp.body = "text"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.text == "text"
    assert resp.content_length == 4


def test_response_argument_errors() -> None:
    with pytest.raises(ValueError, match="together"):
        Response(body=b"a", text="b")
    with pytest.raises(ValueError, match="charset"):
        Response(text="a", content_type="text/plain; charset=utf-8")
    with pytest.raises(ValueError, match="forbidden"):
        Response(text="a", headers={"Content-Type": "text/plain"}, charset="utf-8")
    with pytest.raises(TypeError):
        Response(text=b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Unsupported body"):
        Response(body=object())


def test_text_with_content_type_header() -> None:
    resp = Response(text="x", headers={"Content-Type": "text/html"})
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"


def test_json_response() -> None:
    resp = json_response({"a": [1, 2]})
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(resp.text or "") == {"a": [1, 2]}
    custom = json_response([1], dumps=lambda d: "[42]", status=201)
    assert (custom.status, custom.text) == (201, "[42]")
    assert json_response(text="{}").text == "{}"
    with pytest.raises(ValueError, match="only one"):
        json_response({"a": 1}, text="{}")


# -- over a socket ----------------------------------------------------------------


async def test_prepare_sends_default_headers_and_cookies(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text="hi")
        resp.set_cookie("a", "b", partitioned=True, secure=True)
        return resp

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    r = await client.get("/")
    assert r.status == 200
    assert await r.text() == "hi"
    assert r.headers["Server"].startswith("Python/")
    assert "Date" in r.headers
    assert r.headers["Set-Cookie"] == "a=b; Path=/; Secure; Partitioned"


async def test_stream_response_writes_and_state_errors(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    errors: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        with contextlib.suppress(RuntimeError):
            await resp.write(b"early")
            errors.append("write before prepare allowed")
        with pytest.raises(TypeError):
            await resp.write("text")  # type: ignore[arg-type]
        writer = await resp.prepare(request)
        assert writer is not None
        assert await resp.prepare(request) is writer
        assert resp.prepared
        assert resp.task is asyncio.current_task()
        with pytest.raises(RuntimeError):
            resp.set_status(201)
        await resp.write(b"one,")
        await resp.write(memoryview(b"two"))
        await resp.drain()
        await resp.write_eof(b",end")
        with pytest.raises(RuntimeError, match="after write_eof"):
            await resp.write(b"late")
        await resp.write_eof()
        assert await resp.prepare(request) is None
        return resp

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    r = await client.get("/")
    assert r.headers["Transfer-Encoding"] == "chunked"
    assert await r.read() == b"one,two,end"
    assert not errors


async def test_http10_stream_without_length_ends_with_the_connection(
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        await resp.write(b"data")
        return resp

    data = await raw_exchange(
        await aiohttp_raw_server(handler),
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    )
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding" not in head
    assert b"Connection: keep-alive" not in head
    assert body == b"data"


async def test_chunked_refused_for_http10(
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        return resp

    server = await aiohttp_raw_server(handler)
    data = await raw_exchange(server, b"GET / HTTP/1.0\r\n\r\n")
    assert data.startswith(b"HTTP/1.0 500 ")


async def test_bad_header_value_gives_a_500_instead(
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(text="x")
        resp.headers["X-Bad"] = "a\r\nX-Injected: 1"
        return resp

    server = await aiohttp_raw_server(handler)
    data = await raw_exchange(server, b"GET / HTTP/1.1\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b"X-Injected" not in data


@pytest.mark.parametrize("status", [204, 304, 100])
async def test_statuses_without_body(
    status: int, aiohttp_raw_server: AiohttpRawServer
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(status=status, body=b"ignored")

    data = await raw_exchange(
        await aiohttp_raw_server(handler),
        b"GET / HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    first, _, rest = data.partition(b"\r\n\r\n")
    assert b"ignored" not in data
    assert b"Transfer-Encoding" not in first
    assert (b"Content-Length: 7" in first) == (status == 304)
    assert rest.startswith(b"HTTP/1.1 %d " % status)


async def test_json_response_over_the_wire(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return json_response({"ok": True})

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    r = await client.get("/")
    assert await r.json() == {"ok": True}


async def test_payload_body(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(body=BytesIOPayload(io.BytesIO(b"from a file-like")))

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    r = await client.get("/")
    assert await r.read() == b"from a file-like"
    assert r.headers["Content-Length"] == "16"
    h = await client.head("/")
    assert await h.read() == b""


# -- compression ------------------------------------------------------------------

BIG = b"compressible " * 2000


def _decode(coding: str, data: bytes) -> bytes:
    if coding == "gzip":
        return gzip.decompress(data)
    if coding == "deflate":
        return zlib.decompress(data)
    return bytes(brotli.decompress(data))


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br", "gzip"),
        ("deflate", "deflate"),
        ("br;q=1, gzip;q=0.5", "br"),
        ("gzip;q=0, *", "deflate"),
        ("GZIP", "gzip"),
    ],
)
async def test_response_compression_negotiated(
    accept: str, coding: str, aiohttp_raw_server: AiohttpRawServer
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(body=BIG)
        resp.enable_compression()
        return resp

    data = await raw_exchange(
        await aiohttp_raw_server(handler),
        b"GET / HTTP/1.1\r\nAccept-Encoding: %s\r\nConnection: close\r\n\r\n"
        % accept.encode(),
    )
    head, _, body = data.partition(b"\r\n\r\n")
    assert f"Content-Encoding: {coding}".encode() in head
    assert f"Content-Length: {len(body)}".encode() in head
    assert b"Vary: Accept-Encoding" in head
    assert _decode(coding, body) == BIG


@pytest.mark.parametrize(
    "accept", ["", "identity", "gzip;q=0, deflate;q=0, br;q=0", "x"]
)
async def test_no_acceptable_coding_means_no_compression(
    accept: str, aiohttp_raw_server: AiohttpRawServer
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(body=BIG)
        resp.enable_compression()
        return resp

    data = await raw_exchange(
        await aiohttp_raw_server(handler),
        b"GET / HTTP/1.1\r\nAccept-Encoding: %s\r\nConnection: close\r\n\r\n"
        % accept.encode(),
    )
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Content-Encoding" not in head
    assert body == BIG


async def test_forced_compression_ignores_accept_encoding(
    aiohttp_raw_server: AiohttpRawServer,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(body=BIG, zlib_executor_size=1024)
        resp.enable_compression(ContentCoding.deflate)
        return resp

    server = await aiohttp_raw_server(handler)
    data = await raw_exchange(server, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"Content-Encoding: deflate" in head
    assert b"Vary" not in head
    assert zlib.decompress(body) == BIG


async def test_stream_response_compression_is_chunked(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        resp.enable_compression()
        await resp.prepare(request)
        for _ in range(4):
            await resp.write(BIG)
        return resp

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    r = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Transfer-Encoding"] == "chunked"
    assert await r.read() == BIG * 4


async def test_already_encoded_body_is_not_compressed_again(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(body=gzip.compress(b"x"), headers={"Content-Encoding": "gzip"})
        resp.enable_compression()
        return resp

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    r = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert await r.read() == b"x"


async def test_head_response_is_not_compressed(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        resp = Response(body=BIG)
        resp.enable_compression()
        return resp

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    r = await client.head("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r.headers
    assert r.headers["Content-Length"] == str(len(BIG))


async def test_prepare_hook_runs_before_the_head_is_sent(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    class HookedRequest(BaseRequest):
        async def _prepare_hook(self, response: StreamResponse) -> None:
            response.headers["X-Hooked"] = self.method

    def factory(
        message: Any, payload: Any, protocol: Any, writer: Any, task: Any
    ) -> BaseRequest:
        return HookedRequest(
            message, payload, protocol, writer, task, asyncio.get_running_loop()
        )

    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="x")

    server = await aiohttp_raw_server(handler, request_factory=factory)
    client = await aiohttp_client(server)
    r = await client.get("/")
    assert r.headers["X-Hooked"] == "GET"
