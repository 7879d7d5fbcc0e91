"""Streams that carry message bodies from a protocol to the code reading them.

The producer side (a protocol, through ``HttpReceiver``) calls ``feed_data``,
``feed_eof`` and ``set_exception``; the consumer awaits the reading methods.
A ``StreamReader`` keeps received bytes as a deque of the pieces it was fed,
so reading never re-copies what is left in the buffer, and it applies flow
control: once more than ``2 * limit`` bytes are buffered it pauses reading
from the transport, and it resumes once fewer than ``limit`` remain.  When
the data comes for a reader that was waiting for it, the pause waits for
that reader to run first (it runs before the transport reads again): a
reader that keeps up never stops the transport.

``DataQueue`` is the same idea for whole objects (websocket messages).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final, Generic, TypeVar

from .base_protocol import BaseProtocol
from .log import internal_logger

__all__ = (
    "EMPTY_PAYLOAD",
    "AsyncStreamIterator",
    "DataQueue",
    "EmptyStreamReader",
    "EofStream",
    "ReadTimer",
    "StreamReader",
)

_T = TypeVar("_T")

#: A zero-argument callable returning the context manager a read-wait runs in.
ReadTimer = Callable[[], contextlib.AbstractContextManager[object]]


class _CauseUnset(enum.Enum):
    """Tells ``set_exception`` to leave ``__cause__`` as it is."""

    UNSET = enum.auto()


_CAUSE_UNSET: Final = _CauseUnset.UNSET


class _NoStopValue(enum.Enum):
    """Marks an iterator that ends on ``EofStream`` only, never on a value."""

    NONE = enum.auto()


_NO_STOP_VALUE: Final = _NoStopValue.NONE


class EofStream(Exception):
    """Raised by ``DataQueue.read`` once the queue is at its end."""


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


def _run_eof_callbacks(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            internal_logger.exception("Exception in eof callback")
    callbacks.clear()


class AsyncStreamIterator(Generic[_T]):
    """Iterates by awaiting a read function until it returns ``stop``."""

    __slots__ = ("_read", "_stop")

    def __init__(
        self,
        read: Callable[[], Awaitable[_T]],
        stop: _T | _NoStopValue = _NO_STOP_VALUE,
    ) -> None:
        self._read = read
        self._stop = stop

    def __aiter__(self) -> AsyncStreamIterator[_T]:
        return self

    async def __anext__(self) -> _T:
        try:
            value = await self._read()
        except EofStream:
            raise StopAsyncIteration from None
        if self._stop is not _NO_STOP_VALUE and value == self._stop:
            raise StopAsyncIteration
        return value


class StreamReader:
    """The body of a message as it arrives: buffered bytes with flow control.

    Only one coroutine may wait for data at a time; a second one gets
    ``RuntimeError``.  ``limit`` is the low-water mark of the buffer, twice it
    the high-water mark, and it is also the longest line ``readline`` and
    ``readuntil`` accept.
    """

    __slots__ = (
        "_buffer",
        "_buffer_offset",
        "_cursor",
        "_eof",
        "_eof_callbacks",
        "_eof_waiter",
        "_exception",
        "_high_water",
        "_http_chunk_splits",
        "_last_chunk_split",
        "_loop",
        "_low_water",
        "_pause_deferred",
        "_protocol",
        "_reader_woken",
        "_size",
        "_timer",
        "_waiter",
        "total_bytes",
    )

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int,
        *,
        timer: ReadTimer | None = None,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        if limit <= 0:
            raise ValueError(f"limit must be positive, got {limit}")
        self._protocol = protocol
        self._low_water = limit
        self._high_water = limit * 2
        self._loop = loop
        self._timer: ReadTimer = contextlib.nullcontext if timer is None else timer
        self._buffer: deque[bytes] = deque()
        # How much of ``_buffer[0]`` was already handed out.
        self._buffer_offset = 0
        self._size = 0
        # Position of the next byte handed out, counted from the body start,
        # in the same units as the chunk boundaries.
        self._cursor = 0
        self.total_bytes = 0
        self._eof = False
        self._exception: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        # True from waking the waiting reader with data until it ran.
        self._reader_woken = False
        self._pause_deferred = False
        self._eof_waiter: asyncio.Future[None] | None = None
        self._eof_callbacks: list[Callable[[], None]] = []
        self._http_chunk_splits: deque[int] | None = None
        self._last_chunk_split = 0

    def __repr__(self) -> str:
        return f"<{' '.join(self._repr_info())}>"

    def _repr_info(self) -> list[str]:
        info = [self.__class__.__name__]
        if self._size:
            info.append(f"{self._size} bytes")
        if self._eof:
            info.append("eof")
        if self._low_water != 2**16:
            info.append(f"low={self._low_water} high={self._high_water}")
        if self._waiter is not None:
            info.append("waiting")
        if self._exception is not None:
            info.append(f"e={self._exception!r}")
        return info

    # -- helpers ----------------------------------------------------------

    def get_read_buffer_limits(self) -> tuple[int, int]:
        """Return the (low, high) water marks of the buffer."""
        return (self._low_water, self._high_water)

    def exception(self) -> BaseException | None:
        """Return the exception set on the stream, if any."""
        return self._exception

    def set_exception(
        self,
        exc: BaseException,
        exc_cause: BaseException | _CauseUnset | None = _CAUSE_UNSET,
    ) -> None:
        """Fail the stream: every read from now on raises ``exc``.

        Buffered data is dropped, later ``feed_data`` calls are ignored and
        the ``on_eof`` callbacks not run yet never will be.
        """
        if exc_cause is not _CAUSE_UNSET:
            exc.__cause__ = exc_cause
        self._exception = exc
        self._eof_callbacks.clear()
        self._discard()
        self._maybe_resume_reading()
        self._wake_waiter()
        waiter, self._eof_waiter = self._eof_waiter, None
        _wake(waiter)

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the producer has fed EOF (now if it has)."""
        if self.is_eof():
            try:
                callback()
            except Exception:
                internal_logger.exception("Exception in eof callback")
        else:
            self._eof_callbacks.append(callback)

    def is_eof(self) -> bool:
        """Return True once EOF was fed; data may still be buffered."""
        return self._eof

    def at_eof(self) -> bool:
        """Return True once EOF was fed and the buffer is empty."""
        return self._eof and not self._buffer

    async def wait_eof(self) -> None:
        """Wait until the producer feeds EOF; buffered data stays readable."""
        if self.is_eof():
            return
        if self._exception is not None:
            raise self._exception
        if self._eof_waiter is not None:
            raise RuntimeError("wait_eof() called while another coroutine waits")
        waiter = self._eof_waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._eof_waiter = None
        if not self.is_eof() and self._exception is not None:
            raise self._exception

    def unread_data(self, data: bytes) -> None:
        """Push ``data`` back in front of the buffer; waiters are not woken."""
        if not data:
            return
        if self._buffer_offset:
            self._buffer[0] = self._buffer[0][self._buffer_offset :]
            self._buffer_offset = 0
        self._size += len(data)
        self._cursor -= len(data)
        self._buffer.appendleft(data)

    # -- producer side ----------------------------------------------------

    def feed_data(self, data: bytes) -> None:
        """Append received body bytes and wake the waiting reader."""
        if self._eof:
            raise RuntimeError("feed_data() called after feed_eof()")
        if not data or self._exception is not None:
            return
        self._append(data)
        self._wake_waiter()
        if self._size > self._high_water and not self._protocol.reading_paused:
            self._pause_reading()

    def feed_eof(self) -> None:
        """Mark the end of the body: readers get what is left, then b""."""
        self._eof = True
        self._producer_done()

    def begin_http_chunk_receiving(self) -> None:
        """Start recording HTTP chunk boundaries (idempotent).

        Call it before feeding the first chunk of a chunked body; calling it
        again at the start of later chunks is harmless.
        """
        if self._http_chunk_splits is None:
            if self.total_bytes:
                raise RuntimeError(
                    "begin_http_chunk_receiving() called after data was fed"
                )
            self._http_chunk_splits = deque()

    def end_http_chunk_receiving(self) -> None:
        """Record that the data fed so far ends an HTTP chunk."""
        if self._http_chunk_splits is None:
            raise RuntimeError("end_http_chunk_receiving() called before begin")
        # A chunk that added no bytes (e.g. compressed input that has not
        # produced output yet) gives no boundary of its own.
        if self.total_bytes == self._last_chunk_split:
            return
        self._last_chunk_split = self.total_bytes
        self._http_chunk_splits.append(self.total_bytes)
        # readchunk() may be waiting for exactly this boundary.
        self._wake_waiter()

    def _append(self, data: bytes) -> None:
        self._buffer.append(data)
        self._size += len(data)
        self.total_bytes += len(data)

    def _wake_waiter(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
            self._reader_woken = True

    def _pause_reading(self) -> None:
        """Pause the transport: the buffer is above its high-water mark."""
        if not self._reader_woken:
            self._protocol.pause_reading()
        elif not self._pause_deferred:
            # The woken reader runs before the transport can read again and
            # most likely drains the buffer; pausing now would make it wait
            # on an empty buffer while the transport is being resumed.
            self._pause_deferred = True
            self._loop.call_soon(self._deferred_pause)

    def _deferred_pause(self) -> None:
        self._pause_deferred = False
        self._reader_woken = False
        if (
            self._flow_size() > self._high_water
            and not self.is_eof()
            and self._exception is None
            and not self._protocol.reading_paused
        ):
            self._protocol.pause_reading()

    def _producer_done(self) -> None:
        self._wake_waiter()
        waiter, self._eof_waiter = self._eof_waiter, None
        _wake(waiter)
        # Nothing more will be buffered for this body, so a paused transport
        # can go on with whatever follows it on the connection.
        if self._protocol.reading_paused:
            self._protocol.resume_reading()
        _run_eof_callbacks(self._eof_callbacks)

    def _discard(self) -> None:
        """Drop what is buffered: after an error nobody can read it."""
        self._buffer.clear()
        self._buffer_offset = 0
        self._size = 0

    def _flow_size(self) -> int:
        """Bytes held for this body, as flow control counts them."""
        return self._size

    def _maybe_resume_reading(self) -> None:
        if self._protocol.reading_paused and self._flow_size() < self._low_water:
            self._protocol.resume_reading()

    def _fill(self) -> bool:
        """Refill the empty buffer without waiting; True if anything changed.

        Plain streams are filled by ``feed_data`` only; subclasses that
        produce data on demand (lazy decompression) override this.
        """
        return False

    async def _wait(self, func_name: str) -> None:
        if self._waiter is not None:
            raise RuntimeError(
                f"{func_name}() called while another coroutine is "
                "already waiting for incoming data"
            )
        if self._exception is not None:
            raise self._exception
        if self._fill():
            if self._exception is not None:
                raise self._exception
            return
        waiter = self._waiter = self._loop.create_future()
        try:
            with self._timer():
                await waiter
        finally:
            self._waiter = None
            self._reader_woken = False
        if self._exception is not None:
            raise self._exception

    # -- consumer side ----------------------------------------------------

    async def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes, or everything up to EOF when ``n`` is -1."""
        if self._exception is not None:
            raise self._exception
        if n == 0:
            return b""
        if n < 0:
            # Reading piece by piece keeps flow control going while the
            # whole body is gathered.
            blocks: list[bytes] = []
            while True:
                block = await self.readany()
                if not block:
                    return b"".join(blocks)
                blocks.append(block)
        while not self._buffer and not self._eof:
            await self._wait("read")
        return self._read_nowait(n)

    async def readany(self) -> bytes:
        """Read whatever is buffered, waiting only if nothing is."""
        if self._exception is not None:
            raise self._exception
        while not self._buffer and not self._eof:
            await self._wait("readany")
        return self._read_nowait(-1)

    async def readexactly(self, n: int) -> bytes:
        """Read exactly ``n`` bytes; ``IncompleteReadError`` if EOF comes first."""
        if n < 0:
            raise ValueError("readexactly size can not be less than zero")
        if self._exception is not None:
            raise self._exception
        blocks: list[bytes] = []
        while n > 0:
            block = await self.read(n)
            if not block:
                partial = b"".join(blocks)
                raise asyncio.IncompleteReadError(partial, len(partial) + n)
            blocks.append(block)
            n -= len(block)
        return b"".join(blocks)

    async def readline(self) -> bytes:
        """Read one line ending with ``\\n`` (or what is left at EOF)."""
        return await self.readuntil(b"\n")

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Read up to and including ``separator`` (or what is left at EOF).

        Raises ``ValueError("Chunk too big")`` once the data read exceeds the
        stream's limit without the separator ending it.
        """
        seplen = len(separator)
        if not seplen:
            raise ValueError("Separator should be at least one-byte string")
        if self._exception is not None:
            raise self._exception
        parts: list[bytes] = []
        size = 0
        # The last seplen-1 bytes taken, to find a separator split between
        # two buffered pieces without joining them.
        tail = b""
        while True:
            while self._buffer:
                piece = self._buffer[0]
                offset = self._buffer_offset
                take = -1
                if tail:
                    window = tail + piece[offset : offset + seplen - 1]
                    pos = window.find(separator)
                    if pos != -1:
                        take = pos + seplen - len(tail)
                if take == -1:
                    pos = piece.find(separator, offset)
                    if pos != -1:
                        take = pos + seplen - offset
                data = self._read_nowait_chunk(take)
                parts.append(data)
                size += len(data)
                if size > self._low_water:
                    raise ValueError("Chunk too big")
                if take != -1:
                    return b"".join(parts)
                if seplen > 1:
                    tail = (tail + data[-(seplen - 1) :])[-(seplen - 1) :]
            if self._eof:
                return b"".join(parts)
            await self._wait("readuntil")

    async def readchunk(self) -> tuple[bytes, bool]:
        """Read data up to the next HTTP chunk boundary.

        Returns ``(data, True)`` when ``data`` ends an HTTP chunk,
        ``(data, False)`` for data of a body that is not chunked or whose
        chunk has not ended yet, and ``(b"", False)`` at EOF.
        """
        while True:
            if self._exception is not None:
                raise self._exception
            splits = self._http_chunk_splits
            while splits:
                pos = splits.popleft()
                if pos == self._cursor:
                    return (b"", True)
                if pos > self._cursor:
                    return (self._read_nowait(pos - self._cursor), True)
                # Other read methods already went past this boundary.
            if self._buffer:
                return (self._read_nowait_chunk(-1), False)
            if self._eof:
                return (b"", False)
            await self._wait("readchunk")

    def read_nowait(self, n: int = -1) -> bytes:
        """Return up to ``n`` buffered bytes (all with -1) without waiting."""
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None and not self._waiter.done():
            raise RuntimeError(
                "read_nowait() called while another coroutine is "
                "waiting for incoming data"
            )
        if not self._buffer and self._fill() and self._exception is not None:
            raise self._exception
        return self._read_nowait(n)

    def _read_nowait_chunk(self, n: int) -> bytes:
        piece = self._buffer[0]
        offset = self._buffer_offset
        if n != -1 and len(piece) - offset > n:
            data = piece[offset : offset + n]
            self._buffer_offset = offset + n
        else:
            self._buffer.popleft()
            data = piece[offset:] if offset else piece
            self._buffer_offset = 0
        self._size -= len(data)
        self._cursor += len(data)
        splits = self._http_chunk_splits
        # Boundaries left behind can no longer be reported; drop them so
        # they do not pile up when readchunk() is not used.
        while splits and splits[0] < self._cursor:
            splits.popleft()
        if self._protocol.reading_paused:
            self._maybe_resume_reading()
        return data

    def _read_nowait(self, n: int) -> bytes:
        chunks = []
        while self._buffer:
            chunk = self._read_nowait_chunk(n)
            chunks.append(chunk)
            if n != -1:
                n -= len(chunk)
                if n == 0:
                    break
        return b"".join(chunks)

    # -- iteration --------------------------------------------------------

    def __aiter__(self) -> AsyncStreamIterator[bytes]:
        """Iterate over lines."""
        return AsyncStreamIterator(self.readline, b"")

    def iter_chunked(self, n: int) -> AsyncStreamIterator[bytes]:
        """Iterate over data pieces of at most ``n`` bytes."""
        if n <= 0:
            raise ValueError(f"chunk size must be positive, got {n}")

        async def read() -> bytes:
            return await self.read(n)

        return AsyncStreamIterator(read, b"")

    def iter_any(self) -> AsyncStreamIterator[bytes]:
        """Iterate over data as it arrives."""
        return AsyncStreamIterator(self.readany, b"")

    def iter_chunks(self) -> AsyncStreamIterator[tuple[bytes, bool]]:
        """Iterate over ``(data, end_of_http_chunk)`` as ``readchunk`` gives."""
        return AsyncStreamIterator(self.readchunk, (b"", False))


class EmptyStreamReader(StreamReader):
    """The body of a message that has none: always at EOF."""

    __slots__ = ()

    def __init__(self) -> None:
        # No protocol and no loop: nothing here ever waits.
        self.total_bytes = 0

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    def get_read_buffer_limits(self) -> tuple[int, int]:
        """Return (0, 0): nothing is ever buffered."""
        return (0, 0)

    def exception(self) -> BaseException | None:
        """Return None: an empty body cannot fail."""
        return None

    def set_exception(
        self,
        exc: BaseException,
        exc_cause: BaseException | _CauseUnset | None = _CAUSE_UNSET,
    ) -> None:
        """Ignore the exception: the (shared) empty body is already complete."""

    def on_eof(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` now: the body is already complete."""
        try:
            callback()
        except Exception:
            internal_logger.exception("Exception in eof callback")

    def is_eof(self) -> bool:
        """Return True."""
        return True

    def at_eof(self) -> bool:
        """Return True."""
        return True

    async def wait_eof(self) -> None:
        """Return at once."""
        return

    def unread_data(self, data: bytes) -> None:
        """Refuse data: this shared instance must stay empty."""
        if data:
            raise RuntimeError("EmptyStreamReader cannot hold data")

    def feed_data(self, data: bytes) -> None:
        """Refuse data: this shared instance must stay empty."""
        if data:
            raise RuntimeError("EmptyStreamReader cannot hold data")

    def feed_eof(self) -> None:
        """Do nothing: the body is already complete."""

    def begin_http_chunk_receiving(self) -> None:
        """Do nothing."""

    def end_http_chunk_receiving(self) -> None:
        """Do nothing."""

    async def read(self, n: int = -1) -> bytes:
        """Return b""."""
        return b""

    async def readany(self) -> bytes:
        """Return b""."""
        return b""

    async def readexactly(self, n: int) -> bytes:
        """Return b"" for 0, else raise ``IncompleteReadError``."""
        if n < 0:
            raise ValueError("readexactly size can not be less than zero")
        if n:
            raise asyncio.IncompleteReadError(b"", n)
        return b""

    async def readline(self) -> bytes:
        """Return b""."""
        return b""

    async def readuntil(self, separator: bytes = b"\n") -> bytes:
        """Return b""."""
        if not separator:
            raise ValueError("Separator should be at least one-byte string")
        return b""

    async def readchunk(self) -> tuple[bytes, bool]:
        """Return ``(b"", False)``, the EOF answer of ``StreamReader.readchunk``."""
        return (b"", False)

    def read_nowait(self, n: int = -1) -> bytes:
        """Return b""."""
        return b""


#: The shared stream of every message without a body.
EMPTY_PAYLOAD: Final = EmptyStreamReader()


class DataQueue(Generic[_T]):
    """A queue of whole objects (e.g. websocket messages) with one reader."""

    __slots__ = ("_buffer", "_eof", "_exception", "_loop", "_waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._exception: BaseException | None = None
        self._buffer: deque[_T] = deque()

    def __len__(self) -> int:
        return len(self._buffer)

    def __repr__(self) -> str:
        info = [f"{len(self._buffer)} items"]
        if self._eof:
            info.append("eof")
        if self._exception is not None:
            info.append(f"e={self._exception!r}")
        return f"<{self.__class__.__name__} {' '.join(info)}>"

    def is_eof(self) -> bool:
        """Return True once EOF (or an exception) was fed."""
        return self._eof

    def at_eof(self) -> bool:
        """Return True once EOF was fed and every item was read."""
        return self._eof and not self._buffer

    def exception(self) -> BaseException | None:
        """Return the exception set on the queue, if any."""
        return self._exception

    def set_exception(
        self,
        exc: BaseException,
        exc_cause: BaseException | _CauseUnset | None = _CAUSE_UNSET,
    ) -> None:
        """End the queue with ``exc``, raised once the queued items are read."""
        if exc_cause is not _CAUSE_UNSET:
            exc.__cause__ = exc_cause
        self._eof = True
        self._exception = exc
        waiter, self._waiter = self._waiter, None
        _wake(waiter)

    def feed_data(self, data: _T) -> None:
        """Queue one item and wake the reader; ignored once the queue failed."""
        if self._exception is not None:
            return
        if self._eof:
            raise RuntimeError("feed_data() called after feed_eof()")
        self._buffer.append(data)
        waiter, self._waiter = self._waiter, None
        _wake(waiter)

    def feed_eof(self) -> None:
        """Mark the end of the queue."""
        self._eof = True
        waiter, self._waiter = self._waiter, None
        _wake(waiter)

    async def read(self) -> _T:
        """Return the next item; raise the exception or ``EofStream`` at the end."""
        if not self._buffer and not self._eof:
            if self._waiter is not None:
                raise RuntimeError(
                    "read() called while another coroutine is waiting for data"
                )
            waiter = self._waiter = self._loop.create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        if self._buffer:
            return self._buffer.popleft()
        if self._exception is not None:
            raise self._exception
        raise EofStream

    def __aiter__(self) -> AsyncStreamIterator[_T]:
        """Iterate over the items until the end of the queue."""
        return AsyncStreamIterator(self.read)
