"""Writing to a closing connection raises ``aiohttp.ClientConnectionResetError``
on both sides, as client_reference.rst and web_reference.rst say."""

from __future__ import annotations

import asyncio

import pytest

import aiohttp
from aiohttp import web
from aiohttp.pytest_plugin import AiohttpClient


def test_one_class_in_the_documented_hierarchy() -> None:
    error = aiohttp.ClientConnectionResetError
    assert issubclass(error, aiohttp.ClientConnectionError)
    assert issubclass(error, aiohttp.ClientError)
    assert issubclass(error, ConnectionResetError)
    assert aiohttp.client_exceptions.ClientConnectionResetError is error


async def test_server_and_client_websockets_raise_it(
    aiohttp_client: AiohttpClient,
) -> None:
    raised: asyncio.Future[BaseException] = asyncio.get_running_loop().create_future()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.close()
        try:
            await ws.send_str("too late")
        except BaseException as exc:
            raised.set_result(exc)
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    client = await aiohttp_client(app)
    async with client.ws_connect("/ws") as ws:
        message = await ws.receive()
        assert message.type is aiohttp.WSMsgType.CLOSE
        with pytest.raises(aiohttp.ClientConnectionResetError):
            await ws.send_str("too late")
    exc = await asyncio.wait_for(raised, 2)
    assert isinstance(exc, aiohttp.ClientConnectionResetError)


async def test_stream_response_write_after_the_peer_left_raises_it(
    aiohttp_client: AiohttpClient,
) -> None:
    outcome: asyncio.Future[BaseException | None] = (
        asyncio.get_running_loop().create_future()
    )

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        request.transport.close()  # type: ignore[union-attr]
        try:
            await response.write(b"data")
        except BaseException as exc:
            outcome.set_result(exc)
            raise
        outcome.set_result(None)
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    with pytest.raises(aiohttp.ClientError):
        async with client.get("/") as response:
            await response.read()
    exc = await asyncio.wait_for(outcome, 2)
    assert isinstance(exc, aiohttp.ClientConnectionResetError)
