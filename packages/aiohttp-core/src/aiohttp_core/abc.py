"""Abstract base classes owned by aiohttp-core (``aiohttp.abc`` gathers them)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = ("AbstractStreamWriter",)


class AbstractStreamWriter(ABC):
    """Writes one HTTP message (head and body) to a connection."""

    __slots__ = ()

    #: Bytes handed to the transport since the last drain.
    buffer_size: int = 0
    #: Bytes handed to the transport in total: head, framing and body.
    output_size: int = 0
    #: Body bytes written by the caller, before compression and framing.
    length: int = 0

    @abstractmethod
    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Write a chunk of the body."""

    @abstractmethod
    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last chunk of the body and end the message."""

    @abstractmethod
    async def drain(self) -> None:
        """Wait until the transport accepts more data (flow control)."""

    @abstractmethod
    def enable_compression(
        self, encoding: str = "deflate", strategy: int | None = None
    ) -> None:
        """Compress the body with ``encoding`` from now on."""

    @abstractmethod
    def enable_chunking(self) -> None:
        """Frame the body with the chunked transfer coding."""

    @abstractmethod
    async def write_headers(
        self,
        status_line: str,
        headers: Mapping[str, str] | CIMultiDict[str] | CIMultiDictProxy[str],
    ) -> None:
        """Write the start line and the header fields."""

    def send_headers(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Send buffered headers now if they have not been sent yet."""
