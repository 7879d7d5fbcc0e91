"""Our WebSocket server with the ``websockets`` library as its client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedError
from websockets.typing import Subprotocol
from yarl import URL

from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.runner import AppRunner, TCPSite
from aiohttp_web.websocket import WebSocketResponse
from aiohttp_ws import WSCloseCode, WSMsgType


async def echo(request: Request) -> WebSocketResponse:
    ws = WebSocketResponse(protocols=("echo",), max_msg_size=2**16)
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            if msg.data == "close please":
                await ws.close(code=4000, message="as asked")
            elif msg.data == "compressed?":
                await ws.send_str(str(ws.compress))
            else:
                await ws.send_str(msg.data)
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


@contextlib.asynccontextmanager
async def serve() -> AsyncIterator[str]:
    app = Application()
    app.router.add_get("/ws", echo)
    runner = AppRunner(app, shutdown_timeout=2)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = URL(site.name).port
    try:
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("compression", ["deflate", None])
async def test_text_binary_fragmented(compression: str | None) -> None:
    async with serve() as url, connect(url, compression=compression) as ws:
        await ws.send("h\u00e9llo")
        assert await asyncio.wait_for(ws.recv(), 2) == "h\u00e9llo"
        await ws.send(b"\x00\xff" * 1000)
        assert await asyncio.wait_for(ws.recv(), 2) == b"\x00\xff" * 1000
        await ws.send(["frag", "mented ", "\u00e9"])
        assert await asyncio.wait_for(ws.recv(), 2) == "fragmented \u00e9"
        await ws.send("compressed?")
        expected = "True" if compression else "False"
        assert await asyncio.wait_for(ws.recv(), 2) == expected
        response = ws.response
        assert response is not None
        extensions = response.headers.get("Sec-WebSocket-Extensions")
        assert (extensions is not None) == bool(compression)


async def test_compression_no_context_takeover_both_ways() -> None:
    from websockets.extensions.permessage_deflate import (
        ClientPerMessageDeflateFactory,
    )

    factory = ClientPerMessageDeflateFactory(
        server_no_context_takeover=True,
        client_no_context_takeover=True,
        server_max_window_bits=10,
        client_max_window_bits=9,
    )
    async with (
        serve() as url,
        connect(url, compression=None, extensions=[factory]) as ws,
    ):
        for _ in range(3):
            await ws.send("repeat " * 50)
            assert await asyncio.wait_for(ws.recv(), 2) == "repeat " * 50
        response = ws.response
        assert response is not None
        agreed = response.headers["Sec-WebSocket-Extensions"]
        assert "server_no_context_takeover" in agreed
        assert "server_max_window_bits=10" in agreed


async def test_subprotocol_and_ping() -> None:
    async with (
        serve() as url,
        connect(url, subprotocols=[Subprotocol("other"), Subprotocol("echo")]) as ws,
    ):
        assert ws.subprotocol == "echo"
        pong = await ws.ping(b"are you there")
        latency = await asyncio.wait_for(pong, 2)
        assert latency >= 0


async def test_client_close_code() -> None:
    async with serve() as url:
        ws = await connect(url)
        await ws.close(code=4001, reason="bye")
        assert ws.close_code == 4001


async def test_server_close_code() -> None:
    async with serve() as url, connect(url) as ws:
        await ws.send("close please")
        with pytest.raises(ConnectionClosed) as info:
            await asyncio.wait_for(ws.recv(), 2)
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 4000
        assert info.value.rcvd.reason == "as asked"


async def test_message_too_big() -> None:
    async with serve() as url, connect(url, compression=None) as ws:
        await ws.send(b"x" * (2**16 + 1))
        with pytest.raises(ConnectionClosedError) as info:
            await asyncio.wait_for(ws.recv(), 2)
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == WSCloseCode.MESSAGE_TOO_BIG
