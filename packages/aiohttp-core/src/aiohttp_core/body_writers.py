"""Stream writers that payloads write through: one collects, one truncates.

Only ``write`` matters to a payload; the head and framing methods of
``AbstractStreamWriter`` make no sense here and raise NotImplementedError.
"""

from __future__ import annotations

from typing import Any

from .abc import AbstractStreamWriter

__all__ = ("BufferWriter", "LimitedWriter")


class BufferWriter(AbstractStreamWriter):
    """Keeps everything written in ``buffer`` (for ``as_bytes``)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Keep the chunk."""
        self.buffer += chunk

    async def write_eof(self, chunk: bytes = b"") -> None:
        """Keep the last chunk."""
        self.buffer += chunk

    async def drain(self) -> None:
        """Nothing to wait for."""

    def enable_compression(
        self, encoding: str = "deflate", strategy: int | None = None
    ) -> None:
        """Not for payloads: NotImplementedError."""
        raise NotImplementedError

    def enable_chunking(self) -> None:
        """Not for payloads: NotImplementedError."""
        raise NotImplementedError

    async def write_headers(self, status_line: str, headers: Any) -> None:
        """Not for payloads: NotImplementedError."""
        raise NotImplementedError


class LimitedWriter(AbstractStreamWriter):
    """Passes on at most ``limit`` bytes to another writer, drops the rest."""

    def __init__(self, writer: AbstractStreamWriter, limit: int) -> None:
        self._writer = writer
        self._left = limit

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Pass on what fits in the limit."""
        if self._left <= 0:
            return
        if len(chunk) > self._left:
            chunk = memoryview(chunk)[: self._left]
        self._left -= len(chunk)
        await self._writer.write(chunk)

    async def write_eof(self, chunk: bytes = b"") -> None:
        """Pass on what fits of the last chunk (the wrapped writer goes on)."""
        await self.write(chunk)

    async def drain(self) -> None:
        """Drain the wrapped writer."""
        await self._writer.drain()

    def enable_compression(
        self, encoding: str = "deflate", strategy: int | None = None
    ) -> None:
        """Not for payloads: NotImplementedError."""
        raise NotImplementedError

    def enable_chunking(self) -> None:
        """Not for payloads: NotImplementedError."""
        raise NotImplementedError

    async def write_headers(self, status_line: str, headers: Any) -> None:
        """Not for payloads: NotImplementedError."""
        raise NotImplementedError
