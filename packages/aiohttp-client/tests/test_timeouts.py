"""Timeouts: total (redirects and body included), connect and sock_read."""

from __future__ import annotations

import asyncio

import pytest

from aiohttp_client import (
    ClientSession,
    ClientTimeout,
    ConnectionTimeoutError,
    ServerTimeoutError,
    SocketTimeoutError,
    TCPConnector,
)

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def delayed(delay: float, raw: bytes = OK, *, head_first: bytes = b""):
    """Answer every request after ``delay`` seconds (``head_first`` at once)."""

    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            if head_first:
                writer.write(head_first)
                await writer.drain()
            await asyncio.sleep(delay)
            writer.write(raw)
            await writer.drain()

    return handler


async def test_total_timeout_waiting_for_head(raw_server) -> None:
    url = await raw_server(delayed(2))
    async with ClientSession(timeout=ClientTimeout(total=0.1)) as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.get(url)


async def test_total_timeout_not_reached(raw_server) -> None:
    url = await raw_server(delayed(0))
    async with (
        ClientSession(timeout=ClientTimeout(total=1)) as session,
        session.get(url) as resp,
    ):
        assert await resp.read() == b"ok"


async def test_total_timeout_covers_body(raw_server) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"
    url = await raw_server(delayed(2, b"cd", head_first=head))
    async with ClientSession() as session:
        resp = await session.get(url, timeout=ClientTimeout(total=0.2))
        with pytest.raises(asyncio.TimeoutError):
            await resp.read()
        assert resp.closed


async def test_total_timeout_covers_redirects(raw_server) -> None:
    # Each hop takes about 0.08 s; the chain of 5 outlives a 0.2 s total.
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return
            await asyncio.sleep(0.08)
            hop = int(head.split(b" ")[1][2:])
            writer.write(
                b"HTTP/1.1 302 Found\r\nLocation: /h%d\r\nContent-Length: 0\r\n\r\n"
                % (hop + 1)
                if hop < 5
                else OK
            )
            await writer.drain()

    url = await raw_server(handler)
    async with ClientSession() as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.get(url / "h0", timeout=ClientTimeout(total=0.2))
        async with session.get(url / "h0", timeout=ClientTimeout(total=5)) as resp:
            assert len(resp.history) == 5


async def test_float_timeout_is_total(raw_server) -> None:
    url = await raw_server(delayed(2))
    async with ClientSession() as session:
        with pytest.raises(asyncio.TimeoutError):
            await session.get(url, timeout=0.1)


async def test_session_refuses_float_timeout() -> None:
    with pytest.raises(ValueError, match="ClientTimeout"):
        ClientSession(timeout=1.5)  # type: ignore[arg-type]


async def test_sock_read_before_head(raw_server) -> None:
    url = await raw_server(delayed(2))
    async with ClientSession(timeout=ClientTimeout(sock_read=0.1)) as session:
        with pytest.raises(SocketTimeoutError):
            await session.get(url)


async def test_sock_read_in_body(raw_server) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"
    url = await raw_server(delayed(2, b"cd", head_first=head))
    async with (
        ClientSession() as session,
        session.get(url, timeout=ClientTimeout(sock_read=0.1)) as resp,
    ):
        with pytest.raises(ServerTimeoutError):
            await resp.read()


async def test_connect_timeout_waiting_for_pool_slot(raw_server) -> None:
    async def handler(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if head.startswith(b"GET /blocker "):
            # Half a body: the connection stays in use until released.
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
            await writer.drain()
            await reader.read()
        else:
            writer.write(OK)
            await writer.drain()

    url = await raw_server(handler)
    async with ClientSession(connector=TCPConnector(limit=1)) as session:
        blocker = await session.get(url / "blocker")
        assert blocker.connection is not None
        with pytest.raises(ConnectionTimeoutError):
            await session.get(url, timeout=ClientTimeout(connect=0.1))
        blocker.release()
        # The slot is free again.
        async with session.get(url, timeout=ClientTimeout(connect=1)) as resp:
            assert await resp.read() == b"ok"


async def test_default_timeout() -> None:
    async with ClientSession() as session:
        assert session.timeout == ClientTimeout(total=300, sock_connect=30)
