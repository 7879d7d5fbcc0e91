"""RequestHandler over real sockets: framing, errors, limits, keep-alive, upgrades."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from multidict import CIMultiDict

from aiohttp_core.http_exceptions import TransferEncodingError
from aiohttp_web.exceptions import (
    HTTPFound,
    HTTPNoContent,
    HTTPNotFound,
    HTTPRequestEntityTooLarge,
)
from aiohttp_web.protocol import _HEAD_SLICE, _MAX_DRAIN_SIZE, RequestHandler
from aiohttp_web.request import BaseRequest
from aiohttp_web.response import Response, StreamResponse
from aiohttp_web.server import Server

Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]
Parsed = tuple[int, CIMultiDict[str], bytes]


@contextlib.asynccontextmanager
async def serving(handler: Handler, **kwargs: Any) -> AsyncIterator[tuple[Server, int]]:
    server = Server(handler, **kwargs)
    loop = asyncio.get_running_loop()
    tcp = await loop.create_server(server, "127.0.0.1", 0)
    try:
        yield server, tcp.sockets[0].getsockname()[1]
    finally:
        tcp.close()
        await server.shutdown(0.5)
        await tcp.wait_closed()


async def exchange(port: int, data: bytes, timeout: float = 3.0) -> bytes:
    """Send ``data``, read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def parse(data: bytes, *, head: bool = False) -> list[Parsed]:
    """Split raw bytes into (status, headers, body) responses."""
    out: list[Parsed] = []
    while data:
        block, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"incomplete head: {data!r}"
        lines = block.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: CIMultiDict[str] = CIMultiDict(
            tuple(line.split(": ", 1)) for line in lines[1:]
        )
        if head or status in (204, 304) or 100 <= status < 200:
            body, data = b"", rest
        elif "Content-Length" in headers:
            size = int(headers["Content-Length"])
            body, data = rest[:size], rest[size:]
        elif headers.get("Transfer-Encoding") == "chunked":
            parts = []
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line, 16)
                if not size:
                    rest = rest[2:]
                    break
                parts.append(rest[:size])
                rest = rest[size + 2 :]
            body, data = b"".join(parts), rest
        else:
            body, data = rest, b""
        out.append((status, headers, body))
    return out


async def echo_path(request: BaseRequest) -> StreamResponse:
    return Response(text=f"{request.method} {request.path}")


def server_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "aiohttp.server" and r.levelno >= logging.ERROR
    ]


# -- keep-alive and pipelining ----------------------------------------------------


async def test_pipelined_requests_are_answered_in_order() -> None:
    async with serving(echo_path) as (_, port):
        data = await exchange(
            port,
            b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    responses = parse(data)
    assert [r[2] for r in responses] == [b"GET /1", b"GET /2", b"GET /3"]
    assert "Connection" not in responses[0][1]
    assert responses[2][1]["Connection"] == "close"


async def test_http10_closes_unless_keep_alive_asked() -> None:
    async with serving(echo_path) as (_, port):
        data = await exchange(
            port,
            b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
            b"GET /b HTTP/1.0\r\n\r\n"
            b"GET /never HTTP/1.0\r\n\r\n",
        )
    responses = parse(data)
    assert [r[2] for r in responses] == [b"GET /a", b"GET /b"]
    assert responses[0][1]["Connection"] == "keep-alive"
    assert data.startswith(b"HTTP/1.0 200 OK\r\n")


async def test_pipelining_queue_is_bounded() -> None:
    release = asyncio.Event()
    seen: list[int] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        await release.wait()
        return Response(text="ok")

    async with serving(handler, max_pipelined_requests=2) as (server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 500)
        await writer.drain()
        await asyncio.sleep(0.2)
        (conn,) = server.connections
        seen.append(len(conn._messages))
        release.set()
        writer.write_eof()
        data = await asyncio.wait_for(reader.read(), 3)
        writer.close()
    # Parsing stopped once the queue held its bound (plus what one slice of
    # the parser's input made), and still every request was answered.
    assert seen[0] <= 2 + _HEAD_SLICE // 28
    assert len(parse(data)) == 500


async def test_keepalive_timeout_closes_idle_connection() -> None:
    async with serving(echo_path, keepalive_timeout=0.2) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    assert parse(data)[0][2] == b"GET /x"


async def test_slow_request_head_is_bounded_by_keepalive_timeout() -> None:
    async with serving(echo_path, keepalive_timeout=0.3) as (server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for byte in b"GET / HTTP/1.1\r\nX-Slow: ":
            writer.write(bytes([byte]))
            await asyncio.sleep(0.01)
        data = b""
        try:
            for _ in range(40):
                writer.write(b"a")
                await asyncio.sleep(0.05)
                if reader.at_eof():
                    break
            data = await asyncio.wait_for(reader.read(), 2)
        except ConnectionResetError:
            # Bytes written after the server closed make the kernel answer
            # with a reset: the server still hung up without answering.
            pass
        writer.close()
        assert loop.time() - start < 2.5
        assert server.requests_count == 0
    assert data == b""


# -- parse errors -----------------------------------------------------------------

BAD_REQUESTS = [
    (b"G(T / HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/2.0\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    (b"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nBad Header: 1\r\n\r\n", 400),
    (b"GET /" + b"a" * 87 + b" HTTP/1.1\r\n\r\n", 414),  # 101-byte line
    (b"GET / HTTP/1.1\r\nX: " + b"a" * 98 + b"\r\n\r\n", 431),  # 101-byte field
    (b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 6 + b"\r\n", 431),
]


@pytest.mark.parametrize(("raw", "status"), BAD_REQUESTS)
async def test_parse_errors_get_their_status_and_close(
    raw: bytes, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "aiohttp")
    limits = {"max_line_size": 100, "max_field_size": 100, "max_headers": 5}
    async with serving(echo_path, **limits) as (server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # The good request first, in a read of its own (test_protocol_partial
        # sends both in one read).
        writer.write(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(reader.readuntil(b"GET /first"), 2)
        writer.write(raw)
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    (error,) = parse(data)
    assert error[0] == status
    assert error[1]["Connection"] == "close"
    assert server.requests_count == 1
    assert not server_errors(caplog)


# HTTP/1.0: the server closes after answering.
LIMITS_AT_EDGE = [
    b"GET /" + b"a" * 86 + b" HTTP/1.0\r\n\r\n",  # 100-byte request line
    b"GET / HTTP/1.0\r\nX: " + b"a" * 97 + b"\r\n\r\n",  # 100-byte field
    b"GET / HTTP/1.0\r\n" + b"X: a\r\n" * 5 + b"\r\n",
]


@pytest.mark.parametrize("raw", LIMITS_AT_EDGE)
async def test_limits_at_their_edge_are_accepted(raw: bytes) -> None:
    limits = {"max_line_size": 100, "max_field_size": 100, "max_headers": 5}
    async with serving(echo_path, **limits) as (_, port):
        data = await exchange(port, raw)
    assert parse(data)[0][0] == 200


async def test_bad_chunked_body_is_a_400_from_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        await request.read()
        return Response(text="unreachable")

    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n",
        )
    (response,) = parse(data)
    assert response[0] == 400
    assert response[1]["Connection"] == "close"
    assert not server_errors(caplog)


async def test_body_stream_error_type_reaches_the_handler() -> None:
    caught: list[BaseException] = []
    reading = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        reading.set()
        try:
            await request.content.read()
        except Exception as exc:
            caught.append(exc)
        return Response(text="done")

    async with serving(handler) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        await asyncio.wait_for(reading.wait(), 2)
        writer.write(b"1\r\nab\r\n")
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    assert isinstance(caught[0], TransferEncodingError)
    (response,) = parse(data)
    assert response[2] == b"done"
    assert response[1]["Connection"] == "close"


# -- handler outcomes -------------------------------------------------------------


async def test_handler_crash_is_500_logged_at_error_without_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise ZeroDivisionError("secret detail")

    async with serving(handler) as (_, port):
        data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    (response,) = parse(data)
    assert response[0] == 500
    assert b"secret detail" not in response[2]
    assert response[1]["Connection"] == "close"
    (record,) = server_errors(caplog)
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError


async def test_handler_crash_traceback_is_sent_in_debug_mode(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise ZeroDivisionError("secret detail")

    async with serving(handler, debug=True) as (_, port):
        data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    (response,) = parse(data)
    assert response[0] == 500
    assert b"ZeroDivisionError: secret detail" in response[2]
    assert b"Traceback" in response[2]


async def test_handler_returning_junk_is_500(caplog: pytest.LogCaptureFixture) -> None:
    async def handler(request: BaseRequest) -> Any:
        return "not a response"

    async with serving(handler) as (_, port):
        data = await exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert parse(data)[0][0] == 500
    assert "should return a response" in server_errors(caplog)[0].getMessage()


async def test_http_exceptions_become_responses(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        if request.path == "/found":
            raise HTTPFound("/elsewhere")
        if request.path == "/empty":
            raise HTTPNoContent(headers={"X-Empty": "1"})
        exc = HTTPNotFound(text="nothing here", headers={"X-Why": "gone"})
        exc.set_cookie("seen", "1")
        raise exc

    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"GET /found HTTP/1.1\r\n\r\nGET /empty HTTP/1.1\r\n\r\n"
            b"GET /missing HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
    found, empty, missing = parse(data)
    assert found[0] == 302
    assert found[1]["Location"] == "/elsewhere"
    assert empty[0] == 204
    assert empty[1]["X-Empty"] == "1"
    assert "Content-Length" not in empty[1]
    assert missing[0] == 404
    assert missing[2] == b"nothing here"
    assert missing[1]["X-Why"] == "gone"
    assert missing[1]["Content-Type"] == "text/plain; charset=utf-8"
    assert missing[1]["Set-Cookie"] == "seen=1; Path=/"
    assert not server_errors(caplog)


async def test_exception_after_streaming_started_closes_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        response = StreamResponse()
        response.content_length = 10
        await response.prepare(request)
        await response.write(b"12345")
        raise RuntimeError("half way")

    async with serving(handler) as (_, port):
        data = await exchange(port, b"GET / HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n")
    assert data.endswith(b"\r\n\r\n12345")
    assert data.count(b"HTTP/1.1") == 1
    assert len(server_errors(caplog)) == 1


async def test_exception_after_prepare_without_bytes_sent_still_answers() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        response = StreamResponse(headers={"X-First": "1"})
        await response.prepare(request)
        raise HTTPNotFound()

    async with serving(handler) as (_, port):
        data = await exchange(port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    (response,) = parse(data)
    assert response[0] == 404
    assert "X-First" not in response[1]


async def test_head_response_has_no_body_bytes() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="hello world")

    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"HEAD / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
    head_block, _, rest = data.partition(b"\r\n\r\n")
    assert b"Content-Length: 11" in head_block
    assert rest.startswith(b"HTTP/1.1 200 OK\r\n")
    assert parse(rest)[0][2] == b"hello world"


# -- request bodies ---------------------------------------------------------------


async def test_body_is_streamed_to_the_handler_as_it_arrives() -> None:
    first_chunk = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        data = await request.content.readany()
        first_chunk.set()
        rest = await request.content.read()
        return Response(body=data + b"|" + rest)

    async with serving(handler) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nContent-Length: 6\r\nConnection: close\r\n\r\n"
        )
        writer.write(b"abc")
        await asyncio.wait_for(first_chunk.wait(), 2)
        writer.write(b"def")
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    assert parse(data)[0][2] == b"abc|def"


async def test_unread_body_is_skipped_not_parsed() -> None:
    paths: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        paths.append(request.path)
        return Response(text="ok")

    smuggled = b"GET /smuggled HTTP/1.1\r\n\r\n"
    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"POST /a HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(smuggled)
            + smuggled
            + b"GET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
    assert paths == ["/a", "/b"]
    assert len(parse(data)) == 2


async def test_unread_chunked_body_is_skipped() -> None:
    paths: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        paths.append(request.path)
        return Response(text="ok")

    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"1a\r\nGET /smuggled HTTP/1.1\r\n\r\n\r\n0\r\n\r\n"
            b"GET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
    assert paths == ["/a", "/b"]
    assert len(parse(data)) == 2


async def test_body_too_large_to_skip_closes_the_connection() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="no thanks")

    async with serving(handler) as (_server, port):
        size = _MAX_DRAIN_SIZE + 1
        data = await exchange(
            port, b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % size
        )
    (response,) = parse(data)
    assert response[2] == b"no thanks"
    assert response[1]["Connection"] == "close"


async def test_body_at_drain_limit_is_skipped() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text=request.path)

    body = b"x" * _MAX_DRAIN_SIZE
    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"POST /a HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body
            + b"GET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
    assert [r[2] for r in parse(data)] == [b"/a", b"/b"]


def _limited(max_size: int) -> Callable[..., BaseRequest]:
    def factory(
        message: Any, payload: Any, protocol: Any, writer: Any, task: Any
    ) -> BaseRequest:
        return BaseRequest(
            message,
            payload,
            protocol,
            writer,
            task,
            asyncio.get_running_loop(),
            client_max_size=max_size,
        )

    return factory


async def _read_body(request: BaseRequest) -> StreamResponse:
    body = await request.read()
    return Response(body=body)


async def test_declared_length_over_client_max_size_is_413_at_once() -> None:
    async with serving(_read_body, request_factory=_limited(10)) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # The body is not sent: the answer must not wait for it.
        writer.write(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert head.startswith(b"HTTP/1.1 413 ")
        writer.close()


async def test_body_at_client_max_size_is_accepted() -> None:
    async with serving(_read_body, request_factory=_limited(10)) as (_, port):
        data = await exchange(
            port,
            b"POST / HTTP/1.1\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
            + b"0123456789",
        )
    assert parse(data)[0][2] == b"0123456789"


async def test_chunked_body_over_client_max_size_is_413_before_its_end() -> None:
    async with serving(_read_body, request_factory=_limited(10)) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\n01234\r\n6\r\n567890\r\n"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert head.startswith(b"HTTP/1.1 413 ")
        writer.close()


async def test_413_body_counts_against_the_limit_not_more() -> None:
    caught: list[HTTPRequestEntityTooLarge] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            await request.read()
        except HTTPRequestEntityTooLarge as exc:
            caught.append(exc)
            raise
        return Response()

    async with serving(handler, request_factory=_limited(10)) as (_, port):
        data = await exchange(
            port,
            b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n"
            + b"x" * 11
            + b"GET /next HTTP/1.1\r\nConnection: close\r\n\r\n",
        )
    # The small body was skipped: the connection served the next request.
    assert [r[0] for r in parse(data)] == [413, 200]
    assert caught[0].max_size == 10
    assert caught[0].actual_size == 11


async def test_expect_continue_then_body() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        if request.headers.get("Expect") == "100-continue":
            assert request.transport is not None
            request.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return Response(body=await request.read())

    async with serving(handler) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n"
            b"Connection: close\r\n\r\n"
        )
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"data")
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
    assert parse(data)[0][2] == b"data"


async def test_expect_continue_refused_closes_without_waiting_for_body() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(status=417)

    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
        )
    (response,) = parse(data)
    assert response[0] == 417
    assert response[1]["Connection"] == "close"


# -- upgrades ---------------------------------------------------------------------


async def test_refused_upgrade_is_answered_and_the_rest_never_parsed() -> None:
    paths: list[str] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        paths.append(request.path)
        return Response(text="plain")

    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"GET /up HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: custom\r\n"
            b"Content-Length: 3\r\n\r\nabc"
            b"GET /smuggled HTTP/1.1\r\n\r\n",
        )
    assert paths == ["/up"]
    (response,) = parse(data)
    assert response[1]["Connection"] == "close"


class _Collect:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    def feed_data(self, data: bytes) -> None:
        self.queue.put_nowait(data)

    def feed_eof(self) -> None:
        self.queue.put_nowait(b"")


async def test_accepted_upgrade_hands_the_bytes_to_the_new_parser() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        response = StreamResponse(
            status=101, headers={"Upgrade": "echo", "Connection": "Upgrade"}
        )
        await response.prepare(request)
        await response.write_eof()
        parser = _Collect()
        protocol = request.protocol
        protocol.set_parser(parser)
        received = b""
        while not received.endswith(b"!"):
            received += await parser.queue.get()
        assert request.transport is not None
        request.transport.write(received.upper())
        return response

    async with serving(handler) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello "
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
        writer.write(b"world!")
        assert await asyncio.wait_for(reader.read(), 2) == b"HELLO WORLD!"
        writer.close()


# -- the peer going away ----------------------------------------------------------


@pytest.mark.parametrize("cancellation", [False, True])
async def test_handler_cancellation_only_when_asked(cancellation: bool) -> None:
    started = asyncio.Event()
    outcome: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def handler(request: BaseRequest) -> StreamResponse:
        started.set()
        try:
            await asyncio.sleep(0.3)
        except asyncio.CancelledError:
            outcome.set_result("cancelled")
            raise
        outcome.set_result("finished")
        return Response(text="late")

    async with serving(handler, handler_cancellation=cancellation) as (_, port):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        await asyncio.wait_for(started.wait(), 2)
        writer.close()
        result = await asyncio.wait_for(outcome, 2)
    assert result == ("cancelled" if cancellation else "finished")


async def test_lost_connection_fails_body_read_with_oserror(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcome: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            await request.read()
        except OSError as exc:
            outcome.set_result(exc)
            raise
        return Response()

    async with serving(handler) as (_, port):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()
        exc = await asyncio.wait_for(outcome, 2)
        await asyncio.sleep(0.05)
    assert isinstance(exc, ConnectionResetError)
    assert not server_errors(caplog)


def test_handler_type_is_a_protocol() -> None:
    assert issubclass(RequestHandler, asyncio.Protocol)
