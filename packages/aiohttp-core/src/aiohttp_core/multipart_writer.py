"""Writing multipart bodies: ``MultipartWriter``, itself a payload.

The body is streamed: each part's payload writes itself to the writer in
turn (files chunk by chunk), so nothing but small in-memory parts is ever
gathered.  The delimiters and header blocks of consecutive small parts are
joined into one ``write`` call, which matters for forms with many fields.

Everything that ends up in a header is checked before it is sent: the
boundary against RFC 2046's grammar, each part's header fields by the same
guard as message heads (``serialize_headers``), so CR, LF and NUL are refused
with ``ValueError`` instead of letting a value forge header lines.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Final, NamedTuple
from urllib.parse import urlencode

from multidict import CIMultiDict

from .abc import AbstractStreamWriter
from .body_writers import BufferWriter
from .compression import ZLibCompressor
from .hdrs import (
    CONTENT_DISPOSITION,
    CONTENT_ENCODING,
    CONTENT_LENGTH,
    CONTENT_TRANSFER_ENCODING,
)
from .mimetype import TOKEN, ascii_lower
from .multipart_codings import Base64Encoder, QuotedPrintableEncoder, normalize_coding
from .multipart_parser import BOUNDARY_RE
from .payload import (
    BytesPayload,
    JsonPayload,
    LookupError,
    Payload,
    StringPayload,
    get_payload,
)
from .typedefs import LooseHeaders

__all__ = ("MultipartPayloadWriter", "MultipartWriter")

_TOKEN_RE: Final = re.compile(TOKEN, re.ASCII)
# A subtype is a token; "/" is let through because aiohttp's documented
# MJPEG example passes "image/jpeg" here.
_SUBTYPE_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z/]+", re.ASCII)
# In-memory parts up to this size are joined with the framing around them.
_COALESCE_SIZE: Final = 2**16

_CONTENT_ENCODINGS: Final = frozenset({"deflate", "gzip", "identity"})
_TRANSFER_ENCODINGS: Final = frozenset(
    {"base64", "quoted-printable", "binary", "7bit", "8bit"}
)
_IDENTITY_TRANSFER: Final = frozenset({"binary", "7bit", "8bit"})


class _Part(NamedTuple):
    payload: Payload
    encoding: str | None
    te_encoding: str | None


def _codings(payload: Payload) -> tuple[str, str]:
    """The content and transfer codings a part's headers ask for ("" if none).

    Read when the part is written, not when it is appended: the documented
    way to compress a part is to set its Content-Encoding after append().
    """
    headers = payload.headers
    encoding = normalize_coding(headers.get(CONTENT_ENCODING))
    if encoding and encoding not in _CONTENT_ENCODINGS:
        raise RuntimeError(f"unknown content encoding: {encoding}")
    te_encoding = normalize_coding(headers.get(CONTENT_TRANSFER_ENCODING))
    if te_encoding and te_encoding not in _TRANSFER_ENCODINGS:
        raise RuntimeError(f"unknown content transfer encoding: {te_encoding}")
    if encoding == "identity":
        encoding = ""
    if te_encoding in _IDENTITY_TRANSFER:
        te_encoding = ""
    return encoding or "", te_encoding or ""


class MultipartPayloadWriter(AbstractStreamWriter):
    """Applies a part's Content-Encoding, then its transfer encoding, on the fly."""

    def __init__(self, writer: AbstractStreamWriter) -> None:
        self._writer = writer
        self._compressor: ZLibCompressor | None = None
        self._encoder: Base64Encoder | QuotedPrintableEncoder | None = None

    def enable_encoding(self, encoding: str) -> None:
        """Apply ``base64`` or ``quoted-printable`` to what is written."""
        if encoding == "base64":
            self._encoder = Base64Encoder()
        elif encoding == "quoted-printable":
            self._encoder = QuotedPrintableEncoder()
        else:
            raise RuntimeError(f"unknown content transfer encoding: {encoding}")

    def enable_compression(
        self, encoding: str = "deflate", strategy: int | None = None
    ) -> None:
        """Compress what is written with ``deflate`` or ``gzip``."""
        self._compressor = ZLibCompressor(encoding=encoding, strategy=strategy)

    def enable_chunking(self) -> None:
        """Parts are never chunked: NotImplementedError."""
        raise NotImplementedError

    async def write_headers(self, status_line: str, headers: Any) -> None:
        """Parts have no head of their own: NotImplementedError."""
        raise NotImplementedError

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Encode a chunk and pass on what is ready."""
        data = bytes(chunk)
        if self._compressor is not None:
            data = await self._compressor.compress(data)
        if self._encoder is not None and data:
            data = self._encoder.feed(data)
        if data:
            await self._writer.write(data)

    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last chunk and whatever the encoders held back."""
        if chunk:
            await self.write(chunk)
        tail = b""
        if self._compressor is not None:
            tail = self._compressor.flush()
        if self._encoder is not None:
            tail = self._encoder.feed(tail) + self._encoder.flush()
        if tail:
            await self._writer.write(tail)

    async def drain(self) -> None:
        """Drain the underlying writer, if it can."""
        drain = getattr(self._writer, "drain", None)
        if drain is not None:
            await drain()


def _is_plain_bytes(payload: Payload) -> bool:
    # Only payloads that write their value as is may be inlined.
    return type(payload).write is BytesPayload.write


class MultipartWriter(Payload):
    """A multipart body built from parts, written as a stream."""

    _value: None

    def __init__(
        self,
        subtype: str = "mixed",
        boundary: str | None = None,
        close_boundary: bool = True,
    ) -> None:
        if boundary is None:
            boundary = uuid.uuid4().hex
        elif not isinstance(boundary, str):
            raise TypeError(f"boundary must be a str, not {type(boundary).__name__}")
        elif not boundary.isascii():
            raise ValueError("boundary should contain ASCII only chars")
        elif not BOUNDARY_RE.fullmatch(boundary):
            raise ValueError(
                f"Invalid boundary {boundary!r}: RFC 2046 wants 1 to 70 of "
                "DIGIT ALPHA '()+_,-./:=? and space, not ending with a space"
            )
        if not _SUBTYPE_RE.fullmatch(subtype):
            raise ValueError(f"Invalid multipart subtype {subtype!r}")
        self._boundary = boundary.encode("ascii")
        # Boundary characters hold no '"' or '\\': quoting is just wrapping.
        value = boundary if _TOKEN_RE.fullmatch(boundary) else f'"{boundary}"'
        super().__init__(None, content_type=f"multipart/{subtype}; boundary={value}")
        self._parts: list[_Part] = []
        self._is_form_data = ascii_lower(subtype) == "form-data"
        self._close_boundary = close_boundary

    def __repr__(self) -> str:
        return f"<MultipartWriter {self.content_type!r} parts={len(self._parts)}>"

    def __enter__(self) -> MultipartWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        pass

    def __iter__(self) -> Iterator[Payload]:
        return (part.payload for part in self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __bool__(self) -> bool:
        return True

    @property
    def boundary(self) -> str:
        """The boundary, as a string."""
        return self._boundary.decode("ascii")

    def append(self, obj: Any, headers: LooseHeaders | None = None) -> Payload:
        """Append a value as a new part (see ``get_payload``); return its payload."""
        if isinstance(obj, Payload):
            if headers:
                obj.headers.update(CIMultiDict(headers))
            return self.append_payload(obj)
        try:
            payload = get_payload(obj, headers=headers)
        except LookupError:
            raise TypeError(f"Cannot create payload from {obj!r}") from None
        return self.append_payload(payload)

    def append_payload(self, payload: Payload) -> Payload:
        """Append a payload as a new part; RuntimeError for an unknown coding.

        Non-form parts of known size get a Content-Length, form-data parts
        without a Content-Disposition get ``form-data; name="section-N"``.
        ValueError if a header holds CR, LF or NUL or a name is not a token.
        """
        headers = payload.headers
        encoding, te_encoding = _codings(payload)
        if self._is_form_data:
            # RFC 7578 4.8: a form-data part's Content-Length is ignored.
            if CONTENT_DISPOSITION not in headers:
                name = f"section-{len(self._parts)}"
                payload.set_content_disposition("form-data", name=name)
        else:
            size = payload.size
            if size is not None and not (encoding or te_encoding):
                headers[CONTENT_LENGTH] = str(size)
        payload._binary_headers  # noqa: B018 - refuse unsafe headers now
        self._parts.append(_Part(payload, encoding or None, te_encoding or None))
        return payload

    def append_json(self, obj: Any, headers: LooseHeaders | None = None) -> Payload:
        """Append ``obj`` serialized as JSON."""
        return self.append_payload(JsonPayload(obj, headers=headers))

    def append_form(
        self,
        obj: Mapping[str, Any] | Iterable[tuple[str, Any]],
        headers: LooseHeaders | None = None,
    ) -> Payload:
        """Append ``application/x-www-form-urlencoded`` data."""
        pairs = list(obj.items()) if isinstance(obj, Mapping) else list(obj)
        data = urlencode(pairs, doseq=True)
        return self.append_payload(
            StringPayload(
                data,
                headers=headers,
                content_type="application/x-www-form-urlencoded",
            )
        )

    @property
    def size(self) -> int | None:
        """Bytes ``write`` sends, or None if a part's size is not known."""
        boundary_size = len(self._boundary)
        total = 0
        for part in self._parts:
            payload = part.payload
            encoding, te_encoding = _codings(payload)
            size = payload.size
            if encoding or te_encoding or size is None:
                return None
            # "--" boundary CRLF, headers, data, CRLF
            total += boundary_size + 4 + len(payload._binary_headers) + size + 2
        if self._close_boundary:
            total += boundary_size + 6  # "--" boundary "--" CRLF
        return total

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        """The body as text; TypeError if a part has a coding to apply."""
        boundary = self.boundary
        pieces = []
        for part in self._parts:
            payload = part.payload
            content_coding, te_encoding = _codings(payload)
            if content_coding or te_encoding:
                raise TypeError("Unable to decode an encoded part: await as_bytes()")
            pieces.append(f"--{boundary}\r\n")
            pieces.append(payload._binary_headers.decode(encoding, errors))
            pieces.append(payload.decode(encoding, errors))
            pieces.append("\r\n")
        if self._close_boundary:
            pieces.append(f"--{boundary}--\r\n")
        return "".join(pieces)

    async def as_bytes(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        """The whole body as bytes (gathered in memory)."""
        collector = BufferWriter()
        await self.write(collector)
        return bytes(collector.buffer)

    async def write(
        self, writer: AbstractStreamWriter, close_boundary: bool = True
    ) -> None:
        """Write the body; without ``close_boundary``, leave it open for more."""
        opening = b"--" + self._boundary + b"\r\n"
        pending = bytearray()
        for part in self._parts:
            payload = part.payload
            encoding, te_encoding = _codings(payload)
            if encoding or te_encoding:
                # A coding set after append(): the coded length is unknown.
                payload.headers.popall(CONTENT_LENGTH, None)
            pending += opening
            pending += payload._binary_headers
            if (
                not (encoding or te_encoding)
                and _is_plain_bytes(payload)
                and (payload.size or 0) <= _COALESCE_SIZE
            ):
                pending += payload._value
                pending += b"\r\n"
                if len(pending) >= _COALESCE_SIZE:
                    # A copy: the writer may keep what it is given.
                    await writer.write(bytes(pending))
                    pending = bytearray()
                continue
            await writer.write(bytes(pending))
            if encoding or te_encoding:
                part_writer = MultipartPayloadWriter(writer)
                if encoding:
                    part_writer.enable_compression(encoding)
                if te_encoding:
                    part_writer.enable_encoding(te_encoding)
                await payload.write(part_writer)
                await part_writer.write_eof()
            else:
                await payload.write(writer)
            pending = bytearray(b"\r\n")
        if close_boundary and self._close_boundary:
            pending += b"--" + self._boundary + b"--\r\n"
        if pending:
            await writer.write(bytes(pending))

    def _close(self) -> None:
        super()._close()
        for part in self._parts:
            part.payload._close()

    async def close(self) -> None:
        """Close every part's payload (files, async generators)."""
        if self._closed:
            return
        self._closed = True
        for part in self._parts:
            await part.payload.close()
