"""The asyncio protocol of one client connection: response heads and bodies.

``ResponseHandler`` feeds what the server sends to the core's response parser
through ``HttpReceiver``, queues the response heads for ``read_head()`` and
hands each body to its ``StreamReader``.  It knows whether the connection can
carry another request (``should_close``) and applies the ``sock_read``
timeout: one timer per connection, pushed forward lazily by arriving data.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Final, Protocol

from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.http_messages import RawResponseMessage
from aiohttp_core.http_parser import HttpResponseParser
from aiohttp_core.http_receiver import HttpReceiver, ReceivedMessages
from aiohttp_core.streams import EMPTY_PAYLOAD, ReadTimer, StreamReader

from .exceptions import (
    ClientOSError,
    ClientPayloadError,
    ServerDisconnectedError,
    SocketTimeoutError,
)

__all__ = ("ResponseHandler", "UpgradedParser")

_ParserParams = tuple[int, int, int, int, bool]

#: The parameters a new connection's parser starts with (the defaults of
#: ``set_response_params``).
_DEFAULT_PARAMS: Final[_ParserParams] = (8190, 8190, 128, 2**16, True)


class UpgradedParser(Protocol):
    """What takes the bytes of a connection after it left HTTP/1.x."""

    def feed_data(self, data: bytes) -> object:
        """Handle bytes from the peer."""
        ...

    def feed_eof(self) -> object:
        """The peer closed the connection."""
        ...


class _NoTimer:
    """A do-nothing context manager, for reads without a total timeout."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


_NO_TIMER: Final = _NoTimer()


def _no_timer() -> _NoTimer:
    return _NO_TIMER


class ResponseHandler(BaseProtocol):
    """One client connection: parses responses and knows if it is reusable."""

    __slots__ = (
        "_closed",
        "_exception",
        "_expecting",
        "_head_waiter",
        "_heads",
        "_last_data",
        "_params",
        "_parser",
        "_payload",
        "_read_timeout",
        "_receiver",
        "_reuse_blocked",
        "_tail",
        "_timeout_ceil_threshold",
        "_timeout_handle",
        "_timer",
        "_upgraded",
        "_upgraded_parser",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._closed: asyncio.Future[None] = loop.create_future()
        self._exception: BaseException | None = None
        self._heads: deque[tuple[RawResponseMessage, StreamReader]] = deque()
        self._head_waiter: asyncio.Future[None] | None = None
        # True from set_response_params until the final (non-1xx) head came.
        self._expecting = False
        # The body of the last final response, while it is still arriving.
        self._payload: StreamReader | None = None
        self._reuse_blocked = False
        self._upgraded = False
        self._upgraded_parser: UpgradedParser | None = None
        self._tail = b""
        self._timer: ReadTimer = _no_timer
        self._read_timeout: float | None = None
        self._timeout_ceil_threshold = 5.0
        self._timeout_handle: asyncio.TimerHandle | None = None
        self._last_data = 0.0
        self._params = _DEFAULT_PARAMS
        self._parser = HttpResponseParser(read_until_eof=False)
        self._receiver = self._new_receiver()

    def __repr__(self) -> str:
        state = "closed" if self._closed.done() else "open"
        if self._upgraded:
            state += " upgraded"
        elif self.should_close:
            state += " not reusable"
        return f"<{type(self).__name__} {state}>"

    # -- state --------------------------------------------------------------

    @property
    def closed(self) -> asyncio.Future[None]:
        """Done once the connection is lost."""
        return self._closed

    @property
    def upgraded(self) -> bool:
        """True once the connection left HTTP/1.x (101 or an accepted CONNECT)."""
        return self._upgraded

    @property
    def should_close(self) -> bool:
        """True when the connection cannot carry another request."""
        return (
            self._reuse_blocked
            or self._upgraded
            or self._expecting
            or self._exception is not None
            or self._payload is not None
            or bool(self._heads)
            or self.transport is None
            or self.transport.is_closing()
        )

    def is_connected(self) -> bool:
        """True while the transport is open."""
        return self.transport is not None and not self.transport.is_closing()

    def force_close(self) -> None:
        """Mark the connection as not reusable."""
        self._reuse_blocked = True

    def close(self) -> None:
        """Close the transport; the connection is not reusable any more."""
        self._reuse_blocked = True
        self._drop_timeout()
        if self.transport is not None:
            self.transport.close()

    # -- requests -----------------------------------------------------------

    def set_response_params(
        self,
        *,
        timer: ReadTimer | None = None,
        skip_payload: bool = False,
        read_until_eof: bool = False,
        auto_decompress: bool = True,
        read_timeout: float | None = None,
        read_bufsize: int = 2**16,
        timeout_ceil_threshold: float = 5.0,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        request_method: str = "GET",
    ) -> None:
        """Prepare for the response to the request about to be written.

        ``skip_payload`` parses the response as one without a body (as for
        HEAD).  ``read_timeout`` (the ``sock_read`` timeout) bounds each wait
        for data until the body has arrived; ``timer`` is entered around each
        wait of ``read_head()`` and of the body stream.
        """
        params = (max_line_size, max_field_size, max_headers, read_bufsize)
        if (*params, auto_decompress) != self._params:
            # The parser is between messages here, so a fresh one loses
            # nothing; most connections keep the defaults and skip this.
            self._params = (*params, auto_decompress)
            self._parser = HttpResponseParser(
                max_line_size=max_line_size,
                max_field_size=max_field_size,
                max_headers=max_headers,
                read_until_eof=read_until_eof,
            )
        self._timer = _no_timer if timer is None else timer
        self._receiver = self._new_receiver()
        self._parser.read_until_eof = read_until_eof
        self._parser.request_method = "HEAD" if skip_payload else request_method
        self._read_timeout = read_timeout or None
        self._timeout_ceil_threshold = timeout_ceil_threshold
        self._expecting = True
        self._heads.clear()
        self._reschedule_timeout()

    def _new_receiver(self) -> HttpReceiver[RawResponseMessage]:
        bufsize, decompress = self._params[3:]
        receiver: HttpReceiver[RawResponseMessage] = HttpReceiver(
            self._parser,
            self,
            loop=self._loop,
            limit=bufsize,
            auto_decompress=decompress,
            payload_exception=ClientPayloadError,
            timer=self._timer,
        )
        return receiver

    async def read_head(self) -> tuple[RawResponseMessage, StreamReader]:
        """Wait for the next response head; return it with its body stream.

        Informational (1xx) heads are returned too.  Raises
        ``ServerDisconnectedError``, ``ClientOSError``, ``SocketTimeoutError``
        or the parser's ``HttpProcessingError``; the connection is then not
        reusable.
        """
        heads = self._heads
        while not heads:
            if self._exception is not None:
                raise self._exception
            if self._closed.done():
                raise ServerDisconnectedError()
            if self._head_waiter is not None:
                raise RuntimeError("read_head() is already being awaited")
            waiter = self._head_waiter = self._loop.create_future()
            try:
                with self._timer():
                    await waiter
            finally:
                self._head_waiter = None
        return heads.popleft()

    def set_parser(self, parser: UpgradedParser) -> None:
        """Send every later byte to ``parser``, starting with those already read."""
        self._upgraded_parser = parser
        tail, self._tail = self._tail, b""
        if tail:
            parser.feed_data(tail)
        if self._closed.done():
            parser.feed_eof()

    # -- asyncio callbacks --------------------------------------------------

    def data_received(self, data: bytes) -> None:
        """Parse bytes from the server."""
        if self._upgraded:
            self._data_after_upgrade(data)
            return
        if not self._expecting and self._payload is None:
            # Nothing was asked for: the connection cannot be trusted to
            # frame the next response correctly.
            self._reuse_blocked = True
            return
        if self._read_timeout is not None:
            self._last_data = self._loop.time()
        received = self._receiver.receive(data)
        if received.messages:
            self._take(received.messages)
        if received.error is not None:
            # The heads that came before the error are read first; a body
            # the error cut raises it (as ClientPayloadError) when read, and
            # a read_head() with no head left raises the error itself.
            self._payload = None
            self._fail(received.error)
        elif received.upgraded:
            self._upgraded = True
            self._expecting = False
            self._drop_timeout()
            self._wake_head_waiter()
            if received.tail:
                self._data_after_upgrade(received.tail)

    def _take(self, messages: ReceivedMessages[RawResponseMessage]) -> None:
        for message, payload in messages:
            if not self._expecting:
                # A second response to one request.
                self._reuse_blocked = True
                break
            self._heads.append((message, payload))
            if message.code >= 200 or message.code == 101:
                self._expecting = False
                if message.should_close:
                    self._reuse_blocked = True
                if payload is not EMPTY_PAYLOAD and not payload.is_eof():
                    self._payload = payload
                    payload.on_eof(self._on_payload_eof)
                else:
                    self._drop_timeout()
        self._wake_head_waiter()

    def _on_payload_eof(self) -> None:
        self._payload = None
        self._drop_timeout()

    def _data_after_upgrade(self, data: bytes) -> None:
        parser = self._upgraded_parser
        if parser is None:
            self._tail += data
        else:
            parser.feed_data(data)

    def _fail(self, exc: BaseException) -> None:
        """The response cannot be read: raise ``exc`` from ``read_head``."""
        self._exception = exc
        self._reuse_blocked = True
        self._drop_timeout()
        self._wake_head_waiter()
        if self.transport is not None:
            self.transport.close()

    def _wake_head_waiter(self) -> None:
        waiter = self._head_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def eof_received(self) -> bool:
        """Let the transport close; connection_lost finishes the body."""
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        """Finish or fail the response in progress."""
        super().connection_lost(exc)
        self._drop_timeout()
        if not self._closed.done():
            self._closed.set_result(None)
        if self._upgraded:
            if self._upgraded_parser is not None:
                self._upgraded_parser.feed_eof()
            return
        payload = self._payload
        if exc is not None:
            if payload is not None:
                self._payload = None
                payload.set_exception(
                    ClientPayloadError(f"Response payload is not completed: {exc!r}"),
                    exc,
                )
            if self._exception is None and isinstance(exc, OSError):
                self._exception = ClientOSError(*exc.args)
                self._exception.__cause__ = exc
        elif payload is not None or self._expecting:
            try:
                messages = self._receiver.feed_eof()
            except Exception:
                # The receiver set ClientPayloadError on the cut body; a cut
                # head is reported as a disconnection below.
                pass
            else:
                self._take(messages)
        self._payload = None
        if self._exception is None and self._expecting:
            self._exception = ServerDisconnectedError()
        self._wake_head_waiter()

    def pause_reading(self) -> None:
        """Stop reading; a paused connection is not timed out."""
        super().pause_reading()
        if self._reading_paused:
            self._drop_timeout()

    def resume_reading(self) -> None:
        """Resume reading and the ``sock_read`` timer."""
        super().resume_reading()
        if not self._reading_paused:
            self._reschedule_timeout()

    # -- sock_read timeout --------------------------------------------------

    def _awaiting_data(self) -> bool:
        return self._expecting or self._payload is not None

    def _reschedule_timeout(self) -> None:
        """Start the timer unless it runs already; data pushes it forward."""
        timeout = self._read_timeout
        if timeout is None or not self._awaiting_data() or self._reading_paused:
            return
        self._last_data = self._loop.time()
        if self._timeout_handle is None:
            self._timeout_handle = self._loop.call_at(
                self._deadline(self._last_data + timeout), self._on_read_timeout
            )

    def _deadline(self, when: float) -> float:
        timeout = self._read_timeout
        if timeout is not None and timeout >= self._timeout_ceil_threshold:
            return float(int(when) + 1)
        return when

    def _drop_timeout(self) -> None:
        handle, self._timeout_handle = self._timeout_handle, None
        if handle is not None:
            handle.cancel()

    def _on_read_timeout(self) -> None:
        self._timeout_handle = None
        timeout = self._read_timeout
        if timeout is None or not self._awaiting_data() or self._reading_paused:
            return
        due = self._last_data + timeout
        if self._loop.time() < due:
            # Data came since the timer was set: one re-arm instead of one
            # cancel-and-schedule per chunk.
            self._timeout_handle = self._loop.call_at(
                self._deadline(due), self._on_read_timeout
            )
            return
        error = SocketTimeoutError(f"Timeout on reading data from socket ({timeout}s)")
        payload, self._payload = self._payload, None
        if payload is not None:
            payload.set_exception(error)
        self._fail(error)
