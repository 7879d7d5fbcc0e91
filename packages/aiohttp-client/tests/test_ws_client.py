"""The client WebSocket: ``ws_connect`` and ``ClientWebSocketResponse``.

Against our server (``aiohttp_web.WebSocketResponse``) for the normal
cases, and against hand-made servers for handshakes and peers that
misbehave.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client import (
    ClientConnectionResetError,
    ClientConnectorCertificateError,
    ClientSession,
    ClientWSTimeout,
    ServerFingerprintMismatch,
    ServerTimeoutError,
    TCPConnector,
    WSServerHandshakeError,
)
from aiohttp_client.ws_client import (
    DEFAULT_WS_CLIENT_TIMEOUT,
    ClientWebSocketResponse,
    _ws_timeout,
    ws_connect,
)
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response
from aiohttp_web.websocket import WebSocketResponse
from aiohttp_ws import (
    WebSocketError,
    WebSocketReader,
    WSCloseCode,
    WSMessage,
    WSMessageTypeError,
    WSMsgType,
    accept_value,
    build_frame,
)

Handler = Callable[[Request], Awaitable[Any]]
Reader = asyncio.StreamReader
Writer = asyncio.StreamWriter


# -- servers ------------------------------------------------------------------------


async def echo(request: Request) -> WebSocketResponse:
    """Echo TEXT and BINARY; a few TEXT commands make the server act."""
    ws = WebSocketResponse(protocols=("chat", "superchat"))
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close(code=4000, message="as asked")
            elif msg.data == "compressed?":
                await ws.send_str(str(ws.compress))
            elif msg.data == "ping me":
                await ws.ping(b"from server")
            elif msg.data == "headers":
                await ws.send_json(
                    {
                        "origin": request.headers.get("Origin"),
                        "auth": request.headers.get("Authorization"),
                        "custom": request.headers.get("X-Custom"),
                        "query": request.query_string,
                        "method": request.method,
                        "protocol": ws.ws_protocol,
                    }
                )
            else:
                await ws.send_str(msg.data)
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


async def serve(serve_app: Any, handler: Handler = echo, **kw: Any) -> URL:
    app = Application()
    app.router.add_route("*", "/ws", handler)
    url: URL = await serve_app(app, **kw)
    return url / "ws"


async def read_request(reader: asyncio.StreamReader) -> tuple[str, CIMultiDict[str]]:
    """The request line and header fields of the next request."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    line, *fields = head.split("\r\n")
    headers: CIMultiDict[str] = CIMultiDict()
    for field in fields:
        if field:
            name, _, value = field.partition(":")
            headers.add(name.strip(), value.strip())
    return line, headers


def answer_101(headers: CIMultiDict[str]) -> bytes:
    """A correct 101 answer to the upgrade request with ``headers``."""
    return (
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: {accept_value(headers['Sec-WebSocket-Key'])}\r\n"
        "\r\n"
    ).encode("latin-1")


StreamHandler = Callable[[Reader, Writer], Awaitable[None]]


def after_handshake(
    then: StreamHandler,
) -> StreamHandler:
    """A raw server: a correct 101, then ``then(reader, writer)``."""

    async def handler(reader: Reader, writer: Writer) -> None:
        _, headers = await read_request(reader)
        writer.write(answer_101(headers))
        await writer.drain()
        await then(reader, writer)

    return handler


async def client_frames(reader: asyncio.StreamReader, count: int = 1) -> list[Any]:
    """The next ``count`` messages the client sent (masked, as it must)."""
    parser = WebSocketReader(is_server=True, max_msg_size=0)
    messages: list[Any] = []
    while len(messages) < count:
        data = await reader.read(2**16)
        if not data:
            break
        messages.extend(parser.feed_data(data))
    return messages


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as client:
        yield client


def session_close_code(message: Any) -> int:
    assert message.type is WSMsgType.CLOSE
    return int(message.data)


# -- talking to our server -------------------------------------------------------


async def test_text_binary_json_roundtrip(serve_app, session: ClientSession) -> None:
    url = await serve(serve_app)
    async with ws_connect(session, url) as ws:
        assert isinstance(ws, ClientWebSocketResponse)
        assert not ws.closed
        assert ws.close_code is None
        assert ws.exception() is None
        await ws.send_str("h\u00e9llo")
        assert await ws.receive_str() == "h\u00e9llo"
        await ws.send_bytes(b"\x00\xff" * 300)
        assert await ws.receive_bytes() == b"\x00\xff" * 300
        await ws.send_bytes(bytearray(b"ba"))
        assert await ws.receive_bytes() == b"ba"
        await ws.send_bytes(memoryview(b"mv"))
        assert await ws.receive_bytes() == b"mv"
        await ws.send_json({"a": [1, 2]})
        assert await ws.receive_json() == {"a": [1, 2]}
        await ws.send_json([3], dumps=lambda obj: json.dumps({"in": obj}))
        assert await ws.receive_json(loads=lambda s: json.loads(s)["in"]) == [3]
        await ws.send_frame(b"raw", WSMsgType.TEXT)
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.TEXT, "raw")
        assert msg.json(loads=lambda s: s.upper()) == "RAW"
    assert ws.closed
    assert ws.close_code == WSCloseCode.OK


async def test_await_form_and_close_handshake(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    ws = await ws_connect(session, url)
    await ws.send_str("x")
    assert await ws.receive_str() == "x"
    assert await ws.close() is True
    assert ws.closed
    assert ws.close_code == WSCloseCode.OK
    assert await ws.close() is False
    msg = await ws.receive()
    assert msg.type is WSMsgType.CLOSED


async def test_async_iteration_ends_on_server_close(serve_app) -> None:
    url = await serve(serve_app)
    seen = []
    async with ClientSession() as session, ws_connect(session, url) as ws:
        await ws.send_str("one")
        await ws.send_str("close")
        async for msg in ws:
            seen.append(msg.data)
        assert ws.closed
        assert ws.close_code == 4000
    assert seen == ["one"]


async def test_server_close_message_and_code(serve_app) -> None:
    url = await serve(serve_app)
    async with ClientSession() as session, ws_connect(session, url) as ws:
        await ws.send_str("close")
        msg = await ws.receive()
        assert msg.type is WSMsgType.CLOSE
        assert (msg.data, msg.extra) == (4000, "as asked")
        assert ws.closed
        assert ws.close_code == 4000
        assert (await ws.receive()).type is WSMsgType.CLOSED


async def test_autoclose_false_leaves_close_to_the_user(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    ws = await ws_connect(session, url, autoclose=False)
    await ws.send_str("close")
    msg = await ws.receive()
    assert msg.type is WSMsgType.CLOSE
    assert ws.closed  # the CLOSE was received, ours is not sent yet
    assert (await ws.receive()).type is WSMsgType.CLOSING
    await ws.send_str("still allowed before our CLOSE")
    assert await ws.close() is True
    assert ws.close_code == 4000


async def test_send_after_close_and_bad_types(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    ws = await ws_connect(session, url)
    with pytest.raises(TypeError):
        await ws.send_str(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await ws.send_bytes("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await ws.send_json(object())
    await ws.close()
    with pytest.raises(ClientConnectionResetError):
        await ws.send_str("late")
    with pytest.raises(ClientConnectionResetError):
        await ws.ping()


async def test_receive_type_checks(serve_app) -> None:
    url = await serve(serve_app)
    async with ClientSession() as session, ws_connect(session, url) as ws:
        await ws.send_bytes(b"b")
        with pytest.raises(WSMessageTypeError):
            await ws.receive_str()
        await ws.send_str("s")
        with pytest.raises(WSMessageTypeError):
            await ws.receive_bytes()
        await ws.send_str("not json")
        with pytest.raises(json.JSONDecodeError):
            await ws.receive_json()


async def test_ping_pong_autoping(serve_app) -> None:
    url = await serve(serve_app)
    async with ClientSession() as session, ws_connect(session, url) as ws:
        # The server's PING is answered and not shown; so is its PONG.
        await ws.send_str("ping me")
        await ws.ping(b"from client")
        await ws.pong(b"unsolicited")
        await ws.send_str("after")
        assert await ws.receive_str() == "after"


async def test_ping_pong_without_autoping(serve_app, session: ClientSession) -> None:
    url = await serve(serve_app)
    async with ws_connect(session, url, autoping=False) as ws:
        await ws.ping("text ping")
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.PONG, b"text ping")
        await ws.send_str("ping me")
        msg = await ws.receive()
        assert (msg.type, msg.data) == (WSMsgType.PING, b"from server")


async def test_request_fields(serve_app) -> None:
    url = await serve(serve_app)
    async with (
        ClientSession(headers={"X-Custom": "session"}) as session,
        ws_connect(
            session,
            url,
            origin="http://example.test",
            auth=BasicAuth("user", "pass"),
            params={"q": "1"},
            headers={"X-Custom": "call"},
            protocols=("nope", "superchat"),
        ) as ws,
    ):
        await ws.send_str("headers")
        seen = await ws.receive_json()
        assert ws.protocol == "superchat"
    assert seen == {
        "origin": "http://example.test",
        "auth": BasicAuth("user", "pass").encode(),
        "custom": "call",
        "query": "q=1",
        "method": "GET",
        "protocol": "superchat",
    }


async def test_protocols_not_overlapping(serve_app, session: ClientSession) -> None:
    url = await serve(serve_app)
    async with ws_connect(session, url, protocols="other") as ws:
        assert ws.protocol is None
    async with ws_connect(session, url) as ws:
        assert ws.protocol is None


async def test_get_extra_info(serve_app) -> None:
    url = await serve(serve_app)
    async with ClientSession() as session, ws_connect(session, url) as ws:
        assert ws.get_extra_info("peername")[:2] == ("127.0.0.1", url.port)
        assert ws.get_extra_info("no such thing", 42) == 42


async def test_compression_negotiated(serve_app, session: ClientSession) -> None:
    url = await serve(serve_app)
    payload = "squeeze me " * 2000
    async with ws_connect(session, url, compress=15) as ws:
        assert ws.compress == 15
        assert not ws.client_notakeover
        await ws.send_str("compressed?")
        assert await ws.receive_str() == "True"
        await ws.send_str(payload)
        assert await ws.receive_str() == payload
        await ws.send_str(payload, compress=0)  # this one sent as is
        assert await ws.receive_str() == payload
    async with ws_connect(session, url, compress=9) as ws:
        assert ws.compress == 9
        await ws.send_bytes(payload.encode())
        assert await ws.receive_bytes() == payload.encode()
    async with ws_connect(session, url) as ws:
        assert ws.compress == 0
        await ws.send_str("compressed?")
        assert await ws.receive_str() == "False"


async def test_compression_declined_by_server(
    serve_app, session: ClientSession
) -> None:
    async def plain(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse(compress=False)
        await ws.prepare(request)
        await ws.send_str("hi")
        await ws.receive()
        return ws

    url = await serve(serve_app, plain)
    async with ws_connect(session, url, compress=15) as ws:
        assert ws.compress == 0
        assert await ws.receive_str() == "hi"


@pytest.mark.parametrize("compress", [1, 8, 16, True, -1])
async def test_bad_compress_refused_before_connecting(
    compress: int, session: ClientSession
) -> None:
    with pytest.raises(ValueError, match="compress must be"):
        ws_connect(session, "http://127.0.0.1:1/ws", compress=compress)


async def test_method_other_than_get(serve_app, session: ClientSession) -> None:
    url = await serve(serve_app)
    with pytest.raises(WSServerHandshakeError) as info:
        await ws_connect(session, url, method="POST")
    assert info.value.status == 405
    assert info.value.request_info.method == "POST"


async def test_not_found_is_a_handshake_error(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    with pytest.raises(WSServerHandshakeError) as info:
        await ws_connect(session, url.with_path("/missing"))
    assert info.value.status == 404
    assert info.value.request_info.url == url.with_path("/missing")


async def test_redirect_followed(serve_app) -> None:
    async def old(request: Request) -> Response:
        return Response(status=307, headers={"Location": "/ws"})

    app = Application()
    app.router.add_get("/ws", echo)
    app.router.add_get("/old", old)
    base = await serve_app(app)
    async with ClientSession() as session, ws_connect(session, base / "old") as ws:
        await ws.send_str("moved")
        assert await ws.receive_str() == "moved"


async def test_max_msg_size_limit(serve_app, session: ClientSession) -> None:
    limit = 1000

    async def sender(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse(compress=False)
        await ws.prepare(request)
        size = int(await ws.receive_str())
        await ws.send_bytes(b"x" * size)
        await ws.receive()
        return ws

    url = await serve(serve_app, sender)
    async with ws_connect(session, url, max_msg_size=limit) as ws:
        await ws.send_str(str(limit))
        assert await ws.receive_bytes() == b"x" * limit
    async with ws_connect(session, url, max_msg_size=limit) as ws:
        await ws.send_str(str(limit + 1))
        msg = await ws.receive()
        assert msg.type is WSMsgType.ERROR
        assert isinstance(msg.data, WebSocketError)
        assert msg.data.code == WSCloseCode.MESSAGE_TOO_BIG
        assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG
        assert ws.exception() is msg.data
        assert ws.closed
        assert (await ws.receive()).type is WSMsgType.CLOSED
    async with ws_connect(session, url, max_msg_size=0) as ws:
        await ws.send_str(str(5 * 1024 * 1024))
        assert len(await ws.receive_bytes()) == 5 * 1024 * 1024


async def test_max_msg_size_compressed(serve_app, session: ClientSession) -> None:
    limit = 4096

    async def sender(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        size = int(await ws.receive_str())
        await ws.send_bytes(b"z" * size)  # a few bytes once compressed
        await ws.receive()
        return ws

    url = await serve(serve_app, sender)
    async with ws_connect(session, url, max_msg_size=limit, compress=15) as ws:
        await ws.send_str(str(limit))
        assert await ws.receive_bytes() == b"z" * limit
    async with ws_connect(session, url, max_msg_size=limit, compress=15) as ws:
        await ws.send_str(str(limit + 1))
        msg = await ws.receive()
        assert msg.type is WSMsgType.ERROR
        assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG


async def test_negative_max_msg_size_and_heartbeat(session: ClientSession) -> None:
    with pytest.raises(ValueError, match="max_msg_size"):
        ws_connect(session, "http://127.0.0.1:1/ws", max_msg_size=-1)
    with pytest.raises(ValueError, match="heartbeat"):
        ws_connect(session, "http://127.0.0.1:1/ws", heartbeat=-1)


async def test_receive_timeout(serve_app, session: ClientSession) -> None:
    url = await serve(serve_app)
    timeout = ClientWSTimeout(ws_receive=0.05)
    async with ws_connect(session, url, timeout=timeout) as ws:
        assert ws.timeout == timeout
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        # The WebSocket is still usable after a receive timeout.
        assert not ws.closed
        await ws.send_str("still here")
        assert await ws.receive_str() == "still here"
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive_str(timeout=0.05)


async def test_heartbeat_answered_keeps_connection(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    async with ws_connect(session, url, heartbeat=0.05) as ws:
        await asyncio.sleep(0.3)  # several PINGs, each answered
        assert not ws.closed
        await ws.send_str("alive")
        assert await ws.receive_str() == "alive"
        assert ws.close_code is None


async def test_receive_timeout_not_restarted_by_heartbeat(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    async with ws_connect(session, url, heartbeat=0.05) as ws:
        task = asyncio.ensure_future(ws.receive(timeout=0.2))
        # The outer bound only stops a hang; the inner one must fire.
        await asyncio.wait({task}, timeout=1.5)
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            pytest.fail("receive(timeout=0.2) did not time out")
        assert isinstance(task.exception(), asyncio.TimeoutError)
        assert not ws.closed


async def test_heartbeat_without_pong(raw_server, session: ClientSession) -> None:
    pings: list[Any] = []

    async def silent(reader: Reader, writer: Writer) -> None:
        pings.extend(await client_frames(reader))
        await reader.read()  # never answers; waits for the client to go

    url = await raw_server(after_handshake(silent))
    ws = await ws_connect(session, url, heartbeat=0.05)
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type is WSMsgType.ERROR
    assert isinstance(msg.data, ServerTimeoutError)
    assert ws.exception() is msg.data
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert (await ws.receive()).type is WSMsgType.CLOSED
    assert ws.closed
    assert pings[0].type is WSMsgType.PING


async def test_peer_vanishes(raw_server, session: ClientSession) -> None:
    async def vanish(reader: Reader, writer: Writer) -> None:
        writer.write(build_frame(WSMsgType.TEXT, b"last words"))
        await writer.drain()
        writer.transport.abort()

    url = await raw_server(after_handshake(vanish))
    ws = await ws_connect(session, url)
    assert await ws.receive_str() == "last words"
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type is WSMsgType.CLOSED
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert ws.closed
    assert await ws.close() is False


async def test_peer_vanishes_while_nobody_reads(raw_server) -> None:
    gone = asyncio.Event()

    async def vanish(reader: Reader, writer: Writer) -> None:
        writer.transport.abort()
        gone.set()

    connector = TCPConnector(limit=1)
    url = await raw_server(after_handshake(vanish))
    async with ClientSession(connector=connector) as session:
        await ws_connect(session, url)
        await gone.wait()
        # The lost connection freed the only slot of the pool by itself.
        second = await asyncio.wait_for(ws_connect(session, url), 2)
        msg = await asyncio.wait_for(second.receive(), 2)
        assert msg.type is WSMsgType.CLOSED


async def test_pool_slot_freed_after_close(serve_app) -> None:
    url = await serve(serve_app)
    async with ClientSession(connector=TCPConnector(limit=1)) as session:
        for _ in range(3):
            ws = await asyncio.wait_for(ws_connect(session, url), 2)
            await ws.send_str("x")
            assert await ws.receive_str() == "x"
            await ws.close()


async def fault_then_close(
    raw_server: Any, frame: bytes
) -> tuple[Any, list[Any], ClientWebSocketResponse, ClientSession]:
    """A server that sends ``frame`` and answers the client's CLOSE."""
    received: list[Any] = []

    async def fault(reader: Reader, writer: Writer) -> None:
        writer.write(frame)
        await writer.drain()
        received.extend(await client_frames(reader))
        writer.write(build_frame(WSMsgType.CLOSE, struct.pack("!H", 1000)))
        await writer.drain()

    url = await raw_server(after_handshake(fault))
    session = ClientSession()
    ws = await ws_connect(session, url, timeout=ClientWSTimeout(ws_close=1))
    msg = await asyncio.wait_for(ws.receive(), 2)
    return msg, received, ws, session


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (build_frame(WSMsgType.TEXT, b"masked", mask=b"abcd"), 1002),
        (build_frame(WSMsgType.TEXT, b"\xff\xfe"), 1007),
        (build_frame(WSMsgType.TEXT, b"rsv1", rsv1=True), 1002),
        (build_frame(WSMsgType.PING, b"p", fin=False), 1002),
        (build_frame(WSMsgType.PING, b"p" * 126), 1002),
        (build_frame(WSMsgType.CLOSE, struct.pack("!H", 1000) + b"\xff"), 1007),
    ],
    ids=["masked", "bad-utf8", "rsv1", "fragmented-control", "big-control", "reason"],
)
async def test_protocol_violations_close_with_code(
    raw_server, frame: bytes, code: int
) -> None:
    msg, received, ws, session = await fault_then_close(raw_server, frame)
    try:
        assert msg.type is WSMsgType.ERROR
        assert isinstance(msg.data, WebSocketError)
        assert msg.data.code == code
        assert ws.close_code == code
        assert ws.closed
        assert (await ws.receive()).type is WSMsgType.CLOSED
    finally:
        await session.close()
    assert [session_close_code(m) for m in received] == [code]


async def test_close_times_out_when_server_never_answers(
    raw_server, session: ClientSession
) -> None:
    async def deaf(reader: Reader, writer: Writer) -> None:
        await reader.read()

    url = await raw_server(after_handshake(deaf))
    ws = await ws_connect(session, url, timeout=ClientWSTimeout(ws_close=0.05))
    assert await asyncio.wait_for(ws.close(), 2) is True
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
    assert isinstance(ws.exception(), asyncio.TimeoutError)


async def test_server_ping_answered_with_masked_pong(raw_server) -> None:
    answers: list[Any] = []

    async def pinger(reader: Reader, writer: Writer) -> None:
        writer.write(build_frame(WSMsgType.PING, b"payload"))
        writer.write(build_frame(WSMsgType.TEXT, b"done"))
        await writer.drain()
        answers.extend(await client_frames(reader))
        writer.write(build_frame(WSMsgType.CLOSE, struct.pack("!H", 1000)))
        await writer.drain()

    url = await raw_server(after_handshake(pinger))
    async with ClientSession() as session, ws_connect(session, url) as ws:
        assert await ws.receive_str() == "done"
    assert (answers[0].type, answers[0].data) == (WSMsgType.PONG, b"payload")


async def test_frame_in_same_packet_as_101(raw_server, session: ClientSession) -> None:
    async def eager(reader: Reader, writer: Writer) -> None:
        _, headers = await read_request(reader)
        writer.write(answer_101(headers) + build_frame(WSMsgType.TEXT, b"early"))
        await writer.drain()
        await reader.read()

    url = await raw_server(eager)
    ws = await ws_connect(session, url, timeout=ClientWSTimeout(ws_close=0.05))
    assert await ws.receive_str() == "early"
    await ws.close()


# -- failed handshakes -------------------------------------------------------------


def answering(raw: Callable[[CIMultiDict[str]], bytes]) -> StreamHandler:
    """A raw server answering each request on a connection with ``raw``."""

    async def handler(reader: Reader, writer: Writer) -> None:
        while True:
            try:
                _, headers = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            writer.write(raw(headers))
            await writer.drain()

    return handler


def good_fields(headers: CIMultiDict[str]) -> dict[str, str]:
    return {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Accept": accept_value(headers["Sec-WebSocket-Key"]),
    }


def with_fields(
    status: str = "101 Switching Protocols", **changes: str | None
) -> Callable[[CIMultiDict[str]], bytes]:
    def build(headers: CIMultiDict[str]) -> bytes:
        fields: dict[str, str | None] = {**good_fields(headers)}
        fields.update({k.replace("_", "-"): v for k, v in changes.items()})
        lines = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v is not None)
        return f"HTTP/1.1 {status}\r\n{lines}\r\n".encode("latin-1")

    return build


@pytest.mark.parametrize(
    ("answer", "status", "text"),
    [
        (with_fields("200 OK", Content_Length="0"), 200, "status"),
        (
            with_fields(Sec_WebSocket_Accept="bm90IHJpZ2h0IGF0IGFsbA=="),
            101,
            "challenge",
        ),
        (with_fields(Sec_WebSocket_Accept=None), 101, "challenge"),
        (with_fields(Upgrade=None), 101, "upgrade"),
        (with_fields(Upgrade="h2c"), 101, "upgrade"),
        (with_fields(Connection="keep-alive"), 101, "connection"),
        (with_fields(Sec_WebSocket_Protocol="unoffered"), 101, "protocol"),
        (with_fields(Sec_WebSocket_Extensions="permessage-deflate"), 101, "extension"),
    ],
    ids=[
        "status",
        "bad-accept",
        "no-accept",
        "no-upgrade",
        "other-upgrade",
        "no-connection-upgrade",
        "unoffered-protocol",
        "unoffered-extension",
    ],
)
async def test_failed_handshake(
    raw_server, answer: Callable[[CIMultiDict[str]], bytes], status: int, text: str
) -> None:
    url = await raw_server(answering(answer))
    async with ClientSession(connector=TCPConnector(limit=1)) as session:
        with pytest.raises(WSServerHandshakeError) as info:
            await asyncio.wait_for(ws_connect(session, url), 2)
        # The refused connection was given back: the one slot is free.
        with pytest.raises(WSServerHandshakeError):
            await asyncio.wait_for(ws_connect(session, url), 2)
    assert info.value.status == status
    assert text in info.value.message.lower()
    assert info.value.request_info.url == url
    assert info.value.headers is not None


async def test_bad_deflate_answer_refused(raw_server, session: ClientSession) -> None:
    answer = with_fields(
        Sec_WebSocket_Extensions="permessage-deflate; client_max_window_bits=15"
    )
    url = await raw_server(answering(answer))
    # Offered 10 bits; a server may not raise that to 15.
    with pytest.raises(WSServerHandshakeError):
        await ws_connect(session, url, compress=10)


async def test_request_headers_sent(raw_server, session: ClientSession) -> None:
    seen: list[tuple[str, CIMultiDict[str]]] = []

    async def record(reader: Reader, writer: Writer) -> None:
        line, headers = await read_request(reader)
        seen.append((line, headers))
        writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    url = await raw_server(record)
    with pytest.raises(WSServerHandshakeError) as info:
        await ws_connect(
            session,
            url / "chat",
            protocols=("a", "b"),
            compress=12,
            headers={"Upgrade": "WebSocket", "Sec-WebSocket-Key": "ignored"},
        )
    assert info.value.status == 403
    line, headers = seen[0]
    assert line == "GET /chat HTTP/1.1"
    assert headers["Upgrade"] == "WebSocket"  # the caller's spelling is kept
    assert headers["Connection"] == "Upgrade"
    assert headers["Sec-WebSocket-Version"] == "13"
    assert headers["Sec-WebSocket-Key"] != "ignored"
    assert len(headers.getall("Sec-WebSocket-Key")) == 1
    assert headers["Sec-WebSocket-Protocol"] == "a,b"
    assert headers["Sec-WebSocket-Extensions"] == (
        "permessage-deflate; client_max_window_bits=12"
    )


async def test_through_http_proxy(raw_server, session: ClientSession) -> None:
    seen: list[tuple[str, CIMultiDict[str]]] = []

    async def proxy(reader: Reader, writer: Writer) -> None:
        line, headers = await read_request(reader)
        seen.append((line, headers))
        writer.write(answer_101(headers))
        writer.write(build_frame(WSMsgType.TEXT, b"via proxy"))
        writer.write(build_frame(WSMsgType.CLOSE, struct.pack("!H", 1000)))
        await writer.drain()
        await client_frames(reader)

    proxy_url = await raw_server(proxy)
    ws = await ws_connect(
        session,
        "ws://backend.test/ws",
        proxy=proxy_url,
        proxy_auth=BasicAuth("p", "q"),
        proxy_headers={"X-Proxy": "yes"},
    )
    assert await ws.receive_str() == "via proxy"
    assert (await ws.receive()).type is WSMsgType.CLOSE
    line, headers = seen[0]
    # The absolute form, with the scheme a forwarding proxy knows.
    assert line == "GET http://backend.test/ws HTTP/1.1"
    assert headers["Proxy-Authorization"] == BasicAuth("p", "q").encode()
    assert headers["X-Proxy"] == "yes"


# -- TLS ------------------------------------------------------------------------------


async def test_wss(serve_app, tls, session: ClientSession) -> None:
    app = Application()
    app.router.add_get("/ws", echo)
    base = await serve_app(app, ssl_context=tls.server_context)
    url = base.with_scheme("wss") / "ws"
    async with ws_connect(session, url, ssl=tls.client_context) as ws:
        await ws.send_str("secure")
        assert await ws.receive_str() == "secure"
        assert ws.get_extra_info("sslcontext") is not None
    with pytest.raises(ClientConnectorCertificateError):
        await ws_connect(session, url)  # the test CA is not trusted


async def test_wss_deprecated_ssl_arguments(
    serve_app, tls, session: ClientSession
) -> None:
    app = Application()
    app.router.add_get("/ws", echo)
    base = await serve_app(app, ssl_context=tls.server_context)
    url = base.with_scheme("wss") / "ws"
    with pytest.warns(DeprecationWarning, match="ssl_context"):
        ws = await ws_connect(session, url, ssl_context=tls.client_context)
    await ws.close()
    with pytest.warns(DeprecationWarning, match="verify_ssl"):
        ws = await ws_connect(session, url, verify_ssl=False)
    der = ws.get_extra_info("ssl_object").getpeercert(binary_form=True)
    await ws.close()
    with pytest.warns(DeprecationWarning, match="fingerprint"):
        ws = await ws_connect(session, url, fingerprint=hashlib.sha256(der).digest())
    await ws.close()
    with (
        pytest.warns(DeprecationWarning, match="fingerprint"),
        pytest.raises(ServerFingerprintMismatch),
    ):
        await ws_connect(session, url, fingerprint=bytes(32))
    with pytest.raises(ValueError, match="mutually exclusive"):
        ws_connect(session, url, ssl=False, verify_ssl=False)
    with pytest.raises(ValueError, match="mutually exclusive"):
        ws_connect(session, url, verify_ssl=False, ssl_context=tls.client_context)


# -- parameters ----------------------------------------------------------------------


async def test_timeout_forms(session: ClientSession) -> None:
    assert ClientWSTimeout(ws_close=10.0) == DEFAULT_WS_CLIENT_TIMEOUT
    given = ClientWSTimeout(ws_receive=1)
    assert _ws_timeout(given, None) is given
    assert _ws_timeout(None, None) == ClientWSTimeout(None, None)
    with pytest.warns(DeprecationWarning, match="ws_close"):
        assert _ws_timeout(3, None) == ClientWSTimeout(ws_close=3.0)
    with pytest.warns(DeprecationWarning, match="receive_timeout"):
        assert _ws_timeout(ClientWSTimeout(ws_close=2), 1.5) == ClientWSTimeout(
            ws_receive=1.5, ws_close=2
        )
    url = "http://127.0.0.1:1/ws"
    with pytest.raises(TypeError):
        ws_connect(session, url, timeout="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ws_connect(session, url, timeout=True)  # type: ignore[arg-type]


async def test_default_timeout(serve_app, session: ClientSession) -> None:
    url = await serve(serve_app)
    async with ws_connect(session, url) as ws:
        assert ws.timeout == DEFAULT_WS_CLIENT_TIMEOUT
    async with ws_connect(session, url, timeout=None) as ws:
        assert ws.timeout == ClientWSTimeout(None, None)
        await ws.send_str("ok")
        assert await ws.receive_str() == "ok"


async def test_float_timeout_sets_close_timeout(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    with pytest.warns(DeprecationWarning, match="timeout"):
        cm = ws_connect(session, url, timeout=2.5, receive_timeout=0.05)
    async with cm as ws:
        assert ws.timeout == ClientWSTimeout(ws_receive=0.05, ws_close=2.5)
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()


async def test_ws_response_class(serve_app) -> None:
    class Mine(ClientWebSocketResponse):
        async def shout(self, text: str) -> None:
            await self.send_str(text.upper())

    url = await serve(serve_app)
    async with (
        ClientSession(ws_response_class=Mine) as session,
        ws_connect(session, url) as ws,
    ):
        assert isinstance(ws, Mine)
        await ws.shout("hey")
        assert await ws.receive_str() == "HEY"


async def test_async_for_goes_through_an_overridden_receive(serve_app) -> None:
    class Shouting(ClientWebSocketResponse):
        async def receive(self, timeout: float | None = None) -> WSMessage:
            message = await super().receive(timeout)
            if message.type is WSMsgType.TEXT:
                return message._replace(data=message.data.upper())
            return message

    url = await serve(serve_app)
    seen = []
    async with (
        ClientSession(ws_response_class=Shouting) as session,
        ws_connect(session, url) as ws,
    ):
        await ws.send_str("first")
        async for msg in ws:
            seen.append(msg.data)
            if len(seen) == 2:
                await ws.close()
            else:
                await ws.send_str("second")
    assert seen == ["FIRST", "SECOND"]


async def test_session_close_ends_websocket(serve_app) -> None:
    url = await serve(serve_app)
    session = ClientSession()
    ws = await ws_connect(session, url)
    await session.close()
    msg = await asyncio.wait_for(ws.receive(), 2)
    assert msg.type is WSMsgType.CLOSED
    assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE


async def test_quickstart_example_through_session_method(
    serve_app, session: ClientSession
) -> None:
    url = await serve(serve_app)
    answers = []
    async with session.ws_connect(url) as ws:
        await ws.send_str("first")
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                answers.append(msg.data)
                if msg.data == "close cmd":
                    await ws.close()
                    break
                await ws.send_str("close cmd")
            elif msg.type == WSMsgType.ERROR:
                break
    assert answers == ["first", "close cmd"]
    assert ws.closed
    assert ws.close_code == WSCloseCode.OK
