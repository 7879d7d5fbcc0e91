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

__all__ = (
    "HttpProcessingError",
    "HttpRequestParser",
    "HttpResponseParser",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "RawRequestMessage",
    "RawResponseMessage",
    "StreamWriter",
)
