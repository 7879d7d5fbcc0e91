"""ClientRequest: what goes on the wire for each kind of request argument."""

from __future__ import annotations

import asyncio
import io
import json
import zlib
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict, MultiDict
from yarl import URL

from aiohttp_client import (
    ClientRequest,
    ClientSession,
    InvalidURL,
    InvalidUrlClientError,
    NonHttpUrlClientError,
)
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.formdata import FormData
from aiohttp_core.http_messages import HttpVersion10
from aiohttp_core.payload import BytesPayload, StringPayload

Capture = list[tuple[bytes, bytes]]


async def capture_server(
    raw_server, captured: Capture, *, status: bytes = b"200 OK"
) -> URL:
    """A server that records each request's head and de-framed body."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            lower = head.lower()
            body = b""
            if b"expect: 100-continue" in lower:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if b"transfer-encoding: chunked" in lower:
                while True:
                    size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
                    chunk = await reader.readexactly(size + 2)
                    if size == 0:
                        break
                    body += chunk[:-2]
            else:
                for line in lower.split(b"\r\n"):
                    if line.startswith(b"content-length:"):
                        body = await reader.readexactly(int(line.split(b":")[1]))
            captured.append((head, body))
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    return await raw_server(handler)


def header(head: bytes, name: bytes) -> bytes | None:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def request_line(head: bytes) -> bytes:
    return head.split(b"\r\n", 1)[0]


async def test_default_head(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session, session.get(url / "p" % {"q": "1"}) as resp:
        assert await resp.read() == b"ok"
    head, body = captured[0]
    assert request_line(head) == b"GET /p?q=1 HTTP/1.1"
    # Host first, without the default port.
    assert head.split(b"\r\n")[1] == b"Host: " + url.raw_authority.encode()
    assert header(head, b"Accept") == b"*/*"
    assert header(
        head,
        b"User-Agent",
    ).startswith(b"Python/")  # type: ignore[union-attr]
    assert header(head, b"Content-Length") is None
    assert body == b""


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ({"a": "1", "b": 2}, b"x=0&a=1&b=2"),
        ([("k", "v1"), ("k", "v2")], b"x=0&k=v1&k=v2"),
        (MultiDict([("k", "1"), ("k", "2")]), b"x=0&k=1&k=2"),
        ("key=value+1", b"x=0&key=value+1"),
        ({"sp": "a b&c"}, b"x=0&sp=a+b%26c"),
    ],
)
async def test_params(raw_server, params: object, query: bytes) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with (
        ClientSession() as session,
        session.get(url.with_query(x=0), params=params) as resp,
    ):
        await resp.read()
        assert resp.url.raw_query_string.encode() == query
    assert request_line(captured[0][0]) == b"GET /?" + query + b" HTTP/1.1"


async def test_fragment_not_sent(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with (
        ClientSession() as session,
        session.get(url.with_path("/a").with_fragment("frag")) as resp,
    ):
        await resp.read()
    assert request_line(captured[0][0]) == b"GET /a HTTP/1.1"


async def test_encoded_url_kept(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session:
        async with session.get(URL(f"{url}/%30", encoded=True)) as resp:
            await resp.read()
        async with session.get(f"{url}/%30") as resp:
            await resp.read()
    assert request_line(captured[0][0]) == b"GET /%30 HTTP/1.1"
    assert request_line(captured[1][0]) == b"GET /0 HTTP/1.1"


@pytest.mark.parametrize(
    ("data", "ctype", "body"),
    [
        (b"\x00Binary-data\x00", b"application/octet-stream", b"\x00Binary-data\x00"),
        (bytearray(b"ba"), b"application/octet-stream", b"ba"),
        ("Тест", b"text/plain; charset=utf-8", "Тест".encode()),
        (
            {"key1": "value1", "key2": "v 2"},
            b"application/x-www-form-urlencoded",
            b"key1=value1&key2=v+2",
        ),
        ([("k", "1"), ("k", "2")], b"application/x-www-form-urlencoded", b"k=1&k=2"),
        (io.BytesIO(b"from a file"), b"application/octet-stream", b"from a file"),
        (
            StringPayload("payload", content_type="text/x-mine"),
            b"text/x-mine",
            b"payload",
        ),
    ],
)
async def test_data_kinds(raw_server, data: object, ctype: bytes, body: bytes) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session, session.post(url, data=data) as resp:
        await resp.read()
    head, got = captured[0]
    assert header(head, b"Content-Type") == ctype
    assert header(head, b"Content-Length") == str(len(body)).encode()
    assert got == body


async def test_json_and_custom_serializer(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with (
        ClientSession(
            json_serialize=lambda o: json.dumps(o, separators=(",", ":"))
        ) as s,
        s.post(url, json={"test": "object", "n": [1]}) as resp,
    ):
        await resp.read()
    head, body = captured[0]
    assert header(head, b"Content-Type") == b"application/json"
    assert body == b'{"test":"object","n":[1]}'
    async with ClientSession() as s:
        with pytest.raises(ValueError, match="data and json"):
            await s.post(url, json={}, data=b"x")


async def test_async_generator_streamed_chunked(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)

    async def gen() -> AsyncIterator[bytes]:
        for i in range(3):
            yield b"part%d" % i
            await asyncio.sleep(0)

    async with ClientSession() as session, session.post(url, data=gen()) as resp:
        await resp.read()
    head, body = captured[0]
    assert header(head, b"Transfer-Encoding") == b"chunked"
    assert header(head, b"Content-Length") is None
    assert body == b"part0part1part2"


async def test_file_upload_multipart(raw_server, tmp_path: Path) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    report = tmp_path / "report.xls"
    report.write_bytes(b"cells" * 1000)
    async with ClientSession() as session:
        with report.open("rb") as f:
            async with session.post(url, data={"file": f}) as resp:
                await resp.read()
        form = FormData()
        with report.open("rb") as f:
            form.add_field(
                "file",
                f,
                filename="report.xls",
                content_type="application/vnd.ms-excel",
            )
            async with session.post(url, data=form) as resp:
                await resp.read()
        with report.open("rb") as f:
            async with session.post(url, data=f) as resp:  # a plain file, streamed
                await resp.read()
    for head, body in captured[:2]:
        ctype = header(head, b"Content-Type")
        assert ctype is not None
        assert ctype.startswith(b"multipart/form-data; boundary=")
        assert b'name="file"; filename="report.xls"' in body
        assert b"cells" * 1000 in body
    assert b"application/vnd.ms-excel" in captured[1][1]
    assert captured[2][1] == b"cells" * 1000


async def test_stream_response_into_request(serve_app, raw_server) -> None:
    from aiohttp_web.app import Application
    from aiohttp_web.response import Response

    async def source(request: object) -> Response:
        return Response(body=b"chained " * 5000)

    app = Application()
    app.router.add_get("/", source)
    src = await serve_app(app)
    captured: Capture = []
    dst = await capture_server(raw_server, captured)
    async with ClientSession() as session:
        resp = await session.get(src)
        async with session.post(dst, data=resp.content) as posted:
            await posted.read()
        resp.release()
    assert captured[0][1] == b"chained " * 5000


@pytest.mark.parametrize("bad", ["X-A\r\nInjected: 1", "a\nb", "nul\x00"])
async def test_header_values_refused(raw_server, bad: str) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session:
        with pytest.raises(ValueError, match="CR, LF or NUL"):
            await session.get(url, headers={"X-Bad": bad})
        with pytest.raises(ValueError, match="Invalid header name"):
            await session.get(url, headers={bad: "v"})
    assert captured == []


@pytest.mark.parametrize("method", ["GE T", "GET\r\n", "", "G(ET"])
async def test_method_must_be_token(raw_server, method: str) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session:
        with pytest.raises(ValueError, match="token"):
            await session.request(method, url)
    assert captured == []


async def test_method_uppercased_and_custom(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session:
        async with session.request("get", url) as resp:
            assert resp.method == "GET"
        async with session.request("PROPFIND", url) as resp:
            await resp.read()
    assert request_line(captured[0][0]).startswith(b"GET ")
    assert request_line(captured[1][0]).startswith(b"PROPFIND ")


async def test_http10(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession(version=HttpVersion10) as session:
        async with session.get(url) as resp:
            await resp.read()
        with pytest.raises(ValueError, match=r"HTTP/1\.1"):
            await session.post(url, data=b"x", chunked=True)
    assert request_line(captured[0][0]).endswith(b" HTTP/1.0")
    assert header(captured[0][0], b"Connection") == b"keep-alive"


@pytest.mark.parametrize("version", [(1, 10), (-1, 1), (1, "1"), (1,), (1, 1, 1)])
async def test_version_must_be_two_digits(version: object) -> None:
    async with ClientSession(version=version) as session:  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="Invalid HTTP version"):
            await session.get("http://127.0.0.1:1/")


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http:///path", InvalidUrlClientError),
        ("/relative", InvalidUrlClientError),
        ("ftp://127.0.0.1/", NonHttpUrlClientError),
        ("file:///etc/passwd", NonHttpUrlClientError),
        ("http://[::1", InvalidUrlClientError),
    ],
)
async def test_bad_urls(url: str, error: type[Exception]) -> None:
    async with ClientSession() as session:
        with pytest.raises(error):
            await session.get(url)


@pytest.mark.parametrize(
    "host",
    ["2130706433", "127.1", "0x7f000001", "0x7f.1", "017700000001", "127.0.0.01"],
)
async def test_numeric_host_spellings_refused(host: str) -> None:
    async with ClientSession() as session:
        with pytest.raises(InvalidURL):
            await session.get(f"http://{host}:1/")


async def test_dotted_quad_accepted(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session, session.get(str(url)) as resp:
        assert resp.status == 200


async def test_compress(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    data = b"compress me " * 200
    async with ClientSession() as session:
        async with session.post(url, data=data, compress=True) as resp:
            await resp.read()
        async with session.post(url, data=data, compress="gzip") as resp:
            await resp.read()
        with pytest.raises(ValueError, match="Content-Encoding"):
            await session.post(
                url, data=data, compress=True, headers={"Content-Encoding": "br"}
            )
        with pytest.raises(ValueError, match="Content-Length"):
            await session.post(
                url, data=data, compress=True, headers={"Content-Length": "5"}
            )
    (head1, body1), (head2, body2) = captured
    assert header(head1, b"Content-Encoding") == b"deflate"
    assert header(head1, b"Transfer-Encoding") == b"chunked"
    assert zlib.decompress(body1) == data
    assert header(head2, b"Content-Encoding") == b"gzip"
    assert zlib.decompress(body2, 16 + zlib.MAX_WBITS) == data


async def test_chunked(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session:
        async with session.post(url, data=b"abc", chunked=True) as resp:
            await resp.read()
        with pytest.raises(ValueError, match="Content-Length"):
            await session.post(
                url, data=b"x", chunked=True, headers={"Content-Length": "1"}
            )
        with pytest.raises(ValueError, match="Transfer-Encoding"):
            await session.post(
                url, data=b"x", chunked=True, headers={"Transfer-Encoding": "chunked"}
            )
    head, body = captured[0]
    assert header(head, b"Transfer-Encoding") == b"chunked"
    assert body == b"abc"


async def test_empty_post_has_zero_length(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    async with ClientSession() as session:
        async with session.post(url) as resp:
            await resp.read()
        async with session.delete(url) as resp:
            await resp.read()
    assert header(captured[0][0], b"Content-Length") == b"0"
    assert header(captured[1][0], b"Content-Length") == b"0"


async def test_expect100_waits_for_continue(raw_server) -> None:
    events: list[str] = []

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"Expect: 100-continue" in head
        try:
            await asyncio.wait_for(reader.readexactly(1), 0.1)
            events.append("body before continue")
        except asyncio.TimeoutError:
            events.append("waited")
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await reader.readexactly(5)
        events.append(body.decode())
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    url = await raw_server(handler)
    async with (
        ClientSession() as session,
        session.post(url, data=b"hello", expect100=True) as resp,
    ):
        assert resp.status == 200
    assert events == ["waited", "hello"]


async def test_expect100_early_final_answer_sends_no_body(raw_server) -> None:
    received: list[bytes] = []

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        received.append(await reader.read())  # until the client closes

    url = await raw_server(handler)
    async with ClientSession() as session:
        async with session.post(url, data=b"secret", expect100=True) as resp:
            assert resp.status == 417
        async with session.post(
            url, data=b"x", headers={"Expect": "100-continue"}
        ) as resp:
            assert resp.status == 417
        await asyncio.sleep(0.05)
    # Both connections were closed without a body byte.
    assert received == [b"", b""]


async def test_cookies_sent(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    morsel_source: SimpleCookie = SimpleCookie()
    morsel_source["m"] = "morsel value"
    async with ClientSession(cookies={"s": "session"}) as session:
        session.cookie_jar.update_cookies({"ip": "skipped"}, url)  # IP host: refused
        async with session.get(
            url, cookies={"r": "req", "m": morsel_source["m"]}
        ) as resp:
            await resp.read()
    cookie = header(captured[0][0], b"Cookie")
    assert cookie is not None
    parts = dict(p.split(b"=", 1) for p in cookie.split(b"; "))
    assert parts[b"s"] == b"session"
    assert parts[b"r"] == b"req"
    assert parts[b"m"] == b'"morsel value"'


async def test_auth(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    auth = BasicAuth("user", "pass")
    async with ClientSession() as session:
        async with session.get(url, auth=auth) as resp:
            await resp.read()
        async with session.get(url.with_user("u").with_password("p:w")) as resp:
            await resp.read()
            assert resp.url.user is None
        with pytest.raises(ValueError, match="credentials encoded in URL"):
            await session.get(url.with_user("u"), auth=auth)
        with pytest.raises(ValueError, match="AUTHORIZATION header"):
            await session.get(url, auth=auth, headers={"Authorization": "Bearer x"})
        with pytest.raises(TypeError):
            await session.get(url, auth=("user", "pass"))  # type: ignore[arg-type]
    assert header(captured[0][0], b"Authorization") == auth.encode().encode()
    assert BasicAuth.decode(
        header(captured[1][0], b"Authorization").decode()
    ) == BasicAuth(  # type: ignore[union-attr]
        "u", "p:w"
    )


async def test_skip_auto_headers(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured)
    skip = ["Content-Type", "accept-encoding"]
    async with (
        ClientSession(skip_auto_headers=["User-Agent"]) as session,
        session.post(url, data=b"x", skip_auto_headers=skip) as resp,
    ):
        await resp.read()
    head = captured[0][0]
    assert header(head, b"User-Agent") is None
    assert header(head, b"Content-Type") is None
    assert header(head, b"Accept-Encoding") is None
    assert header(head, b"Content-Length") == b"1"  # never skipped


async def test_ssl_argument_checked() -> None:
    async with ClientSession() as session:
        with pytest.raises(TypeError):
            await session.get("http://127.0.0.1:1/", ssl="yes")  # type: ignore[arg-type]


async def test_client_request_attributes() -> None:
    loop = asyncio.get_running_loop()
    url = URL("http://example.com:8080/p?q=1#frag")
    req = ClientRequest(
        "post",
        url,
        headers=CIMultiDict({"X": "1"}),
        data=b"body",
        loop=loop,
        proxy=URL("http://user:pw@proxy.local:3128"),
        proxy_headers={"X-Proxy": "1"},
        server_hostname="other.example",
    )
    assert req.method == "POST"
    assert req.original_url == url
    assert req.url == URL("http://example.com:8080/p?q=1")
    assert req.host == "example.com"
    assert req.port == 8080
    assert not req.is_ssl()
    assert req.proxy == URL("http://proxy.local:3128")
    assert req.proxy_auth == BasicAuth("user", "pw")
    assert req.proxy_headers == CIMultiDict({"X-Proxy": "1"})
    # plain-http target through a proxy: the proxy credentials go along
    assert req.headers["Proxy-Authorization"] == BasicAuth("user", "pw").encode()
    assert req.server_hostname == "other.example"
    assert req.ssl is True
    assert req.chunked is None
    assert req.compress is None
    assert req.version == (1, 1)
    assert req.session is None
    assert isinstance(req.body, BytesPayload)
    assert req.headers["Content-Length"] == "4"
    key = req.connection_key
    assert (key.host, key.port, key.is_ssl, key.proxy) == (
        "example.com",
        8080,
        False,
        URL("http://proxy.local:3128"),
    )
    assert key.proxy_headers_hash is not None
    https = ClientRequest("GET", URL("https://example.com/"), loop=loop)
    assert https.is_ssl()
    assert https.port == 443
    assert https.connection_key.proxy_headers_hash is None


async def test_update_body() -> None:
    loop = asyncio.get_running_loop()
    req = ClientRequest("POST", URL("http://example.com/"), data=b"12345", loop=loop)
    old = req.body
    assert req.headers["Content-Length"] == "5"
    await req.update_body(b"1234567")
    assert req.headers["Content-Length"] == "7"
    assert isinstance(old, BytesPayload)
    assert old.closed
    await req.update_body(None)
    assert req.body == b""
    assert req.headers["Content-Length"] == "0"

    async def gen() -> AsyncIterator[bytes]:
        yield b"x"

    await req.update_body(gen())
    assert req.headers["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in req.headers
    await req.update_body(b"ab")
    assert req.headers["Content-Length"] == "2"
    assert "Transfer-Encoding" not in req.headers


async def test_early_answer_while_uploading(raw_server) -> None:
    received = 0
    total = 64 * 16 * 1024
    done = asyncio.Event()

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal received
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        while received < total:  # the server still takes the whole body
            size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
            received += len(await reader.readexactly(size + 2)) - 2
            if size == 0:
                break
        done.set()

    async def upload() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b"u" * 16 * 1024
            await asyncio.sleep(0)

    url = await raw_server(handler)
    async with ClientSession() as session, session.post(url, data=upload()) as resp:
        assert resp.status == 413
        assert resp.connection is None
        # Leaving the block waited for the upload to finish.
    await asyncio.wait_for(done.wait(), 2)
    assert received == total


async def test_resending_a_consumed_stream_fails_clearly(raw_server) -> None:
    captured: Capture = []
    url = await capture_server(raw_server, captured, status=b"503 Busy")

    async def twice(request: ClientRequest, handler: Any) -> Any:
        first = await handler(request)
        first.release()
        return await handler(request)

    async def gen() -> AsyncIterator[bytes]:
        yield b"only once"

    async with ClientSession(middlewares=(twice,)) as session:
        with pytest.raises(RuntimeError, match="only be written once"):
            await session.post(url, data=gen())
    assert captured[0][1] == b"only once"
