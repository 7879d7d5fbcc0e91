"""WebSocketMessages: the typed calls over send_frame and receive, in memory."""

from __future__ import annotations

from collections import deque

import pytest

from aiohttp_ws import (
    WS_CLOSED_MESSAGE,
    WebSocketMessages,
    WSMessage,
    WSMessageTypeError,
    WSMsgType,
)


class Loopback(WebSocketMessages):
    """Keeps what is sent; receives from a scripted queue."""

    def __init__(self, *incoming: WSMessage) -> None:
        self.sent: list[tuple[bytes, WSMsgType, int | None]] = []
        self.incoming = deque(incoming)
        self.timeouts: list[float | None] = []

    async def send_frame(
        self,
        message: bytes | bytearray | memoryview,
        opcode: WSMsgType,
        compress: int | None = None,
    ) -> None:
        self.sent.append((bytes(message), opcode, compress))

    async def receive(self, timeout: float | None = None) -> WSMessage:
        self.timeouts.append(timeout)
        return self.incoming.popleft() if self.incoming else WS_CLOSED_MESSAGE

    async def close(self, *, code: int = 1000, message: bytes | str = b"") -> bool:
        return True


async def test_sends_encode_and_pick_the_opcode() -> None:
    ws = Loopback()
    await ws.send_str("\u00e9")
    await ws.send_bytes(bytearray(b"b"), compress=0)
    await ws.send_bytes(memoryview(b"m"))
    await ws.send_json({"a": 1}, compress=9)
    await ws.send_json([1], dumps=lambda value: "custom")
    assert ws.sent == [
        ("\u00e9".encode(), WSMsgType.TEXT, None),
        (b"b", WSMsgType.BINARY, 0),
        (b"m", WSMsgType.BINARY, None),
        (b'{"a": 1}', WSMsgType.TEXT, 9),
        (b"custom", WSMsgType.TEXT, None),
    ]


async def test_sends_refuse_the_wrong_type() -> None:
    ws = Loopback()
    with pytest.raises(TypeError, match="must be str"):
        await ws.send_str(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="byte-ish"):
        await ws.send_bytes("text")  # type: ignore[arg-type]
    assert ws.sent == []


async def test_typed_receives() -> None:
    ws = Loopback(
        WSMessage(WSMsgType.TEXT, "s", None),
        WSMessage(WSMsgType.BINARY, b"b", None),
        WSMessage(WSMsgType.TEXT, '{"k": [1]}', None),
        WSMessage(WSMsgType.TEXT, "x", None),
    )
    assert await ws.receive_str(timeout=1.5) == "s"
    assert await ws.receive_bytes() == b"b"
    assert await ws.receive_json() == {"k": [1]}
    assert await ws.receive_json(loads=lambda text: text * 2) == "xx"
    assert ws.timeouts == [1.5, None, None, None]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("receive_str", WSMessage(WSMsgType.BINARY, b"b", None)),
        ("receive_bytes", WSMessage(WSMsgType.TEXT, "t", None)),
        ("receive_json", WSMessage(WSMsgType.BINARY, b"[]", None)),
        ("receive_str", WS_CLOSED_MESSAGE),
    ],
)
async def test_typed_receives_refuse_the_wrong_type(
    call: str, message: WSMessage
) -> None:
    ws = Loopback(message)
    with pytest.raises(WSMessageTypeError, match="is not WSMsgType"):
        await getattr(ws, call)()


@pytest.mark.parametrize("end", [WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED])
async def test_iteration_stops_at_the_end(end: WSMsgType) -> None:
    ws = Loopback(
        WSMessage(WSMsgType.TEXT, "a", None),
        WSMessage(WSMsgType.ERROR, ValueError("e"), None),
        WSMessage(end, 1000 if end is WSMsgType.CLOSE else None, None),
        WSMessage(WSMsgType.TEXT, "never read", None),
    )
    assert ws.__aiter__() is ws
    seen = [message.type async for message in ws]
    assert seen == [WSMsgType.TEXT, WSMsgType.ERROR]
    assert len(ws.incoming) == 1


async def test_the_primitives_are_abstract() -> None:
    ws = WebSocketMessages()
    with pytest.raises(NotImplementedError):
        await ws.send_str("x")
    with pytest.raises(NotImplementedError):
        await ws.receive_str()
    with pytest.raises(NotImplementedError):
        await ws.close()
