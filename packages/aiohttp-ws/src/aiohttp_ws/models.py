"""The values of the WebSocket protocol: message types, close codes, messages."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any, Final, NamedTuple

__all__ = (
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "JSONDecoder",
    "WSCloseCode",
    "WSHandshakeError",
    "WSMessage",
    "WSMessageTypeError",
    "WSMsgType",
    "WebSocketError",
)

#: What ``WSMessage.json`` calls to decode the payload.
JSONDecoder = Callable[[str], Any]


class WSCloseCode(enum.IntEnum):
    """Close codes of RFC 6455 section 7.4.1 and the IANA registry."""

    OK = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    ABNORMAL_CLOSURE = 1006
    INVALID_TEXT = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014


class WSMsgType(enum.IntEnum):
    """The type of a ``WSMessage``: an opcode, or a state of the connection."""

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    PING = 0x9
    PONG = 0xA
    CLOSE = 0x8
    # Not opcodes: what ``receive`` reports about the connection itself.
    CLOSING = 0x100
    CLOSED = 0x101
    ERROR = 0x102


class WSMessage(NamedTuple):
    """One message: ``data`` is str, bytes, a close code or an exception."""

    type: WSMsgType
    # str for TEXT, bytes for BINARY/PING/PONG, int for CLOSE, an exception
    # for ERROR, None for CLOSING/CLOSED.
    data: Any
    extra: str | None

    def json(self, *, loads: JSONDecoder = json.loads) -> Any:
        """Decode the payload of a TEXT or BINARY message as JSON."""
        return loads(self.data)


WS_CLOSED_MESSAGE: Final = WSMessage(WSMsgType.CLOSED, None, None)
WS_CLOSING_MESSAGE: Final = WSMessage(WSMsgType.CLOSING, None, None)


class WebSocketError(Exception):
    """The peer broke the protocol; ``code`` is the close code to answer with."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(code, message)

    def __str__(self) -> str:
        return str(self.args[1])


class WSMessageTypeError(TypeError):
    """A WebSocket message of an unexpected type arrived."""


class WSHandshakeError(Exception):
    """The opening handshake is not a valid WebSocket upgrade.

    ``status`` is the HTTP status a server answers such a request with.
    """

    def __init__(self, message: str, *, status: int = 400) -> None:
        self.status = status
        super().__init__(message)
