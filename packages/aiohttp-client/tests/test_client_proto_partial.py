"""ResponseHandler: a parse error after a complete head still gives the head.

Over real sockets: the server sends a response head and bytes that break
later (in the body, or as the next head) in one write; ``read_head()``
returns the head, the body stream raises the error (as ClientPayloadError)
when it is the body that broke, and the next ``read_head()`` raises it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from yarl import URL

from aiohttp_client import ClientPayloadError, ClientSession
from aiohttp_client.client_proto import ResponseHandler
from aiohttp_core.http_exceptions import (
    BadStatusLine,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
    TransferEncodingError,
)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServer = Callable[[Handler], Awaitable[URL]]
Connect = Callable[[URL], Awaitable[ResponseHandler]]

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
OK_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


def answering(*parts: bytes, pause: float = 0) -> Handler:
    """A server that answers one request with ``parts``, pausing between them."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        for i, part in enumerate(parts):
            if i and pause:
                await writer.drain()
                await asyncio.sleep(pause)
            writer.write(part)
        await writer.drain()
        await reader.read()

    return handler


async def request(
    raw_server: RawServer, connect: Connect, *parts: bytes, pause: float = 0, **kw: int
) -> ResponseHandler:
    protocol = await connect(await raw_server(answering(*parts, pause=pause)))
    protocol.set_response_params(**kw)  # type: ignore[arg-type]
    assert protocol.transport is not None
    protocol.transport.write(REQUEST)
    return protocol


@pytest.mark.parametrize("pause", [0, 0.02], ids=["one-write", "two-writes"])
async def test_head_is_returned_and_the_broken_body_fails(
    raw_server: RawServer, connect: Connect, pause: float
) -> None:
    protocol = await request(
        raw_server, connect, OK_CHUNKED, b"3\r\nabc\r\nzz\r\n", pause=pause
    )
    message, payload = await asyncio.wait_for(protocol.read_head(), 1)
    assert message.code == 200
    with pytest.raises(ClientPayloadError) as info:
        await payload.read()
    assert isinstance(info.value.__cause__, TransferEncodingError)
    assert protocol.should_close
    # No second head: the error is what is left to read.
    with pytest.raises(TransferEncodingError):
        await protocol.read_head()
    await asyncio.wait_for(protocol.closed, 1)


async def test_complete_response_then_garbage(
    raw_server: RawServer, connect: Connect
) -> None:
    protocol = await request(
        raw_server,
        connect,
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK\r\n\r\n",
    )
    message, payload = await asyncio.wait_for(protocol.read_head(), 1)
    assert message.code == 200
    assert await payload.read() == b"ok"
    assert protocol.should_close
    await asyncio.wait_for(protocol.closed, 1)


async def test_informational_head_then_bad_status_line(
    raw_server: RawServer, connect: Connect
) -> None:
    protocol = await request(
        raw_server,
        connect,
        b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 2OO OK\r\n\r\n",
    )
    message, _ = await asyncio.wait_for(protocol.read_head(), 1)
    assert message.code == 103
    assert message.headers["Link"] == "</a>"
    with pytest.raises(BadStatusLine):
        await asyncio.wait_for(protocol.read_head(), 1)
    assert protocol.should_close


async def test_forbidden_trailer_fails_the_body_after_its_data(
    raw_server: RawServer, connect: Connect
) -> None:
    protocol = await request(
        raw_server, connect, OK_CHUNKED + b"2\r\nab\r\n0\r\nContent-Length: 2\r\n\r\n"
    )
    _, payload = await asyncio.wait_for(protocol.read_head(), 1)
    with pytest.raises(ClientPayloadError) as info:
        await payload.read()
    assert isinstance(info.value.__cause__, InvalidHeader)


# The final head after a 1xx one: a field line at max_field_size (40) is
# read, one byte longer fails after the 1xx head was returned.
EARLY = b"HTTP/1.1 103 Early Hints\r\n\r\n"


@pytest.mark.parametrize(("size", "ok"), [(40, True), (41, False)])
async def test_field_limit_in_the_head_after_an_informational_one(
    raw_server: RawServer, connect: Connect, size: int, ok: bool
) -> None:
    field = b"X: " + b"a" * (size - 3)
    protocol = await request(
        raw_server,
        connect,
        EARLY + b"HTTP/1.1 204 No Content\r\n" + field + b"\r\n\r\n",
        max_field_size=40,
    )
    message, _ = await asyncio.wait_for(protocol.read_head(), 1)
    assert message.code == 103
    if ok:
        message, _ = await asyncio.wait_for(protocol.read_head(), 1)
        assert message.code == 204
        assert not protocol.should_close
    else:
        with pytest.raises(LineTooLong) as info:
            await asyncio.wait_for(protocol.read_head(), 1)
        assert info.value.code == 431


@pytest.mark.parametrize(("size", "ok"), [(40, True), (41, False)])
async def test_chunk_line_limit_after_a_chunk_in_the_same_read(
    raw_server: RawServer, connect: Connect, size: int, ok: bool
) -> None:
    line = b"1;" + b"e" * (size - 2)
    protocol = await request(
        raw_server,
        connect,
        OK_CHUNKED + b"2\r\nab\r\n" + line + b"\r\nz\r\n0\r\n\r\n",
        max_line_size=40,
    )
    message, payload = await asyncio.wait_for(protocol.read_head(), 1)
    assert message.code == 200
    if ok:
        assert await payload.read() == b"abz"
    else:
        with pytest.raises(ClientPayloadError) as info:
            await payload.read()
        cause = info.value.__cause__
        assert isinstance(cause, LineTooLong)
        assert cause.code == 400


async def test_session_gets_the_response_and_a_body_error(
    raw_server: RawServer,
) -> None:
    url = await raw_server(answering(OK_CHUNKED + b"2\r\nab\r\nnot hex\r\n"))
    async with ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        with pytest.raises(ClientPayloadError) as info:
            await response.read()
    assert isinstance(info.value.__cause__, HttpProcessingError)
