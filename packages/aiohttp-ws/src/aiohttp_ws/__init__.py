"""The WebSocket protocol (RFC 6455, RFC 7692) shared by aiohttp's server and client.

Sans-I/O pieces: ``WebSocketReader`` (bytes in, messages out),
``WebSocketWriter`` (messages in, bytes out), the handshake helpers and
permessage-deflate negotiation.  ``WebSocketConnection`` is the thin
asyncio layer on top that both the server and the client responses use,
and ``WebSocketMessages`` the message calls both of them offer.
"""

from __future__ import annotations

from .connection import WebSocketConnection
from .extensions import DeflateParams
from .frame_reader import NO_STATUS_RECEIVED
from .frame_writer import build_frame, close_payload
from .handshake import (
    WS_KEY,
    ClientHandshake,
    HandshakeResult,
    ServerHandshake,
    accept_value,
    make_key,
    server_handshake,
)
from .mask import websocket_mask
from .messages import WebSocketMessages
from .models import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WebSocketError,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMessageTypeError,
    WSMsgType,
)
from .reader import WebSocketReader
from .writer import WebSocketWriter

__all__ = (
    "NO_STATUS_RECEIVED",
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WS_KEY",
    "ClientHandshake",
    "DeflateParams",
    "HandshakeResult",
    "ServerHandshake",
    "WSCloseCode",
    "WSHandshakeError",
    "WSMessage",
    "WSMessageTypeError",
    "WSMsgType",
    "WebSocketConnection",
    "WebSocketError",
    "WebSocketMessages",
    "WebSocketReader",
    "WebSocketWriter",
    "accept_value",
    "build_frame",
    "close_payload",
    "make_key",
    "server_handshake",
    "websocket_mask",
)
