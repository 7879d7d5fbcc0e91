"""BaseRequest and Request: built from real parsed messages and real streams."""

from __future__ import annotations

import asyncio
import datetime
import socket
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_core.etag import ETag
from aiohttp_core.http_messages import HttpVersion10, HttpVersion11, RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.http_receiver import HttpReceiver
from aiohttp_core.http_writer import StreamWriter
from aiohttp_web.app_key import AppKey
from aiohttp_web.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from aiohttp_web.request import BaseRequest, FileField, Request
from aiohttp_web.response import Response, StreamResponse
from aiohttp_web.server import Server


async def _never(request: BaseRequest) -> StreamResponse:
    return Response()


def make_request(
    raw: bytes, *, cls: type[BaseRequest] = BaseRequest, **kwargs: Any
) -> BaseRequest:
    """Parse ``raw`` with the real parser into a request (no socket)."""
    loop = asyncio.get_running_loop()
    protocol = Server(_never)()
    receiver = HttpReceiver[RawRequestMessage](HttpRequestParser(), protocol, loop=loop)
    messages, _, _ = receiver.feed_data(raw)
    message, payload = messages[0]
    writer = StreamWriter(protocol, loop)
    task = asyncio.current_task()
    assert task is not None
    return cls(message, payload, protocol, writer, task, loop, **kwargs)  # type: ignore[arg-type]


def get(target: str = "/", headers: str = "", version: str = "1.1") -> bytes:
    return f"GET {target} HTTP/{version}\r\n{headers}\r\n".encode()


def post(body: bytes, headers: str = "") -> bytes:
    return (
        f"POST / HTTP/1.1\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode()
        + body
    )


# -- the request line --------------------------------------------------------------


async def test_request_line_properties() -> None:
    req = make_request(get("/p%2Fq/r%20s?a=1&b=x%20y#frag", "Host: example.com:81\r\n"))
    assert req.method == "GET"
    assert req.version == HttpVersion11
    assert req.path == "/p/q/r s"
    assert req.raw_path == "/p%2Fq/r%20s?a=1&b=x%20y"
    assert req.rel_url.path_safe == "/p%2Fq/r s"
    assert req.query_string == "a=1&b=x y"
    assert req.query["b"] == "x y"
    assert req.path_qs == "/p/q/r s?a=1&b=x y"
    assert req.host == "example.com:81"
    assert req.url == URL("http://example.com:81/p%2Fq/r%20s?a=1&b=x%20y#frag")
    assert req.scheme == "http"
    assert not req.secure
    assert repr(req) == "<BaseRequest GET /p%2Fq/r%20s?a=1&b=x%20y>"


async def test_absolute_form_target_is_relative_and_gives_the_host() -> None:
    req = make_request(get("http://proxy.example:8080/a?b=1", "Host: ignored\r\n"))
    assert req.rel_url == URL("/a?b=1")
    assert not req.rel_url.absolute
    assert req.host == "proxy.example:8080"
    assert req.url == URL("http://proxy.example:8080/a?b=1")


async def test_url_cannot_be_moved_to_another_host_by_the_path() -> None:
    req = make_request(get("//evil.example/x", "Host: good.example\r\n"))
    assert req.url.host == "good.example"
    assert req.url.raw_path == "//evil.example/x"


async def test_host_falls_back_to_this_machine() -> None:
    req = make_request(get("/", version="1.0"))
    assert req.host == socket.getfqdn()
    assert req.version == HttpVersion10
    assert not req.keep_alive


async def test_no_transport_means_no_remote() -> None:
    req = make_request(get())
    assert req.transport is None
    assert req.remote is None
    assert req.get_extra_info("peername", "dflt") == "dflt"


# -- header fields ------------------------------------------------------------------


async def test_headers_and_raw_headers() -> None:
    req = make_request(get("/", "X-A: 1\r\nx-a: 2\r\nHost: h\r\n"))
    assert req.headers.getall("X-A") == ["1", "2"]
    assert req.raw_headers == ((b"X-A", b"1"), (b"x-a", b"2"), (b"Host", b"h"))
    assert req.keep_alive


async def test_cookies_are_parsed_leniently() -> None:
    req = make_request(
        get("/", 'Cookie: a=1; b="q\\"uoted"; bad cookie=x; =nope; a=second\r\n')
    )
    assert dict(req.cookies) == {"a": "1", "b": 'q"uoted'}
    with pytest.raises(TypeError):
        req.cookies["c"] = "x"  # type: ignore[index]


async def test_content_type_charset_length() -> None:
    req = make_request(post(b"abc", "Content-Type: Text/HTML; Charset=latin-1\r\n"))
    assert req.content_type == "text/html"
    assert req.charset == "latin-1"
    assert req.content_length == 3
    bare = make_request(get())
    assert bare.content_type == "application/octet-stream"
    assert bare.charset is None
    assert bare.content_length is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, slice(None, None, 1)),
        ("bytes=0-499", slice(0, 500, 1)),
        ("bytes=500-", slice(500, None, 1)),
        ("bytes=-500", slice(-500, None, 1)),
        ("BYTES=1-1", slice(1, 2, 1)),
    ],
)
async def test_http_range(value: str | None, expected: slice) -> None:
    header = "" if value is None else f"Range: {value}\r\n"
    assert make_request(get("/", header)).http_range == expected


@pytest.mark.parametrize(
    "value",
    [
        "bytes=5-1",
        "bytes=-",
        "bytes=1-2,4-5",
        "items=1-2",
        "bytes=-0",
        "bytes=\u0661-2",
    ],
)
async def test_http_range_malformed(value: str) -> None:
    req = make_request(get("/", f"Range: {value}\r\n"))
    with pytest.raises(ValueError, match=r"range|start"):
        _ = req.http_range


async def test_conditional_headers() -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    expected = datetime.datetime(2015, 10, 21, 7, 28, tzinfo=datetime.timezone.utc)
    req = make_request(
        get(
            "/",
            f"If-Modified-Since: {date}\r\nIf-Unmodified-Since: {date}\r\n"
            f'If-Range: {date}\r\nIf-Match: "a", W/"b"\r\nIf-None-Match: *\r\n',
        )
    )
    assert req.if_modified_since == expected
    assert req.if_unmodified_since == expected
    assert req.if_range == expected
    assert req.if_match == (ETag("a"), ETag("b", is_weak=True))
    assert req.if_none_match == (ETag("*"),)
    bare = make_request(get("/", "If-Modified-Since: yesterday\r\n"))
    assert bare.if_modified_since is None
    assert bare.if_match is None
    assert bare.if_none_match is None


async def test_forwarded() -> None:
    req = make_request(
        get(
            "/",
            "Forwarded: for=192.0.2.60;proto=http;By=203.0.113.43, "
            'for="[2001:db8::1]"\r\n'
            'Forwarded: for=x;bad value, host="a\\"b"\r\n',
        )
    )
    fwd = req.forwarded
    assert len(fwd) == 4
    assert dict(fwd[0]) == {"for": "192.0.2.60", "proto": "http", "by": "203.0.113.43"}
    assert dict(fwd[1]) == {"for": "[2001:db8::1]"}
    assert dict(fwd[2]) == {}
    assert dict(fwd[3]) == {"host": 'a"b'}
    assert make_request(get()).forwarded == ()


# -- clone and storage ----------------------------------------------------------------


async def test_clone_replaces_what_is_given() -> None:
    req = make_request(get("/a?x=1", "Host: h\r\n"))
    req["key"] = "value"
    new = req.clone(
        method="POST",
        rel_url="/b?y=2",
        headers={"X-New": "1"},
        scheme="https",
        host="other",
        remote="10.1.2.3",
        client_max_size=5,
    )
    assert new.method == "POST"
    assert new.path == "/b"
    assert new.query_string == "y=2"
    assert new.headers == CIMultiDict({"X-New": "1"})
    assert new.raw_headers == ((b"X-New", b"1"),)
    assert new.url == URL("https://other/b?y=2")
    assert new.secure
    assert new.remote == "10.1.2.3"
    assert new.client_max_size == 5
    assert new["key"] == "value"
    new["key"] = "changed"
    assert req["key"] == "value"
    same = req.clone()
    assert same.path == "/a"
    assert same is not req
    with pytest.raises(ValueError, match="relative"):
        req.clone(rel_url="http://x/")


async def test_request_is_a_mutable_mapping_with_app_keys() -> None:
    req = make_request(get())
    key = AppKey("key", int)
    req[key] = 3
    req["plain"] = "x"
    assert req[key] == 3
    assert len(req) == 2
    assert set(req) == {key, "plain"}
    del req["plain"]
    assert "plain" not in req
    assert bool(make_request(get()))
    assert req == req
    assert req != make_request(get())
    assert hash(req) == id(req)


async def test_request_without_routing() -> None:
    req = make_request(get(), cls=Request)
    assert isinstance(req, Request)
    assert req.match_info is None
    with pytest.raises(RuntimeError, match="routing"):
        _ = req.app
    assert dict(req.config_dict) == {}
    clone = req.clone(method="PUT")
    assert isinstance(clone, Request)


# -- the body -------------------------------------------------------------------------


async def test_read_is_cached_and_text_decodes() -> None:
    req = make_request(
        post("héllo".encode("latin-1"), "Content-Type: text/plain; charset=latin-1\r\n")
    )
    assert req.body_exists
    assert req.can_read_body
    assert await req.read() == b"h\xe9llo"
    assert not req.can_read_body
    assert await req.read() == b"h\xe9llo"
    assert await req.text() == "héllo"


async def test_text_with_undecodable_body_is_400() -> None:
    req = make_request(post(b"\xff\xfe"))
    with pytest.raises(HTTPBadRequest):
        await req.text()
    unknown = make_request(post(b"x", "Content-Type: text/plain; charset=nope\r\n"))
    with pytest.raises(HTTPBadRequest):
        await unknown.text()


async def test_no_body() -> None:
    req = make_request(get())
    assert not req.body_exists
    assert not req.can_read_body
    assert await req.read() == b""


async def test_json() -> None:
    req = make_request(post(b'{"a": 1}', "Content-Type: application/json\r\n"))
    assert await req.json() == {"a": 1}
    problem = make_request(post(b"[1]", "Content-Type: application/problem+json\r\n"))
    assert await problem.json() == [1]
    wrong = make_request(post(b"[1]", "Content-Type: text/plain\r\n"))
    with pytest.raises(HTTPBadRequest) as info:
        await wrong.json()
    assert "unexpected mimetype: text/plain" in (info.value.text or "")
    unchecked = make_request(post(b"[2]", "Content-Type: text/plain\r\n"))
    assert await unchecked.json(content_type=None) == [2]
    custom = make_request(post(b"[3]", "Content-Type: text/x-json\r\n"))
    assert await custom.json(content_type="text/x-json", loads=lambda s: s) == "[3]"


async def test_read_over_client_max_size_by_declared_length() -> None:
    req = make_request(
        b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", client_max_size=10
    )
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.read()
    assert info.value.actual_size == 11
    assert info.value.status == 413


async def test_read_at_client_max_size() -> None:
    req = make_request(post(b"0123456789"), client_max_size=10)
    assert await req.read() == b"0123456789"


async def test_read_over_client_max_size_while_streaming() -> None:
    req = make_request(
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\n01234\r\n6\r\n567890\r\n",
        client_max_size=10,
    )
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.read()
    assert info.value.actual_size == 11


async def test_client_max_size_zero_means_no_limit() -> None:
    req = make_request(post(b"x" * 5000), client_max_size=0)
    assert len(await req.read()) == 5000


async def test_post_urlencoded() -> None:
    body = b"login=me&password=s%20cret&empty=&login=again"
    req = make_request(
        post(body, "Content-Type: application/x-www-form-urlencoded\r\n")
    )
    form = await req.post()
    assert form.getall("login") == ["me", "again"]
    assert form["password"] == "s cret"
    assert form["empty"] == ""
    assert await req.post() is form


async def test_post_without_content_type_is_urlencoded() -> None:
    req = make_request(post(b"a=1"))
    assert dict(await req.post()) == {"a": "1"}


async def test_post_other_content_or_method_is_empty() -> None:
    assert not await make_request(
        post(b"{}", "Content-Type: application/json\r\n")
    ).post()
    assert not await make_request(get("/?a=1")).post()


async def test_post_urlencoded_over_client_max_size() -> None:
    req = make_request(post(b"a=" + b"x" * 10), client_max_size=11)
    with pytest.raises(HTTPRequestEntityTooLarge):
        await req.post()


def _multipart(*parts: tuple[str, bytes]) -> bytes:
    chunks = []
    for disposition, data in parts:
        chunks.append(b"--B\r\n" + disposition.encode() + b"\r\n\r\n" + data + b"\r\n")
    body = b"".join(chunks) + b"--B--\r\n"
    return post(body, "Content-Type: multipart/form-data; boundary=B\r\n")


async def test_post_multipart_with_a_file() -> None:
    req = make_request(
        _multipart(
            ('Content-Disposition: form-data; name="name"', b"value"),
            (
                'Content-Disposition: form-data; name="up"; filename="a.txt"\r\n'
                "Content-Type: text/x-demo",
                b"file data",
            ),
            (
                'Content-Disposition: form-data; name="bin"\r\n'
                "Content-Type: application/octet-stream",
                b"\x00\x01",
            ),
        )
    )
    form = await req.post()
    assert form["name"] == "value"
    assert form["bin"] == b"\x00\x01"
    upload = form["up"]
    assert isinstance(upload, FileField)
    try:
        assert upload.name == "up"
        assert upload.filename == "a.txt"
        assert upload.content_type == "text/x-demo"
        assert upload.file.read() == b"file data"
        assert upload.headers["Content-Type"] == "text/x-demo"
    finally:
        upload.file.close()


async def test_post_multipart_fields_count_together_against_the_limit() -> None:
    req = make_request(
        _multipart(
            ('Content-Disposition: form-data; name="a"', b"12345"),
            ('Content-Disposition: form-data; name="b"', b"678901"),
        ),
        client_max_size=10,
    )
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.post()
    assert info.value.actual_size == 11


async def test_post_multipart_at_the_limit() -> None:
    req = make_request(
        _multipart(
            ('Content-Disposition: form-data; name="a"', b"12345"),
            ('Content-Disposition: form-data; name="b"', b"67890"),
        ),
        client_max_size=10,
    )
    assert dict(await req.post()) == {"a": "12345", "b": "67890"}


async def test_multipart_reader() -> None:
    req = make_request(_multipart(('Content-Disposition: form-data; name="a"', b"v")))
    reader = await req.multipart()
    part = await reader.next()
    assert part is not None
    assert await part.read() == b"v"  # type: ignore[union-attr]


async def test_release_drops_the_rest_of_the_body() -> None:
    req = make_request(post(b"abcdef"))
    assert await req.content.read(2) == b"ab"
    await req.release()
    assert req.content.at_eof()
