"""A parse error in a read is answered after the requests completed before it.

Over real sockets: each test sends complete requests followed by bytes that
do not parse, in one write (one read on the server, one feed of the parser),
and checks that the complete requests are served in order, then the error
is answered with its status and the connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from multidict import CIMultiDict

from aiohttp_web.protocol import _HEAD_SLICE
from aiohttp_web.request import BaseRequest
from aiohttp_web.response import Response, StreamResponse
from aiohttp_web.server import Server

Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]
Answer = tuple[int, CIMultiDict[str], bytes]

LIMITS = {"max_line_size": 100, "max_field_size": 100, "max_headers": 5}


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


async def exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` in one write; read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        return await asyncio.wait_for(reader.read(), 2)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def answers(data: bytes) -> list[Answer]:
    """Split the server's bytes into (status, headers, body); all have a length."""
    out: list[Answer] = []
    while data:
        block, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            raise AssertionError(f"incomplete head: {data!r}")
        lines = block.decode("latin-1").split("\r\n")
        headers: CIMultiDict[str] = CIMultiDict()
        for line in lines[1:]:
            name, _, value = line.partition(": ")
            headers.add(name, value)
        size = int(headers["Content-Length"])
        out.append((int(lines[0].split(" ", 2)[1]), headers, rest[:size]))
        data = rest[size:]
    return out


async def echo(request: BaseRequest) -> StreamResponse:
    body = await request.read()
    return Response(body=f"{request.method} {request.path} ".encode() + body)


def server_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "aiohttp.server" and r.levelno >= logging.ERROR
    ]


GET_A = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"

# Bytes after a complete request, and the status they are answered with.
BAD_TAILS = [
    pytest.param(b"G@RBAGE / HTTP/1.1\r\n\r\n", 400, id="bad-method"),
    pytest.param(b"GET / HTTP/2.0\r\n\r\n", 505, id="version"),
    pytest.param(b"GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501, id="te"),
    pytest.param(b"GET / HTTP/1.1\r\nBad Header: 1\r\n\r\n", 400, id="field"),
    # One byte over each limit.
    pytest.param(b"GET /" + b"a" * 87 + b" HTTP/1.1\r\n\r\n", 414, id="line-101"),
    pytest.param(
        b"GET / HTTP/1.1\r\nX: " + b"a" * 98 + b"\r\n\r\n", 431, id="field-101"
    ),
    pytest.param(b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 6 + b"\r\n", 431, id="6-fields"),
    # Incomplete, but already wrong.
    pytest.param(b"\x16\x03\x01", 400, id="tls-hello"),
]


@pytest.mark.parametrize(("tail", "status"), BAD_TAILS)
async def test_request_before_garbage_is_served_then_the_error(
    tail: bytes, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "aiohttp")
    async with serving(echo, **LIMITS) as (server, port):
        data = await exchange(port, GET_A + tail)
    (ok, error) = answers(data)
    assert (ok[0], ok[2]) == (200, b"GET /a ")
    assert error[0] == status
    assert error[1]["Connection"] == "close"
    assert server.requests_count == 1
    assert not server_errors(caplog)


# One byte under each limit: both requests are served.
AT_LIMITS = [
    pytest.param(b"GET /" + b"a" * 86 + b" HTTP/1.1\r\n\r\n", id="line-100"),
    pytest.param(b"GET / HTTP/1.1\r\nX: " + b"a" * 97 + b"\r\n\r\n", id="field-100"),
    pytest.param(b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 5 + b"\r\n", id="5-fields"),
]


@pytest.mark.parametrize("second", AT_LIMITS)
async def test_second_request_at_the_limits_is_served(second: bytes) -> None:
    async with serving(echo, **LIMITS) as (server, port):
        data = await exchange(port, GET_A + second + b"G@RBAGE\r\n\r\n")
    assert [a[0] for a in answers(data)] == [200, 200, 400]
    assert server.requests_count == 2


async def test_several_requests_with_bodies_before_garbage() -> None:
    raw = (
        GET_A
        + b"POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz"
        + b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"2\r\nhi\r\n0\r\n\r\n"
        + b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"
    )
    assert len(raw) < _HEAD_SLICE  # one feed of the parser
    async with serving(echo, **LIMITS) as (server, port):
        data = await exchange(port, raw)
    assert [(a[0], a[2]) for a in answers(data)][:3] == [
        (200, b"GET /a "),
        (200, b"POST /b xyz"),
        (200, b"POST /c hi"),
    ]
    assert answers(data)[3][0] == 400
    assert len(answers(data)) == 4
    assert server.requests_count == 3


async def test_requests_held_back_for_room_come_before_garbage() -> None:
    pad = b"X-Pad: " + b"p" * 300 + b"\r\n"
    raw = b"".join(b"GET /%d HTTP/1.1\r\n%s\r\n" % (i, pad) for i in range(8))
    raw += b"@\r\n\r\n"
    # Several slices: the later requests and the garbage wait for room.
    assert len(raw) > 2 * _HEAD_SLICE
    async with serving(echo, max_pipelined_requests=2) as (server, port):
        data = await exchange(port, raw)
    got = answers(data)
    assert [(a[0], a[2]) for a in got[:8]] == [(200, b"GET /%d " % i) for i in range(8)]
    assert got[8][0] == 400
    assert len(got) == 9
    assert server.requests_count == 8


async def test_head_and_broken_body_in_one_read_reach_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caught: list[BaseException] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        try:
            await request.read()
        except Exception as exc:
            caught.append(exc)
            raise
        return Response(text="unreachable")

    async with serving(handler) as (server, port):
        data = await exchange(
            port,
            b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n",
        )
    # The handler answers the broken body; no second answer follows.
    ((status, headers, _),) = answers(data)
    assert status == 400
    assert headers["Connection"] == "close"
    assert [type(e).__name__ for e in caught] == ["TransferEncodingError"]
    assert server.requests_count == 1
    assert not server_errors(caplog)


async def test_handler_not_reading_a_broken_body_answers_alone() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text="fine")

    async with serving(handler) as (_, port):
        data = await exchange(
            port,
            b"POST /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
            b"POST /q HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        )
    first, second = answers(data)
    assert (first[0], first[2]) == (200, b"fine")
    # The body of /q is broken: no keep-alive, and no extra 400 after it.
    assert (second[0], second[2]) == (200, b"fine")
    assert second[1]["Connection"] == "close"


async def test_body_finished_in_the_read_of_the_garbage() -> None:
    reading = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        reading.set()
        return Response(body=await request.read())

    async with serving(handler) as (server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")
        await asyncio.wait_for(reading.wait(), 2)
        # The body ends in this read; the error is in the next request.
        writer.write(b"cdeG@RBAGE\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 2)
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    ok, error = answers(data)
    assert (ok[0], ok[2]) == (200, b"abcde")
    assert error[0] == 400
    assert server.requests_count == 1


async def test_garbage_alone_is_answered_without_a_request() -> None:
    async with serving(echo) as (server, port):
        data = await exchange(port, b"G@RBAGE\r\n\r\n")
    ((status, headers, _),) = answers(data)
    assert status == 400
    assert headers["Connection"] == "close"
    assert server.requests_count == 0
