"""Turns the events of a sans-I/O HTTP/1.x parser into messages and body streams.

A protocol hands every chunk it reads to ``HttpReceiver.receive`` and gets
back the messages whose heads the chunk completed, each with the stream its
body will arrive on.  The receiver feeds the body events (``BodyChunk``,
``CHUNK_END``, ``MessageEnd``) of the message in progress into that stream.

A parse error does not take the rest of its chunk with it: the messages the
chunk completed before the fault are returned along with the error, a body
that the fault cut gets the error on its stream, and the caller answers (or
reads) those messages before it acts on the error.  So a response head and a
broken body in one segment still give the head, and a pipelined request
before garbage is still served.

A body with a Content-Encoding is decoded lazily (``DecompressingStreamReader``):
the compressed bytes are kept as received and decoded only as far as the
consumer reads, so a small body that expands to gigabytes (a "decompression
bomb") never holds more than about ``limit`` decoded bytes in memory, and the
kept compressed bytes count for flow control like any buffered data.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from .base_protocol import BaseProtocol
from .compression import Decompressor, get_decompressor
from .http_exceptions import (
    ContentEncodingError,
    ContentLengthError,
    DecompressSizeError,
    HttpProcessingError,
    TransferEncodingError,
)
from .http_messages import (
    CHUNK_END,
    BodyChunk,
    ChunkEnd,
    MessageEnd,
    ParserEvent,
    ProtocolSwitch,
    RawRequestMessage,
    RawResponseMessage,
)
from .streams import EMPTY_PAYLOAD, ReadTimer, StreamReader

__all__ = (
    "DecompressingStreamReader",
    "HttpEventParser",
    "HttpReceiver",
    "Received",
    "ReceivedMessages",
)

MessageT = TypeVar("MessageT", bound=RawRequestMessage | RawResponseMessage)

#: The messages a feed completed the heads of, each with its body stream.
ReceivedMessages = list[tuple[MessageT, StreamReader]]


class HttpEventParser(Protocol):
    """What ``HttpReceiver`` needs of a parser: bytes in, events out."""

    def feed_data(self, data: bytes) -> Sequence[ParserEvent]:
        """Parse bytes from the peer; return the events they complete.

        An ``HttpProcessingError`` raised carries the events completed
        before it as its ``events``.
        """
        ...

    def feed_eof(self) -> Sequence[ParserEvent]:
        """The peer closed; return the last events or raise if a body is cut."""
        ...


class Received(Generic[MessageT]):
    """What one ``HttpReceiver.receive`` call got out of its bytes.

    ``messages`` are the messages whose heads the bytes completed, each with
    its body stream, in order.  ``upgraded`` tells that the connection left
    HTTP/1.x; ``tail`` then holds the bytes past the last message.
    ``error`` is the parse error that stopped the bytes, if any: the
    ``messages`` came before it and are valid, and the caller must close the
    connection once it has dealt with them.  ``body_failed`` tells that the
    error broke a body in progress, whose stream (of a message returned now
    or earlier) raises it.
    """

    __slots__ = ("body_failed", "error", "messages", "tail", "upgraded")

    def __init__(
        self,
        messages: ReceivedMessages[MessageT],
        upgraded: bool = False,
        tail: bytes = b"",
        error: HttpProcessingError | None = None,
        body_failed: bool = False,
    ) -> None:
        self.messages = messages
        self.upgraded = upgraded
        self.tail = tail
        self.error = error
        self.body_failed = body_failed

    def __repr__(self) -> str:
        info = [f"{len(self.messages)} messages"]
        if self.upgraded:
            info.append(f"upgraded tail={len(self.tail)} bytes")
        if self.error is not None:
            info.append(f"error={self.error!r}")
            if self.body_failed:
                info.append("in body")
        return f"<{self.__class__.__name__} {' '.join(info)}>"


def _fail_stream(
    stream: StreamReader,
    exc: BaseException,
    payload_exception: type[BaseException] | None,
) -> None:
    """Set ``exc`` on ``stream``, wrapped in ``payload_exception`` if given."""
    if payload_exception is None:
        stream.set_exception(exc)
    else:
        stream.set_exception(payload_exception(str(exc)), exc)


class DecompressingStreamReader(StreamReader):
    """A body stream that decodes its Content-Encoding as it is read.

    ``feed_data`` keeps the compressed bytes; a reader that finds the buffer
    empty decodes at most ``limit`` more bytes.  Flow control counts the
    kept compressed bytes plus the decoded ones.  Decoding errors, and a
    decoded size above ``max_decompressed_size``, fail the stream (wrapped in
    ``payload_exception`` when given).  ``is_eof``, ``wait_eof`` and
    ``on_eof`` are about the compressed input: they report the end of the
    transfer even while decoded data is still to come.
    """

    __slots__ = (
        "_decoded",
        "_decompressor",
        "_held",
        "_input_eof",
        "_max_size",
        "_payload_exception",
        "_pending",
        "_pending_size",
    )

    def __init__(
        self,
        protocol: BaseProtocol,
        limit: int,
        decompressor: Decompressor,
        *,
        max_decompressed_size: int | None = None,
        payload_exception: type[BaseException] | None = None,
        timer: ReadTimer | None = None,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        super().__init__(protocol, limit, timer=timer, loop=loop)
        self._decompressor = decompressor
        self._max_size = max_decompressed_size
        self._payload_exception = payload_exception
        # Compressed input not given to the decompressor yet, with chunk ends.
        self._pending: deque[bytes | ChunkEnd] = deque()
        self._pending_size = 0
        # Size of the last input given to the decompressor while it still
        # holds some of it (counted whole: the decompressor does not say).
        self._held = 0
        self._input_eof = False
        self._decoded = 0

    def _repr_info(self) -> list[str]:
        info = super()._repr_info()
        if self._pending_size or self._held:
            info.insert(1, f"{self._pending_size + self._held} compressed bytes")
        if self._input_eof and not self._eof:
            info.append("input eof")
        return info

    def is_eof(self) -> bool:
        """Return True once the whole compressed body was fed."""
        return self._input_eof

    def feed_data(self, data: bytes) -> None:
        """Keep compressed body bytes for decoding and wake the reader."""
        if self._input_eof:
            raise RuntimeError("feed_data() called after feed_eof()")
        if not data or self._exception is not None:
            return
        self._pending.append(data)
        self._pending_size += len(data)
        self._wake_waiter()
        if self._flow_size() > self._high_water and not self._protocol.reading_paused:
            self._pause_reading()

    def feed_eof(self) -> None:
        """Mark the end of the compressed body; decoding finishes on read."""
        self._input_eof = True
        self._producer_done()

    def end_http_chunk_receiving(self) -> None:
        """Record a chunk end, placed after the output of the input before it."""
        if self._http_chunk_splits is None:
            raise RuntimeError("end_http_chunk_receiving() called before begin")
        if self._exception is not None:
            return
        self._pending.append(CHUNK_END)
        self._wake_waiter()

    def _discard(self) -> None:
        super()._discard()
        self._pending.clear()
        self._pending_size = 0
        self._held = 0

    def _flow_size(self) -> int:
        return self._size + self._pending_size + self._held

    def _fill(self) -> bool:
        """Decode up to ``limit`` bytes of kept input into the empty buffer."""
        if self._exception is not None or self._eof:
            return False
        try:
            progress = self._decode()
        except Exception as exc:
            # The stream is where the consumer looks for body errors; the
            # data that did decode is lost with it, as with a cut body.
            _fail_stream(self, exc, self._payload_exception)
            return True
        if self._protocol.reading_paused:
            self._maybe_resume_reading()
        return progress

    def _decode(self) -> bool:
        decompressor = self._decompressor
        progress = False
        while self._size < self._low_water:
            # A local, so the checks after decompress() read it afresh.
            needs_input = decompressor.needs_input
            if not needs_input:
                out = decompressor.decompress(b"", self._room())
                if decompressor.needs_input:
                    self._held = 0
                elif not out:
                    raise ContentEncodingError(
                        "Can not decode content: the decoder made no progress"
                    )
            elif self._pending:
                item = self._pending.popleft()
                if isinstance(item, ChunkEnd):
                    # Everything fed before this chunk end is decoded now.
                    super().end_http_chunk_receiving()
                    progress = True
                    continue
                self._pending_size -= len(item)
                out = decompressor.decompress(item, self._room())
                self._held = 0 if decompressor.needs_input else len(item)
            elif self._input_eof:
                # needs_input is True here, so flush() returns little.
                self._emit(decompressor.flush())
                self._eof = True
                return True
            else:
                return progress
            if out:
                self._emit(out)
                progress = True
        return progress

    def _room(self) -> int:
        room = self._low_water - self._size
        if self._max_size is not None:
            # One byte past the cap is enough to tell it was exceeded.
            room = min(room, self._max_size - self._decoded + 1)
        return room

    def _emit(self, data: bytes) -> None:
        self._decoded += len(data)
        if self._max_size is not None and self._decoded > self._max_size:
            raise DecompressSizeError(
                f"Decompressed body exceeds the limit of {self._max_size} bytes"
            )
        if data:
            self._append(data)


class HttpReceiver(Generic[MessageT]):
    """Feeds a parser and routes its events into one stream per message body.

    ``limit`` is the buffer limit of each body stream (see ``StreamReader``),
    ``auto_decompress`` decodes bodies with a Content-Encoding, lazily, and
    ``max_decompressed_size`` (None: no cap) bounds the decoded size of one
    body.  Errors of a body are set on its stream wrapped in
    ``payload_exception`` when given (the original becomes ``__cause__``).
    """

    __slots__ = (
        "_auto_decompress",
        "_failed",
        "_limit",
        "_loop",
        "_max_decompressed_size",
        "_message",
        "_parser",
        "_payload",
        "_payload_exception",
        "_protocol",
        "_timer",
        "_upgraded",
    )

    def __init__(
        self,
        parser: HttpEventParser,
        protocol: BaseProtocol,
        *,
        loop: asyncio.AbstractEventLoop,
        limit: int = 2**16,
        auto_decompress: bool = True,
        max_decompressed_size: int | None = None,
        payload_exception: type[BaseException] | None = None,
        timer: ReadTimer | None = None,
    ) -> None:
        if limit <= 0:
            raise ValueError(f"limit must be positive, got {limit}")
        if max_decompressed_size is not None and max_decompressed_size < 0:
            raise ValueError(
                f"max_decompressed_size must be >= 0, got {max_decompressed_size}"
            )
        self._parser = parser
        self._protocol = protocol
        self._loop = loop
        self._limit = limit
        self._auto_decompress = auto_decompress
        self._max_decompressed_size = max_decompressed_size
        self._payload_exception = payload_exception
        self._timer = timer
        self._message: MessageT | None = None
        self._payload: StreamReader | None = None
        self._upgraded = False
        self._failed = False

    def __repr__(self) -> str:
        state = "upgraded" if self._upgraded else "failed" if self._failed else "open"
        return f"<{self.__class__.__name__} {state} payload={self._payload!r}>"

    @property
    def upgraded(self) -> bool:
        """True once the connection left HTTP/1.x (Upgrade or CONNECT)."""
        return self._upgraded

    @property
    def payload(self) -> StreamReader | None:
        """The stream of the body being received, if a body is in progress."""
        return self._payload

    def receive(self, data: bytes) -> Received[MessageT]:
        """Feed bytes read from the transport; return what they completed.

        The result holds the messages whose heads these bytes completed,
        each with its body stream (the shared, finished ``EMPTY_PAYLOAD``
        when the message has no body); whether the connection left HTTP/1.x,
        and then the bytes past the last message, which belong to the new
        protocol (every later call returns them as the tail).

        A parse error is returned, not raised, after the messages that came
        before it; if a body was in progress at the error, its stream gets
        the error too.  The caller handles the messages, then the error, and
        closes the connection (the parser is dead: a later call raises
        ``RuntimeError``).  Anything else raised (a parser breaking its
        contract) propagates.
        """
        if self._upgraded:
            return Received([], True, data)
        try:
            try:
                events = self._parser.feed_data(data)
            except HttpProcessingError as exc:
                # What came before the fault is delivered as usual.
                messages = self._dispatch(exc.events).messages
                body_failed = self._payload is not None
                self._fail(exc)
                return Received(messages, error=exc, body_failed=body_failed)
            return self._dispatch(events)
        except Exception as exc:
            self._fail(exc)
            raise

    def feed_data(self, data: bytes) -> tuple[ReceivedMessages[MessageT], bool, bytes]:
        """Like ``receive``, but return a tuple and raise a parse error.

        Returns ``(messages, upgraded, tail)``.  On a parse error the body
        streams are fed as by ``receive`` (a body the error cut gets it), but
        the messages these bytes completed before the error are not
        returned: a caller that must answer or read them uses ``receive``.
        The caller must then close the connection.
        """
        received = self.receive(data)
        if received.error is not None:
            raise received.error
        return received.messages, received.upgraded, received.tail

    def feed_eof(self) -> ReceivedMessages[MessageT]:
        """The peer closed: finish a body that is read until EOF.

        A body cut short gets ``ContentLengthError`` or
        ``TransferEncodingError`` (wrapped in ``payload_exception``) on its
        stream, and the unwrapped error is raised.  Does nothing after an
        upgrade or after an error was raised.
        """
        if self._upgraded or self._failed:
            return []
        try:
            messages = self._dispatch(self._parser.feed_eof()).messages
            if self._payload is not None and self._message is not None:
                # The parser should have raised; do not leave a reader waiting.
                error = (
                    TransferEncodingError
                    if self._message.chunked
                    else ContentLengthError
                )
                raise error("The connection closed in the middle of the body")
        except Exception as exc:
            self._fail(exc)
            raise
        return messages

    def _fail(self, exc: Exception) -> None:
        self._failed = True
        payload, self._payload = self._payload, None
        self._message = None
        if payload is not None:
            _fail_stream(payload, exc, self._payload_exception)

    def _current(self) -> StreamReader:
        if self._payload is None:
            raise RuntimeError("the parser sent a body event outside of a body")
        return self._payload

    def _dispatch(self, events: Sequence[ParserEvent]) -> Received[MessageT]:
        messages: ReceivedMessages[MessageT] = []
        count = len(events)
        i = 0
        while i < count:
            event = events[i]
            i += 1
            # Most frequent first: one head and many body pieces per message.
            if isinstance(event, BodyChunk):
                self._current().feed_data(event.data)
            elif isinstance(event, ChunkEnd):
                self._current().end_http_chunk_receiving()
            elif isinstance(event, MessageEnd):
                self._current().feed_eof()
                self._payload = None
                self._message = None
            elif isinstance(event, ProtocolSwitch):
                self._upgraded = True
                return Received(messages, True, event.tail)
            else:
                if self._payload is not None:
                    raise RuntimeError("the parser started a message inside a body")
                # The caller chose MessageT to match its parser (requests or
                # responses); the events type cannot say which.
                message: MessageT = event  # type: ignore[assignment]
                if i < count and isinstance(events[i], MessageEnd):
                    i += 1
                    messages.append((message, EMPTY_PAYLOAD))
                    continue
                self._message = message
                self._payload = self._new_stream(message)
                messages.append((message, self._payload))
        return Received(messages)

    def _new_stream(self, message: MessageT) -> StreamReader:
        stream: StreamReader
        encoding = message.compression if self._auto_decompress else None
        error: ContentEncodingError | None = None
        decompressor: Decompressor | None = None
        if encoding:
            try:
                decompressor = get_decompressor(encoding)
            except ContentEncodingError as exc:
                # The head is fine; only its body cannot be decoded, so the
                # message is delivered and reading the body raises.
                error = exc
        if decompressor is not None:
            stream = DecompressingStreamReader(
                self._protocol,
                self._limit,
                decompressor,
                max_decompressed_size=self._max_decompressed_size,
                payload_exception=self._payload_exception,
                timer=self._timer,
                loop=self._loop,
            )
        else:
            stream = StreamReader(
                self._protocol, self._limit, timer=self._timer, loop=self._loop
            )
        if message.chunked:
            stream.begin_http_chunk_receiving()
        if error is not None:
            _fail_stream(stream, error, self._payload_exception)
        return stream
