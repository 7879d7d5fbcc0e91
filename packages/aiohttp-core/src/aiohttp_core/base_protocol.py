"""The asyncio protocol base that gives readers and writers flow control."""

from __future__ import annotations

import asyncio
from typing import cast

from .connection_errors import ClientConnectionResetError


class BaseProtocol(asyncio.Protocol):
    """Tracks pause/resume of both directions for the stream reader and writer.

    The transport calls ``pause_writing``/``resume_writing`` when its write
    buffer crosses its marks; writers then ``await _drain_helper()``.  Readers
    call ``pause_reading``/``resume_reading`` when their buffer crosses theirs.
    """

    __slots__ = ("_drain_waiter", "_loop", "_paused", "_reading_paused", "transport")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self.transport: asyncio.Transport | None = None

    @property
    def writing_paused(self) -> bool:
        """True while the transport's write buffer is above its high mark."""
        return self._paused

    @property
    def reading_paused(self) -> bool:
        """True while reading from the transport is paused."""
        return self._reading_paused

    def pause_writing(self) -> None:
        """Called by the transport when its write buffer is full."""
        self._paused = True

    def resume_writing(self) -> None:
        """Called by the transport when its write buffer has drained."""
        self._paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def pause_reading(self) -> None:
        """Stop reading from the transport until ``resume_reading``."""
        if not self._reading_paused and self.transport is not None:
            try:
                self.transport.pause_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                return
            self._reading_paused = True

    def resume_reading(self) -> None:
        """Resume reading from the transport."""
        if self._reading_paused and self.transport is not None:
            try:
                self.transport.resume_reading()
            except (AttributeError, NotImplementedError, RuntimeError):
                return
            self._reading_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Remember the transport."""
        # uvloop's transports implement asyncio.Transport without deriving
        # from it: no isinstance() check here.
        self.transport = cast("asyncio.Transport", transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        """Forget the transport and wake a writer waiting to drain."""
        self.transport = None
        # Wake up the writer if currently paused; it will see the lost
        # connection and raise.
        if not self._paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            return
        self._drain_waiter = None
        if waiter.done():
            return
        if exc is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(exc)

    async def _drain_helper(self) -> None:
        """Wait until the transport accepts more data.

        Raises ``ClientConnectionResetError`` when the connection is gone.
        """
        if self.transport is None:
            raise ClientConnectionResetError("Connection lost")
        if not self._paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._loop.create_future()
            self._drain_waiter = waiter
        await asyncio.shield(waiter)
