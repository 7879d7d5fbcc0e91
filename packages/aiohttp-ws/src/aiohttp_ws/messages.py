"""``WebSocketMessages``: the typed send and receive calls of a WebSocket.

The server's ``WebSocketResponse`` and the client's
``ClientWebSocketResponse`` both derive from it and supply the three
primitives it is built on: ``send_frame``, ``receive`` and ``close``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from .models import JSONDecoder, WSMessage, WSMessageTypeError, WSMsgType

__all__ = ("JSONEncoder", "WebSocketMessages")

#: What ``send_json`` calls to encode its argument.
JSONEncoder = Callable[[Any], str]

_END_OF_ITERATION: Final = frozenset(
    (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
)
_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY

_Self = TypeVar("_Self", bound="WebSocketMessages")


class WebSocketMessages:
    """Text, bytes and JSON over ``send_frame`` and ``receive``; async iteration."""

    __slots__ = ()

    async def send_frame(
        self,
        message: bytes | bytearray | memoryview,
        opcode: WSMsgType,
        compress: int | None = None,
    ) -> None:
        """Send ``message`` as is, with ``opcode`` (low level)."""
        raise NotImplementedError

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message from the peer."""
        raise NotImplementedError

    def _send(
        self,
        message: bytes | bytearray | memoryview,
        opcode: WSMsgType,
        compress: int | None,
    ) -> Awaitable[None]:
        """What the typed sends go through: ``send_frame`` unless overridden.

        A response may hand back its connection's awaitable here directly,
        saving the coroutine of ``send_frame`` on every message.
        """
        return self.send_frame(message, opcode, compress)

    async def close(self, *, code: int = 1000, message: bytes | str = b"") -> bool:
        """Start the closing handshake; False if it had already started."""
        raise NotImplementedError

    # -- sending ------------------------------------------------------------------

    async def send_str(self, data: str, compress: int | None = None) -> None:
        """Send a TEXT message."""
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        await self._send(data.encode("utf-8"), _TEXT, compress)

    async def send_bytes(
        self, data: bytes | bytearray | memoryview, compress: int | None = None
    ) -> None:
        """Send a BINARY message."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        await self._send(data, _BINARY, compress)

    async def send_json(
        self,
        data: Any,
        compress: int | None = None,
        *,
        dumps: JSONEncoder = json.dumps,
    ) -> None:
        """Send ``dumps(data)`` as a TEXT message."""
        await self.send_str(dumps(data), compress=compress)

    # -- receiving ----------------------------------------------------------------

    async def receive_str(self, *, timeout: float | None = None) -> str:
        """The next message, which must be TEXT; else ``WSMessageTypeError``."""
        message = await self.receive(timeout)
        if message.type is not _TEXT:
            raise WSMessageTypeError(
                f"Received message {message.type}:{message.data!r} "
                "is not WSMsgType.TEXT"
            )
        return str(message.data)

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        """The next message, which must be BINARY; else ``WSMessageTypeError``."""
        message = await self.receive(timeout)
        if message.type is not _BINARY:
            raise WSMessageTypeError(
                f"Received message {message.type}:{message.data!r} "
                "is not WSMsgType.BINARY"
            )
        return bytes(message.data)

    async def receive_json(
        self, *, loads: JSONDecoder = json.loads, timeout: float | None = None
    ) -> Any:
        """The next message, TEXT, decoded with ``loads``."""
        return loads(await self.receive_str(timeout=timeout))

    def __aiter__(self: _Self) -> _Self:
        return self

    def __anext__(self) -> Awaitable[WSMessage]:
        """The next message; the iteration ends at CLOSE, CLOSING or CLOSED."""
        return self._next_message()

    async def _next_message(self) -> WSMessage:
        # Through receive(), so that a subclass overriding it is honoured.
        message = await self.receive()
        if message.type in _END_OF_ITERATION:
            raise StopAsyncIteration
        return message
