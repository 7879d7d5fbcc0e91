"""The values an HTTP/1.x parser produces: message heads and body events.

A parser's ``feed_data`` returns a list of these events, in wire order:

* a head (``RawRequestMessage`` or ``RawResponseMessage``) starts a message;
* zero or more ``BodyChunk`` carry its body bytes (already de-chunked);
* ``CHUNK_END`` follows the data of each HTTP/1.1 chunk of a chunked body,
  so readers can offer ``readchunk()`` with chunk boundaries;
* ``MessageEnd`` closes the message, with the trailer fields if any;
* ``ProtocolSwitch`` follows the ``MessageEnd`` of a message after which the
  connection stops speaking HTTP/1.x (an accepted ``Upgrade`` or ``CONNECT``);
  it carries the bytes already received past that message, and the parser
  accepts no more input.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from multidict import CIMultiDictProxy
from yarl import URL

from .typedefs import RawHeaders


class HttpVersion(NamedTuple):
    """An HTTP protocol version, as ``(major, minor)``."""

    major: int
    minor: int


HttpVersion10: Final = HttpVersion(1, 0)
HttpVersion11: Final = HttpVersion(1, 1)


class RawRequestMessage(NamedTuple):
    """The head of a request: request line and header fields."""

    method: str
    path: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: RawHeaders
    should_close: bool
    compression: str | None
    upgrade: bool
    chunked: bool
    url: URL


class RawResponseMessage(NamedTuple):
    """The head of a response: status line and header fields."""

    version: HttpVersion
    code: int
    reason: str
    headers: CIMultiDictProxy[str]
    raw_headers: RawHeaders
    should_close: bool
    compression: str | None
    upgrade: bool
    chunked: bool


class BodyChunk(NamedTuple):
    """Body bytes of the current message, transfer coding removed."""

    data: bytes


class ChunkEnd:
    """Marks the end of one chunk of a chunked body."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "CHUNK_END"


CHUNK_END: Final = ChunkEnd()


class MessageEnd(NamedTuple):
    """The current message is complete; trailers are empty unless chunked."""

    trailers: CIMultiDictProxy[str]
    raw_trailers: RawHeaders


class ProtocolSwitch(NamedTuple):
    """The connection left HTTP/1.x; ``tail`` holds the bytes already read."""

    tail: bytes


ParserEvent = (
    RawRequestMessage
    | RawResponseMessage
    | BodyChunk
    | ChunkEnd
    | MessageEnd
    | ProtocolSwitch
)
