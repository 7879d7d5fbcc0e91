"""Our WebSocket client with the ``websockets`` library as its server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.typing import Subprotocol

from aiohttp_client import ClientSession, ClientWSTimeout, WSServerHandshakeError
from aiohttp_client.ws_client import ws_connect
from aiohttp_ws import WebSocketError, WSCloseCode, WSMsgType

Handler = Callable[[ServerConnection], Awaitable[None]]


async def echo(conn: ServerConnection) -> None:
    """Echo every message; TEXT commands make the server act."""
    try:
        async for message in conn:
            if message == "fragments":
                await conn.send(["frag", "mented ", "\u00e9"])
            elif message == "binary fragments":
                await conn.send([b"\x00\x01", b"\x02", b"\xff" * 70000])
            elif message == "close 4001":
                await conn.close(4001, "server says bye")
            elif message == "ping":
                pong = await conn.ping(b"server ping")
                await asyncio.wait_for(pong, 2)
                await conn.send("pong received")
            elif message == "subprotocol":
                await conn.send(str(conn.subprotocol))
            elif message == "extensions":
                header = conn.request.headers.get("Sec-WebSocket-Extensions")
                await conn.send(str(header))
            elif isinstance(message, str) and message.startswith("big "):
                await conn.send(b"b" * int(message[4:]))
            else:
                await conn.send(message)
    except ConnectionClosed:
        pass


@contextlib.asynccontextmanager
async def server(
    handler: Handler = echo, **kw: Any
) -> AsyncIterator[tuple[str, list[ServerConnection]]]:
    """A ``websockets`` server on 127.0.0.1; yields its URL and connections."""
    conns: list[ServerConnection] = []

    async def tracked(conn: ServerConnection) -> None:
        conns.append(conn)
        await handler(conn)

    async with serve(tracked, "127.0.0.1", 0, **kw) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws", conns


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as client:
        yield client


@pytest.mark.parametrize("compress", [0, 15, 10])
async def test_text_binary_fragmented(session: ClientSession, compress: int) -> None:
    async with server() as (url, _), ws_connect(session, url, compress=compress) as ws:
        await ws.send_str("h\u00e9llo")
        assert await ws.receive_str(timeout=2) == "h\u00e9llo"
        await ws.send_bytes(b"\x00\xff" * 40000)
        assert await ws.receive_bytes(timeout=2) == b"\x00\xff" * 40000
        await ws.send_str("fragments")
        assert await ws.receive_str(timeout=2) == "fragmented \u00e9"
        await ws.send_str("binary fragments")
        expected = b"\x00\x01\x02" + b"\xff" * 70000
        assert await ws.receive_bytes(timeout=2) == expected
        await ws.send_json({"k": [1, "\u00e9"]})
        assert await ws.receive_json(timeout=2) == {"k": [1, "\u00e9"]}
        await ws.send_str("extensions")
        offer = await ws.receive_str(timeout=2)
        assert ("permessage-deflate" in offer) == bool(compress)
        # websockets may lower our window (it answers 12 bits by default).
        assert ws.compress <= compress
        assert bool(ws.compress) == bool(compress)


async def test_compression_server_no_context_takeover(session: ClientSession) -> None:
    factory = ServerPerMessageDeflateFactory(
        server_no_context_takeover=True,
        client_no_context_takeover=True,
        server_max_window_bits=10,
    )
    payload = "repeat after me " * 1000
    async with (
        server(extensions=[factory], compression=None) as (url, _),
        ws_connect(session, url, compress=15) as ws,
    ):
        assert ws.compress == 15
        assert ws.client_notakeover
        for _ in range(3):
            await ws.send_str(payload)
            assert await ws.receive_str(timeout=2) == payload


async def test_compression_declined(session: ClientSession) -> None:
    async with (
        server(compression=None) as (url, _),
        ws_connect(session, url, compress=15) as ws,
    ):
        assert ws.compress == 0
        await ws.send_str("plain")
        assert await ws.receive_str(timeout=2) == "plain"


async def test_subprotocol(session: ClientSession) -> None:
    protocols = [Subprotocol("v2"), Subprotocol("v1")]
    async with server(subprotocols=protocols) as (url, _):
        async with ws_connect(session, url, protocols=("v1", "v3")) as ws:
            assert ws.protocol == "v1"
            await ws.send_str("subprotocol")
            assert await ws.receive_str(timeout=2) == "v1"
        # websockets refuses a client that offers none of its protocols.
        with pytest.raises(WSServerHandshakeError) as info:
            await ws_connect(session, url, protocols=("v3",))
        assert info.value.status == 400


async def test_server_closes_with_code(session: ClientSession) -> None:
    async with server() as (url, conns):
        ws = await ws_connect(session, url)
        await ws.send_str("close 4001")
        msg = await ws.receive(timeout=2)
        assert msg.type is WSMsgType.CLOSE
        assert (msg.data, msg.extra) == (4001, "server says bye")
        assert ws.closed
        assert ws.close_code == 4001
        await asyncio.wait_for(conns[0].wait_closed(), 2)
        # Our automatic answer echoed the server's code.
        assert conns[0].close_code == 4001


async def test_client_closes_with_code(session: ClientSession) -> None:
    async with server() as (url, conns):
        ws = await ws_connect(session, url)
        await ws.send_str("x")
        assert await ws.receive_str(timeout=2) == "x"
        assert await ws.close(code=4002, message="client says bye") is True
        assert ws.close_code == 4002  # the server echoed it
        await asyncio.wait_for(conns[0].wait_closed(), 2)
        assert conns[0].close_code == 4002
        assert conns[0].close_reason == "client says bye"


async def test_ping_pong(session: ClientSession) -> None:
    async with server() as (url, _):
        async with ws_connect(session, url) as ws:
            # The server's PING gets our PONG without the user seeing it.
            await ws.send_str("ping")
            assert await ws.receive_str(timeout=2) == "pong received"
        async with ws_connect(session, url, autoping=False) as ws:
            await ws.ping(b"client ping")
            msg = await ws.receive(timeout=2)
            assert (msg.type, msg.data) == (WSMsgType.PONG, b"client ping")
            await ws.pong(b"unsolicited")
            await ws.send_str("still fine")
            assert await ws.receive_str(timeout=2) == "still fine"


async def test_heartbeat_keeps_idle_connection(session: ClientSession) -> None:
    async with server() as (url, _), ws_connect(session, url, heartbeat=0.05) as ws:
        await asyncio.sleep(0.3)
        assert not ws.closed
        await ws.send_str("after pings")
        assert await ws.receive_str(timeout=2) == "after pings"


async def test_message_over_limit(session: ClientSession) -> None:
    limit = 10_000
    async with server() as (url, conns):
        async with ws_connect(session, url, max_msg_size=limit) as ws:
            await ws.send_str(f"big {limit}")
            assert len(await ws.receive_bytes(timeout=2)) == limit
        async with ws_connect(
            session, url, max_msg_size=limit, timeout=ClientWSTimeout(ws_close=2)
        ) as ws:
            await ws.send_str(f"big {limit + 1}")
            msg = await ws.receive(timeout=2)
            assert msg.type is WSMsgType.ERROR
            assert isinstance(msg.data, WebSocketError)
            assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG
        await asyncio.wait_for(conns[1].wait_closed(), 2)
        assert conns[1].close_code == WSCloseCode.MESSAGE_TOO_BIG


async def test_server_drops_connection(session: ClientSession) -> None:
    async def drop(conn: ServerConnection) -> None:
        await conn.send("bye")
        conn.transport.abort()

    async with server(drop) as (url, _):
        ws = await ws_connect(session, url)
        assert await ws.receive_str(timeout=2) == "bye"
        msg = await ws.receive(timeout=2)
        assert msg.type is WSMsgType.CLOSED
        assert ws.close_code == WSCloseCode.ABNORMAL_CLOSURE
