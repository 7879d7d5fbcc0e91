"""The request-level trace signals a session sends, with their parameters."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from yarl import URL

from aiohttp_client import (
    ClientSession,
    ServerDisconnectedError,
    TraceConfig,
    TraceRequestChunkSentParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
    TraceRequestStartParams,
    TraceResponseChunkReceivedParams,
)
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response

SIGNALS = (
    "on_request_start",
    "on_request_chunk_sent",
    "on_response_chunk_received",
    "on_request_end",
    "on_request_exception",
    "on_request_redirect",
    "on_request_headers_sent",
    "on_connection_create_start",
    "on_connection_create_end",
    "on_connection_reuseconn",
)


def recording_config() -> tuple[TraceConfig[Any], list[tuple[str, Any, Any, Any]]]:
    events: list[tuple[str, Any, Any, Any]] = []
    config: TraceConfig[Any] = TraceConfig()
    for name in SIGNALS:

        async def handler(
            session: Any, ctx: Any, params: Any, name: str = name
        ) -> None:
            events.append((name, session, ctx, params))

        getattr(config, name).append(handler)
    return config, events


async def app_url(serve_app) -> URL:
    async def echo(request: Request) -> Response:
        return Response(body=await request.read() or b"hello")

    async def hop(request: Request) -> Response:
        return Response(status=302, headers={"Location": "/end"})

    app = Application()
    app.router.add_route("*", "/hop", hop)
    app.router.add_route("*", "/{tail:.*}", echo)
    return await serve_app(app)


async def test_request_signals_in_order(serve_app) -> None:
    url = await app_url(serve_app)
    config, events = recording_config()
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.post(url / "a", data=b"body", trace_request_ctx={"id": 7}) as resp,
    ):
        assert await resp.read() == b"body"
    names = [e[0] for e in events]
    assert names == [
        "on_request_start",
        "on_connection_create_start",
        "on_connection_create_end",
        "on_request_headers_sent",
        "on_request_chunk_sent",
        "on_request_end",
        "on_response_chunk_received",
    ]
    for _, sess, ctx, _ in events:
        assert sess is session
        assert isinstance(ctx, SimpleNamespace)
        assert ctx.trace_request_ctx == {"id": 7}
    by_name = {e[0]: e[3] for e in events}
    start = by_name["on_request_start"]
    assert isinstance(start, TraceRequestStartParams)
    assert (start.method, start.url) == ("POST", url / "a")
    sent = by_name["on_request_headers_sent"]
    assert isinstance(sent, TraceRequestHeadersSentParams)
    assert sent.headers["Content-Length"] == "4"
    chunk = by_name["on_request_chunk_sent"]
    assert isinstance(chunk, TraceRequestChunkSentParams)
    assert chunk.chunk == b"body"
    end = by_name["on_request_end"]
    assert isinstance(end, TraceRequestEndParams)
    assert end.response is resp
    received = by_name["on_response_chunk_received"]
    assert isinstance(received, TraceResponseChunkReceivedParams)
    assert received.chunk == b"body"
    assert received.url == url / "a"


async def test_start_headers_can_be_changed(serve_app) -> None:
    async def show(request: Request) -> Response:
        return Response(text=request.headers.get("X-Traced", "-"))

    app = Application()
    app.router.add_get("/", show)
    url = await serve_app(app)
    config: TraceConfig[Any] = TraceConfig()

    async def add_header(
        session: Any, ctx: Any, params: TraceRequestStartParams
    ) -> None:
        params.headers["X-Traced"] = "yes"

    config.on_request_start.append(add_header)
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.get(url) as resp,
    ):
        assert await resp.text() == "yes"


async def test_redirect_and_reuse_signals(serve_app) -> None:
    url = await app_url(serve_app)
    config, events = recording_config()
    async with (
        ClientSession(trace_configs=[config]) as session,
        session.get(url / "hop") as resp,
    ):
        await resp.read()
    names = [e[0] for e in events]
    assert names.count("on_request_start") == 1
    assert names.count("on_request_end") == 1
    assert names.count("on_request_headers_sent") == 2
    assert "on_connection_reuseconn" in names  # the second hop reuses it
    redirect = next(e[3] for e in events if e[0] == "on_request_redirect")
    assert isinstance(redirect, TraceRequestRedirectParams)
    assert redirect.response.status == 302
    assert redirect.url == url / "hop"
    end = next(e[3] for e in events if e[0] == "on_request_end")
    assert end.url == url / "end"


async def test_exception_signal(raw_server) -> None:
    async def handler(reader: Any, writer: Any) -> None:
        await reader.readuntil(b"\r\n\r\n")

    url = await raw_server(handler)
    config, events = recording_config()
    async with ClientSession(trace_configs=[config]) as session:
        with pytest.raises(ServerDisconnectedError):
            await session.get(url)
    failure = [e[3] for e in events if e[0] == "on_request_exception"]
    assert len(failure) == 1
    assert isinstance(failure[0], TraceRequestExceptionParams)
    assert isinstance(failure[0].exception, ServerDisconnectedError)
    assert "on_request_end" not in [e[0] for e in events]


async def test_config_frozen_by_session() -> None:
    config: TraceConfig[Any] = TraceConfig()
    async with ClientSession(trace_configs=[config]):
        assert config.frozen
