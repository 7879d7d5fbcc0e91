"""Payloads: the bodies a client request or a multipart part can carry.

A ``Payload`` wraps one Python value (bytes, text, a file, an async
iterable...) together with the headers that describe it (Content-Type,
Content-Disposition) and writes it to a stream writer with ``write``.
``get_payload`` picks the payload class for a value through a registry that
users can extend with ``register_payload`` or the ``payload_type`` decorator.

Files are never read whole: they are streamed in ``chunk_size`` pieces, each
read in the default executor so the event loop never blocks on the disk.
Seekable sources remember where they started, so the same payload can be
written again (a redirect, a retry); a source that cannot be rewound can be
written once, and writing it again raises ``RuntimeError``.  ``close()``
closes the underlying file or async generator; writing never does.
"""

from __future__ import annotations

import asyncio
import builtins
import enum
import io
import json
import mimetypes
import os
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Callable
from pathlib import Path
from typing import IO, Any, Final, TypeVar
from urllib.parse import quote

from multidict import CIMultiDict

from . import hdrs
from .abc import AbstractStreamWriter
from .body_writers import LimitedWriter
from .content_disposition import content_disposition_header
from .http_writer import serialize_headers
from .mimetype import parse_mimetype
from .streams import StreamReader
from .typedefs import JSONEncoder, LooseHeaders

__all__ = (
    "PAYLOAD_REGISTRY",
    "AsyncIterablePayload",
    "BufferedReaderPayload",
    "BytesIOPayload",
    "BytesPayload",
    "IOBasePayload",
    "JsonPayload",
    "LookupError",
    "Order",
    "Payload",
    "PayloadRegistry",
    "StreamReaderPayload",
    "StringIOPayload",
    "StringPayload",
    "TextIOPayload",
    "get_payload",
    "guess_filename",
    "payload_type",
    "register_payload",
)

#: How much a file payload reads per executor call.
READ_SIZE: Final = 2**18

# RFC 9110 5.5: CR, LF and NUL never belong in a field value we send.
_FORBIDDEN_VALUE_RE: Final = re.compile(r"[\r\n\x00]")
# Printable ASCII: a filename that needs no RFC 8187 form.
_PRINTABLE_ASCII_RE: Final = re.compile(r"[\x20-\x7e]*")

_T = TypeVar("_T")


class LookupError(builtins.LookupError):  # aiohttp's public name
    """No payload class is registered for the value's type."""


class Order(str, enum.Enum):
    """Where a registered payload factory is tried, relative to the others."""

    normal = "normal"
    try_first = "try_first"
    try_last = "try_last"


def guess_filename(obj: object, default: str | None = None) -> str | None:
    """Return the base name of a file object's ``name``, or ``default``."""
    name = getattr(obj, "name", None)
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    # "<stdin>" and friends are not file names.
    if isinstance(name, str) and name and name[0] != "<" and name[-1] != ">":
        return Path(name).name
    return default


def _check_value(what: str, value: str) -> None:
    if _FORBIDDEN_VALUE_RE.search(value):
        raise ValueError(f"{what} holds CR, LF or NUL: {value!r}")


def serialize_part_headers(headers: CIMultiDict[str]) -> bytes:
    """Serialize part headers and the blank line after them; ValueError if unsafe."""
    # serialize_headers is the header-injection guard; the empty start line
    # becomes the leading CRLF, which is cut off.
    return serialize_headers("", headers)[2:]


class Payload(ABC):
    """A body to send: a value, its headers and the way to write it."""

    _default_content_type: str = "application/octet-stream"
    _size: int | None = None
    _consumed: bool = False
    _closed: bool = False

    def __init__(
        self,
        value: Any,
        headers: LooseHeaders | None = None,
        content_type: str | None = None,
        filename: str | None = None,
        encoding: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._encoding = encoding
        self._filename = filename
        self._headers: CIMultiDict[str] = CIMultiDict()
        self._value = value
        if content_type is None and filename is not None:
            content_type = mimetypes.guess_type(filename)[0]
        if content_type is None:
            content_type = self._default_content_type
        _check_value("Content-Type", content_type)
        self._headers[hdrs.CONTENT_TYPE] = content_type
        if headers:
            self._headers.update(headers)

    @property
    def size(self) -> int | None:
        """Size of the body in bytes, or None when it is not known in advance."""
        return self._size

    @property
    def filename(self) -> str | None:
        """File name of the value, if it has one."""
        return self._filename

    @property
    def headers(self) -> CIMultiDict[str]:
        """The headers sent with the value (mutable)."""
        return self._headers

    @property
    def _binary_headers(self) -> bytes:
        return serialize_part_headers(self._headers)

    @property
    def encoding(self) -> str | None:
        """Text encoding of the value, if any."""
        return self._encoding

    @property
    def content_type(self) -> str:
        """The Content-Type header value."""
        return self._headers[hdrs.CONTENT_TYPE]

    @property
    def consumed(self) -> bool:
        """True once a one-shot source was written and cannot be written again."""
        return self._consumed

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called."""
        return self._closed

    def set_content_disposition(
        self,
        disptype: str,
        quote_fields: bool = True,
        _charset: str = "utf-8",
        **params: str,
    ) -> None:
        """Set Content-Disposition; ValueError for CR, LF, NUL or a bad type.

        With ``quote_fields``, a filename that is not printable ASCII is also
        given in the RFC 8187 form (``filename*=utf-8''...``) so that RFC 6266
        readers get it back exactly, except for ``form-data`` where RFC 7578
        4.2 forbids that form.
        """
        value = content_disposition_header(disptype, quote_fields, _charset, params)
        filename = params.get("filename")
        if (
            quote_fields
            and filename is not None
            and disptype.lower() != "form-data"
            and not _PRINTABLE_ASCII_RE.fullmatch(filename)
        ):
            encoded = quote(filename, safe="", encoding=_charset)
            value = f"{value}; filename*={_charset}''{encoded}"
        self._headers[hdrs.CONTENT_DISPOSITION] = value

    @abstractmethod
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Return the value as text."""

    @abstractmethod
    async def write(self, writer: AbstractStreamWriter) -> None:
        """Write the body to ``writer`` (only its ``write`` method is used)."""

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        """Write at most ``content_length`` bytes of the body (all if None)."""
        if content_length is None:
            await self.write(writer)
        else:
            await self.write(LimitedWriter(writer, content_length))

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Return the body as the bytes ``write`` would send."""
        actual = self._encoding or encoding
        return self.decode(actual, errors).encode(actual, errors)

    def _close(self) -> None:
        """Release what the payload holds (synchronously)."""
        self._closed = True

    async def close(self) -> None:
        """Release what the payload holds: close its file or async generator."""
        self._close()


class BytesPayload(Payload):
    """A ``bytes``, ``bytearray`` or ``memoryview`` body."""

    _value: bytes | bytearray | memoryview

    def __init__(
        self, value: bytes | bytearray | memoryview, *args: Any, **kwargs: Any
    ) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"value argument must be byte-ish, not {type(value).__name__!r}"
            )
        super().__init__(value, *args, **kwargs)
        self._size = value.nbytes if isinstance(value, memoryview) else len(value)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Return the bytes decoded with ``encoding``."""
        return bytes(self._value).decode(encoding, errors)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Return the bytes."""
        return bytes(self._value)

    async def write(self, writer: AbstractStreamWriter) -> None:
        """Write the bytes in one piece."""
        await writer.write(self._value)


class StringPayload(BytesPayload):
    """A ``str`` body, encoded with the charset of its Content-Type (UTF-8)."""

    def __init__(
        self,
        value: str,
        *args: Any,
        encoding: str | None = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(value, str):
            raise TypeError(f"value argument must be str, not {type(value).__name__}")
        if content_type is None and kwargs.get("headers"):
            # A Content-Type given among the headers names the charset too.
            content_type = CIMultiDict(kwargs["headers"]).get(hdrs.CONTENT_TYPE)
        if encoding is None:
            if content_type is None:
                encoding = "utf-8"
                content_type = "text/plain; charset=utf-8"
            else:
                charset = parse_mimetype(content_type).parameters.get("charset")
                encoding = charset or "utf-8"
        elif content_type is None:
            content_type = f"text/plain; charset={encoding}"
        super().__init__(
            value.encode(encoding),
            *args,
            encoding=encoding,
            content_type=content_type,
            **kwargs,
        )


class StringIOPayload(StringPayload):
    """An ``io.StringIO`` body: what is left of its text, read at once."""

    def __init__(self, value: IO[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(value.read(), *args, **kwargs)


class IOBasePayload(Payload):
    """A file-like body, streamed in chunks read in the default executor."""

    _value: IO[Any]
    chunk_size: int = READ_SIZE

    def __init__(
        self,
        value: IO[Any],
        disposition: str | None = "attachment",
        *args: Any,
        **kwargs: Any,
    ) -> None:
        if "filename" not in kwargs:
            kwargs["filename"] = guess_filename(value)
        super().__init__(value, *args, **kwargs)
        if (
            self._filename is not None
            and disposition is not None
            and hdrs.CONTENT_DISPOSITION not in self._headers
        ):
            self.set_content_disposition(disposition, filename=self._filename)
        self._start = self._position()
        self._size_known = False

    def _position(self) -> int | None:
        """Where reading starts, or None when the source cannot be rewound."""
        try:
            if not self._value.seekable():
                return None
            return self._value.tell()
        except (OSError, ValueError, AttributeError):
            return None

    def _measure(self) -> int | None:
        if self._start is None:
            return None
        try:
            return max(os.fstat(self._value.fileno()).st_size - self._start, 0)
        except (OSError, ValueError, AttributeError):
            return None

    @property
    def size(self) -> int | None:
        """Bytes from the start position to the end of the file, if known."""
        if not self._size_known:
            self._size = self._measure()
            self._size_known = True
        return self._size

    def _rewind(self) -> None:
        """Go back to where the body starts (a second write re-sends it)."""
        if self._start is not None:
            self._value.seek(self._start)
        elif self._consumed:
            raise RuntimeError(
                f"{type(self).__name__} was already written and its source "
                "cannot be rewound"
            )
        self._consumed = self._start is None

    def _read_first(self, size: int) -> bytes:
        self._rewind()
        return self._read(size)

    def _read(self, size: int) -> bytes:
        data = self._value.read(size)
        return data if isinstance(data, bytes) else bytes(data)

    async def write(self, writer: AbstractStreamWriter) -> None:
        """Stream the file from its start position, one executor read per chunk.

        The next chunk is read while the current one is being written, so the
        disk and the network work at the same time.
        """
        loop = asyncio.get_running_loop()
        left = self.size
        size = self.chunk_size if left is None else min(self.chunk_size, left)
        chunk = await loop.run_in_executor(None, self._read_first, size)
        while chunk:
            if left is not None:
                left -= len(chunk)
                size = min(self.chunk_size, left)
            pending = loop.run_in_executor(None, self._read, size) if size > 0 else None
            try:
                await writer.write(chunk)
            except BaseException:
                if pending is not None:
                    # Let the read finish before anyone may close the file.
                    await asyncio.wait([pending])
                raise
            if pending is None:
                return
            chunk = await pending

    def _read_all(self) -> bytes:
        self._rewind()
        left = self.size
        return self._read(-1 if left is None else left)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Read the whole body (in the executor) and return it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._read_all)

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Read the whole body, blocking, and decode it."""
        return self._read_all().decode(encoding, errors)

    def _close(self) -> None:
        super()._close()
        self._value.close()

    async def close(self) -> None:
        """Close the file (in the executor: closing may flush to disk)."""
        if self._closed:
            return
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._close)


class TextIOPayload(IOBasePayload):
    """A text file body, read as text and sent in the payload's encoding."""

    _value: IO[str]

    def __init__(
        self,
        value: IO[str],
        *args: Any,
        encoding: str | None = None,
        content_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        if encoding is None:
            if content_type is None:
                encoding = "utf-8"
                content_type = "text/plain; charset=utf-8"
            else:
                charset = parse_mimetype(content_type).parameters.get("charset")
                encoding = charset or "utf-8"
        elif content_type is None:
            content_type = f"text/plain; charset={encoding}"
        super().__init__(
            value, *args, content_type=content_type, encoding=encoding, **kwargs
        )

    def _measure(self) -> int | None:
        # Newline translation and re-encoding change the length: unknown.
        return None

    def _read(self, size: int) -> bytes:
        text = self._value.read(size)
        return text.encode(self._encoding or "utf-8")

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Read the whole text, blocking."""
        self._rewind()
        return self._value.read()


class BytesIOPayload(IOBasePayload):
    """An ``io.BytesIO`` body: in memory, so read without the executor."""

    _value: io.BytesIO

    def _measure(self) -> int | None:
        with self._value.getbuffer() as view:
            return max(view.nbytes - (self._start or 0), 0)

    async def write(self, writer: AbstractStreamWriter) -> None:
        """Write the buffer from its start position, chunk by chunk."""
        left = self.size or 0
        self._rewind()
        while left > 0:
            chunk = self._value.read(min(self.chunk_size, left))
            if not chunk:
                return
            left -= len(chunk)
            await writer.write(chunk)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Return the bytes from the start position."""
        return self._read_all()

    async def close(self) -> None:
        """Close the buffer."""
        self._close()


class BufferedReaderPayload(IOBasePayload):
    """A binary file opened for reading (``open(path, "rb")``)."""


class JsonPayload(BytesPayload):
    """A value serialized as JSON (``application/json``)."""

    def __init__(
        self,
        value: Any,
        encoding: str = "utf-8",
        content_type: str = "application/json",
        dumps: JSONEncoder = json.dumps,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            dumps(value).encode(encoding),
            *args,
            content_type=content_type,
            encoding=encoding,
            **kwargs,
        )


class AsyncIterablePayload(Payload):
    """A body produced by an async iterable of bytes (an async generator...).

    It can be written once; ``as_bytes`` gathers it and keeps the result, so
    that the payload can then be written any number of times.
    """

    _value: AsyncIterable[bytes]

    def __init__(self, value: AsyncIterable[bytes], *args: Any, **kwargs: Any) -> None:
        if not isinstance(value, AsyncIterable):
            raise TypeError(
                "value argument must support the async iteration protocol, "
                f"not {type(value).__name__}"
            )
        super().__init__(value, *args, **kwargs)
        self._cache: bytes | None = None

    def _take(self) -> AsyncIterable[bytes]:
        if self._consumed:
            raise RuntimeError(f"{type(self).__name__} can only be written once")
        self._consumed = True
        return self._value

    async def write(self, writer: AbstractStreamWriter) -> None:
        """Write each chunk as the iterable yields it."""
        if self._cache is not None:
            await writer.write(self._cache)
            return
        async for chunk in self._take():
            await writer.write(chunk)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """Gather the whole body (kept for later writes) and return it."""
        if self._cache is None:
            self._cache = b"".join([chunk async for chunk in self._take()])
        return self._cache

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """Decode the body gathered by ``as_bytes``; TypeError before that."""
        if self._cache is None:
            raise TypeError("Unable to decode an async iterable: await as_bytes()")
        return self._cache.decode(encoding, errors)

    async def close(self) -> None:
        """Close the async generator, if the value is one."""
        if self._closed:
            return
        self._closed = True
        aclose: Callable[[], Any] | None = getattr(self._value, "aclose", None)
        if aclose is not None:
            await aclose()


class StreamReaderPayload(AsyncIterablePayload):
    """The body of another message, forwarded as it arrives."""

    def __init__(self, value: StreamReader, *args: Any, **kwargs: Any) -> None:
        super().__init__(value.iter_any(), *args, **kwargs)


PayloadFactory = Callable[..., Payload]
_TypeSpec = type | tuple[type, ...]


class PayloadRegistry:
    """Maps value types to payload factories, tried in registration order."""

    __slots__ = ("_by_type", "_first", "_last", "_normal")

    #: Bound on the per-type lookup memo (types are usually few).
    _MEMO_SIZE: Final = 256

    def __init__(self) -> None:
        self._first: list[tuple[PayloadFactory, _TypeSpec]] = []
        self._normal: list[tuple[PayloadFactory, _TypeSpec]] = []
        self._last: list[tuple[PayloadFactory, _TypeSpec]] = []
        # type(value) -> the factory the ordered scan picks for it.
        self._by_type: dict[type, PayloadFactory | None] = {}

    def _scan(self, data: object) -> PayloadFactory | None:
        for entries in (self._first, self._normal, self._last):
            for factory, spec in entries:
                if isinstance(data, spec):
                    return factory
        return None

    def get(self, data: Any, *args: Any, **kwargs: Any) -> Payload:
        """Wrap ``data`` in a payload; ``LookupError`` when no factory fits."""
        if isinstance(data, Payload):
            return data
        kind = type(data)
        try:
            factory = self._by_type[kind]
        except KeyError:
            factory = self._scan(data)
            if len(self._by_type) < self._MEMO_SIZE:
                self._by_type[kind] = factory
        if factory is None:
            raise LookupError(f"No payload for {kind.__name__} values")
        return factory(data, *args, **kwargs)

    def register(
        self, factory: PayloadFactory, type: _TypeSpec, *, order: Order = Order.normal
    ) -> None:
        """Use ``factory`` for values of ``type`` (a type or a tuple of types)."""
        if order is Order.try_first:
            self._first.append((factory, type))
        elif order is Order.normal:
            self._normal.append((factory, type))
        elif order is Order.try_last:
            self._last.append((factory, type))
        else:
            raise ValueError(f"Unsupported order {order!r}")
        self._by_type.clear()


PAYLOAD_REGISTRY: Final = PayloadRegistry()


def get_payload(data: Any, *args: Any, **kwargs: Any) -> Payload:
    """Wrap ``data`` in the payload class registered for its type."""
    return PAYLOAD_REGISTRY.get(data, *args, **kwargs)


def register_payload(
    factory: PayloadFactory, type: _TypeSpec, *, order: Order = Order.normal
) -> None:
    """Register ``factory`` for values of ``type`` in the global registry."""
    PAYLOAD_REGISTRY.register(factory, type, order=order)


class payload_type:  # aiohttp's public (lower-case) name
    """Class decorator registering a payload class for a value type."""

    def __init__(self, type: _TypeSpec, *, order: Order = Order.normal) -> None:
        self.type = type
        self.order = order

    def __call__(self, factory: type[_T]) -> type[_T]:
        register_payload(factory, self.type, order=self.order)  # type: ignore[arg-type]
        return factory


PAYLOAD_REGISTRY.register(BytesPayload, (bytes, bytearray, memoryview))
PAYLOAD_REGISTRY.register(StringPayload, str)
PAYLOAD_REGISTRY.register(StringIOPayload, io.StringIO)
PAYLOAD_REGISTRY.register(TextIOPayload, io.TextIOBase)
PAYLOAD_REGISTRY.register(BytesIOPayload, io.BytesIO)
PAYLOAD_REGISTRY.register(BufferedReaderPayload, (io.BufferedReader, io.BufferedRandom))
PAYLOAD_REGISTRY.register(IOBasePayload, io.IOBase)
PAYLOAD_REGISTRY.register(StreamReaderPayload, StreamReader)
# Last, so that more specific async iterables (a multipart BodyPartReader)
# registered later still win.
PAYLOAD_REGISTRY.register(AsyncIterablePayload, AsyncIterable, order=Order.try_last)
