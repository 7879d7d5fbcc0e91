"""WebSocketConnection's sends over a real socket pair: when frames are held.

Received bytes go in through ``feed_data`` (what the protocol does with each
read); what the connection writes goes through a real transport, whose
``write`` calls are counted, to the other socket of the pair.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_ws import WebSocketReader, WebSocketWriter, WSMsgType
from aiohttp_ws.connection import WebSocketConnection


class Peer:
    """The connection under test, and the far end of its socket pair."""

    def __init__(self, conn: WebSocketConnection, far: socket.socket) -> None:
        self.conn = conn
        self.far = far
        self.writes: list[int] = []
        self.client = WebSocketWriter(is_client=True)
        self.reader = WebSocketReader(is_server=False, max_msg_size=0)

    def feed(self, *payloads: bytes) -> None:
        """One read bringing a BINARY message for each payload."""
        frames = b"".join(self.client.frame(WSMsgType.BINARY, p) for p in payloads)
        self.conn.feed_data(frames)

    async def received(self, count: int) -> list[bytes]:
        """The next ``count`` messages the connection sent, from the far end."""
        loop = asyncio.get_running_loop()
        got: list[bytes] = []
        while len(got) < count:
            data = await asyncio.wait_for(loop.sock_recv(self.far, 2**20), 2)
            got += [m.data for m in self.reader.feed_data(data)]
        return got


@pytest.fixture
async def peer(request: pytest.FixtureRequest) -> AsyncIterator[Peer]:
    loop = asyncio.get_running_loop()
    near, far = socket.socketpair()
    far.setblocking(False)
    protocol = BaseProtocol(loop)
    transport, _ = await loop.connect_accepted_socket(lambda: protocol, near)
    conn = WebSocketConnection(
        protocol,
        WebSocketReader(is_server=True, max_msg_size=0),
        WebSocketWriter(is_client=False),
        loop=loop,
        writer_limit=getattr(request, "param", 2**16),
    )
    result = Peer(conn, far)
    real_write = transport.write

    def counting_write(data: bytes | bytearray | memoryview) -> None:
        result.writes.append(len(data))
        real_write(data)

    transport.write = counting_write  # type: ignore[method-assign]
    yield result
    transport.close()
    far.close()


PAYLOADS = [bytes([i]) * 20_000 for i in range(4)]  # over the small-frame size


async def answer(conn: WebSocketConnection, count: int) -> None:
    for _ in range(count):
        message = await conn.receive()
        await conn.send_frame(message.data[::-1], WSMsgType.BINARY)


@pytest.mark.parametrize("peer", [2**18], indirect=True)
async def test_answers_to_one_read_go_out_in_one_write(peer: Peer) -> None:
    peer.feed(*PAYLOADS)
    await answer(peer.conn, 4)
    assert peer.writes == [sum(len(p) + 4 for p in PAYLOADS)]
    assert await peer.received(4) == [p[::-1] for p in PAYLOADS]


@pytest.mark.parametrize("peer", [2**15], indirect=True)
async def test_held_answers_stay_within_writer_limit(peer: Peer) -> None:
    peer.feed(*PAYLOADS)
    await answer(peer.conn, 4)
    # One answer is held (20 KiB); two would pass 32 KiB, so the second goes
    # out with the first, and so on.
    assert peer.writes == [2 * (len(PAYLOADS[0]) + 4)] * 2
    assert await peer.received(4) == [p[::-1] for p in PAYLOADS]


async def test_answer_is_not_held_when_the_reader_stops_reading(peer: Peer) -> None:
    """Messages still queued, but the task waits on something else: the end
    of the turn writes its answer."""
    peer.feed(*PAYLOADS)
    release = asyncio.Event()

    async def answer_one_then_wait() -> None:
        await answer(peer.conn, 1)
        await release.wait()

    task = asyncio.create_task(answer_one_then_wait())
    assert await peer.received(1) == [PAYLOADS[0][::-1]]
    assert not task.done()
    release.set()
    await task


async def test_lone_answer_goes_out_at_once(peer: Peer) -> None:
    peer.feed(b"ping")
    message = await peer.conn.receive()
    await peer.conn.send_frame(message.data, WSMsgType.BINARY)
    assert peer.writes == [6]  # written in send_frame, not at the end of the turn
    assert await peer.received(1) == [b"ping"]
