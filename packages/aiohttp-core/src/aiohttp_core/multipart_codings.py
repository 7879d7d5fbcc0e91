"""The codings of a multipart part's data, applied and undone chunk by chunk.

A part may carry a Content-Transfer-Encoding (RFC 2045 6: ``base64``,
``quoted-printable``, or the identities ``7bit``, ``8bit``, ``binary``) and a
Content-Encoding (RFC 9110 8.4: ``gzip``, ``deflate``...).  A sender applies
the content coding first and the transfer encoding last, so a reader undoes
them the other way round.

Everything here is sans-I/O and streaming: ``feed`` takes the next piece of
data wherever it was cut (in the middle of a base64 quantum, of a ``=XX``
escape, of a gzip member) and returns what can be produced so far; ``flush``
ends the data.  Decompression is bounded: output past ``max_size`` raises
``DecompressSizeError`` before more than one step past the cap is produced.
"""

from __future__ import annotations

import base64
import binascii
from typing import Final, Protocol

from .compression import get_decompressor
from .http_exceptions import DecompressSizeError
from .mimetype import ascii_lower
from .multipart_errors import BadTransferEncoding

__all__ = (
    "CONTENT_ENCODINGS",
    "TRANSFER_ENCODINGS",
    "Base64Encoder",
    "PartDecoder",
    "QuotedPrintableEncoder",
    "make_part_decoder",
    "normalize_coding",
)

#: Transfer encodings a reader undoes; the last three are identities.
TRANSFER_ENCODINGS: Final = frozenset(
    {"base64", "quoted-printable", "binary", "7bit", "8bit"}
)
_IDENTITY_TRANSFER: Final = frozenset({"binary", "7bit", "8bit"})
#: Content codings a reader undoes (br and zstd need their optional packages).
CONTENT_ENCODINGS: Final = frozenset(
    {"identity", "gzip", "x-gzip", "deflate", "br", "zstd"}
)

# Decompressed output is produced in steps of this size.
_STEP: Final = 2**16
# RFC 2045 6.8: encoded lines are at most 76 characters, 57 input bytes.
_BASE64_LINE_INPUT: Final = 57
_BASE64_WHITESPACE: Final = b" \t\r\n"


def normalize_coding(value: str | None) -> str:
    """A coding name as compared: stripped and ASCII-lower-cased ("" if None)."""
    if value is None:
        return ""
    return ascii_lower(value.strip(" \t"))


class _Step(Protocol):
    def feed(self, data: bytes) -> bytes: ...

    def flush(self) -> bytes: ...


class _Base64Decoder:
    """Base64 (RFC 2045 6.8), whitespace ignored, anything else refused."""

    __slots__ = ("_ended", "_rest")

    def __init__(self) -> None:
        self._rest = b""
        self._ended = False

    def feed(self, data: bytes) -> bytes:
        data = data.translate(None, _BASE64_WHITESPACE)
        if not data:
            return b""
        if self._ended:
            raise BadTransferEncoding("Data after the end of base64 data")
        if self._rest:
            data = self._rest + data
        cut = len(data) - len(data) % 4
        self._rest = data[cut:]
        if not cut:
            return b""
        block = data[:cut]
        pad = block.find(b"=")
        if pad != -1:
            # Padding ends the data: nothing may follow its quantum.
            self._ended = True
            if self._rest or pad < cut - 4:
                raise BadTransferEncoding("Data after the end of base64 data")
        try:
            return base64.b64decode(block, validate=True)
        except binascii.Error as exc:
            raise BadTransferEncoding(f"Invalid base64 data: {exc}") from None

    def flush(self) -> bytes:
        if self._rest:
            raise BadTransferEncoding(
                f"Truncated base64 data: {len(self._rest)} characters "
                "of an incomplete quantum"
            )
        return b""


class _QuotedPrintableDecoder:
    """Quoted-printable (RFC 2045 6.7), decoded leniently like ``email`` does."""

    __slots__ = ("_rest",)

    def __init__(self) -> None:
        self._rest = b""

    def feed(self, data: bytes) -> bytes:
        if self._rest:
            data = self._rest + data
        # An escape ("=XX") or a soft line break ("=\r\n") cut by the end of
        # this piece waits for the rest of it.
        cut = data.rfind(b"=", max(len(data) - 2, 0))
        if cut == -1:
            self._rest = b""
        else:
            self._rest = data[cut:]
            data = data[:cut]
        return binascii.a2b_qp(data)

    def flush(self) -> bytes:
        rest, self._rest = self._rest, b""
        return binascii.a2b_qp(rest)


class _Inflater:
    """Undoes a content coding, refusing output past ``max_size`` bytes."""

    __slots__ = ("_decompressor", "_max_size", "_produced")

    def __init__(self, encoding: str, max_size: int | None) -> None:
        self._decompressor = get_decompressor(encoding)
        self._max_size = max_size
        self._produced = 0

    def _count(self, out: bytes) -> None:
        self._produced += len(out)
        if self._max_size is not None and self._produced > self._max_size:
            raise DecompressSizeError(
                f"Decompressed part exceeds the limit of {self._max_size} bytes"
            )

    def feed(self, data: bytes) -> bytes:
        decompressor = self._decompressor
        parts: list[bytes] = []
        while True:
            room = _STEP
            if self._max_size is not None:
                # One byte more than allowed is enough to tell it is too much.
                room = min(room, self._max_size - self._produced + 1)
            out = decompressor.decompress(data, room)
            data = b""
            if out:
                self._count(out)
                parts.append(out)
            if decompressor.needs_input:
                return b"".join(parts)

    def flush(self) -> bytes:
        out = self._decompressor.flush()
        self._count(out)
        return out


class PartDecoder:
    """Undoes a part's transfer encoding, then its content coding."""

    __slots__ = ("_content", "_transfer")

    def __init__(self, transfer: _Step | None, content: _Step | None) -> None:
        self._transfer = transfer
        self._content = content

    def feed(self, data: bytes) -> bytes:
        """Decode the next piece of data; returns what is complete so far."""
        if self._transfer is not None:
            data = self._transfer.feed(data)
        if self._content is not None and data:
            data = self._content.feed(data)
        return data

    def flush(self) -> bytes:
        """End of the data: return the rest, raise if it was truncated."""
        tail = b"" if self._transfer is None else self._transfer.flush()
        if self._content is not None:
            tail = self._content.feed(tail) + self._content.flush()
        return tail


def make_part_decoder(
    transfer_encoding: str | None,
    content_encoding: str | None,
    max_decompressed_size: int | None,
) -> PartDecoder:
    """Build the decoder for these header values; RuntimeError if one is unknown."""
    transfer = normalize_coding(transfer_encoding)
    content = normalize_coding(content_encoding)
    if transfer and transfer not in TRANSFER_ENCODINGS:
        raise RuntimeError(f"unknown content transfer encoding: {transfer_encoding}")
    if content and content not in CONTENT_ENCODINGS:
        raise RuntimeError(f"unknown content encoding: {content_encoding}")
    transfer_step: _Step | None = None
    if transfer == "base64":
        transfer_step = _Base64Decoder()
    elif transfer == "quoted-printable":
        transfer_step = _QuotedPrintableDecoder()
    content_step: _Step | None = None
    if content and content != "identity":
        content_step = _Inflater(content, max_decompressed_size)
    return PartDecoder(transfer_step, content_step)


class Base64Encoder:
    """Encodes a stream as base64 in CRLF-ended lines of 76 characters."""

    __slots__ = ("_rest",)

    def __init__(self) -> None:
        self._rest = b""

    def feed(self, data: bytes) -> bytes:
        """Encode what fills whole lines; keep the rest for the next call."""
        if self._rest:
            data = self._rest + data
        cut = len(data) - len(data) % _BASE64_LINE_INPUT
        self._rest = data[cut:]
        if not cut:
            return b""
        # encodebytes() ends each 57-byte group's line with LF.
        return base64.encodebytes(data[:cut]).replace(b"\n", b"\r\n")

    def flush(self) -> bytes:
        """Encode the last, partial line."""
        rest, self._rest = self._rest, b""
        return base64.b64encode(rest)


class QuotedPrintableEncoder:
    """Encodes a stream as quoted-printable, one piece at a time."""

    __slots__ = ()

    def feed(self, data: bytes) -> bytes:
        """Encode a piece (line lengths restart at each piece)."""
        return binascii.b2a_qp(data)

    def flush(self) -> bytes:
        """Nothing is held back."""
        return b""
