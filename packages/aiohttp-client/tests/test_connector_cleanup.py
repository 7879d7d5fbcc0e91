"""A connection made but not handed out (a trace failed, a timeout hit) is closed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import pytest
from yarl import URL

from aiohttp_client.session import ClientSession
from aiohttp_client.tracing import TraceConfig

StreamHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
RawServer = Callable[[StreamHandler], Awaitable[URL]]


async def _eof_watch(raw_server: RawServer) -> tuple[URL, asyncio.Event]:
    """A server that notes when the client closes the connection it opened."""
    closed = asyncio.Event()

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await reader.read()
        closed.set()

    return await raw_server(handler), closed


async def test_failing_create_end_trace_closes_the_new_connection(
    raw_server: RawServer,
) -> None:
    url, closed = await _eof_watch(raw_server)

    async def explode(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        raise LookupError("trace failed")

    config = TraceConfig()
    config.on_connection_create_end.append(explode)
    async with ClientSession(trace_configs=[config]) as session:
        with pytest.raises(LookupError, match="trace failed"):
            await session.get(url)
        await asyncio.wait_for(closed.wait(), 2)
        assert session.connector is not None


async def test_cancelled_create_end_trace_closes_the_new_connection(
    raw_server: RawServer,
) -> None:
    url, closed = await _eof_watch(raw_server)
    entered = asyncio.Event()

    async def stall(session: Any, ctx: SimpleNamespace, params: Any) -> None:
        entered.set()
        await asyncio.sleep(60)

    config = TraceConfig()
    config.on_connection_create_end.append(stall)
    async with ClientSession(trace_configs=[config]) as session:
        task = asyncio.ensure_future(session.get(url))
        await asyncio.wait_for(entered.wait(), 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(closed.wait(), 2)
