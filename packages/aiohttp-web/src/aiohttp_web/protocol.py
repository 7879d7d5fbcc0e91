"""``RequestHandler``: the asyncio protocol serving HTTP/1.x on one connection.

Bytes from the transport go through ``HttpReceiver`` (parser + body
streams); each complete request head is queued with its body stream.  Each
request is served in a task of its own (a fresh copy of the connection's
context, as the docs promise), which builds the request, runs the web
handler, sends its response and then starts the task of the next queued
request; an idle connection starts one as soon as a request is queued.
Pipelined requests wait in the queue, which is bounded: bytes are parsed in
slices only while it has room, and reading pauses while some are held back.

What the connection does in the situations that matter:

* A parse error is answered with the error's status (``.code``), after the
  responses to the requests before it, and the connection is closed.  It is
  the client's mistake, so it is logged at DEBUG only.
* A handler that raises ``HTTPException`` gets the response it describes.
  Any other exception is a server bug: 500, traceback logged at ERROR to
  ``aiohttp.server``, and sent in the body only in debug mode.
* A body the handler did not read is read and dropped before the next
  request (never parsed as one), within ``lingering_time`` and at most
  ``_MAX_DRAIN_SIZE`` bytes; a larger one closes the connection instead, and
  the response already says ``Connection: close`` when that is known
  before it is sent.
* A request with ``Upgrade`` switches the parser off after its body: when
  the handler does not take the connection over (``set_parser``), it is
  closed after the response, so nothing after it is read as HTTP.
* The connection is closed when idle for ``keepalive_timeout``, which also
  bounds how long a request head may take to arrive.
* When the peer goes away, a running handler is cancelled only with
  ``handler_cancellation=True``; otherwise its reads and writes fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import math
import socket
from collections import deque
from typing import TYPE_CHECKING, Final, Protocol, cast

from aiohttp_core import hdrs
from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.http_exceptions import HttpProcessingError
from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.http_receiver import HttpReceiver
from aiohttp_core.http_writer import StreamWriter
from aiohttp_core.log import access_logger, server_logger
from aiohttp_core.streams import StreamReader

from .abc import AbstractAccessLogger, AbstractAsyncAccessLogger, AccessLoggerClass
from .access_log import AccessLogger
from .error_responses import bad_request_answer, error_response, response_of
from .exceptions import HTTPException
from .response import Response, StreamResponse

if TYPE_CHECKING:
    from .request import BaseRequest
    from .server import Server

__all__ = ("RequestHandler", "UpgradedParser")

#: Most body bytes read and dropped after a response to keep the connection.
_MAX_DRAIN_SIZE: Final = 2**20
#: Bytes fed to the parser at once while it reads heads, and within a body.
_HEAD_SLICE: Final = 1024
_BODY_SLICE: Final = 2**16


class UpgradedParser(Protocol):
    """What takes the bytes of a connection after an accepted upgrade."""

    def feed_data(self, data: bytes) -> object:
        """Take bytes received from the peer."""
        ...

    def feed_eof(self) -> object:
        """The peer closed its side."""
        ...


class _ParseFailure:
    """A parse error, queued after the requests that came before it."""

    __slots__ = ("error", "in_body")

    def __init__(self, error: Exception, in_body: bool) -> None:
        self.error = error
        # True when the error broke the body of a queued request: that
        # request's handler sees it on its body stream and answers.
        self.in_body = in_body


_QueueItem = tuple[RawRequestMessage, StreamReader] | _ParseFailure


def _deadline(
    loop: asyncio.AbstractEventLoop, timeout: float, threshold: float
) -> float:
    """The loop time ``timeout`` from now, rounded up to a second past ``threshold``.

    Rounding lets the loop merge the timers of many connections.
    """
    when = loop.time() + timeout
    return math.ceil(when) if timeout >= threshold else when


def _expects_continue(message: RawRequestMessage) -> bool:
    return message.headers.get(hdrs.EXPECT, "").lower() == "100-continue"


class RequestHandler(BaseProtocol):
    """Serves the HTTP requests of one connection with the server's handler."""

    def __init__(
        self,
        manager: Server,
        *,
        loop: asyncio.AbstractEventLoop,
        keepalive_timeout: float | None = 75.0,
        tcp_keepalive: bool = True,
        logger: logging.Logger = server_logger,
        access_log_class: AccessLoggerClass = AccessLogger,
        access_log: logging.Logger | None = access_logger,
        access_log_format: str = AccessLogger.LOG_FORMAT,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        max_headers: int = 128,
        lingering_time: float = 10.0,
        read_bufsize: int = 2**16,
        auto_decompress: bool = True,
        timeout_ceil_threshold: float = 5,
        max_pipelined_requests: int = 16,
        debug: bool | None = None,
    ) -> None:
        super().__init__(loop)
        if max_pipelined_requests < 1:
            raise ValueError("max_pipelined_requests must be at least 1")
        self._manager = manager
        self._keepalive_timeout = keepalive_timeout
        self._tcp_keepalive = tcp_keepalive
        self.logger = logger
        self._lingering_time = float(lingering_time)
        self._timeout_ceil_threshold = float(timeout_ceil_threshold)
        self._max_pipelined = max_pipelined_requests
        self.debug = loop.get_debug() if debug is None else debug
        self.access_logger: AbstractAccessLogger | AbstractAsyncAccessLogger | None = (
            None
            if access_log is None
            else access_log_class(access_log, access_log_format)
        )
        self._receiver = HttpReceiver[RawRequestMessage](
            HttpRequestParser(
                max_line_size=max_line_size,
                max_field_size=max_field_size,
                max_headers=max_headers,
            ),
            self,
            loop=loop,
            limit=read_bufsize,
            auto_decompress=auto_decompress,
        )
        self._messages: deque[_QueueItem] = deque()
        # The context each request's task gets a fresh copy of.
        self._context: contextvars.Context | None = None
        # The task serving the current request; None while idle.
        self._task_handler: asyncio.Task[None] | None = None
        self._handling = False  # a handler (or its response) is running
        self._close = False  # close once the current request is done
        self._force_close = False  # stop now: the connection is gone or broken
        self._peer_eof = False
        self._failed = False
        self._keepalive_handle: asyncio.TimerHandle | None = None
        self._idle_since = 0.0  # loop time when the connection last went idle
        # Reading is paused for any of three reasons; the transport is paused
        # while one holds.  ``reading_paused`` reports the streams' own.
        self._stream_paused = False
        self._queue_full = False
        self._upgrade_pending = False
        self._transport_paused = False
        self._upgrade_tail = b""
        # Bytes read but not parsed yet: the queue of requests was full.
        self._unparsed = bytearray()
        self._upgraded_parser: UpgradedParser | None = None

    def __repr__(self) -> str:
        state = "handling" if self._handling else "idle"
        if self._force_close or self.transport is None:
            state = "closed"
        return f"<{self.__class__.__name__} {state} queued={len(self._messages)}>"

    # -- flags others read or set ---------------------------------------------

    @property
    def keepalive_timeout(self) -> float | None:
        """Seconds an idle connection is kept open."""
        return self._keepalive_timeout

    @property
    def lingering_time(self) -> float:
        """Seconds spent at most reading an unread body to keep the connection."""
        return self._lingering_time

    @property
    def timeout_ceil_threshold(self) -> float:
        """Timeouts this long or longer are rounded up to whole seconds."""
        return self._timeout_ceil_threshold

    @property
    def peername(self) -> object:
        """The peer's address, as the transport reports it."""
        transport = self.transport
        return None if transport is None else transport.get_extra_info("peername")

    def keep_alive(self, val: bool) -> None:
        """Allow (True) or forbid (False) further requests on this connection."""
        self._close = not val
        if self._close:
            self._wake()

    def force_close(self) -> None:
        """Close the connection as soon as the current response is sent."""
        self._close = True
        self._wake()

    def close(self) -> None:
        """Stop after the current request; an idle connection closes now."""
        self.force_close()

    def can_keep_alive(self, request: BaseRequest, status: int) -> bool:
        """Tell whether the connection can carry a request after this one.

        ``StreamResponse.prepare`` asks before it sends the head, so that
        the head says ``Connection: close`` whenever the connection will
        close after it.
        """
        if self._close or self._force_close or self.transport is None:
            return False
        message = request._message
        if message.upgrade or message.method == hdrs.METH_CONNECT:
            # The parser stopped after this request: nothing more is HTTP.
            return False
        payload = request._payload
        if payload.is_eof():
            return payload.exception() is None
        return self._body_can_be_skipped(request)

    def _body_can_be_skipped(self, request: BaseRequest) -> bool:
        payload = request._payload
        if payload.is_eof():
            return payload.exception() is None
        if payload.exception() is not None or self._lingering_time <= 0:
            return False
        if _expects_continue(request.message):
            # The client may hold the body back until it sees 100 Continue.
            return False
        length = request.content_length
        if length is not None and request.message.compression is None:
            return length - payload.total_bytes <= _MAX_DRAIN_SIZE
        return True

    # -- reading: three reasons to pause --------------------------------------

    @property
    def reading_paused(self) -> bool:
        """True while a body stream asked to stop reading (flow control)."""
        return self._stream_paused

    def pause_reading(self) -> None:
        """Called by a body stream whose buffer is full."""
        self._stream_paused = True
        self._update_reading()

    def resume_reading(self) -> None:
        """Called by a body stream that has room again."""
        self._stream_paused = False
        self._update_reading()

    def _update_reading(self) -> None:
        transport = self.transport
        if transport is None:
            return
        want_paused = self._stream_paused or self._queue_full or self._upgrade_pending
        if want_paused == self._transport_paused:
            return
        try:
            if want_paused:
                transport.pause_reading()
            else:
                transport.resume_reading()
        except (AttributeError, NotImplementedError, RuntimeError):
            return
        self._transport_paused = want_paused

    # -- asyncio.Protocol -----------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Start serving the connection."""
        super().connection_made(transport)
        if self._tcp_keepalive:
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if self.transport is not None:
            self._manager.connection_made(self, self.transport)
        self._context = contextvars.copy_context()
        self._advance()

    def connection_lost(self, exc: BaseException | None) -> None:
        """The connection is gone: fail the body being read, stop serving."""
        super().connection_lost(exc)
        self._manager.connection_lost(self, exc)
        self._force_close = True
        self._cancel_keepalive()
        payload = self._receiver.payload
        if payload is not None:
            payload.set_exception(ConnectionResetError("Connection lost"))
        if self._upgraded_parser is not None:
            with contextlib.suppress(Exception):
                self._upgraded_parser.feed_eof()
        task = self._task_handler
        if (
            task is not None
            and self._handling
            and self._manager.handler_cancellation
            and not task.done()
        ):
            task.cancel()
        self._wake()

    def eof_received(self) -> bool:
        """The peer will send no more: answer what was received, then close.

        With ``handler_cancellation`` the end of input counts as the client
        going away (the transport closes and the running handler is
        cancelled); otherwise the queued requests are still answered.
        """
        self._peer_eof = True
        if self._upgraded_parser is not None:
            with contextlib.suppress(Exception):
                self._upgraded_parser.feed_eof()
        elif not self._failed:
            payload = self._receiver.payload
            if payload is not None:
                # A client that stops in the middle of its body is gone, not
                # waiting for an answer: reading the body raises OSError,
                # as for a lost connection.
                self._failed = True
                payload.set_exception(ConnectionResetError("Connection lost"))
            else:
                try:
                    self._receiver.feed_eof()
                except HttpProcessingError as exc:
                    # A cut head gets no answer: nobody waits for one.
                    self.logger.debug("Connection closed mid-request: %s", exc)
        self._wake()
        return not self._manager.handler_cancellation

    def data_received(self, data: bytes) -> None:
        """Parse bytes from the peer and queue the requests they complete."""
        if self._upgraded_parser is not None:
            try:
                self._upgraded_parser.feed_data(data)
            except Exception as exc:
                self.logger.debug("Error in the upgraded protocol: %r", exc)
                self._abort()
            return
        if self._failed or self._force_close:
            return
        if self._receiver.upgraded:
            self._upgrade_tail += data
            return
        if self._unparsed or self._queue_full:
            self._unparsed += data  # keep the order: older bytes go first
            self._parse_unparsed()
        else:
            self._parse(data)

    def _parse_unparsed(self) -> None:
        """Parse the bytes held back while the queue was full."""
        data = bytes(self._unparsed)
        self._unparsed.clear()
        self._parse(data)

    def _parse(self, data: bytes) -> None:
        """Parse ``data`` while the queue has room, in slices; hold the rest.

        A parser turns a whole feed into messages at once, and one read can
        hold thousands of tiny pipelined requests: feeding it slices bounds
        the messages made ahead of the handler.  Bytes held back stop
        reading from the transport until the queue drains.  The slices are
        taken from ``data`` by offset and the usual read (one request, or a
        head and its body) is fed without copying it into a buffer first.
        """
        receiver = self._receiver
        messages = self._messages
        end = len(data)
        pos = 0
        while (
            pos < end
            and len(messages) < self._max_pipelined
            and not self._failed
            and not receiver.upgraded
        ):
            size = _BODY_SLICE if receiver.payload is not None else _HEAD_SLICE
            # A slice of all of ``data`` would copy it: feed the object itself.
            chunk = data if pos == 0 and end <= size else data[pos : pos + size]
            pos += len(chunk)
            self._feed(chunk)
        if pos < end:
            if receiver.upgraded:
                self._upgrade_tail += data[pos:]
            elif not self._failed:
                self._unparsed += data[pos:]
        full = bool(self._unparsed)
        if full != self._queue_full:
            self._queue_full = full
            self._update_reading()

    def _feed(self, data: bytes) -> None:
        receiver = self._receiver
        in_body = receiver.payload is not None
        try:
            received = receiver.receive(data)
        except Exception as exc:
            self.logger.exception("Error while parsing a request")
            self._fail(exc, in_body)
            return
        if received.error is not None:
            # The requests completed before the error are served before it
            # is answered; _fail() queues it after them and wakes the task.
            self._messages.extend(received.messages)
            self._fail(received.error, received.body_failed)
            return
        if received.messages:
            self._messages.extend(received.messages)
            self._wake()
        if received.upgraded:
            # Nothing after an upgrade request is HTTP: hold it (and stop
            # reading) until the handler takes the connection or declines.
            self._upgrade_tail += received.tail
            self._upgrade_pending = True
            self._update_reading()

    def _fail(self, exc: Exception, in_body: bool) -> None:
        self._failed = True
        self._unparsed.clear()
        self._messages.append(_ParseFailure(exc, in_body))
        self._upgrade_pending = True  # read nothing more
        self._update_reading()
        self._wake()

    def set_parser(self, parser: UpgradedParser) -> None:
        """Hand every byte after the upgrade request to ``parser`` (WebSocket)."""
        if self._upgraded_parser is not None:
            raise RuntimeError("The connection was already taken over")
        self._upgraded_parser = parser
        tail, self._upgrade_tail = self._upgrade_tail, b""
        self._upgrade_pending = False
        self._update_reading()
        if tail:
            parser.feed_data(tail)

    # -- the serving task -----------------------------------------------------

    def _wake(self) -> None:
        """Something changed: an idle connection acts on it now."""
        if self._task_handler is None and self._context is not None:
            self._advance()

    def _start_keepalive(self) -> None:
        """Note that the connection goes idle; arm the timer if none is pending.

        One timer per connection, re-armed lazily: scheduling and cancelling
        a ``TimerHandle`` per request costs more than the request's routing,
        and the cancelled handles pile up in the loop's heap.  The timer
        checks ``_idle_since`` when it fires and, if the connection was busy
        meanwhile, sleeps again for the remaining time.
        """
        timeout = self._keepalive_timeout
        if timeout is None:
            return
        self._idle_since = self._loop.time()
        if self._keepalive_handle is None:
            when = _deadline(self._loop, timeout, self._timeout_ceil_threshold)
            self._keepalive_handle = self._loop.call_at(when, self._on_keepalive)

    def _cancel_keepalive(self) -> None:
        if self._keepalive_handle is not None:
            self._keepalive_handle.cancel()
            self._keepalive_handle = None

    def _on_keepalive(self) -> None:
        self._keepalive_handle = None
        if self._task_handler is not None or self._messages:
            return  # busy: going idle again re-arms the timer
        timeout = cast(float, self._keepalive_timeout)
        when = self._idle_since + timeout
        if when > self._loop.time():
            # Idle again since a later moment than this timer was set for.
            if timeout >= self._timeout_ceil_threshold:
                when = math.ceil(when)
            self._keepalive_handle = self._loop.call_at(when, self._on_keepalive)
            return
        self.logger.debug("Closing the idle connection %r", self.peername)
        self._abort()

    def _abort(self) -> None:
        self._force_close = True
        if self.transport is not None:
            self.transport.close()
        self._wake()

    def _advance(self) -> None:
        """With no request task running: start the next item, idle, or stop."""
        if self._force_close:
            self._finish()
            return
        messages = self._messages
        if messages:
            item = messages.popleft()
            context = self._context
            assert context is not None  # _wake() waits for connection_made()
            # A task copies the context it is made in: made inside the
            # connection's own, each request gets a fresh copy of it, so what
            # a handler sets in context variables stays with its request
            # (web_advanced.rst, ContextVars support).
            self._task_handler = context.run(
                self._loop.create_task,
                self._serve_failure(item)
                if item.__class__ is _ParseFailure
                else self._serve_request(*item),  # type: ignore[misc]
            )
            if self._unparsed:
                self._parse_unparsed()
        elif self._close or self._peer_eof:
            self._finish()
        else:
            self._start_keepalive()

    def _finish(self) -> None:
        self._force_close = True
        self._messages.clear()
        if self.transport is not None:
            self.transport.close()

    async def _serve_failure(self, failure: _ParseFailure) -> None:
        """Answer a request that could not be parsed; then the connection closes."""
        try:
            if not failure.in_body:
                await self._answer_bad_request(failure.error)
        except asyncio.CancelledError:
            self.logger.debug("Request handling cancelled")
        finally:
            self._task_handler = None
            self._finish()

    async def _serve_request(
        self, message: RawRequestMessage, payload: StreamReader
    ) -> None:
        """Serve one request; the task that runs this is the request's own.

        When it is done it starts the next queued request (or lets the
        connection go idle or close); cancelling it (a shutdown, a lost
        peer) cancels the handler.  One coroutine, not a chain of helpers:
        each level costs on every request.
        """
        keep = False
        try:
            # The request's ``task`` is this one.
            task: asyncio.Task[None] = asyncio.current_task()  # type: ignore[assignment]
            writer = StreamWriter(self, self._loop)
            manager = self._manager
            request = manager.request_factory(message, payload, self, writer, task)
            manager.requests_count += 1
            self._handling = True
            try:
                response = await self._handle(request)
            finally:
                self._handling = False
                if request._post is not None:
                    request._close_uploads()
            keep = self._may_continue(request, response)
            if keep and not request._payload.is_eof():
                keep = await self._skip_body(request)
        except asyncio.CancelledError:
            self.logger.debug("Request handling cancelled")
        finally:
            self._task_handler = None
            if keep:
                self._advance()
            else:
                self._finish()

    def _may_continue(
        self, request: BaseRequest, response: StreamResponse | None
    ) -> bool:
        """Whether the connection may carry a request after this one.

        ``prepare`` asked can_keep_alive() before sending the head and
        stored the answer in ``keep_alive``; what could change since (the
        connection closing, the body failing) is checked here or by
        ``_skip_body``, so the question is not asked twice.
        """
        if response is None or self._force_close or self._close:
            return False
        if self._upgraded_parser is not None:
            # The upgraded protocol ran inside the handler and is over.
            return False
        if not response.keep_alive:
            return False
        if getattr(request.writer, "must_close", False):
            return False
        payload = request._payload
        return not payload.is_eof() or payload.exception() is None

    async def _handle(self, request: BaseRequest) -> StreamResponse | None:
        """Run the handler and send its response; None when the connection broke."""
        # Only the access log needs the time; reading the clock costs.
        start = self._loop.time() if self.access_logger is not None else 0.0
        try:
            # Typed loosely: a handler may break its contract at run time.
            response: object = await self._manager.request_handler(request)
        except HTTPException as exc:
            return await self._send_instead(request, response_of(exc), start)
        except HttpProcessingError as exc:
            # The body was malformed (or too large to decode).
            self.logger.debug("Bad request body: %s", exc)
            error = self._error_response(exc.code, exc)
            return await self._send_instead(request, error, start)
        except ConnectionError as exc:
            if (
                self.transport is None
                or self._force_close
                or self._peer_eof
                or exc is request.content.exception()
            ):
                self.logger.debug("Peer gone while handling %r: %r", request, exc)
                return None
            self.logger.exception("Error handling request")
            error = self._error_response(500, exc)
            return await self._send_instead(request, error, start)
        except Exception as exc:
            self.logger.exception("Error handling request")
            error = self._error_response(500, exc)
            return await self._send_instead(request, error, start)
        # StreamResponse is a MutableMapping, an ABC: check the usual first.
        if response.__class__ is not Response and not isinstance(
            response, StreamResponse
        ):
            self.logger.error(
                "The web handler should return a response instance, got %r",
                response,
            )
            error = self._error_response(500, None)
            return await self._send_instead(request, error, start)
        return await self._send(request, response, start)

    async def _send_instead(
        self, request: BaseRequest, response: StreamResponse, start: float
    ) -> StreamResponse | None:
        """Send ``response`` in place of whatever the handler started, if it can.

        A head that was only buffered is dropped with its writer; once bytes
        went out, the client has part of a response and the only honest
        thing left is to close the connection.
        """
        if request.writer.output_size:
            self._close = True
            await self._log_access(request, response, start)
            return None
        request._payload_writer = StreamWriter(self, self._loop)
        return await self._send(request, response, start)

    async def _send(
        self, request: BaseRequest, response: StreamResponse, start: float
    ) -> StreamResponse | None:
        """Finish ``response``, log it; None when the connection must close."""
        failed = False
        try:
            # A plain Response skips the coroutines of prepare() when it can.
            if response.__class__ is not Response or not response._start_now(request):
                await response.prepare(request)
            await response.write_eof()
        except ConnectionError as exc:
            self.logger.debug("Peer gone while responding to %r: %r", request, exc)
            failed = True
        except Exception:
            self.logger.exception("Error sending the response")
            failed = True
            if self.transport is not None and not request.writer.output_size:
                response = self._error_response(500, None)
                request._payload_writer = StreamWriter(self, self._loop)
                with contextlib.suppress(Exception):
                    await response.prepare(request)
                    await response.write_eof()
        await self._log_access(request, response, start)
        if failed:
            self._close = True
            return None
        return response

    def _error_response(self, status: int, exc: BaseException | None) -> Response:
        return error_response(status, exc, debug=self.debug)

    async def _log_access(
        self, request: BaseRequest, response: StreamResponse, start: float
    ) -> None:
        access_logger = self.access_logger
        if access_logger is None:
            return
        try:
            if not access_logger.enabled:
                return
            elapsed = self._loop.time() - start
            # An AbstractAsyncAccessLogger's log() is a coroutine function.
            result: object = access_logger.log(request, response, elapsed)
            if inspect.isawaitable(result):
                await result
        except Exception:
            self.logger.exception("Error in the access logger")

    async def _skip_body(self, request: BaseRequest) -> bool:
        """Read and drop the unread body, so the next request can be parsed."""
        payload = request.content
        if payload.is_eof():
            return payload.exception() is None

        async def discard() -> bool:
            dropped = 0
            while not payload.is_eof():
                chunk = await payload.readany()
                dropped += len(chunk)
                if dropped > _MAX_DRAIN_SIZE:
                    return False
            # Whatever is still buffered is dropped with the request.
            return True

        try:
            return await asyncio.wait_for(discard(), self._lingering_time)
        except (asyncio.TimeoutError, HttpProcessingError, ConnectionError):
            return False

    async def _answer_bad_request(self, exc: Exception) -> None:
        """Answer a request that could not be parsed, then the connection closes."""
        if isinstance(exc, HttpProcessingError):
            self.logger.debug("Bad request from %r: %s", self.peername, exc)
        status_line, headers, body = bad_request_answer(exc)
        writer = StreamWriter(self, self._loop)
        try:
            await writer.write_headers(status_line, headers)
            await writer.write_eof(body)
        except (ConnectionError, ValueError) as write_exc:
            self.logger.debug("Could not answer the bad request: %r", write_exc)

    # -- shutdown -------------------------------------------------------------

    async def shutdown(self, timeout: float | None = 15.0) -> None:
        """Let the running handler finish within ``timeout``, then close."""
        self._close = True
        self._wake()
        task = self._task_handler
        if task is not None and not task.done() and task is not asyncio.current_task():
            if self._handling:
                await asyncio.wait({task}, timeout=timeout)
            if not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=timeout)
        if self.transport is not None:
            self.transport.close()
