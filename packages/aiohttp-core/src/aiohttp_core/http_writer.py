"""HTTP/1.x message writer: head serialization and the body framing writer.

``serialize_headers`` is sans-I/O: it turns a start line and header fields
into bytes and is the guard against header injection, so it refuses CR, LF
and NUL anywhere but in the separators it adds itself, and field names that
are not RFC 9110 tokens.  It has a compiled twin in ``_http_writer.pyx``,
used when built unless AIOHTTP_NO_EXTENSIONS is set; the pure-Python one
stays here as ``serialize_headers_py``.

``StreamWriter`` writes one message to a connection.  The caller declares the
body's framing before ``write_headers``, or lets the head decide:

* ``set_length(n)`` or a ``Content-Length`` field: exactly ``n`` body bytes.
  More raises ``PayloadLengthError`` before anything of the offending chunk is
  sent; fewer at ``write_eof`` raises it too.  Either way ``must_close`` is
  set and the caller must close the connection.
* ``enable_chunking()`` or ``Transfer-Encoding: ...chunked``: chunked coding
  (RFC 9112 section 7.1), with optional trailer fields at ``write_eof``.
* neither: the body runs until the connection closes, so ``must_close`` is
  set as soon as a body byte is sent (a request with neither has no body).
* ``set_no_body()``: for HEAD responses and 1xx/204/304 statuses, which carry
  no body whatever their head says.  Body writes are silently discarded, as a
  handler serving GET and HEAD alike writes its body in both cases, and no
  length is enforced (a HEAD response announces the GET's Content-Length).

The declared framing and the head must agree, and a head never carries both
Content-Length and Transfer-Encoding.  Compression changes the length, so it
only goes with chunked or close-delimited framing: combining it with a
length raises ``ValueError``.

The head is kept until the first body bytes or ``write_eof`` so that a small
message leaves in one ``transport.write``; ``send_headers()`` or ``drain()``
send it earlier (e.g. before waiting for ``100 Continue``).  Each ``write``
hands its bytes to the transport at once, framing included, in one call, and
waits for the transport to drain when it is paused: a peer that does not read
blocks the writer instead of growing a buffer.
"""

from __future__ import annotations

import asyncio
import enum
import os
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from typing import Final, TypeAlias

from multidict import CIMultiDict, istr

from .abc import AbstractStreamWriter
from .base_protocol import BaseProtocol
from .compression import MAX_SYNC_CHUNK_SIZE, Compressor, get_compressor
from .connection_errors import ClientConnectionResetError
from .http_head import FramingField as _Field
from .http_head import (
    FramingFields,
    forbidden_error,
    name_error,
    plain_str,
    value_str,
)
from .http_head import Headers as Headers

__all__ = (
    "PayloadLengthError",
    "StreamWriter",
    "serialize_headers",
)

Buffer: TypeAlias = bytes | bytearray | memoryview
OnChunkSent: TypeAlias = Callable[[bytes], Awaitable[None]]
OnHeadersSent: TypeAlias = Callable[[CIMultiDict[str]], Awaitable[None]]

# RFC 9110 section 5.6.2:
#   token = 1*tchar
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
_TCHAR: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
_TOKEN_RE: Final = re.compile(f"{_TCHAR}+", re.ASCII)

# RFC 9110 section 8.6:  Content-Length = 1*DIGIT
_CONTENT_LENGTH_RE: Final = re.compile(r"[0-9]+", re.ASCII)

# RFC 9110 section 5.6.1: a list is separated by "," with optional whitespace.
_LAST_CODING_RE: Final = re.compile(r"(?:^|,)[ \t]*([^, \t]*)[ \t]*$", re.ASCII)

_COALESCE_LIMIT: Final = 16 * 1024  # join parts up to this size, else writelines
_LAST_CHUNK: Final = b"0\r\n\r\n"

# Field names already checked, by exact str: a response reuses the same few.
# Bounded so that names from the network (e.g. in a proxy) cannot grow it.
_known_names: dict[str, _Field] = {
    "Content-Length": _Field.CONTENT_LENGTH,
    "Transfer-Encoding": _Field.TRANSFER_ENCODING,
}
_KNOWN_NAMES_MAX: Final = 1024
_KNOWN_NAME_LEN_MAX: Final = 64


def _check_name(name: str) -> _Field:
    """Validate a field name not seen before and tell its kind."""
    if not _TOKEN_RE.fullmatch(name):
        raise name_error(name)
    lowered = name.lower()  # a token is ASCII
    if lowered == "content-length":
        kind = _Field.CONTENT_LENGTH
    elif lowered == "transfer-encoding":
        kind = _Field.TRANSFER_ENCODING
    else:
        kind = _Field.OTHER
    if len(_known_names) < _KNOWN_NAMES_MAX and len(name) <= _KNOWN_NAME_LEN_MAX:
        _known_names[str.__str__(name)] = kind
    return kind


def _serialize_py(
    status_line: str, headers: Headers
) -> tuple[bytes, FramingFields | None]:
    """Serialize a head; also return its framing fields (None if there are none)."""
    if type(status_line) is not str:
        status_line = plain_str(status_line)
    parts = [status_line, "\r\n"]
    extend = parts.extend
    framing: FramingFields | None = None
    lookup = _known_names.get
    other = _Field.OTHER  # enum member access is slow: keep it out of the loop
    for name, value in headers.items():
        # istr (multidict's) keeps str's hash and equality: a safe cache key.
        if type(name) is not str and type(name) is not istr:
            name = plain_str(name)
        kind = lookup(name)
        if kind is None:
            kind = _check_name(name)
        if type(value) is not str:
            value = value_str(value)
        # str.join copies the characters of str subclasses as they are,
        # without calling any of their methods.
        extend((name, ": ", value, "\r\n"))
        if kind is not other:
            if framing is None:
                framing = []
            framing.append((kind, value))
    parts.append("\r\n")
    text = "".join(parts)
    # The CRLFs we put in are exactly one per field plus two; any other CR or
    # LF came from the start line, a name or a value.  Counting is one
    # C-level pass each and cannot be fooled by a value that forges a whole
    # field, as a grammar match over the joined text could.
    separators = (len(parts) - 3) // 4 + 2
    if (
        text.count("\r") != separators
        or text.count("\n") != separators
        or "\x00" in text
    ):
        raise forbidden_error(status_line, headers)
    return text.encode("utf-8"), framing


def serialize_headers_py(status_line: str, headers: Headers) -> bytes:
    """Return ``status_line``, the header fields and the blank line, as bytes.

    Raises ValueError for CR, LF or NUL in any part, or a name that is not a
    token.
    """
    return _serialize_py(status_line, headers)[0]


def _chunk_py(data: Buffer) -> bytes:
    """``data`` framed as one chunk of the chunked transfer coding."""
    return b"".join((b"%x\r\n" % len(data), data, b"\r\n"))


# The compiled twin (``_http_writer.pyx``) serializes a head in one pass over
# the characters, without the name cache, and frames a chunk with a single
# allocation.  AIOHTTP_NO_EXTENSIONS=1 keeps it out; the *_c names are None
# when it is not in use.
_serialize_c: Callable[[str, Headers], tuple[bytes, FramingFields | None]] | None
serialize_headers_c: Callable[[str, Headers], bytes] | None
_chunk_c: Callable[[Buffer], bytes] | None
if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
    _serialize_c = serialize_headers_c = _chunk_c = None
else:
    try:
        from ._http_writer import _chunk as _chunk_c
        from ._http_writer import _serialize as _serialize_c
        from ._http_writer import serialize_headers as serialize_headers_c
    except ImportError:
        _serialize_c = serialize_headers_c = _chunk_c = None

_serialize = _serialize_py if _serialize_c is None else _serialize_c
_chunk = _chunk_py if _chunk_c is None else _chunk_c
serialize_headers = (
    serialize_headers_py if serialize_headers_c is None else serialize_headers_c
)


class PayloadLengthError(ValueError):
    """The body does not match the declared Content-Length."""


class _Framing(enum.Enum):
    """How the end of the body is marked."""

    CLOSE = "close-delimited"
    LENGTH = "content-length"
    CHUNKED = "chunked"


# Enum members as module globals: looking one up on its class costs about as
# much as a function call (Python 3.11), and these are read on every write.
_CLOSE: Final = _Framing.CLOSE
_LENGTH: Final = _Framing.LENGTH
_CHUNKED: Final = _Framing.CHUNKED
_CONTENT_LENGTH_FIELD: Final = _Field.CONTENT_LENGTH
_TRANSFER_ENCODING_FIELD: Final = _Field.TRANSFER_ENCODING


def _byte_view(chunk: Buffer) -> Buffer:
    # len() of a memoryview counts items, not bytes.
    if type(chunk) is memoryview and chunk.nbytes != len(chunk):
        return chunk.cast("B")
    return chunk


class StreamWriter(AbstractStreamWriter):
    """Writes one HTTP/1.x message (head, framed body) to a ``BaseProtocol``."""

    __slots__ = (
        "_body_sent",
        "_compressor",
        "_declared",
        "_eof",
        "_framing",
        "_head",
        "_head_written",
        "_loop",
        "_no_body",
        "_on_chunk_sent",
        "_on_headers_sent",
        "_protocol",
        "buffer_size",
        "length",
        "must_close",
        "output_size",
    )

    def __init__(
        self,
        protocol: BaseProtocol,
        loop: asyncio.AbstractEventLoop,
        on_chunk_sent: OnChunkSent | None = None,
        on_headers_sent: OnHeadersSent | None = None,
    ) -> None:
        self._protocol = protocol
        self._loop = loop
        self._on_chunk_sent = on_chunk_sent
        self._on_headers_sent = on_headers_sent
        self._head: bytes | None = None  # serialized head not sent yet
        self._head_written = False
        self._framing = _CLOSE
        self._declared: int | None = None
        self._no_body = False
        self._compressor: Compressor | None = None
        self._eof = False
        self._body_sent = 0  # body bytes on the wire, without chunk framing
        self.buffer_size = 0
        self.output_size = 0
        self.length = 0
        #: True when the connection cannot carry another message after this one.
        self.must_close = False

    def __repr__(self) -> str:
        state = "eof" if self._eof else "open"
        extra = " no_body" if self._no_body else ""
        if self._compressor is not None:
            extra += f" compress={self._compressor.encoding}"
        return (
            f"<StreamWriter {state} {self._framing.value}{extra} "
            f"length={self.length} output_size={self.output_size}>"
        )

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport, None once it is lost."""
        return self._protocol.transport

    @property
    def protocol(self) -> BaseProtocol:
        """The protocol whose flow control this writer follows."""
        return self._protocol

    @property
    def chunked(self) -> bool:
        """True when the body uses the chunked transfer coding."""
        return self._framing is _CHUNKED

    @property
    def content_length(self) -> int | None:
        """The declared body length, None unless framed by Content-Length."""
        return self._declared

    @property
    def compression(self) -> str | None:
        """The content coding applied to the body, if any."""
        return None if self._compressor is None else self._compressor.encoding

    @property
    def no_body(self) -> bool:
        """True when this message carries no body (HEAD, 1xx, 204, 304)."""
        return self._no_body

    @property
    def eof(self) -> bool:
        """True once ``write_eof`` was called."""
        return self._eof

    # -- declaring the framing ------------------------------------------------

    def _check_configurable(self, what: str) -> None:
        if self._head_written or self._eof or self.length:
            raise RuntimeError(f"{what} must be called before the head and body")

    def set_length(self, length: int) -> None:
        """Frame the body by ``Content-Length: length``."""
        self._check_configurable("set_length()")
        if length < 0:
            raise ValueError(f"Content-Length must not be negative, got {length}")
        if self._framing is _CHUNKED:
            raise ValueError("A body cannot be both chunked and Content-Length framed")
        if self._compressor is not None:
            raise ValueError("A compressed body cannot have a Content-Length")
        self._framing = _LENGTH
        self._declared = length

    def enable_chunking(self) -> None:
        """Frame the body with the chunked transfer coding."""
        self._check_configurable("enable_chunking()")
        if self._framing is _LENGTH:
            raise ValueError("A body cannot be both chunked and Content-Length framed")
        self._framing = _CHUNKED

    def set_no_body(self) -> None:
        """Declare a message without body: body writes are discarded."""
        self._check_configurable("set_no_body()")
        self._no_body = True

    def enable_compression(
        self,
        encoding: str = "deflate",
        strategy: int | None = None,
        *,
        level: int | None = None,
        executor: Executor | None = None,
        max_sync_chunk_size: int | None = MAX_SYNC_CHUNK_SIZE,
    ) -> None:
        """Compress the body with ``encoding`` (deflate, gzip or br)."""
        self._check_configurable("enable_compression()")
        if self._framing is _LENGTH:
            raise ValueError("A compressed body cannot have a Content-Length")
        self._compressor = get_compressor(
            encoding,
            level=level,
            strategy=strategy,
            executor=executor,
            max_sync_chunk_size=max_sync_chunk_size,
        )

    def _apply_head_framing(self, fields: FramingFields | None) -> None:
        """Check the head's framing fields against the declared framing."""
        lengths: list[str] = []
        codings: list[str] = []
        for kind, value in fields or ():
            if kind is _CONTENT_LENGTH_FIELD:
                lengths.append(value)
            elif kind is _TRANSFER_ENCODING_FIELD:
                codings.append(value)
        if lengths and codings:
            raise ValueError(
                "A head cannot carry both Content-Length and Transfer-Encoding"
            )
        if self._no_body:
            return
        framing = self._framing
        if codings:
            match = _LAST_CODING_RE.search(codings[-1])
            # ASCII only: "chun\u212aed".lower() is "chunked" too.
            last = "" if match is None else match[1]
            chunked = last.isascii() and last.lower() == "chunked"
            if framing is _CLOSE:
                # Without a final "chunked" the body is close-delimited.
                if chunked:
                    self._framing = _CHUNKED
                return
            if chunked and framing is _CHUNKED:
                return
            raise ValueError(
                f"Transfer-Encoding {codings[-1]!r} does not match the declared "
                f"{framing.value} framing"
            )
        if lengths:
            if (
                len(lengths) > 1 and any(v != lengths[0] for v in lengths)
            ) or not _CONTENT_LENGTH_RE.fullmatch(lengths[0]):
                raise ValueError(f"Invalid Content-Length {', '.join(lengths)!r}")
            length = int(lengths[0])
            if framing is _CLOSE:
                self.set_length(length)
            elif framing is not _LENGTH or length != self._declared:
                raise ValueError(
                    f"Content-Length {length} does not match the declared "
                    f"{framing.value} framing ({self._declared})"
                )
            return
        if framing is not _CLOSE:
            raise ValueError(f"The head lacks the field for {framing.value} framing")

    # -- sending ----------------------------------------------------------------

    def _send(self, parts: list[Buffer]) -> None:
        """Hand ``parts``, after the pending head, to the transport at once."""
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            self.must_close = True
            raise ClientConnectionResetError("Cannot write to closing transport")
        head = self._head
        if head is not None:
            self._head = None
            parts.insert(0, head)
        size = 0
        for part in parts:
            size += len(part)
        if len(parts) == 1:
            transport.write(parts[0])
        elif size <= _COALESCE_LIMIT:
            transport.write(b"".join(parts))
        else:
            # Zero-copy scatter/gather where the transport supports it.
            transport.writelines(parts)
        self.buffer_size += size
        self.output_size += size

    def _frame(self, data: Buffer) -> list[Buffer]:
        """Wrap body bytes (non-empty) in the chunk framing, if chunked."""
        size = len(data)
        self._body_sent += size
        if self._framing is _CHUNKED:
            if size <= _COALESCE_LIMIT:
                return [_chunk(data)]
            return [b"%x\r\n" % size, data, b"\r\n"]
        if self._framing is _CLOSE:
            self.must_close = True
        return [data]

    def _check_length(self, total: int, at_eof: bool) -> None:
        declared = self._declared
        if declared is None or total == declared:
            return
        if total > declared:
            problem = "longer than"
        elif at_eof:
            problem = "shorter than"
        else:
            return
        self.must_close = True
        raise PayloadLengthError(
            f"Body is {problem} its Content-Length: {total} != {declared} bytes"
        )

    async def _compress(
        self, compressor: Compressor, chunk: Buffer, last: bool
    ) -> bytes:
        try:
            data = await compressor.compress(chunk) if chunk else b""
            if last:
                data += compressor.flush()
        except BaseException:
            # Whatever the compressor held is lost: the body is broken.
            self.must_close = True
            raise
        return data

    @property
    def reports_headers(self) -> bool:
        """True when writing the head awaits an ``on_headers_sent`` callback."""
        return self._on_headers_sent is not None

    def buffer_headers(self, status_line: str, headers: Headers) -> None:
        """Serialize and buffer the head without telling ``on_headers_sent``.

        For callers that checked ``reports_headers`` and need no await;
        ``write_headers`` is this plus the callback.
        """
        if self._head_written:
            raise RuntimeError("The head was already written")
        if self._eof:
            raise RuntimeError("Cannot write the head after write_eof()")
        data, framing = _serialize(status_line, headers)
        self._apply_head_framing(framing)
        self._head = data
        self._head_written = True

    async def write_headers(self, status_line: str, headers: Headers) -> None:
        """Serialize and buffer the head; it leaves with the first body bytes."""
        self.buffer_headers(status_line, headers)
        if self._on_headers_sent is not None:
            sent = headers if isinstance(headers, CIMultiDict) else CIMultiDict(headers)
            await self._on_headers_sent(sent)

    def send_headers(self) -> None:
        """Send the buffered head now if it has not been sent yet."""
        if self._head is not None:
            self._send([])

    async def write(self, chunk: Buffer, *, drain: bool = True) -> None:
        """Write a chunk of the body; wait for the transport if it is paused."""
        if self._eof:
            raise RuntimeError("Cannot write after write_eof()")
        if self._no_body or not chunk:
            return
        chunk = _byte_view(chunk)
        size = len(chunk)
        compressor = self._compressor
        if compressor is not None:
            data: Buffer = await self._compress(compressor, chunk, last=False)
        else:
            self._check_length(self._body_sent + size, at_eof=False)
            data = chunk
        self.length += size
        if data:
            self._send(self._frame(data))
        if self._on_chunk_sent is not None:
            await self._on_chunk_sent(bytes(chunk))
        if drain and self._protocol.writing_paused:
            await self.drain()

    async def write_eof(
        self, chunk: Buffer = b"", *, trailers: Headers | None = None
    ) -> None:
        """Write the last chunk (and chunked trailers) and end the message."""
        if self._eof:
            if chunk or trailers:
                raise RuntimeError("Cannot write after write_eof()")
            return
        if self._no_body:
            self._eof = True
            if self._head is not None:
                self._send([])
            await self.drain()
            return
        # Refuse bad trailers before ending, so that the caller can retry.
        chunked = self._framing is _CHUNKED
        if trailers and not chunked:
            raise ValueError("Trailer fields need the chunked transfer coding")
        last_chunk = self._last_chunk(trailers) if chunked else b""
        self._eof = True
        chunk = _byte_view(chunk)
        size = len(chunk)
        compressor = self._compressor
        if compressor is not None:
            data: Buffer = await self._compress(compressor, chunk, last=True)
        else:
            self._check_length(self._body_sent + size, at_eof=True)
            data = chunk
        self.length += size
        parts = self._frame(data) if data else []
        if chunked:
            parts.append(last_chunk)
        if parts or self._head is not None:
            self._send(parts)
        if chunk and self._on_chunk_sent is not None:
            await self._on_chunk_sent(bytes(chunk))
        protocol = self._protocol
        if protocol.writing_paused or protocol.transport is None:
            await self.drain()
        else:
            self.buffer_size = 0

    @staticmethod
    def _last_chunk(trailers: Headers | None) -> bytes:
        if not trailers:
            return _LAST_CHUNK
        # RFC 9112 section 7.1.2: last-chunk, trailer-section, CRLF: the same
        # shape as a head whose start line is "0".
        data, framing = _serialize("0", trailers)
        if framing:
            raise ValueError("Framing fields are not allowed as trailers")
        return data

    async def drain(self) -> None:
        """Send the pending head, then wait until the transport accepts more."""
        if self._head is not None:
            self._send([])
        self.buffer_size = 0
        try:
            await self._protocol._drain_helper()
        except ConnectionResetError:
            self.must_close = True
            raise
        except OSError as exc:
            # connection_lost() passes on whatever the socket reported
            # (BrokenPipeError, ConnectionAbortedError...): callers catch one.
            self.must_close = True
            raise ClientConnectionResetError(f"Connection lost: {exc}") from exc
