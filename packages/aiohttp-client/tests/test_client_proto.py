"""ResponseHandler over real sockets: heads, bodies, reuse, faults, timeouts."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Awaitable, Callable

import pytest
from yarl import URL

from aiohttp_client.client_proto import ResponseHandler
from aiohttp_client.exceptions import (
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)
from aiohttp_core.http_exceptions import BadStatusLine, HttpProcessingError, LineTooLong

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServer = Callable[[Handler], Awaitable[URL]]
Connect = Callable[[URL], Awaitable[ResponseHandler]]

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def send(protocol: ResponseHandler, data: bytes = REQUEST) -> None:
    assert protocol.transport is not None
    protocol.transport.write(data)


def replying(*answers: bytes, close: bool = False, delay: float = 0) -> Handler:
    """A server answering each request head with the next answer."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        for answer in answers:
            await reader.readuntil(b"\r\n\r\n")
            if delay:
                await asyncio.sleep(delay)
            writer.write(answer)
            await writer.drain()
        if close:
            writer.close()
            return
        await reader.read()

    return handler


async def test_response_head_and_body(raw_server: RawServer, connect: Connect) -> None:
    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello")
    )
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    message, payload = await protocol.read_head()
    assert message.code == 200
    assert message.reason == "OK"
    assert message.headers["X-A"] == "b"
    assert await payload.read() == b"hello"
    assert not protocol.should_close
    assert protocol.is_connected()


async def test_connection_is_reusable_for_the_next_request(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(
        replying(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none",
            b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\ntwo\r\n0\r\n\r\n",
        )
    )
    protocol = await connect(url)
    for code, body in ((200, b"one"), (201, b"two")):
        protocol.set_response_params()
        send(protocol)
        message, payload = await protocol.read_head()
        assert message.code == code
        assert await payload.read() == body
        assert not protocol.should_close


async def test_not_reusable_while_the_body_is_arriving(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345")
    )
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.readexactly(5) == b"12345"
    assert protocol.should_close


async def test_not_reusable_before_the_head(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(replying(b"HTTP/1.1 200 OK\r\n", delay=0))
    protocol = await connect(url)
    assert not protocol.should_close
    protocol.set_response_params()
    assert protocol.should_close


async def test_connection_close_header(raw_server: RawServer, connect: Connect) -> None:
    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
    )
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    message, payload = await protocol.read_head()
    assert message.should_close
    assert await payload.read() == b""
    assert protocol.should_close


async def test_http10_response_is_not_reused(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(replying(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.read() == b"ok"
    assert protocol.should_close


async def test_unexpected_bytes_while_idle(
    raw_server: RawServer, connect: Connect
) -> None:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await reader.read()

    url = await raw_server(handler)
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.read() == b"ok"
    assert not protocol.should_close
    for _ in range(50):
        await asyncio.sleep(0.01)
        if protocol.should_close:
            break
    assert protocol.should_close


async def test_informational_heads_are_returned(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(
        replying(
            b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        )
    )
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    codes = []
    while True:
        message, payload = await protocol.read_head()
        codes.append(message.code)
        if message.code >= 200:
            break
    assert codes == [100, 103, 200]
    assert await payload.read() == b"ok"
    assert not protocol.should_close


async def test_head_request_has_no_body(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(replying(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"))
    protocol = await connect(url)
    protocol.set_response_params(request_method="HEAD")
    send(protocol, b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
    message, payload = await protocol.read_head()
    assert message.headers["Content-Length"] == "100"
    assert await payload.read() == b""
    assert not protocol.should_close


async def test_skip_payload(raw_server: RawServer, connect: Connect) -> None:
    url = await raw_server(replying(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"))
    protocol = await connect(url)
    protocol.set_response_params(skip_payload=True)
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.read() == b""


async def test_read_until_eof(raw_server: RawServer, connect: Connect) -> None:
    url = await raw_server(replying(b"HTTP/1.1 200 OK\r\n\r\nall of it", close=True))
    protocol = await connect(url)
    protocol.set_response_params(read_until_eof=True)
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.read() == b"all of it"
    assert protocol.should_close


async def test_without_read_until_eof_a_lengthless_body_is_empty(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(replying(b"HTTP/1.1 200 OK\r\n\r\n"))
    protocol = await connect(url)
    protocol.set_response_params(read_until_eof=False)
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.read() == b""


async def test_disconnect_before_head(raw_server: RawServer, connect: Connect) -> None:
    url = await raw_server(replying(b"", close=True))
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    with pytest.raises(ServerDisconnectedError):
        await protocol.read_head()
    assert protocol.should_close
    # Asking again gives the same answer, without waiting.
    with pytest.raises(ServerDisconnectedError):
        await protocol.read_head()


async def test_disconnect_in_the_middle_of_the_head(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(replying(b"HTTP/1.1 200 OK\r\nContent-Le", close=True))
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    with pytest.raises(ServerDisconnectedError):
        await protocol.read_head()


async def test_body_shorter_than_content_length(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", close=True)
    )
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    _, payload = await protocol.read_head()
    with pytest.raises(ClientPayloadError) as info:
        await payload.read()
    assert isinstance(info.value.__cause__, HttpProcessingError)
    assert protocol.should_close


@pytest.mark.parametrize("pause", [0, 0.02])
async def test_invalid_chunking(
    raw_server: RawServer, connect: Connect, pause: float
) -> None:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        if pause:
            await writer.drain()
            await asyncio.sleep(pause)
        writer.write(b"zz\r\nnot a chunk\r\n")
        await reader.read()

    url = await raw_server(handler)
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)

    # With or without a pause, the head comes first and its body fails.
    message, payload = await protocol.read_head()
    assert message.code == 200
    with pytest.raises(ClientPayloadError) as info:
        await payload.read()
    assert isinstance(info.value.__cause__, HttpProcessingError)
    assert protocol.should_close
    await asyncio.wait_for(protocol.closed, 1)


async def test_malformed_status_line(raw_server: RawServer, connect: Connect) -> None:
    url = await raw_server(replying(b"HTTP/1.1 OK\r\n\r\n"))
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    with pytest.raises(BadStatusLine):
        await protocol.read_head()
    assert protocol.should_close


async def test_not_http_at_all(raw_server: RawServer, connect: Connect) -> None:
    url = await raw_server(replying(b"SSH-2.0-OpenSSH\r\n"))
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    with pytest.raises(HttpProcessingError):
        await protocol.read_head()


@pytest.mark.parametrize(("limit", "ok"), [(99, False), (100, True)])
async def test_max_field_size(
    raw_server: RawServer, connect: Connect, limit: int, ok: bool
) -> None:
    # "X-Big: " plus 93 bytes is a 100-byte field line.
    field = b"X-Big: " + b"v" * 93
    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\n" + field + b"\r\nContent-Length: 0\r\n\r\n")
    )
    protocol = await connect(url)
    protocol.set_response_params(max_field_size=limit)
    send(protocol)
    if ok:
        message, _ = await protocol.read_head()
        assert message.headers["X-Big"] == "v" * 93
    else:
        with pytest.raises(LineTooLong):
            await protocol.read_head()


@pytest.mark.parametrize(("limit", "ok"), [(23, False), (24, True)])
async def test_max_line_size(
    raw_server: RawServer, connect: Connect, limit: int, ok: bool
) -> None:
    status = b"HTTP/1.1 200 " + b"r" * 11  # 24 bytes
    url = await raw_server(replying(status + b"\r\nContent-Length: 0\r\n\r\n"))
    protocol = await connect(url)
    protocol.set_response_params(max_line_size=limit)
    send(protocol)
    if ok:
        message, _ = await protocol.read_head()
        assert message.reason == "r" * 11
    else:
        with pytest.raises(LineTooLong):
            await protocol.read_head()


async def test_read_timeout_waiting_for_the_head(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(replying())
    protocol = await connect(url)
    protocol.set_response_params(read_timeout=0.05)
    send(protocol)
    with pytest.raises(SocketTimeoutError):
        await protocol.read_head()
    assert protocol.should_close


async def test_read_timeout_while_reading_the_body(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    )
    protocol = await connect(url)
    protocol.set_response_params(read_timeout=0.05)
    send(protocol)
    _, payload = await protocol.read_head()
    with pytest.raises(SocketTimeoutError):
        await payload.read()
    assert protocol.should_close


async def test_arriving_data_pushes_the_read_timeout_forward(
    raw_server: RawServer, connect: Connect
) -> None:
    async def trickle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")
        for _ in range(12):
            await asyncio.sleep(0.03)
            writer.write(b"x")
        await reader.read()

    url = await raw_server(trickle)
    protocol = await connect(url)
    # Each gap is well under the timeout, the whole body well over it.
    protocol.set_response_params(read_timeout=0.3)
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.read() == b"x" * 12
    assert not protocol.should_close


async def test_no_read_timeout_once_the_response_is_complete(
    raw_server: RawServer, connect: Connect
) -> None:
    url = await raw_server(replying(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    protocol = await connect(url)
    protocol.set_response_params(read_timeout=0.1)
    send(protocol)
    _, payload = await protocol.read_head()
    await asyncio.sleep(0.3)
    assert await payload.read() == b"ok"
    assert not protocol.should_close


async def test_total_timer_is_entered_around_waits(
    raw_server: RawServer, connect: Connect
) -> None:
    entered = []

    class Timer:
        def __enter__(self) -> None:
            entered.append(True)

        def __exit__(self, *args: object) -> None:
            return None

    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", delay=0.02)
    )
    protocol = await connect(url)
    protocol.set_response_params(timer=Timer)
    send(protocol)
    await protocol.read_head()
    assert entered


async def test_connection_reset_gives_client_os_error(
    raw_server: RawServer, connect: Connect
) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    url = await raw_server(reset)
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    with pytest.raises((ClientOSError, ServerDisconnectedError)) as info:
        await protocol.read_head()
    if isinstance(info.value, ClientOSError):
        assert isinstance(info.value.__cause__, ConnectionResetError)


async def test_reset_in_the_middle_of_the_body(
    raw_server: RawServer, connect: Connect
) -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        await asyncio.sleep(0.02)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    url = await raw_server(reset)
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol)
    _, payload = await protocol.read_head()
    with pytest.raises(ClientPayloadError):
        await payload.read()


async def test_upgrade_hands_later_bytes_to_the_new_parser(
    raw_server: RawServer, connect: Connect
) -> None:
    async def upgrade(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n"
            b"Connection: Upgrade\r\n\r\nearly"
        )
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"late")
        await writer.drain()
        writer.close()

    class Collector:
        def __init__(self) -> None:
            self.data = b""
            self.eof = asyncio.get_running_loop().create_future()

        def feed_data(self, data: bytes) -> None:
            self.data += data

        def feed_eof(self) -> None:
            if not self.eof.done():
                self.eof.set_result(None)

    url = await raw_server(upgrade)
    protocol = await connect(url)
    protocol.set_response_params()
    send(protocol, b"GET / HTTP/1.1\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
    message, _ = await protocol.read_head()
    assert message.code == 101
    assert protocol.upgraded
    assert protocol.should_close
    collector = Collector()
    protocol.set_parser(collector)
    await asyncio.wait_for(collector.eof, 1)
    assert collector.data == b"earlylate"


async def test_body_flow_control_pauses_and_resumes(
    raw_server: RawServer, connect: Connect
) -> None:
    size = 1 << 20
    url = await raw_server(
        replying(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size)
    )
    protocol = await connect(url)
    protocol.set_response_params(read_bufsize=1024, read_timeout=0.1)
    send(protocol)
    _, payload = await protocol.read_head()
    paused = False
    for _ in range(100):
        await asyncio.sleep(0.005)
        if protocol.reading_paused:
            paused = True
            break
    assert paused
    # While paused no sock_read timeout runs, however long the reader waits.
    await asyncio.sleep(0.3)
    got = 0
    while chunk := await payload.readany():
        got += len(chunk)
    assert got == size
    assert not protocol.should_close


async def test_a_reader_that_keeps_up_never_pauses_the_body(
    raw_server: RawServer, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 1 << 20

    async def head_then_body(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        # The body comes once the client waits for it.
        await asyncio.sleep(0.02)
        writer.write(b"x" * size)
        await writer.drain()
        await reader.read()

    pauses = 0
    pause_reading = ResponseHandler.pause_reading

    def counting_pause_reading(self: ResponseHandler) -> None:
        nonlocal pauses
        pauses += 1
        pause_reading(self)

    monkeypatch.setattr(ResponseHandler, "pause_reading", counting_pause_reading)
    url = await raw_server(head_then_body)
    protocol = await connect(url)
    protocol.set_response_params(read_bufsize=1024, read_timeout=1)
    send(protocol)
    _, payload = await protocol.read_head()
    got = 0
    async for chunk in payload.iter_chunked(1024):
        got += len(chunk)
    assert got == size
    assert pauses == 0
    assert not protocol.should_close


async def test_one_read_timer_per_connection_not_one_per_chunk(
    raw_server: RawServer, connect: Connect, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunks = 12

    async def trickle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % chunks)
        for _ in range(chunks):
            await asyncio.sleep(0.01)
            writer.write(b"x")
            await writer.drain()
        await reader.read()

    url = await raw_server(trickle)
    protocol = await connect(url)
    loop = asyncio.get_running_loop()
    armed = 0
    call_at = loop.call_at

    def counting_call_at(
        when: float, callback: object, *args: object, **kw: object
    ) -> object:
        nonlocal armed
        if getattr(callback, "__self__", None) is protocol:
            armed += 1
        return call_at(when, callback, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(loop, "call_at", counting_call_at)
    protocol.set_response_params(read_timeout=1.0)
    send(protocol)
    _, payload = await protocol.read_head()
    assert await payload.read() == b"x" * chunks
    # Twelve chunks, each arriving well within the timeout: the timer was
    # armed once and never re-armed.
    assert armed == 1
