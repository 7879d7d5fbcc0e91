"""WebSocketResponse over real sockets, with a raw asyncio client.

The client writes hand-made frames (``aiohttp_ws.build_frame``) and reads
the server's with the sans-I/O reader, so every bad-input case reaches the
server exactly as a misbehaving peer would send it.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from yarl import URL

from aiohttp_core.connection_errors import ClientConnectionResetError
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.runner import AppRunner, TCPSite
from aiohttp_web.websocket import WebSocketReady, WebSocketResponse
from aiohttp_ws import (
    DeflateParams,
    WebSocketReader,
    WSCloseCode,
    WSMessage,
    WSMessageTypeError,
    WSMsgType,
    accept_value,
    build_frame,
    close_payload,
    make_key,
)

MASK = b"\x01\x02\x03\x04"
Handler = Callable[[Request], Awaitable[WebSocketResponse]]


class RawClient:
    """A WebSocket client made of a stream pair and the sans-I/O reader."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.frames = WebSocketReader(is_server=False, max_msg_size=0)
        self.pending: list[WSMessage] = []

    def send(self, opcode: int, payload: bytes, **kwargs: object) -> None:
        self.writer.write(build_frame(opcode, payload, mask=MASK, **kwargs))  # type: ignore[arg-type]

    async def receive(self) -> WSMessage:
        while not self.pending:
            data = await asyncio.wait_for(self.reader.read(65536), 2)
            self.pending += (
                self.frames.feed_data(data) if data else self.frames.feed_eof()
            )
        return self.pending.pop(0)

    async def at_eof(self) -> bool:
        data = await asyncio.wait_for(self.reader.read(65536), 2)
        return data == b""

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


@contextlib.asynccontextmanager
async def serve(
    handler: Handler, *, shutdown_timeout: float = 2.0
) -> AsyncIterator[tuple[int, AppRunner]]:
    app = Application()
    app.router.add_route("*", "/ws", handler)
    runner = AppRunner(app, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = URL(site.name).port
    assert port is not None
    try:
        yield port, runner
    finally:
        await runner.cleanup()


def upgrade_request(key: str, extra: str = "", method: str = "GET") -> bytes:
    return (
        f"{method} /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n{extra}\r\n"
    ).encode()


async def connect(port: int, extra: str = "") -> tuple[RawClient, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = make_key()
    writer.write(upgrade_request(key, extra))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
    assert head.startswith(b"HTTP/1.1 101 "), head
    assert f"Sec-WebSocket-Accept: {accept_value(key)}".encode() in head
    return RawClient(reader, writer), head


async def raw_exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        return await asyncio.wait_for(reader.read(65536), 2)
    finally:
        writer.close()
        await writer.wait_closed()


def recorder(
    ws_factory: Callable[[], WebSocketResponse] = WebSocketResponse,
) -> tuple[Handler, asyncio.Future[tuple[list[WSMessage], WebSocketResponse]]]:
    """A handler that records what it receives until the end, then echoes."""
    done: asyncio.Future[tuple[list[WSMessage], WebSocketResponse]] = (
        asyncio.get_running_loop().create_future()
    )

    async def handler(request: Request) -> WebSocketResponse:
        ws = ws_factory()
        await ws.prepare(request)
        seen: list[WSMessage] = []
        while True:
            msg = await ws.receive()
            seen.append(msg)
            if msg.type is WSMsgType.TEXT:
                await ws.send_str(msg.data + "/answer")
            elif msg.type is WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            elif msg.type is WSMsgType.PING:
                await ws.pong(msg.data)
            else:
                break
        done.set_result((seen, ws))
        return ws

    return handler, done


# -- the happy paths ------------------------------------------------------------


async def test_echo_and_client_close() -> None:
    handler, done = recorder()
    async with serve(handler) as (port, _):
        client, head = await connect(port)
        assert b"Sec-WebSocket-Extensions" not in head
        client.send(WSMsgType.TEXT, "h\u00e9".encode())
        assert await client.receive() == WSMessage(
            WSMsgType.TEXT, "h\u00e9/answer", None
        )
        client.send(WSMsgType.BINARY, b"\x00\x01", fin=False)
        client.send(WSMsgType.PING, b"in between")
        client.send(WSMsgType.CONTINUATION, b"\x02")
        assert await client.receive() == WSMessage(WSMsgType.PONG, b"in between", None)
        assert await client.receive() == WSMessage(
            WSMsgType.BINARY, b"\x00\x01\x02", None
        )
        client.send(WSMsgType.CLOSE, close_payload(1000, "done"))
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 1000, "")
        assert await client.at_eof()
        seen, ws = await asyncio.wait_for(done, 2)
        await client.close()
    assert [m.type for m in seen] == [WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CLOSE]
    assert seen[-1].extra == "done"
    assert ws.closed
    assert ws.close_code == 1000


async def test_server_closes_and_waits_for_the_answer() -> None:
    result: asyncio.Future[tuple[bool, int | None]] = (
        asyncio.get_running_loop().create_future()
    )

    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse(protocols=("chat", "v2"))
        await ws.prepare(request)
        assert ws.ws_protocol == "v2"
        await ws.send_json({"a": 1})
        ok = await ws.close(code=WSCloseCode.GOING_AWAY, message="bye")
        result.set_result((ok, ws.close_code))
        assert not await ws.close()
        return ws

    async with serve(handler) as (port, _):
        client, head = await connect(port, "Sec-WebSocket-Protocol: v2, chat\r\n")
        assert b"Sec-WebSocket-Protocol: v2\r\n" in head
        assert (await client.receive()).json() == {"a": 1}
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 1001, "bye")
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert await asyncio.wait_for(result, 2) == (True, 1000)
        assert await client.at_eof()
        await client.close()


async def test_compression_negotiated() -> None:
    handler, done = recorder()
    async with serve(handler) as (port, _):
        client, head = await connect(
            port,
            "Sec-WebSocket-Extensions: permessage-deflate; "
            "client_max_window_bits; server_no_context_takeover\r\n",
        )
        assert (
            b"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover"
            in head
        )
        client.frames = WebSocketReader(
            is_server=False, deflate=DeflateParams(server_no_context_takeover=True)
        )
        comp = zlib.compressobj(wbits=-15)
        body = comp.compress(b"abc" * 100) + comp.flush(zlib.Z_SYNC_FLUSH)
        client.send(WSMsgType.TEXT, body[:-4], rsv1=True)
        assert (await client.receive()).data == "abc" * 100 + "/answer"
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert (await client.receive()).data == 1000
        _, ws = await asyncio.wait_for(done, 2)
        assert ws.compress
        await client.close()


async def test_async_for_goes_through_an_overridden_receive() -> None:
    class Shouting(WebSocketResponse):
        async def receive(self, timeout: float | None = None) -> WSMessage:
            message = await super().receive(timeout)
            if message.type is WSMsgType.TEXT:
                return message._replace(data=message.data.upper())
            return message

    async def handler(request: Request) -> WebSocketResponse:
        ws = Shouting()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.TEXT, b"hi")
        assert (await client.receive()).data == "HI"
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 1000, "")
        await client.close()


async def test_async_for_before_prepare_says_so() -> None:
    with pytest.raises(RuntimeError, match="prepare"):
        async for _ in WebSocketResponse():
            pass


async def test_async_for_as_in_the_docs() -> None:
    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                if msg.data == "close":
                    await ws.close()
                else:
                    await ws.send_str(msg.data + "/answer")
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.TEXT, b"hi")
        assert (await client.receive()).data == "hi/answer"
        client.send(WSMsgType.TEXT, b"close")
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 1000, "")
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert await client.at_eof()
        await client.close()


async def test_typed_receives_and_misuse() -> None:
    errors: list[BaseException] = []
    finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse(autoping=False)
        for call in (ws.receive(), ws.send_str("x"), ws.ping(), ws.close()):
            with pytest.raises(RuntimeError):
                await call
        assert ws.can_prepare(request) == WebSocketReady(True, None)
        await ws.prepare(request)
        assert ws.get_extra_info("peername")[0] == "127.0.0.1"
        with pytest.raises(TypeError):
            await ws.send_str(b"bytes")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await ws.send_bytes("text")  # type: ignore[arg-type]
        with pytest.raises(RuntimeError):
            await ws.write(b"body")
        assert await ws.receive_str() == "s"
        assert await ws.receive_bytes() == b"b"
        assert await ws.receive_json() == [1]
        assert (await ws.receive()).type is WSMsgType.PING
        try:
            await ws.receive_str()
        except WSMessageTypeError as exc:
            errors.append(exc)
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.05)
        await ws.close()
        finished.set_result(None)
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.TEXT, b"s")
        client.send(WSMsgType.BINARY, b"b")
        client.send(WSMsgType.TEXT, b"[1]")
        client.send(WSMsgType.PING, b"p")
        client.send(WSMsgType.BINARY, b"not text")
        assert (await client.receive()).type is WSMsgType.CLOSE
        client.send(WSMsgType.CLOSE, close_payload(1000))
        await asyncio.wait_for(finished, 2)
        await client.close()
    assert len(errors) == 1
    assert isinstance(errors[0], TypeError)


# -- the handshake ----------------------------------------------------------------


def _ws_handler() -> Handler:
    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        await ws.close()
        return ws

    return handler


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (upgrade_request(make_key(), method="POST"), b"405"),
        (upgrade_request("not a key"), b"400"),
        (upgrade_request(make_key()).replace(b"Version: 13", b"Version: 12"), b"400"),
        # A Kelvin sign is no "k": ASCII-only comparison.
        (
            upgrade_request(make_key()).replace(
                b"Upgrade: websocket", "Upgrade: websoc\u212aet".encode()
            ),
            b"400",
        ),
        # Connection must hold the upgrade token itself.
        (
            upgrade_request(make_key()).replace(
                b"Connection: Upgrade", b"Connection: upgraded"
            ),
            b"400",
        ),
    ],
)
async def test_bad_handshakes(request_bytes: bytes, status: bytes) -> None:
    async with serve(_ws_handler()) as (port, _):
        answer = await raw_exchange(port, request_bytes)
    assert answer.startswith(b"HTTP/1.1 " + status), answer


async def test_connection_token_list_and_upper_case() -> None:
    async with serve(_ws_handler()) as (port, _):
        key = make_key()
        request = upgrade_request(key).replace(
            b"Connection: Upgrade", b"Connection: keep-alive, UPGRADE"
        )
        answer = await raw_exchange(port, request)
    assert answer.startswith(b"HTTP/1.1 101 "), answer


async def test_can_prepare_refuses_without_raising() -> None:
    seen: list[WebSocketReady] = []

    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        seen.append(ws.can_prepare(request))
        await ws.prepare(request)
        return ws

    async with serve(handler) as (port, _):
        await raw_exchange(port, b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
    assert seen == [WebSocketReady(False, None)]
    assert not seen[0]


# -- bad input from the peer ------------------------------------------------------

BAD_INPUT = {
    "unmasked": (build_frame(WSMsgType.TEXT, b"x"), 1002),
    "rsv1 without deflate": (
        build_frame(WSMsgType.TEXT, b"x", rsv1=True, mask=MASK),
        1002,
    ),
    "ping over 125 bytes": (build_frame(WSMsgType.PING, b"p" * 126, mask=MASK), 1002),
    "fragmented ping": (build_frame(WSMsgType.PING, b"p", fin=False, mask=MASK), 1002),
    "invalid utf-8": (build_frame(WSMsgType.TEXT, b"\xff", mask=MASK), 1007),
    "one byte over max_msg_size": (
        build_frame(WSMsgType.BINARY, b"x" * 1001, mask=MASK),
        1009,
    ),
    "large length dribbling in": (
        b"\x82\xff" + (2**40).to_bytes(8, "big") + MASK + b"x" * 10,
        1009,
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
async def test_bad_input_closes_with_the_right_code(case: str) -> None:
    data, code = BAD_INPUT[case]
    handler, done = recorder(lambda: WebSocketResponse(max_msg_size=1000))
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.writer.write(data)
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, code, "")
        assert await client.at_eof()
        seen, ws = await asyncio.wait_for(done, 2)
        await client.close()
    assert seen[-1].type is WSMsgType.ERROR
    assert seen[-1].data.code == code
    assert ws.close_code == code
    assert ws.exception() is seen[-1].data


async def test_max_msg_size_one_under_is_fine() -> None:
    handler, done = recorder(lambda: WebSocketResponse(max_msg_size=1000))
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.BINARY, b"x" * 1000)
        assert (await client.receive()).data == b"x" * 1000
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert (await client.receive()).data == 1000
        await asyncio.wait_for(done, 2)
        await client.close()


async def test_decompression_bomb() -> None:
    handler, done = recorder(lambda: WebSocketResponse(max_msg_size=1000))
    async with serve(handler) as (port, _):
        client, _ = await connect(
            port, "Sec-WebSocket-Extensions: permessage-deflate\r\n"
        )
        comp = zlib.compressobj(wbits=-15)
        bomb = comp.compress(b"\x00" * 2**22) + comp.flush(zlib.Z_SYNC_FLUSH)
        client.send(WSMsgType.BINARY, bomb[:-4], rsv1=True)
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 1009, "")
        _, ws = await asyncio.wait_for(done, 2)
        await client.close()
    assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG


async def test_peer_vanishes_without_close() -> None:
    handler, done = recorder()
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.TEXT, b"x", fin=False)
        await client.close()
        seen, ws = await asyncio.wait_for(done, 2)
    assert seen[-1].type is WSMsgType.CLOSED
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE


# -- heartbeat and shutdown ---------------------------------------------------------


async def test_heartbeat_without_pong_closes_abnormally() -> None:
    handler, done = recorder(lambda: WebSocketResponse(heartbeat=0.1))
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        assert (await client.receive()).type is WSMsgType.PING
        seen, ws = await asyncio.wait_for(done, 2)
        assert await client.at_eof()
        await client.close()
    assert seen[-1].type is WSMsgType.ERROR
    assert isinstance(seen[-1].data, asyncio.TimeoutError)
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE


async def test_heartbeat_answered_keeps_the_connection() -> None:
    handler, done = recorder(lambda: WebSocketResponse(heartbeat=0.05))
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        for _ in range(3):
            ping = await client.receive()
            assert ping.type is WSMsgType.PING
            client.send(WSMsgType.PONG, ping.data)
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert (await client.receive()).data == 1000
        _, ws = await asyncio.wait_for(done, 2)
        await client.close()
    assert ws.close_code == 1000


async def test_shutdown_closes_with_going_away() -> None:
    handler, done = recorder()
    async with serve(handler) as (port, runner):
        client, _ = await connect(port)

        async def peer() -> WSMessage:
            msg = await client.receive()
            client.send(WSMsgType.CLOSE, close_payload(1001))
            return msg

        answer = asyncio.ensure_future(peer())
        await runner.cleanup()
        assert await answer == WSMessage(WSMsgType.CLOSE, 1001, "Server shutdown")
        seen, ws = await asyncio.wait_for(done, 2)
        await client.close()
    assert seen[-1].type is WSMsgType.CLOSE
    assert ws.close_code == 1001


# -- closing details, flow control ------------------------------------------------


async def test_empty_close_is_answered_with_ok() -> None:
    handler, done = recorder()
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.CLOSE, b"")
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 1000, "")
        _, ws = await asyncio.wait_for(done, 2)
        await client.close()
    assert ws.close_code == 1005  # no status received (RFC 6455 7.1.5)


async def test_autoclose_off_leaves_closing_to_the_handler() -> None:
    steps: asyncio.Future[list[WSMsgType]] = asyncio.get_running_loop().create_future()

    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse(autoclose=False)
        await ws.prepare(request)
        seen = [(await ws.receive()).type, (await ws.receive()).type]
        assert not ws.closed
        await ws.send_str("still open")
        assert await ws.close(code=4001)
        seen.append((await ws.receive()).type)
        # web_reference.rst: aiohttp.ClientConnectionResetError.
        with pytest.raises(ClientConnectionResetError, match="closing"):
            await ws.send_str("too late")
        steps.set_result(seen)
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.CLOSE, close_payload(4000))
        assert (await client.receive()).data == "still open"
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 4001, "")
        assert await asyncio.wait_for(steps, 2) == [
            WSMsgType.CLOSE,
            WSMsgType.CLOSING,
            WSMsgType.CLOSED,
        ]
        await client.close()


async def test_close_reason_too_long_keeps_the_connection() -> None:
    finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse(timeout=0.1)
        await ws.prepare(request)
        with pytest.raises(ValueError, match="123 bytes"):
            await ws.close(message="r" * 124)
        assert not ws.closed
        # The peer never answers: close gives up after ``timeout``.
        assert await ws.close(message="r" * 123)
        assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
        finished.set_result(None)
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        assert await client.receive() == WSMessage(WSMsgType.CLOSE, 1000, "r" * 123)
        await asyncio.wait_for(finished, 2)
        assert await client.at_eof()
        await client.close()


def paused(request: Request) -> bool:
    return request.protocol.reading_paused


async def test_reading_pauses_while_messages_pile_up() -> None:
    loop = asyncio.get_running_loop()
    started: asyncio.Future[Request] = loop.create_future()
    go = asyncio.Event()
    total: asyncio.Future[int] = loop.create_future()

    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        started.set_result(request)
        await go.wait()
        size = 0
        async for msg in ws:
            size += len(msg.data)
        total.set_result(size)
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        request = await asyncio.wait_for(started, 2)
        for _ in range(40):
            client.send(WSMsgType.BINARY, b"x" * 40_000)
        await client.writer.drain()
        for _ in range(100):
            if paused(request):
                break
            await asyncio.sleep(0.01)
        assert paused(request)
        go.set()
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert await asyncio.wait_for(total, 2) == 1_600_000
        assert not paused(request)
        await client.close()


async def test_sending_waits_for_a_slow_reader() -> None:
    sent = 0

    async def handler(request: Request) -> WebSocketResponse:
        nonlocal sent
        ws = WebSocketResponse(writer_limit=1024)
        await ws.prepare(request)
        for _ in range(200):
            await ws.send_bytes(b"y" * 65536)
            sent += 1
        await ws.close()
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        await asyncio.sleep(0.2)
        assert sent < 200  # blocked on the full transport
        received = 0
        while True:
            msg = await client.receive()
            if msg.type is WSMsgType.CLOSE:
                break
            received += 1
        client.send(WSMsgType.CLOSE, close_payload(1000))
        assert received == 200
        await client.close()


async def test_ping_from_a_vanished_peer() -> None:
    handler, done = recorder()
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        client.send(WSMsgType.PING, b"last words")
        client.writer.transport.abort()
        seen, ws = await asyncio.wait_for(done, 2)
    assert seen[-1].type is WSMsgType.CLOSED
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE


async def test_on_shutdown_closes_websockets_as_in_the_docs() -> None:
    import weakref

    from aiohttp_web.app_key import AppKey

    app = Application()
    websockets: AppKey[weakref.WeakSet[WebSocketResponse]] = AppKey(
        "websockets", weakref.WeakSet
    )
    app[websockets] = weakref.WeakSet()
    ended: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()

    async def websocket_handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        request.app[websockets].add(ws)
        try:
            async for _ in ws:
                pass
        finally:
            request.app[websockets].discard(ws)
        ended.set_result(ws.close_code)
        return ws

    async def on_shutdown(app: Application) -> None:
        open_sockets = app[websockets]
        for ws in set(open_sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message="Server shutdown")

    app.on_shutdown.append(on_shutdown)
    app.router.add_get("/ws", websocket_handler)
    runner = AppRunner(app, shutdown_timeout=2)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = URL(site.name).port
    assert port is not None
    client, _ = await connect(port)

    async def peer() -> WSMessage:
        msg = await client.receive()
        client.send(WSMsgType.CLOSE, close_payload(1001))
        return msg

    answer = asyncio.ensure_future(peer())
    await runner.cleanup()
    assert await answer == WSMessage(WSMsgType.CLOSE, 1001, "Server shutdown")
    assert await asyncio.wait_for(ended, 2) == 1001
    await client.close()


# -- frames sent in one turn of the event loop -------------------------------------


async def test_answers_to_a_burst_arrive_whole_and_in_order() -> None:
    """Frames held back within a turn are written together, in send order."""
    handler, done = recorder()
    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        for i in range(300):
            client.send(WSMsgType.TEXT, str(i).encode())
        client.send(WSMsgType.BINARY, b"z" * 70_000)
        client.send(WSMsgType.CLOSE, close_payload(1000))
        got = [await client.receive() for _ in range(302)]
        assert [m.data for m in got[:300]] == [f"{i}/answer" for i in range(300)]
        assert got[300] == WSMessage(WSMsgType.BINARY, b"z" * 70_000, None)
        assert got[301].type is WSMsgType.CLOSE  # after every answer
        await asyncio.wait_for(done, 2)
        await client.close()


async def test_frames_of_a_task_that_only_sends_are_not_held() -> None:
    """No receive() follows these sends: the end of the turn writes them."""
    release = asyncio.Event()

    async def handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        for i in range(3):
            await ws.send_str(f"first {i}")
        await release.wait()
        await ws.send_str("second")
        await ws.send_str("third")
        await release.wait()
        await ws.close()
        return ws

    async with serve(handler) as (port, _):
        client, _ = await connect(port)
        assert [(await client.receive()).data for _ in range(3)] == [
            "first 0",
            "first 1",
            "first 2",
        ]
        release.set()
        assert (await client.receive()).data == "second"
        assert (await client.receive()).data == "third"
        assert (await client.receive()).type is WSMsgType.CLOSE
        client.send(WSMsgType.CLOSE, close_payload(1000))
        await client.close()
