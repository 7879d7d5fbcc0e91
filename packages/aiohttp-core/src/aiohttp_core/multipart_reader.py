"""Reading multipart bodies as they arrive: ``MultipartReader``, ``BodyPartReader``.

A ``MultipartReader`` pulls bytes from a stream (anything with an async
``read(n)``, e.g. a ``StreamReader``) into a sans-I/O ``MultipartParser``
and hands out one part at a time; a part's data is read in bounded chunks,
never gathered unless the caller asks for all of it (``read``, ``text``,
``json``, ``form``).  A nested multipart part is read by another
``MultipartReader`` whose stream is the outer part's data.

Limits (keyword arguments of ``MultipartReader``, shared by nested readers):

* ``max_field_size`` (8190): bytes in one part header line, CRLF excluded.
* ``max_headers`` (32): header fields in one part.
* ``max_parts`` (1000): parts in the whole body, nested ones included.
* ``max_nesting`` (8): multipart parts nested inside the outermost body.
* ``max_decompressed_size`` (32 MiB, None for no cap): bytes one part may
  inflate to when read with ``decode=True``.

Differences from aiohttp, on purpose: a part's Content-Length (ignored in
``multipart/form-data``, RFC 7578 4.8) is checked against the data up to
the delimiter instead of being trusted to skip over it; iterating a
``BodyPartReader`` yields its raw data chunk by chunk.
"""

from __future__ import annotations

import codecs
import inspect
import json
import warnings
from collections.abc import Mapping
from typing import Any, Final, NamedTuple, Protocol, overload
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy, MultiDictProxy

from . import http_grammar as g
from .abc import AbstractStreamWriter
from .content_disposition import parse_content_disposition
from .hdrs import (
    CONTENT_DISPOSITION,
    CONTENT_ENCODING,
    CONTENT_LENGTH,
    CONTENT_TRANSFER_ENCODING,
    CONTENT_TYPE,
)
from .http_exceptions import ContentLengthError
from .mimetype import parse_mimetype
from .multipart_codings import PartDecoder, make_part_decoder
from .multipart_errors import (
    BadBoundary,
    BadContentDispositionHeader,
    MultipartError,
    NestingTooDeep,
    TooManyParts,
)
from .multipart_parser import BOUNDARY_RE, MultipartParser, PartHead, Signal
from .payload import Order, Payload, payload_type
from .streams import StreamReader

__all__ = (
    "MAX_DECOMPRESSED_SIZE",
    "MAX_FIELD_SIZE",
    "MAX_HEADERS",
    "MAX_NESTING",
    "MAX_PARTS",
    "BodyPartReader",
    "BodyPartReaderPayload",
    "MultipartReader",
    "MultipartResponseWrapper",
    "ReadableStream",
)

MAX_FIELD_SIZE: Final = 8190
MAX_HEADERS: Final = 32
MAX_PARTS: Final = 1000
MAX_NESTING: Final = 8
MAX_DECOMPRESSED_SIZE: Final = 2**25

# Chunk size of internal reads (release, read, nested readers).
_READ_STEP: Final = 2**16
# A "_charset_" part (RFC 7578 4.6) names a charset: a few bytes at most.
_MAX_CHARSET_PART: Final = 40


class ReadableStream(Protocol):
    """What a multipart reader reads from (a ``StreamReader`` is one)."""

    async def read(self, n: int = -1) -> bytes:
        """Return up to ``n`` bytes, waiting only if none is there; b"" at the end."""


class _ResponseLike(Protocol):
    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> StreamReader: ...

    def release(self) -> Any: ...


class _Limits(NamedTuple):
    max_field_size: int
    max_headers: int
    max_parts: int
    max_nesting: int
    max_decompressed_size: int | None


class _PartCount:
    """Parts seen in a body, shared by the readers of its nested bodies."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class _Source:
    """Pumps bytes from a stream into a parser until it has something to say."""

    __slots__ = ("_content", "parser")

    def __init__(self, content: ReadableStream, parser: MultipartParser) -> None:
        self._content = content
        self.parser = parser

    async def _fill(self) -> None:
        # Bounded reads: a stream holding a whole body is never copied at once.
        data = await self._content.read(_READ_STEP)
        if data:
            self.parser.feed_data(data)
        else:
            self.parser.feed_eof()

    async def head(self) -> PartHead | Signal:
        while True:
            result = self.parser.read_head()
            if result is not Signal.NEED_DATA:
                return result
            await self._fill()

    async def body(self, size: int) -> bytes | Signal:
        while True:
            result = self.parser.read_body(size)
            if result is not Signal.NEED_DATA:
                return result
            await self._fill()


class _PartStream:
    """The raw data of one part as a stream: the content of a nested reader."""

    __slots__ = ("_part",)

    def __init__(self, part: BodyPartReader) -> None:
        self._part = part

    async def read(self, n: int = -1) -> bytes:
        return await self._part.read_chunk(_READ_STEP if n < 0 else n)

    def at_eof(self) -> bool:
        return self._part.at_eof()


def _content_length(headers: Mapping[str, str]) -> int | None:
    value = headers.get(CONTENT_LENGTH)
    if value is None:
        return None
    if g.CONTENT_LENGTH_RE.fullmatch(value.encode("utf-8", "surrogateescape")) is None:
        raise ContentLengthError(f"Invalid Content-Length {value[:30]!r} in a part")
    digits = value.lstrip("0")
    if len(digits) > 19:
        raise ContentLengthError(f"Content-Length too large {value[:30]!r}")
    return int(digits or "0")


class BodyPartReader:
    """Reads one body part: its headers, then its data in chunks."""

    chunk_size = 8192

    def __init__(
        self,
        boundary: bytes,
        headers: CIMultiDictProxy[str],
        content: ReadableStream,
        *,
        subtype: str = "mixed",
        default_charset: str | None = None,
        max_decompressed_size: int | None = MAX_DECOMPRESSED_SIZE,
    ) -> None:
        self.headers = headers
        self._boundary = boundary
        self._content = content
        self._is_form_data = subtype == "form-data"
        self._default_charset = default_charset
        self._max_decompressed_size = max_decompressed_size
        # Set by the MultipartReader that made this part; made on first
        # read for a part read on its own.
        self._source: _Source | None = None
        self._at_eof = False
        self._unread: list[bytes] = []
        self._read_bytes = 0
        # RFC 7578 4.8: form-data parts' other header fields are ignored.
        self._length = None if self._is_form_data else _content_length(headers)
        self._disposition: tuple[str | None, MultiDictProxy[str]] | None = None
        self._stream_decoder: PartDecoder | None = None

    def __repr__(self) -> str:
        state = " at_eof" if self.at_eof() else ""
        return (
            f"<{type(self).__name__} name={self.name!r} "
            f"filename={self.filename!r} read={self._read_bytes}{state}>"
        )

    def __aiter__(self) -> BodyPartReader:
        return self

    async def __anext__(self) -> bytes:
        chunk = await self.read_chunk()
        if not chunk:
            raise StopAsyncIteration
        return chunk

    async def next(self) -> bytes | None:
        """Return the next raw chunk of data, or None at the end of the part."""
        chunk = await self.read_chunk()
        return chunk or None

    def _get_source(self) -> _Source:
        parser = MultipartParser(self._boundary, in_body=True)
        self._source = _Source(self._content, parser)
        return self._source

    def _finish(self) -> None:
        self._at_eof = True
        if self._length is not None and self._read_bytes != self._length:
            raise ContentLengthError(
                f"Part body of {self._read_bytes} bytes, "
                f"Content-Length said {self._length}"
            )

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Read up to ``size`` bytes of raw data; b"" at the end of the part."""
        if size < 1:
            raise ValueError(f"size must be positive, got {size}")
        if self._unread:
            chunk = self._unread.pop()
            if len(chunk) > size:
                self._unread.append(chunk[size:])
                chunk = chunk[:size]
            return chunk
        if self._at_eof:
            return b""
        source = self._source or self._get_source()
        data = await source.body(size)
        if not isinstance(data, bytes):
            self._finish()
            return b""
        self._read_bytes += len(data)
        if self._length is not None and self._read_bytes > self._length:
            raise ContentLengthError(
                f"Part body longer than its Content-Length of {self._length}"
            )
        parser = source.parser
        if parser.part_end_ahead():
            # Say at_eof() with the last chunk, as aiohttp does.
            parser.read_body(1)
            self._finish()
        return data

    async def read(self, *, decode: bool = False) -> bytearray:
        """Read the rest of the data; with ``decode``, undo its codings."""
        data = bytearray()
        decoder = self._decoder() if decode else None
        while True:
            chunk = await self.read_chunk(_READ_STEP)
            if not chunk:
                break
            data += chunk if decoder is None else decoder.feed(chunk)
        if decoder is not None:
            data += decoder.flush()
        return data

    async def readline(self) -> bytes:
        """Read one line of data, with its LF (what is left at the end)."""
        pieces: list[bytes] = []
        while True:
            chunk = await self.read_chunk(self.chunk_size)
            if not chunk:
                break
            nl = chunk.find(b"\n")
            if nl != -1:
                pieces.append(chunk[: nl + 1])
                if nl + 1 < len(chunk):
                    self._unread.append(chunk[nl + 1 :])
                break
            pieces.append(chunk)
        return b"".join(pieces)

    async def release(self) -> None:
        """Read the rest of the data into the void."""
        self._unread.clear()
        while await self.read_chunk(_READ_STEP):
            pass

    async def text(self, *, encoding: str | None = None) -> str:
        """Read and decode the data as text (charset of Content-Type, UTF-8)."""
        data = await self.read(decode=True)
        return data.decode(encoding or self.get_charset("utf-8"))

    async def json(self, *, encoding: str | None = None) -> Any:
        """Read the data as JSON; None when the part is empty."""
        data = await self.read(decode=True)
        if not data:
            return None
        return json.loads(data.decode(encoding or self.get_charset("utf-8")))

    async def form(self, *, encoding: str | None = None) -> list[tuple[str, str]]:
        """Read the data as ``application/x-www-form-urlencoded`` pairs."""
        data = await self.read(decode=True)
        if not data:
            return []
        real_encoding = encoding or self.get_charset("utf-8")
        try:
            text = data.rstrip().decode(real_encoding)
        except UnicodeDecodeError:
            raise ValueError(
                f"data cannot be decoded with {real_encoding} encoding"
            ) from None
        return parse_qsl(text, keep_blank_values=True, encoding=real_encoding)

    def at_eof(self) -> bool:
        """True once all the part's data was read."""
        return self._at_eof and not self._unread

    def _decoder(self) -> PartDecoder | None:
        transfer = self.headers.get(CONTENT_TRANSFER_ENCODING)
        content = None if self._is_form_data else self.headers.get(CONTENT_ENCODING)
        if transfer is None and content is None:
            return None
        return make_part_decoder(transfer, content, self._max_decompressed_size)

    def decode(self, data: bytes | bytearray) -> bytes:
        """Undo Content-Transfer-Encoding, then Content-Encoding, of ``data``.

        Successive calls decode successive pieces of the part (as returned by
        ``read_chunk``): a base64 quantum or a gzip member may span two.  The
        call made once the part was read to its end also ends the decoding,
        and the next call starts afresh.  Raises RuntimeError for an unknown
        coding, ``BadTransferEncoding`` for broken base64 and
        ``DecompressSizeError`` past the size cap.
        """
        decoder = self._stream_decoder
        if decoder is None:
            decoder = self._decoder()
            if decoder is None:
                return bytes(data)
            self._stream_decoder = decoder
        out = decoder.feed(bytes(data))
        if self.at_eof():
            self._stream_decoder = None
            out += decoder.flush()
        return out

    @overload
    def get_charset(self, default: str) -> str: ...

    @overload
    def get_charset(self, default: None = None) -> str | None: ...

    def get_charset(self, default: str | None = None) -> str | None:
        """The charset of Content-Type, else the form's ``_charset_``, else default."""
        ctype = self.headers.get(CONTENT_TYPE, "")
        charset = parse_mimetype(ctype).parameters.get("charset")
        return charset or self._default_charset or default

    def _disposition_params(self) -> MultiDictProxy[str]:
        if self._disposition is None:
            header = self.headers.get(CONTENT_DISPOSITION)
            self._disposition = parse_content_disposition(header)
            if header is not None and self._disposition[0] is None:
                warnings.warn(BadContentDispositionHeader(header[:100]), stacklevel=3)
        return self._disposition[1]

    @property
    def name(self) -> str | None:
        """The ``name`` parameter of Content-Disposition, if any."""
        return self._disposition_params().get("name")

    @property
    def filename(self) -> str | None:
        """The ``filename`` of Content-Disposition (``filename*`` preferred)."""
        return self._disposition_params().get("filename")


@payload_type(BodyPartReader, order=Order.try_first)
class BodyPartReaderPayload(Payload):
    """A part being read, forwarded as a payload (decoded as it streams)."""

    _value: BodyPartReader

    def __init__(self, value: BodyPartReader, *args: Any, **kwargs: Any) -> None:
        super().__init__(value, *args, **kwargs)
        params: dict[str, str] = {}
        if value.name is not None:
            params["name"] = value.name
        if value.filename is not None:
            params["filename"] = value.filename
        if params:
            self.set_content_disposition("attachment", True, **params)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """A part is read once, asynchronously: TypeError."""
        raise TypeError("Unable to decode a part being read: await as_bytes()")

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Read the rest of the part, decoded."""
        return bytes(await self._value.read(decode=True))

    async def write(self, writer: AbstractStreamWriter) -> None:
        """Stream the rest of the part, decoded."""
        part = self._value
        decoder = part._decoder()
        while True:
            chunk = await part.read_chunk(_READ_STEP)
            if not chunk:
                break
            if decoder is not None:
                chunk = decoder.feed(chunk)
            if chunk:
                await writer.write(chunk)
        if decoder is not None:
            tail = decoder.flush()
            if tail:
                await writer.write(tail)


class MultipartResponseWrapper:
    """A ``MultipartReader`` over a client response, releasing it at the end."""

    def __init__(self, resp: _ResponseLike, stream: MultipartReader) -> None:
        self.resp = resp
        self.stream = stream

    def __aiter__(self) -> MultipartResponseWrapper:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True when all the response data was read."""
        return self.resp.content.at_eof()

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """Return the next part; release the response after the last one."""
        item = await self.stream.next()
        if self.stream.at_eof():
            await self.release()
        return item

    async def release(self) -> None:
        """Release the connection, reading what is left into the void."""
        result = self.resp.release()
        if inspect.isawaitable(result):
            await result


class MultipartReader:
    """Reads a multipart body part by part (see the module docstring for limits)."""

    #: Wraps the reader made by ``from_response``.
    response_wrapper_cls: type[MultipartResponseWrapper] = MultipartResponseWrapper
    #: Reads nested multipart parts (None: the reader's own class).
    multipart_reader_cls: type[MultipartReader] | None = None
    #: Reads the other parts.
    part_reader_cls: type[BodyPartReader] = BodyPartReader

    def __init__(
        self,
        headers: Mapping[str, str],
        content: ReadableStream,
        *,
        max_field_size: int = MAX_FIELD_SIZE,
        max_headers: int = MAX_HEADERS,
        max_parts: int = MAX_PARTS,
        max_nesting: int = MAX_NESTING,
        max_decompressed_size: int | None = MAX_DECOMPRESSED_SIZE,
    ) -> None:
        if min(max_field_size, max_headers, max_parts) < 1 or max_nesting < 0:
            raise ValueError("multipart limits must be positive")
        if max_decompressed_size is not None and max_decompressed_size < 0:
            raise ValueError("max_decompressed_size must be >= 0 or None")
        ctype = headers.get(CONTENT_TYPE)
        if ctype is None:
            raise MultipartError("multipart/* content type expected, got none")
        self._mimetype = parse_mimetype(ctype)
        if self._mimetype.type != "multipart":
            raise MultipartError(f"multipart/* content type expected, got {ctype!r}")
        boundary = self._mimetype.parameters.get("boundary")
        if boundary is None:
            raise BadBoundary(f"boundary missed for Content-Type: {ctype[:200]!r}")
        if not BOUNDARY_RE.fullmatch(boundary):
            raise BadBoundary(
                f"Invalid boundary {boundary[:80]!r}: RFC 2046 wants 1 to 70 "
                "of its bchars, not ending with a space"
            )
        self.headers = headers
        self._content = content
        self._boundary = b"--" + boundary.encode("ascii")
        self._limits = _Limits(
            max_field_size, max_headers, max_parts, max_nesting, max_decompressed_size
        )
        parser = MultipartParser(
            self._boundary, max_field_size=max_field_size, max_headers=max_headers
        )
        self._source = _Source(content, parser)
        self._depth = 0
        self._count = _PartCount()
        self._default_charset: str | None = None
        self._last_part: MultipartReader | BodyPartReader | None = None
        # The part whose data must be skipped before the next head.
        self._last_raw: BodyPartReader | None = None
        self._at_eof = False
        self._at_bof = True

    def __repr__(self) -> str:
        state = " at_eof" if self._at_eof else ""
        return (
            f"<{type(self).__name__} {self._mimetype.type}/{self._mimetype.subtype} "
            f"boundary={self._boundary[2:]!r} parts={self._count.value}{state}>"
        )

    def __aiter__(self) -> MultipartReader:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    @classmethod
    def from_response(cls, response: _ResponseLike) -> MultipartResponseWrapper:
        """Make a reader for a client response's body, wrapped to release it."""
        return cls.response_wrapper_cls(
            response, cls(response.headers, response.content)
        )

    def at_eof(self) -> bool:
        """True once the closing delimiter was read."""
        return self._at_eof

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """Skip what is left of the last part and return the next, or None."""
        if self._at_eof:
            return None
        part = await self.fetch_next_part()
        if (
            self._at_bof
            and part is not None
            and self._mimetype.subtype == "form-data"
            and isinstance(part, BodyPartReader)
            and part.name == "_charset_"
        ):
            self._default_charset = await self._read_charset(part)
            part = await self.fetch_next_part()
        self._at_bof = False
        self._last_part = part
        return part

    async def release(self) -> None:
        """Read the remaining parts into the void, up to the closing delimiter."""
        while not self._at_eof:
            await self.next()

    async def fetch_next_part(self) -> MultipartReader | BodyPartReader | None:
        """Skip the rest of the last part; return a reader for the next one."""
        await self._release_last()
        if self._at_eof:
            return None
        head = await self._source.head()
        if not isinstance(head, PartHead):
            self._at_eof = True
            return None
        self._count.value += 1
        if self._count.value > self._limits.max_parts:
            raise TooManyParts(f"More than {self._limits.max_parts} multipart parts")
        return self._get_part_reader(head.headers)

    def _get_part_reader(
        self, headers: CIMultiDictProxy[str]
    ) -> MultipartReader | BodyPartReader:
        """Make the reader for a part with these headers."""
        ctype = headers.get(CONTENT_TYPE, "")
        if parse_mimetype(ctype).type != "multipart":
            part = self._new_part(self.part_reader_cls, headers)
            self._last_raw = part
            return part
        if self._depth >= self._limits.max_nesting:
            raise NestingTooDeep(
                f"Multipart nested deeper than {self._limits.max_nesting} levels"
            )
        raw = self._new_part(BodyPartReader, headers)
        cls = self.multipart_reader_cls or type(self)
        nested = cls(headers, _PartStream(raw), **self._limits._asdict())
        nested._depth = self._depth + 1
        nested._count = self._count
        nested._default_charset = self._default_charset
        self._last_raw = raw
        return nested

    def _new_part(
        self, cls: type[BodyPartReader], headers: CIMultiDictProxy[str]
    ) -> BodyPartReader:
        part = cls(
            self._boundary,
            headers,
            self._content,
            subtype=self._mimetype.subtype,
            default_charset=self._default_charset,
            max_decompressed_size=self._limits.max_decompressed_size,
        )
        part._source = self._source
        return part

    async def _release_last(self) -> None:
        raw, self._last_raw = self._last_raw, None
        if raw is not None and not raw.at_eof():
            await raw.release()

    async def _read_charset(self, part: BodyPartReader) -> str:
        """Read a ``_charset_`` part (RFC 7578 4.6): the form's default charset."""
        data = bytearray()
        while chunk := await part.read_chunk(_MAX_CHARSET_PART):
            data += chunk
            if len(data) > _MAX_CHARSET_PART:
                raise MultipartError("Invalid _charset_ part: too long")
        name = data.strip().decode("ascii", "replace")
        try:
            # A bytes-to-bytes codec such as "base64" decodes no text.
            known = codecs.lookup(name)._is_text_encoding
        except LookupError:
            known = False
        if not known:
            raise MultipartError(f"Unknown charset in _charset_ part: {name!r}")
        return name
