"""The permessage-deflate codec (RFC 7692 section 7): one compressor and
one decompressor per connection, each kept or reset between messages as the
negotiated ``*_no_context_takeover`` parameters say.
"""

from __future__ import annotations

import zlib
from typing import Final

from .models import WebSocketError, WSCloseCode

__all__ = ("Deflater", "Inflater")

#: What ends every compressed message and is not sent (RFC 7692 7.2.1).
DEFLATE_TAIL: Final = b"\x00\x00\xff\xff"


class Inflater:
    """Decompresses the payload of compressed messages, bounded while inflating.

    Feed each payload piece to ``feed`` as it arrives, then call ``finish``
    at the end of the message.  ``limit`` is how many more decompressed
    bytes the message may have (None: no limit); going over it raises
    ``WebSocketError`` with MESSAGE_TOO_BIG before more than ``limit + 1``
    bytes were produced, so that a decompression bomb costs nothing.
    """

    __slots__ = ("_decompressor", "_reset")

    def __init__(self, *, no_context_takeover: bool = False) -> None:
        # A window of 15 bits reads whatever smaller window the peer uses.
        self._decompressor = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
        self._reset = no_context_takeover

    def feed(self, data: bytes | bytearray, limit: int | None) -> bytes:
        """Decompress the next piece of a message; at most ``limit`` bytes."""
        if not data:
            return b""
        try:
            if limit is None:
                return self._decompressor.decompress(data)
            # One byte more than the room tells "too big" from "just fits".
            out = self._decompressor.decompress(data, limit + 1)
        except zlib.error as exc:
            raise WebSocketError(
                WSCloseCode.PROTOCOL_ERROR, f"Invalid compressed data: {exc}"
            ) from None
        if len(out) > limit:
            raise WebSocketError(
                WSCloseCode.MESSAGE_TOO_BIG,
                f"Decompressed message is larger than the limit by at least "
                f"{len(out) - limit} bytes",
            )
        return out

    def finish(self, limit: int | None) -> bytes:
        """End the message: the bytes its implied tail still produces."""
        out = self.feed(DEFLATE_TAIL, limit)
        if self._reset:
            self._decompressor = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
        return out


class Deflater:
    """Compresses whole messages for the frame writer."""

    __slots__ = ("_compressor", "_level", "_reset", "_wbits")

    def __init__(
        self,
        *,
        window_bits: int = zlib.MAX_WBITS,
        no_context_takeover: bool = False,
        level: int = zlib.Z_DEFAULT_COMPRESSION,
    ) -> None:
        if not 9 <= window_bits <= 15:
            # zlib's raw deflate has no 256-byte window (8 bits).
            raise ValueError(f"window_bits must be 9..15, not {window_bits}")
        self._wbits = window_bits
        self._reset = no_context_takeover
        self._level = level
        self._compressor: zlib._Compress | None = None

    def _new(self, level: int) -> zlib._Compress:
        return zlib.compressobj(level, zlib.DEFLATED, -self._wbits)

    def compress(
        self, data: bytes | bytearray | memoryview, level: int | None
    ) -> bytes:
        """The compressed payload of a message (without the final tail).

        A ``level`` other than the connection's compresses this message
        alone and starts the next one afresh: the peer's window then holds
        bytes that the shared compressor never saw, so it must not refer
        back to them.
        """
        if level is not None and level != self._level:
            compressor = self._new(level)
            self._compressor = None
        else:
            compressor = self._compressor or self._new(self._level)
            self._compressor = None if self._reset else compressor
        out = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
        if out.endswith(DEFLATE_TAIL):
            return out[:-4]
        # Cannot happen with a sync flush; sent whole it is still valid.
        return out
