"""The HTTP/1.x protocol names, gathered from aiohttp-core."""

from aiohttp_core.http_exceptions import HttpProcessingError
from aiohttp_core.http_messages import (
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    RawRequestMessage,
    RawResponseMessage,
)
from aiohttp_core.http_parser import HttpRequestParser, HttpResponseParser
from aiohttp_core.http_writer import StreamWriter
from aiohttp_ws import (
    WS_KEY,
    WebSocketError,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)

__all__ = (
    "WS_KEY",
    "HttpProcessingError",
    "HttpRequestParser",
    "HttpResponseParser",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "RawRequestMessage",
    "RawResponseMessage",
    "StreamWriter",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketError",
    "WebSocketReader",
    "WebSocketWriter",
)
